import type { ExtractContext, Extractor, LockedPackage, PackageSource } from './types.js';
import { npmSourceOf } from './npm-util.js';
import { baseName, isObject, objectEntries, reachability } from './util.js';

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && (t.startsWith('"') || t.startsWith("'")) && t.endsWith(t[0] ?? '') ? t.slice(1, -1) : t;
}

/** Name from a descriptor such as `@babel/core@^7.0.0` or `lodash@npm:^4.17.0`. */
function descriptorName(descriptor: string): string | undefined {
  const d = unquote(descriptor);
  const at = d.indexOf('@', 1);
  return at < 0 ? undefined : d.slice(0, at);
}

interface Entry {
  key: string;
  line: number;
  fields: Map<string, string>;
  /** `dependencies` and `optionalDependencies`: name -> range as written. */
  deps: [string, string][];
}

/** Top-level entries and their direct scalar fields; works for classic (`version "1"`) and berry (`version: 1`). */
function entries(text: string): { entries: Entry[]; berry: boolean } {
  const lines = text.split(/\r?\n/);
  const out: Entry[] = [];
  let current: Entry | undefined;
  let berry = false;
  let inDeps = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (l === '' || l.startsWith('#')) continue;
    if (!l.startsWith(' ')) {
      current = undefined;
      if (l.startsWith('__metadata:')) {
        berry = true;
        continue;
      }
      if (l.endsWith(':')) {
        current = { key: l.slice(0, -1), line: i + 1, fields: new Map(), deps: [] };
        out.push(current);
      }
      inDeps = false;
      continue;
    }
    if (current === undefined) continue;
    if (!l.startsWith('   ')) inDeps = /^ {2}(dependencies|optionalDependencies):\s*$/.test(l);
    if (inDeps && l.startsWith('    ') && !l.startsWith('     ')) {
      const d = /^ {4}("[^"]+"|[^\s:"]+):?\s+(.+)$/.exec(l);
      if (d?.[1] !== undefined && d[2] !== undefined) current.deps.push([unquote(d[1]), unquote(d[2])]);
      continue;
    }
    const m = /^ {2}([A-Za-z]+):?\s+(.+)$/.exec(l);
    if (m?.[1] !== undefined && m[2] !== undefined && !l.startsWith('   ')) current.fields.set(m[1], unquote(m[2]));
  }
  return { entries: out, berry };
}

/** Descriptor a dependency range resolves through: classic `name@range`, berry `name@npm:range`. */
function descriptor(name: string, range: string, berry: boolean): string {
  return berry && !/^[a-z]+:/.test(range) ? `${name}@npm:${range}` : `${name}@${range}`;
}

/**
 * Direct and dev flags from the sibling package.json (yarn.lock alone does not say): its
 * dependencies are the roots, and the lockfile's dependency blocks are the graph.
 */
function classify(entries: Entry[], berry: boolean, entryOf: Map<LockedPackage, Entry>, out: LockedPackage[], context: ExtractContext): void {
  const manifest = context.readRelative?.('package.json');
  if (manifest === undefined) return;
  let doc: unknown;
  try {
    doc = JSON.parse(manifest.text);
  } catch {
    return;
  }
  if (!isObject(doc)) return;
  const byDescriptor = new Map<string, Entry>();
  for (const e of entries) for (const d of unquote(e.key).split(/,\s*/)) byDescriptor.set(unquote(d), e);
  const roots = (field: string): string[] =>
    objectEntries(doc[field]).flatMap(([n, r]) => (typeof r === 'string' ? [descriptor(n, r, berry)] : []));
  const prodRoots = [...roots('dependencies'), ...roots('optionalDependencies')];
  const devRoots = roots('devDependencies');
  const keyOf = (d: string): string | undefined => byDescriptor.get(d)?.key;
  const edges = new Map<string, string[]>();
  for (const e of entries) edges.set(e.key, e.deps.map(([n, r]) => keyOf(descriptor(n, r, berry))).filter((k): k is string => k !== undefined));
  const toKeys = (list: string[]): string[] => list.map(keyOf).filter((k): k is string => k !== undefined);
  const prodKeys = toKeys(prodRoots);
  const devKeys = toKeys(devRoots);
  const { prod, dev } = reachability(prodKeys, devKeys, (k) => edges.get(k) ?? []);
  const direct = new Set([...prodKeys, ...devKeys]);
  for (const p of out) {
    const e = entryOf.get(p);
    if (e === undefined || p.source === 'workspace') continue;
    p.direct = direct.has(e.key);
    if (prod.has(e.key)) p.dev = false;
    else if (dev.has(e.key)) p.dev = true;
  }
}

/** yarn.lock, classic (v1) and berry (v2+, `__metadata`); workspace and patch entries are skipped. */
export const yarnLockExtractor: Extractor = {
  id: 'npm/yarn-lock',
  ecosystem: 'npm',
  description: 'yarn.lock (classic v1 and berry)',
  matches: (path) => baseName(path) === 'yarn.lock',
  extract(text, context) {
    const parsed = entries(text);
    const out: LockedPackage[] = [];
    const seen = new Set<string>();
    const patches: { entry: Entry; name: string; version: string; source: PackageSource }[] = [];
    const entryOf = new Map<LockedPackage, Entry>();
    for (const e of parsed.entries) {
      const first = unquote(e.key).split(/,\s*/)[0] ?? '';
      const version = e.fields.get('version');
      const resolution = e.fields.get('resolution');
      let name = descriptorName(first);
      let source: PackageSource = 'registry';
      if (parsed.berry && resolution !== undefined) {
        const at = resolution.indexOf('@', 1);
        if (at > 0) {
          name = resolution.slice(0, at);
          const protocol = resolution.slice(at + 1);
          if (protocol.startsWith('patch:')) {
            // A patch entry repeats the package it patches; kept only when that has no entry of its own.
            let inner = protocol.slice('patch:'.length).split('#')[0] ?? '';
            try {
              inner = decodeURIComponent(inner);
            } catch {
              // keep as is
            }
            const innerProtocol = inner.slice(inner.indexOf('@', 1) + 1);
            if (version !== undefined) patches.push({ entry: e, name, version, source: innerProtocol.startsWith('npm:') ? 'registry' : npmSourceOf(innerProtocol) });
            continue;
          }
          if (protocol.startsWith('workspace:')) source = 'workspace';
          else if (!protocol.startsWith('npm:')) source = npmSourceOf(protocol);
        }
      } else {
        const resolved = e.fields.get('resolved') ?? '';
        const range = first.slice((name ?? '').length + 1);
        const rangeSource = npmSourceOf(range);
        if (rangeSource !== 'registry') source = rangeSource;
        else if (/^git[+:]/.test(resolved)) source = 'git';
      }
      if (name === undefined || version === undefined) continue;
      const key = `${name}@${version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const pkg: LockedPackage = { ecosystem: 'npm', name, pinned: source === 'registry', file: context.file, line: e.line, source };
      if (source === 'registry') pkg.version = version;
      else pkg.requirement = resolution ?? version;
      out.push(pkg);
      entryOf.set(pkg, e);
    }
    classify(parsed.entries, parsed.berry, entryOf, out, context);
    for (const p of patches) {
      if (seen.has(`${p.name}@${p.version}`)) continue;
      seen.add(`${p.name}@${p.version}`);
      const pkg: LockedPackage = { ecosystem: 'npm', name: p.name, pinned: p.source === 'registry', file: context.file, line: p.entry.line, source: p.source };
      if (p.source === 'registry') pkg.version = p.version;
      else pkg.requirement = p.entry.fields.get('resolution') ?? p.version;
      out.push(pkg);
    }
    return out;
  },
};
