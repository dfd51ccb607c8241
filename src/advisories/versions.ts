import { compare as pep440Compare, valid as pep440Valid } from '@renovatebot/pep440';
import semver from 'semver';
import type { SemVer } from 'semver';
import type { Ecosystem } from '../core/types.js';

/**
 * Version ordering per ecosystem. `parse` returns undefined for versions the ecosystem's scheme
 * cannot order; callers must handle that (records and lockfiles contain such versions).
 */
export interface VersionScheme<T> {
  parse(version: string): T | undefined;
  compare(a: T, b: T): number;
  /** Canonical text, used for equality with explicit `versions` lists. */
  canonical(parsed: T): string;
}

const MAX_VERSION_LENGTH = 256;

interface Pep440Parsed {
  text: string;
  canonical: string;
}

const pypiCache = new Map<string, Pep440Parsed | null>();

export const pep440Scheme: VersionScheme<Pep440Parsed> = {
  parse(version) {
    const cached = pypiCache.get(version);
    if (cached !== undefined) return cached ?? undefined;
    let result: Pep440Parsed | null = null;
    if (version.length <= MAX_VERSION_LENGTH) {
      const v = pep440Valid(version.trim());
      if (v !== null) result = { text: version.trim(), canonical: canonicalPep440(v) };
    }
    if (pypiCache.size > 50_000) pypiCache.clear();
    pypiCache.set(version, result);
    return result ?? undefined;
  },
  compare(a, b) {
    if (a.canonical === b.canonical) return 0;
    return pep440Compare(a.text, b.text);
  },
  canonical(parsed) {
    return parsed.canonical;
  },
};

/** Drops trailing `.0` release segments so `1.0` and `1.0.0` compare equal as text. */
function canonicalPep440(normalized: string): string {
  const m = /^(?:(\d+)!)?(\d+(?:\.\d+)*)(.*)$/.exec(normalized);
  if (!m) return normalized;
  const epoch = m[1] !== undefined && m[1] !== '0' ? `${m[1]}!` : '';
  const release = (m[2] ?? '').split('.').map((s) => String(Number(s)));
  while (release.length > 1 && release[release.length - 1] === '0') release.pop();
  return `${epoch}${release.join('.')}${m[3] ?? ''}`;
}

export const semverScheme: VersionScheme<SemVer> = {
  parse(version) {
    if (version.length > MAX_VERSION_LENGTH) return undefined;
    const trimmed = version.trim();
    const v = semver.parse(trimmed.startsWith('v') ? trimmed.slice(1) : trimmed);
    return v ?? undefined;
  },
  compare(a, b) {
    return a.compare(b);
  },
  canonical(parsed) {
    return parsed.version;
  },
};

export function schemeFor(ecosystem: Ecosystem): VersionScheme<unknown> {
  return (ecosystem === 'pypi' ? pep440Scheme : semverScheme) as VersionScheme<unknown>;
}

/** Compares two version strings of one ecosystem; unparsable versions sort first, by text. */
export function compareVersions(ecosystem: Ecosystem, a: string, b: string): number {
  const scheme = schemeFor(ecosystem);
  const pa = scheme.parse(a);
  const pb = scheme.parse(b);
  if (pa !== undefined && pb !== undefined) return scheme.compare(pa, pb);
  if (pa === undefined && pb === undefined) return a < b ? -1 : a > b ? 1 : 0;
  return pa === undefined ? -1 : 1;
}
