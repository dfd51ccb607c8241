import { loadYaml } from './lazy.js';
import type { Extractor, LockedPackage } from './types.js';
import { npmSourceOf, splitNameAtVersion } from './npm-util.js';
import { LineIndex, asString, badFile, baseName, isObject, objectEntries, reachability } from './util.js';
import type { Json } from './util.js';

/** Name and version from a pnpm package key: `/a/1.0.0_peer` (v5), `/a@1.0.0(peer)` (v6), `a@1.0.0(peer)` (v9). */
export function parsePnpmKey(key: string, major: number): { name: string; version: string } | undefined {
  let k = key.startsWith('/') ? key.slice(1) : key;
  const paren = k.indexOf('(');
  if (paren > 0) k = k.slice(0, paren);
  if (major < 6) {
    // v5: /name/version[_peers] or /@scope/name/version[_peers]; peers may contain '@' and '/'.
    const parts = k.split('/');
    const nameParts = k.startsWith('@') ? 2 : 1;
    if (parts.length <= nameParts) return undefined;
    const version = (parts[nameParts] ?? '').split('_')[0] ?? '';
    return { name: parts.slice(0, nameParts).join('/'), version };
  }
  return splitNameAtVersion(k);
}

/** A dependency value in importers/snapshots: `1.2.3`, `1.2.3(peer)`, `/x/1.2.3` (v5 aliases), `link:...`. */
function depVersion(value: unknown): string | undefined {
  const v = isObject(value) ? asString(value.version) : asString(value);
  if (v === undefined) return undefined;
  const paren = v.indexOf('(');
  return paren > 0 ? v.slice(0, paren) : v.split('_')[0];
}

/** pnpm-lock.yaml v5, v6 and v9 (the last YAML document that has packages; earlier ones are env lockfiles). */
export const pnpmLockExtractor: Extractor = {
  id: 'npm/pnpm-lock',
  ecosystem: 'npm',
  description: 'pnpm-lock.yaml (lockfileVersion 5.x, 6.x, 9.x; several YAML documents)',
  matches: (path) => baseName(path) === 'pnpm-lock.yaml',
  extract(text, context) {
    let docs: Json[];
    try {
      docs = loadYaml()
        .parseAllDocuments(text, { uniqueKeys: false })
        .map((d) => {
          if (!Array.isArray(d) && d.errors.length > 0) throw d.errors[0];
          return Array.isArray(d) ? undefined : (d.toJS({ maxAliasCount: 1000 }) as unknown);
        })
        .filter(isObject);
    } catch (error) {
      throw badFile(context.file, 'invalid YAML', error);
    }
    const doc = [...docs].reverse().find((d) => d.packages !== undefined || d.importers !== undefined) ?? docs[docs.length - 1];
    if (doc === undefined) return [];
    const major = Number.parseFloat(String(doc.lockfileVersion ?? '5')) || 5;
    const index = new LineIndex(text);
    const docStart = text.lastIndexOf('\nlockfileVersion');
    const packagesAt = Math.max(0, text.indexOf('\npackages:', docStart < 0 ? 0 : docStart));
    const importers: Json[] = isObject(doc.importers) ? Object.values(doc.importers).filter(isObject) : [doc];
    const prodRoots: string[] = [];
    const devRoots: string[] = [];
    const directNames = new Set<string>();
    for (const imp of importers) {
      for (const field of ['dependencies', 'optionalDependencies', 'devDependencies']) {
        for (const [name, value] of objectEntries(imp[field])) {
          const v = depVersion(value);
          if (v === undefined) continue;
          directNames.add(name);
          const id = v.startsWith('/') ? (parsePnpmKey(v, major) ?? { name, version: v }) : { name, version: v };
          (field === 'devDependencies' ? devRoots : prodRoots).push(`${id.name}@${id.version}`);
        }
      }
    }
    // Graph edges from snapshots (v9) or packages (v5/v6).
    const edges = new Map<string, string[]>();
    const graphSource = isObject(doc.snapshots) ? doc.snapshots : isObject(doc.packages) ? doc.packages : {};
    for (const [key, value] of Object.entries(graphSource)) {
      const id = parsePnpmKey(key, major);
      if (id === undefined || !isObject(value)) continue;
      const from = `${id.name}@${id.version}`;
      const list = edges.get(from) ?? [];
      for (const field of ['dependencies', 'optionalDependencies']) {
        for (const [dep, dv] of objectEntries(value[field])) {
          const v = depVersion(dv);
          if (v === undefined) continue;
          const target = v.startsWith('/') ? parsePnpmKey(v, major) : { name: dep, version: v };
          if (target !== undefined) list.push(`${target.name}@${target.version}`);
        }
      }
      edges.set(from, list);
    }
    const { prod, dev } = reachability(prodRoots, devRoots, (n) => edges.get(n) ?? []);
    const out: LockedPackage[] = [];
    const seen = new Set<string>();
    for (const [key, value] of objectEntries(doc.packages)) {
      const parsed = parsePnpmKey(key, major);
      const entry = isObject(value) ? value : {};
      const name = asString(entry.name) ?? parsed?.name;
      let version = asString(entry.version) ?? parsed?.version ?? key;
      if (name === undefined) continue;
      const graphKey = parsed === undefined ? `${name}@${version}` : `${parsed.name}@${parsed.version}`;
      if (seen.has(`${name}@${version}`)) continue;
      seen.add(`${name}@${version}`);
      const resolution = isObject(entry.resolution) ? entry.resolution : {};
      let source = npmSourceOf(version);
      // Keys without the registry form (`/name@1.0.0` before v9) are tarball, git or directory packages.
      const nonRegistryKey = (major < 9 && !key.startsWith('/')) || (parsed !== undefined && npmSourceOf(parsed.version) !== 'registry');
      if (nonRegistryKey || resolution.tarball !== undefined && resolution.integrity === undefined) source = 'url';
      if (resolution.type === 'git' || resolution.repo !== undefined) source = 'git';
      if (resolution.type === 'directory' || key.startsWith('file:') || key.startsWith('link:')) source = 'path';
      const line = index.findNext(`${key}:`, packagesAt) || index.findNext(`'${key}':`, packagesAt);
      const pkg: LockedPackage = { ecosystem: 'npm', name, pinned: source === 'registry', file: context.file, line, source };
      if (source === 'registry') pkg.version = version;
      else pkg.requirement = version = asString(resolution.tarball) ?? asString(resolution.repo) ?? asString(resolution.directory) ?? version;
      pkg.direct = directNames.has(name) && (prodRoots.includes(graphKey) || devRoots.includes(graphKey));
      if (typeof entry.dev === 'boolean') pkg.dev = entry.dev;
      else if (prod.has(graphKey)) pkg.dev = false;
      else if (dev.has(graphKey)) pkg.dev = true;
      out.push(pkg);
    }
    return out;
  },
};
