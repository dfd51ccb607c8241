import { sectionOffset, tableDependency } from './python-toml.js';
import type { Extractor, LockedPackage } from './types.js';
import { LineIndex, baseName, objectEntries, parseTomlDoc } from './util.js';

/** Pipfile manifest: [packages] and [dev-packages]. */
export const pipfileExtractor: Extractor = {
  id: 'pypi/pipfile',
  ecosystem: 'pypi',
  description: 'Pipfile ([packages], [dev-packages])',
  matches: (path) => baseName(path) === 'Pipfile',
  extract(text, context) {
    const doc = parseTomlDoc(text, context.file);
    const index = new LineIndex(text);
    const out: LockedPackage[] = [];
    for (const [section, dev] of [
      ['packages', false],
      ['dev-packages', true],
    ] as const) {
      const offset = Math.max(0, sectionOffset(text, section));
      for (const [name, value] of objectEntries(doc[section])) out.push(tableDependency(name, value, context, index, offset, dev, false));
    }
    return out;
  },
};
