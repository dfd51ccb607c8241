import type { Extractor, LockedPackage, PackageSource } from './types.js';
import { npmSourceOf } from './npm-util.js';
import { baseName } from './util.js';

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
}

/** Top-level entries and their direct scalar fields; works for classic (`version "1"`) and berry (`version: 1`). */
function entries(text: string): { entries: Entry[]; berry: boolean } {
  const lines = text.split(/\r?\n/);
  const out: Entry[] = [];
  let current: Entry | undefined;
  let berry = false;
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
        current = { key: l.slice(0, -1), line: i + 1, fields: new Map() };
        out.push(current);
      }
      continue;
    }
    if (current === undefined) continue;
    const m = /^ {2}([A-Za-z]+):?\s+(.+)$/.exec(l);
    if (m?.[1] !== undefined && m[2] !== undefined && !l.startsWith('   ')) current.fields.set(m[1], unquote(m[2]));
  }
  return { entries: out, berry };
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
    }
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
