/**
 * npm registry documents for the guard: request paths, packument filtering (hidden versions removed,
 * dist-tags fixed up) and tarball URL rewriting. Packuments are hostile input; only checked fields are used.
 */
import semver from 'semver';
import { isSafeFilename } from './pypi-simple.js';

export type NpmRequest =
  | { kind: 'packument'; name: string }
  | { kind: 'tarball'; name: string; file: string }
  | { kind: 'other'; path: string };

const NAME_PART = /^[A-Za-z0-9._~!*'()-]{1,214}$/;

export function isValidNpmName(name: string): boolean {
  if (name.length > 214) return false;
  if (name.startsWith('@')) {
    const slash = name.indexOf('/');
    if (slash < 2) return false;
    const scope = name.slice(1, slash);
    const rest = name.slice(slash + 1);
    return NAME_PART.test(scope) && NAME_PART.test(rest) && !rest.startsWith('.') && !scope.startsWith('.');
  }
  return NAME_PART.test(name) && !name.startsWith('.') && !name.startsWith('_');
}

/** The registry URL path segment for a name: `@scope%2fname` for scoped packages. */
export function encodeNpmName(name: string): string {
  return name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
}

/** Parses the path after `/npm/` (still percent-encoded). */
export function parseNpmPath(rawPath: string): NpmRequest | undefined {
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    try {
      segments.push(decodeURIComponent(seg));
    } catch {
      return undefined;
    }
  }
  if (segments[0] === '-' || segments[0] === '') return { kind: 'other', path: rawPath };
  let name: string;
  let rest: string[];
  const first = segments[0] ?? '';
  if (first.startsWith('@') && !first.includes('/')) {
    name = `${first}/${segments[1] ?? ''}`;
    rest = segments.slice(2);
  } else {
    name = first;
    rest = segments.slice(1);
  }
  if (!isValidNpmName(name)) return undefined;
  if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) return { kind: 'packument', name };
  if (rest.length === 2 && rest[0] === '-' && rest[1] !== undefined && isSafeFilename(rest[1]) && rest[1].endsWith('.tgz')) {
    return { kind: 'tarball', name, file: rest[1] };
  }
  return { kind: 'other', path: rawPath };
}

export interface TarballEntry {
  name: string;
  version: string;
  file: string;
  upstreamUrl: string;
  integrity?: string;
  shasum?: string;
  /** ISO publish time, when the packument says. */
  time?: string;
}

export interface PackumentResult {
  doc: Record<string, unknown>;
  hidden: { version: string; reason: string }[];
  tarballs: TarballEntry[];
}

function tarballFile(url: string): string | undefined {
  try {
    const path = new URL(url).pathname;
    const file = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
    return isSafeFilename(file) && file.endsWith('.tgz') ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Filters a packument in place: versions for which `hide(version, time)` returns a reason are removed
 * (with their `time` entries); dist-tags that pointed at them move to the highest remaining version
 * (`latest`) or are dropped; tarball URLs are rewritten with `tarballUrl(file)`. Versions whose manifest
 * has no usable tarball URL are removed too.
 */
export function filterPackument(
  raw: unknown,
  name: string,
  hide: (version: string, time: string | undefined) => string | undefined,
  tarballUrl: (file: string) => string,
): PackumentResult | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const doc = raw as Record<string, unknown>;
  const versions = doc.versions;
  if (typeof versions !== 'object' || versions === null || Array.isArray(versions)) return undefined;
  const vmap = versions as Record<string, unknown>;
  const times = typeof doc.time === 'object' && doc.time !== null && !Array.isArray(doc.time) ? (doc.time as Record<string, unknown>) : undefined;
  const hidden: PackumentResult['hidden'] = [];
  const tarballs: TarballEntry[] = [];
  for (const version of Object.keys(vmap)) {
    const manifest = vmap[version];
    const time = typeof times?.[version] === 'string' ? (times[version] as string) : undefined;
    const dist =
      typeof manifest === 'object' && manifest !== null ? (manifest as Record<string, unknown>).dist : undefined;
    const d = typeof dist === 'object' && dist !== null ? (dist as Record<string, unknown>) : undefined;
    const upstreamUrl = typeof d?.tarball === 'string' ? d.tarball : undefined;
    const file = upstreamUrl === undefined ? undefined : tarballFile(upstreamUrl);
    let reason = hide(version, time);
    if (reason === undefined && (d === undefined || upstreamUrl === undefined || file === undefined)) reason = 'the registry gives no usable tarball URL';
    if (reason !== undefined) {
      hidden.push({ version, reason });
      delete vmap[version];
      if (times !== undefined) delete times[version];
      continue;
    }
    const entry: TarballEntry = { name, version, file: file!, upstreamUrl: upstreamUrl! };
    if (typeof d!.integrity === 'string') entry.integrity = d!.integrity;
    if (typeof d!.shasum === 'string') entry.shasum = d!.shasum;
    if (time !== undefined) entry.time = time;
    tarballs.push(entry);
    d!.tarball = tarballUrl(file!);
  }
  if (hidden.length > 0) fixDistTags(doc, Object.keys(vmap));
  return { doc, hidden, tarballs };
}

function fixDistTags(doc: Record<string, unknown>, remaining: string[]): void {
  const tags = doc['dist-tags'];
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return;
  const t = tags as Record<string, unknown>;
  const keep = new Set(remaining);
  for (const [tag, version] of Object.entries(t)) {
    if (typeof version === 'string' && keep.has(version)) continue;
    delete t[tag];
  }
  if (t.latest === undefined) {
    const valid = remaining.filter((v) => semver.valid(v) !== null);
    const stable = valid.filter((v) => semver.prerelease(v) === null);
    const pool = stable.length > 0 ? stable : valid;
    const best = pool.sort(semver.rcompare)[0];
    if (best !== undefined) t.latest = best;
  }
}
