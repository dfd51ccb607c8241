/**
 * What changed between two releases of a package: files, and — more importantly — behaviour that
 * appeared or grew (install hooks, network destinations, credential sources, encoded blobs,
 * dependencies, findings).
 */
import type { FileTree, Finding } from '../core/types.js';
import type { Dependency, InstallHook } from './extract.js';
import { extractFacts, isRecord, pathMapper } from './extract.js';

export { renderDiffText, renderDiffJson, renderDiffSarif } from './render.js';
export { extractFacts, hostsIn } from './extract.js';
export type { Dependency, InstallHook, ReleaseFacts } from './extract.js';

export interface DiffInput {
  tree: FileTree;
  findings: Finding[];
  /** How the side is named in reports (e.g. `pypi:name==1.0` or a path). */
  label?: string;
}

export interface Destination {
  host: string;
  /** Files that mention it in the newer release. */
  files: string[];
  /** `finding` when an analysis rule reported it, `literal` when only found as a literal. */
  via: 'finding' | 'literal';
}

export interface ReleaseDiff {
  a: { label: string; files: number };
  b: { label: string; files: number };
  files: { added: string[]; removed: string[]; changed: string[]; unchanged: number };
  installHooks: { added: InstallHook[]; changed: (InstallHook & { before: string })[]; removed: InstallHook[] };
  /** Install-time files (setup.py, files run by npm install scripts) that are new or changed. */
  installFilesChanged: string[];
  destinations: { added: Destination[] };
  credentialSources: { added: { source: string; files: string[] }[] };
  obfuscatedBlobs: { added: { path: string; length: number; preview: string }[] };
  dependencies: { added: Dependency[]; removed: Dependency[]; changed: { name: string; from: string; to: string }[] };
  findings: {
    /** Findings of the newer release with no counterpart in the older one. */
    added: Finding[];
    removed: Finding[];
    /** Rules that fire more often than before. */
    grown: { ruleId: string; before: number; after: number }[];
  };
  /** True when any behaviour appeared or grew (not just files). */
  newBehaviour: boolean;
}

/** Findings are matched across versions by rule, path and evidence — never by line number. */
export function findingKey(f: Finding, mapPath: (p: string) => string = (p) => p): string {
  const evidence = f.evidence.replace(/\s+/g, ' ').trim().slice(0, 300);
  return `${f.ruleId}\u0000${mapPath(f.location.path)}\u0000${evidence}`;
}

function multiset(findings: readonly Finding[], mapPath: (p: string) => string): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) {
    const k = findingKey(f, mapPath);
    const list = out.get(k);
    if (list === undefined) out.set(k, [f]);
    else list.push(f);
  }
  return out;
}

const HOST_KEYS = ['host', 'hostname', 'domain', 'destination', 'url', 'urls', 'hosts', 'destinations', 'endpoint'];

function findingHosts(f: Finding): string[] {
  const out: string[] = [];
  const data = f.data;
  if (!isRecord(data)) return out;
  for (const key of HOST_KEYS) {
    const v = data[key];
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) {
      if (typeof x !== 'string' || x.length > 2048) continue;
      let host = x;
      try {
        if (/^[a-z][a-z0-9+.-]{0,20}:\/\//i.test(x)) host = new URL(x).hostname;
      } catch {
        continue;
      }
      host = host.toLowerCase();
      if (/^[a-z0-9_.:[\]-]{1,253}$/.test(host)) out.push(host);
    }
  }
  return out;
}

function sortStrings(xs: Iterable<string>): string[] {
  return [...xs].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** Compares release `a` (older) with release `b` (newer). Pure. */
export function diffTrees(a: DiffInput, b: DiffInput): ReleaseDiff {
  const fa = extractFacts(a.tree);
  const fb = extractFacts(b.tree);
  const mapA = pathMapper(a.tree);
  const mapB = pathMapper(b.tree);

  const added: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  for (const [p, h] of fb.files) {
    const before = fa.files.get(p);
    if (before === undefined) added.push(p);
    else if (before !== h) changed.push(p);
    else unchanged++;
  }
  const removed = [...fa.files.keys()].filter((p) => !fb.files.has(p));

  const hookKey = (h: InstallHook): string => `${h.file}\u0000${h.hook}`;
  const hooksA = new Map(fa.hooks.map((h) => [hookKey(h), h]));
  const hooksB = new Map(fb.hooks.map((h) => [hookKey(h), h]));
  const hooksAdded: InstallHook[] = [];
  const hooksChanged: (InstallHook & { before: string })[] = [];
  for (const [k, h] of hooksB) {
    const before = hooksA.get(k);
    if (before === undefined) hooksAdded.push(h);
    else if (before.command !== h.command) hooksChanged.push({ ...h, before: before.command });
  }
  const hooksRemoved = [...hooksA].filter(([k]) => !hooksB.has(k)).map(([, h]) => h);
  const installFilesChanged = sortStrings([...fb.installFiles].filter((p) => fb.files.has(p) && fa.files.get(p) !== fb.files.get(p)));

  // Findings: multiset difference by (rule, path, evidence).
  const msA = multiset(a.findings, mapA);
  const msB = multiset(b.findings, mapB);
  const findingsAdded: Finding[] = [];
  const findingsRemoved: Finding[] = [];
  for (const [k, list] of msB) findingsAdded.push(...list.slice(msA.get(k)?.length ?? 0));
  for (const [k, list] of msA) findingsRemoved.push(...list.slice(msB.get(k)?.length ?? 0));
  const countByRule = (fs: readonly Finding[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const f of fs) m.set(f.ruleId, (m.get(f.ruleId) ?? 0) + 1);
    return m;
  };
  const ca = countByRule(a.findings);
  const grown = [...countByRule(b.findings)]
    .filter(([r, n]) => n > (ca.get(r) ?? 0))
    .map(([ruleId, after]) => ({ ruleId, before: ca.get(ruleId) ?? 0, after }))
    .sort((x, y) => (x.ruleId < y.ruleId ? -1 : 1));

  // Destinations: from findings (both sides) and literals.
  const hostsA = new Set<string>([...fa.hosts.keys(), ...a.findings.flatMap(findingHosts)]);
  const destinations = new Map<string, Destination>();
  for (const f of b.findings) {
    for (const host of findingHosts(f)) {
      if (hostsA.has(host)) continue;
      const d = destinations.get(host) ?? { host, files: [], via: 'finding' as const };
      const p = mapB(f.location.path);
      if (!d.files.includes(p)) d.files.push(p);
      destinations.set(host, d);
    }
  }
  for (const [host, files] of fb.hosts) {
    if (hostsA.has(host) || destinations.has(host)) continue;
    destinations.set(host, { host, files: sortStrings(files), via: 'literal' });
  }

  const credAdded = [...fb.credentials]
    .filter(([label]) => !fa.credentials.has(label))
    .map(([source, files]) => ({ source, files: sortStrings(files) }));
  for (const f of findingsAdded) {
    if (f.category !== 'credential-access') continue;
    const label = typeof f.data?.source === 'string' ? f.data.source : f.ruleId;
    if (!credAdded.some((c) => c.source === label)) credAdded.push({ source: label, files: [mapB(f.location.path)] });
  }

  const blobsAdded = [...fb.blobs].filter(([h]) => !fa.blobs.has(h)).map(([, v]) => v);
  for (const f of findingsAdded) {
    if (f.category !== 'obfuscation' && f.category !== 'packer') continue;
    blobsAdded.push({ path: mapB(f.location.path), length: f.evidence.length, preview: f.evidence.slice(0, 40) });
  }

  const depKey = (d: Dependency): string => d.name;
  const depsA = new Map(fa.dependencies.map((d) => [depKey(d), d]));
  const depsB = new Map(fb.dependencies.map((d) => [depKey(d), d]));
  const depsAdded = [...depsB.values()].filter((d) => !depsA.has(depKey(d)));
  const depsRemoved = [...depsA.values()].filter((d) => !depsB.has(depKey(d)));
  const depsChanged = [...depsB.values()]
    .filter((d) => depsA.has(depKey(d)) && depsA.get(depKey(d))?.spec !== d.spec)
    .map((d) => ({ name: d.name, from: depsA.get(depKey(d))?.spec ?? '', to: d.spec }));

  const byPath = (x: { path?: string; file?: string; host?: string; name?: string }, y: typeof x): number => {
    const kx = x.path ?? x.file ?? x.host ?? x.name ?? '';
    const ky = y.path ?? y.file ?? y.host ?? y.name ?? '';
    return kx < ky ? -1 : kx > ky ? 1 : 0;
  };
  const diff: ReleaseDiff = {
    a: { label: a.label ?? 'A', files: fa.files.size },
    b: { label: b.label ?? 'B', files: fb.files.size },
    files: { added: sortStrings(added), removed: sortStrings(removed), changed: sortStrings(changed), unchanged },
    installHooks: { added: hooksAdded.sort(byPath), changed: hooksChanged.sort(byPath), removed: hooksRemoved.sort(byPath) },
    installFilesChanged,
    destinations: { added: [...destinations.values()].sort(byPath) },
    credentialSources: { added: credAdded.sort((x, y) => (x.source < y.source ? -1 : 1)) },
    obfuscatedBlobs: { added: blobsAdded.sort(byPath) },
    dependencies: { added: depsAdded.sort(byPath), removed: depsRemoved.sort(byPath), changed: depsChanged.sort(byPath) },
    findings: { added: sortFindingList(findingsAdded), removed: sortFindingList(findingsRemoved), grown },
    newBehaviour: false,
  };
  diff.newBehaviour =
    diff.installHooks.added.length + diff.installHooks.changed.length + diff.destinations.added.length +
      diff.credentialSources.added.length + diff.obfuscatedBlobs.added.length + diff.dependencies.added.length +
      diff.findings.added.length > 0;
  return diff;
}

function sortFindingList(fs: Finding[]): Finding[] {
  return fs.sort(
    (x, y) =>
      cmp(x.location.path, y.location.path) || x.location.line - y.location.line || cmp(x.ruleId, y.ruleId),
  );
}

function cmp(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Findings of `current` with no counterpart in `previous` (by rule, path without the version folder, evidence). */
export function newFindings(previous: readonly Finding[], current: readonly Finding[]): Finding[] {
  const strip = (p: string): string => p.replace(/^[^/]+\//, '');
  const before = multiset(previous, strip);
  const out: Finding[] = [];
  for (const [k, list] of multiset(current, strip)) out.push(...list.slice(before.get(k)?.length ?? 0));
  return sortFindingList(out);
}
