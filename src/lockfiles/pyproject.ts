import { manifestRequirement, sectionOffset, tableDependency } from './python-toml.js';
import type { Extractor, LockedPackage } from './types.js';
import { LineIndex, baseName, isObject, objectEntries, parseTomlDoc } from './util.js';

/** pyproject.toml: PEP 621 dependencies and optional-dependencies, PEP 735 groups, Poetry, PDM and uv dev lists. */
export const pyprojectExtractor: Extractor = {
  id: 'pypi/pyproject',
  ecosystem: 'pypi',
  description: 'pyproject.toml (PEP 621, PEP 735 dependency-groups, Poetry, PDM and uv dev dependencies)',
  matches: (path) => baseName(path) === 'pyproject.toml',
  extract(text, context) {
    const doc = parseTomlDoc(text, context.file);
    const index = new LineIndex(text);
    const out: LockedPackage[] = [];
    const addList = (list: unknown, dev: boolean): void => {
      if (!Array.isArray(list)) return;
      for (const item of list) {
        if (typeof item !== 'string') continue; // PEP 735 {include-group = "…"} entries name no package
        const pkg = manifestRequirement(item, context, index, dev);
        if (pkg !== undefined) out.push(pkg);
      }
    };
    const project = isObject(doc.project) ? doc.project : {};
    addList(project.dependencies, false);
    for (const [, list] of objectEntries(project['optional-dependencies'])) addList(list, false);
    for (const [, list] of objectEntries(doc['dependency-groups'])) addList(list, true);
    const tool = isObject(doc.tool) ? doc.tool : {};
    if (isObject(tool.pdm)) for (const [, list] of objectEntries(tool.pdm['dev-dependencies'])) addList(list, true);
    if (isObject(tool.uv)) addList(tool.uv['dev-dependencies'], true);
    if (isObject(tool.poetry)) {
      const poetry = tool.poetry;
      const addTable = (table: unknown, header: string, dev: boolean): void => {
        const offset = Math.max(0, sectionOffset(text, header));
        for (const [name, value] of objectEntries(table)) {
          if (name.toLowerCase() === 'python') continue;
          out.push(tableDependency(name, value, context, index, offset, dev, true));
        }
      };
      addTable(poetry.dependencies, 'tool.poetry.dependencies', false);
      addTable(poetry['dev-dependencies'], 'tool.poetry.dev-dependencies', true);
      for (const [group, def] of objectEntries(poetry.group)) {
        if (isObject(def)) addTable(def.dependencies, `tool.poetry.group.${group}.dependencies`, true);
      }
    }
    return out;
  },
};
