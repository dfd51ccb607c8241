/**
 * An independent, deliberately simple implementation of OSV affected-version evaluation, written
 * from the OSV schema text (https://ossf.github.io/osv-schema/#evaluation) for cross-checking
 * src/advisories/match.ts. It builds explicit intervals instead of walking a state machine, and
 * calls the version libraries directly.
 *
 * Shared policy (the spec leaves it open): events whose version cannot be parsed are ignored; a
 * version that cannot be parsed is affected only via an exact `versions` entry or a range whose
 * events are all `introduced: "0"`.
 */
import { compare as pepCompare, valid as pepValid } from '@renovatebot/pep440';
import semver from 'semver';

type Eco = 'pypi' | 'npm';

interface RefEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

interface RefAffected {
  ranges: { type: string; events: RefEvent[] }[];
  versions: string[];
}

function parse(eco: Eco, v: string): string | null {
  if (eco === 'pypi') return pepValid(v.trim());
  const t = v.trim();
  return semver.valid(t.startsWith('v') ? t.slice(1) : t);
}

function cmp(eco: Eco, a: string, b: string): number {
  return eco === 'pypi' ? pepCompare(a, b) : semver.compare(a, b);
}

interface Interval {
  lo: string | null; // null = -infinity
  hi: string | null; // null = +infinity
  hiInclusive: boolean;
}

function intervals(eco: Eco, events: RefEvent[]): { list: Interval[]; limits: string[] } {
  const points: { kind: string; v: string | null }[] = [];
  for (const e of events) {
    const kind = Object.keys(e)[0] ?? '';
    const raw = Object.values(e)[0] as string;
    if (kind === 'introduced' && raw === '0') points.push({ kind, v: null });
    else if (kind === 'limit' && raw === '*') continue;
    else {
      const p = parse(eco, raw);
      if (p !== null) points.push({ kind, v: p });
    }
  }
  const order = (k: string): number => ({ introduced: 0, last_affected: 1, fixed: 2, limit: 3 })[k] ?? 9;
  points.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === b.v ? order(a.kind) - order(b.kind) : a.v === null ? -1 : 1;
    return cmp(eco, a.v, b.v) || order(a.kind) - order(b.kind);
  });
  const list: Interval[] = [];
  const limits: string[] = [];
  let open: { lo: string | null } | undefined;
  for (const p of points) {
    if (p.kind === 'limit') {
      if (p.v !== null) limits.push(p.v);
    } else if (p.kind === 'introduced') {
      if (open === undefined) open = { lo: p.v };
    } else if (open !== undefined) {
      list.push({ lo: open.lo, hi: p.v, hiInclusive: p.kind === 'last_affected' });
      open = undefined;
    }
  }
  if (open !== undefined) list.push({ lo: open.lo, hi: null, hiInclusive: false });
  return { list, limits };
}

export function referenceIsAffected(eco: Eco, affected: RefAffected, version: string): boolean {
  const v = parse(eco, version);
  for (const listed of affected.versions) {
    if (listed === version.trim()) return true;
    const l = parse(eco, listed);
    if (v !== null && l !== null && cmp(eco, v, l) === 0) return true;
  }
  for (const range of affected.ranges) {
    if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') continue;
    if (v === null) {
      if (range.events.length > 0 && range.events.every((e) => e.introduced === '0')) return true;
      continue;
    }
    const { list, limits } = intervals(eco, range.events);
    if (limits.length > 0 && !limits.some((l) => cmp(eco, v, l) < 0)) continue;
    for (const i of list) {
      const aboveLo = i.lo === null || cmp(eco, v, i.lo) >= 0;
      const belowHi = i.hi === null || (i.hiInclusive ? cmp(eco, v, i.hi) <= 0 : cmp(eco, v, i.hi) < 0);
      if (aboveLo && belowHi) return true;
    }
  }
  return false;
}
