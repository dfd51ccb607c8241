import { normalizePypiName } from '../advisories/names.js';
import { pinnedVersion } from './pep508.js';
import { arrayTableNameLines, classifyByGraph, dependencyNames } from './python-toml.js';
import type { ExtractContext, Extractor, LockedPackage, PackageSource } from './types.js';
import { LineIndex, asString, baseName, isObject, objectEntries, parseJsonDoc, parseTomlDoc } from './util.js';
import type { Json } from './util.js';

function tomlPackages(doc: Json, table: string): Json[] {
  const list = doc[table];
  return Array.isArray(list) ? list.filter(isObject) : [];
}

function pkgFrom(entry: Json, context: ExtractContext, line: number, source: PackageSource): LockedPackage | undefined {
  const name = asString(entry.name);
  if (name === undefined || name === '') return undefined;
  const version = asString(entry.version);
  const pkg: LockedPackage = { ecosystem: 'pypi', name, pinned: false, file: context.file, line, source };
  if (version !== undefined && version !== '') {
    pkg.version = version;
    pkg.pinned = source === 'registry';
  }
  return pkg;
}

/** poetry.lock 1.x (`category`) and 2.x (`groups`). */
export const poetryLockExtractor: Extractor = {
  id: 'pypi/poetry-lock',
  ecosystem: 'pypi',
  description: 'poetry.lock (lock-version 1.x and 2.x)',
  matches: (path) => baseName(path) === 'poetry.lock',
  extract(text, context) {
    const doc = parseTomlDoc(text, context.file);
    const lines = arrayTableNameLines(text, 'package');
    const out: LockedPackage[] = [];
    tomlPackages(doc, 'package').forEach((entry, i) => {
      const src = isObject(entry.source) ? asString(entry.source.type) : undefined;
      const source: PackageSource =
        src === 'git' ? 'git' : src === 'directory' || src === 'file' ? 'path' : src === 'url' ? 'url' : 'registry';
      const pkg = pkgFrom(entry, context, lines[i] ?? 0, source);
      if (pkg === undefined) return;
      const category = asString(entry.category);
      if (category !== undefined) pkg.dev = category === 'dev';
      else if (Array.isArray(entry.groups)) pkg.dev = !entry.groups.includes('main');
      out.push(pkg);
    });
    return out;
  },
};

/** uv.lock: the project itself is kept as a `workspace` package; direct and dev come from its dependency lists. */
export const uvLockExtractor: Extractor = {
  id: 'pypi/uv-lock',
  ecosystem: 'pypi',
  description: 'uv.lock',
  matches: (path) => baseName(path) === 'uv.lock',
  extract(text, context) {
    const doc = parseTomlDoc(text, context.file);
    const lines = arrayTableNameLines(text, 'package');
    const out: LockedPackage[] = [];
    const edges = new Map<string, string[]>();
    const prodRoots: string[] = [];
    const devRoots: string[] = [];
    tomlPackages(doc, 'package').forEach((entry, i) => {
      const s = isObject(entry.source) ? entry.source : {};
      const root = s.virtual !== undefined || s.editable !== undefined;
      const source: PackageSource = root ? 'workspace' : s.git !== undefined ? 'git' : s.path !== undefined || s.directory !== undefined ? 'path' : s.url !== undefined ? 'url' : 'registry';
      const pkg = pkgFrom(entry, context, lines[i] ?? 0, source);
      if (pkg === undefined) return;
      const key = normalizePypiName(pkg.name);
      const deps = [...dependencyNames(entry.dependencies)];
      for (const [, list] of objectEntries(entry['optional-dependencies'])) deps.push(...dependencyNames(list));
      edges.set(key, [...(edges.get(key) ?? []), ...deps]);
      if (root) {
        pkg.direct = true;
        prodRoots.push(...deps);
        for (const [, list] of objectEntries(entry['dev-dependencies'])) devRoots.push(...dependencyNames(list));
      }
      out.push(pkg);
    });
    if (prodRoots.length + devRoots.length > 0) classifyByGraph(out, prodRoots, devRoots, edges);
    return out;
  },
};

/** pdm.lock (lock_version 4.x: `groups`; older: `section`). */
export const pdmLockExtractor: Extractor = {
  id: 'pypi/pdm-lock',
  ecosystem: 'pypi',
  description: 'pdm.lock',
  matches: (path) => baseName(path) === 'pdm.lock',
  extract(text, context) {
    const doc = parseTomlDoc(text, context.file);
    const lines = arrayTableNameLines(text, 'package');
    const out: LockedPackage[] = [];
    const seen = new Set<string>();
    tomlPackages(doc, 'package').forEach((entry, i) => {
      // pdm repeats a package once per extras set (`extras = [...]`); one entry is enough.
      const id = `${String(entry.name)}@${String(entry.version)}`;
      if (seen.has(id)) return;
      seen.add(id);
      const source: PackageSource = entry.git !== undefined ? 'git' : entry.path !== undefined ? 'path' : entry.url !== undefined ? 'url' : 'registry';
      const pkg = pkgFrom(entry, context, lines[i] ?? 0, source);
      if (pkg === undefined) return;
      if (Array.isArray(entry.groups)) pkg.dev = !entry.groups.includes('default');
      else if (typeof entry.section === 'string') pkg.dev = entry.section !== 'default';
      out.push(pkg);
    });
    return out;
  },
};

/** PEP 751 pylock.toml; a package without `version` (VCS, directory) is reported unpinned. */
export const pylockExtractor: Extractor = {
  id: 'pypi/pylock',
  ecosystem: 'pypi',
  description: 'pylock.toml and pylock.*.toml (PEP 751)',
  matches: (path) => /^pylock(\.[^/]+)?\.toml$/.test(baseName(path)),
  extract(text, context) {
    const doc = parseTomlDoc(text, context.file);
    const lines = arrayTableNameLines(text, 'packages');
    const out: LockedPackage[] = [];
    tomlPackages(doc, 'packages').forEach((entry, i) => {
      const source: PackageSource = entry.vcs !== undefined ? 'git' : entry.directory !== undefined ? 'path' : entry.archive !== undefined && entry.version === undefined ? 'url' : 'registry';
      const pkg = pkgFrom(entry, context, lines[i] ?? 0, source);
      if (pkg === undefined) return;
      if (!pkg.pinned) pkg.requirement = pkg.version ?? '(no version in lock)';
      out.push(pkg);
    });
    return out;
  },
};

/** Pipfile.lock (`default` and `develop`). */
export const pipfileLockExtractor: Extractor = {
  id: 'pypi/pipfile-lock',
  ecosystem: 'pypi',
  description: 'Pipfile.lock',
  matches: (path) => baseName(path) === 'Pipfile.lock',
  extract(text, context) {
    const doc = parseJsonDoc(text, context.file);
    const index = new LineIndex(text);
    const out: LockedPackage[] = [];
    for (const [section, dev] of [
      ['default', false],
      ['develop', true],
    ] as const) {
      const sectionAt = text.indexOf(`"${section}"`);
      for (const [name, value] of objectEntries(doc[section])) {
        if (!isObject(value)) continue;
        const line = index.findNext(`${JSON.stringify(name)}:`, Math.max(0, sectionAt));
        const spec = asString(value.version);
        const source: PackageSource = value.git !== undefined ? 'git' : value.path !== undefined || value.file !== undefined ? 'path' : 'registry';
        const version = spec === undefined ? undefined : pinnedVersion(spec);
        const pkg: LockedPackage = { ecosystem: 'pypi', name, pinned: version !== undefined && source === 'registry', file: context.file, line, dev, source };
        if (version !== undefined) pkg.version = version;
        else pkg.requirement = spec ?? asString(value.git) ?? asString(value.path) ?? '*';
        out.push(pkg);
      }
    }
    return out;
  },
};
