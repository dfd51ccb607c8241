import { performance } from 'node:perf_hooks';
import { fixedVersions, isAffected } from '../advisories/match.js';
import { normalizePackageName } from '../advisories/names.js';
import { SEVERITY_RANK, maxSeverity } from '../advisories/severity.js';
import { packageKeyString } from '../advisories/store.js';
import type { AdvisoryEntry, AdvisorySource, PackageKey } from '../advisories/types.js';
import { compareVersions } from '../advisories/versions.js';
import { describeError } from '../core/errors.js';
import type { Ecosystem, PackageRef, Severity } from '../core/types.js';
import type { LockedPackage } from '../lockfiles/types.js';
import { applyIgnores } from './ignore.js';
import type { AuditFinding, AuditReport, AuditedFile, IgnoreRule, ScanPackagesFn } from './types.js';

export interface AuditOptions {
  source: AdvisorySource;
  ignores?: readonly IgnoreRule[];
  /** Today's date for ignore expiry (tests pin it). */
  now?: Date;
  /** Deep scan of every pinned registry package with Vigil's analysis. */
  scanPackages?: ScanPackagesFn;
  files?: AuditedFile[];
  errors?: string[];
}

/** Packages that advisories can be matched against: exact versions from a registry. */
export function isMatchable(p: LockedPackage): boolean {
  return p.pinned && p.version !== undefined && (p.source === undefined || p.source === 'registry');
}

/** Orders ids of an alias group: MAL first (malicious), then GHSA, PYSEC, other OSV ids, CVE last. */
function idPreference(id: string): number {
  if (id.startsWith('MAL-')) return 0;
  if (id.startsWith('GHSA-')) return 1;
  if (id.startsWith('PYSEC-')) return 2;
  if (id.startsWith('CVE-')) return 9;
  return 5;
}

function preferredId(ids: Iterable<string>, present: ReadonlySet<string>): string {
  const list = [...ids].filter((id) => present.has(id));
  list.sort((a, b) => idPreference(a) - idPreference(b) || (a < b ? -1 : a > b ? 1 : 0));
  return list[0] ?? '';
}

/** Groups advisories that name each other (id or alias) into one finding each. */
export function groupByAliases(entries: readonly AdvisoryEntry[]): AdvisoryEntry[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r) ?? r;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const e of entries) {
    if (!parent.has(e.id)) parent.set(e.id, e.id);
    for (const a of e.aliases) {
      if (!parent.has(a)) parent.set(a, a);
      union(e.id, a);
    }
  }
  const groups = new Map<string, AdvisoryEntry[]>();
  for (const e of entries) {
    const root = find(e.id);
    const g = groups.get(root) ?? [];
    g.push(e);
    groups.set(root, g);
  }
  return [...groups.values()];
}

function sortVersions(ecosystem: Ecosystem, versions: Iterable<string>): string[] {
  return [...new Set(versions)].sort((a, b) => compareVersions(ecosystem, a, b));
}

/**
 * The smallest version above `version` that no advisory of the package affects, chosen among the
 * advisories' `fixed` versions. Undefined when no such version is known (e.g. malicious packages).
 */
export function smallestSafeUpgrade(ecosystem: Ecosystem, version: string, entries: readonly AdvisoryEntry[]): string | undefined {
  const candidates = sortVersions(
    ecosystem,
    entries.flatMap((e) => e.specs.flatMap(fixedVersions)),
  ).filter((v) => compareVersions(ecosystem, v, version) > 0);
  for (const c of candidates) {
    if (!entries.some((e) => e.specs.some((s) => isAffected(ecosystem, s, c)))) return c;
  }
  return undefined;
}

interface VersionVerdict {
  groups: { id: string; aliases: string[]; kind: AuditFinding['kind']; severity: Severity; fixed: string[]; summary: string }[];
  upgrade: string | undefined;
}

function evaluate(ecosystem: Ecosystem, version: string, entries: readonly AdvisoryEntry[]): VersionVerdict {
  const matched = entries.filter((e) => e.specs.some((s) => isAffected(ecosystem, s, version)));
  if (matched.length === 0) return { groups: [], upgrade: undefined };
  const groups = groupByAliases(matched).map((group) => {
    const present = new Set(group.map((e) => e.id));
    const allIds = new Set(group.flatMap((e) => [e.id, ...e.aliases]));
    const id = preferredId(present, present);
    const aliases = [...allIds].filter((a) => a !== id).sort();
    let severity: Severity = 'info';
    for (const e of group) severity = maxSeverity(severity, e.severity);
    const kind: AuditFinding['kind'] = group.some((e) => e.kind === 'malicious') ? 'malicious' : 'vulnerability';
    if (kind === 'malicious') severity = 'critical';
    const fixedAll = sortVersions(ecosystem, group.flatMap((e) => e.specs.flatMap(fixedVersions)));
    const above = fixedAll.filter((v) => compareVersions(ecosystem, v, version) > 0);
    const main = group.find((e) => e.id === id) ?? group[0];
    return { id, aliases, kind, severity, fixed: above.length > 0 ? above : fixedAll, summary: main?.summary ?? '' };
  });
  return { groups, upgrade: smallestSafeUpgrade(ecosystem, version, entries) };
}

export function compareFindings(a: AuditFinding, b: AuditFinding): number {
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return (
    cmp(a.ecosystem, b.ecosystem) ||
    cmp(a.name.toLowerCase(), b.name.toLowerCase()) ||
    compareVersions(a.ecosystem, a.version, b.version) ||
    cmp(a.file, b.file) ||
    a.line - b.line ||
    cmp(a.id, b.id)
  );
}

/** Matches extracted packages against an advisory source; applies ignores; runs the deep hook. */
export async function auditPackages(packages: readonly LockedPackage[], options: AuditOptions): Promise<AuditReport> {
  const started = performance.now();
  const errors = [...(options.errors ?? [])];
  const matchable = packages.filter(isMatchable);
  const keys: PackageKey[] = [];
  const seenKeys = new Set<string>();
  for (const p of matchable) {
    const k = `${packageKeyString(p.ecosystem, p.name)}\u0000${p.version ?? ''}`;
    if (seenKeys.has(k)) continue;
    seenKeys.add(k);
    keys.push({ ecosystem: p.ecosystem, name: p.name, ...(p.version !== undefined ? { version: p.version } : {}) });
  }
  const advisories = await options.source.lookup(keys);
  const verdicts = new Map<string, VersionVerdict>();
  const findings: AuditFinding[] = [];
  for (const p of matchable) {
    const version = p.version ?? '';
    const pkgKey = packageKeyString(p.ecosystem, p.name);
    const cacheKey = `${pkgKey}\u0000${version}`;
    let verdict = verdicts.get(cacheKey);
    if (verdict === undefined) {
      verdict = evaluate(p.ecosystem, version, advisories.get(pkgKey) ?? []);
      verdicts.set(cacheKey, verdict);
    }
    for (const g of verdict.groups) {
      const f: AuditFinding = { ecosystem: p.ecosystem, name: p.name, version, ...g, file: p.file, line: p.line, origin: 'advisory' };
      if (verdict.upgrade !== undefined) f.upgrade = verdict.upgrade;
      if (p.direct !== undefined) f.direct = p.direct;
      if (p.dev !== undefined) f.dev = p.dev;
      findings.push(f);
    }
  }
  if (options.scanPackages !== undefined) {
    const refs: PackageRef[] = [];
    const byRef = new Map<string, LockedPackage[]>();
    for (const p of matchable) {
      const k = `${p.ecosystem}\u0000${normalizePackageName(p.ecosystem, p.name)}\u0000${p.version ?? ''}`;
      const list = byRef.get(k);
      if (list !== undefined) list.push(p);
      else {
        byRef.set(k, [p]);
        refs.push({ ecosystem: p.ecosystem, name: p.name, ...(p.version !== undefined ? { version: p.version } : {}) });
      }
    }
    try {
      const results = await options.scanPackages(refs);
      for (const r of results) {
        if (r.verdict !== 'malicious' || r.ecosystem === 'unknown') continue;
        const k = `${r.ecosystem}\u0000${normalizePackageName(r.ecosystem, r.name)}\u0000${r.version}`;
        for (const p of byRef.get(k) ?? []) {
          findings.push({
            ecosystem: p.ecosystem,
            name: p.name,
            version: p.version ?? r.version,
            id: 'VIGIL-DEEP',
            aliases: [],
            kind: 'malicious',
            severity: 'critical',
            fixed: [],
            file: p.file,
            line: p.line,
            summary: `Vigil analysis: ${r.reason}`,
            origin: 'deep',
            ...(p.direct !== undefined ? { direct: p.direct } : {}),
            ...(p.dev !== undefined ? { dev: p.dev } : {}),
          });
        }
      }
    } catch (error) {
      errors.push(`deep scan failed: ${describeError(error)}`);
    }
  }
  findings.sort(compareFindings);
  const { kept, ignored, expired } = applyIgnores(findings, options.ignores ?? [], options.now ?? new Date());
  const unpinned = packages.filter((p) => !isMatchable(p) && p.source !== 'workspace');
  return {
    findings: kept,
    ignored,
    expiredIgnores: expired,
    unpinned,
    files: options.files ?? [],
    errors,
    source: options.source.describe(),
    stats: {
      files: options.files?.length ?? 0,
      packages: packages.length,
      checked: matchable.length,
      unpinned: unpinned.length,
      durationMs: Math.round(performance.now() - started),
    },
  };
}

/** Whether any finding is at or above the threshold (`never` never fails). */
export function failsThreshold(findings: readonly AuditFinding[], failOn: Severity | 'never'): boolean {
  if (failOn === 'never') return false;
  return findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
}
