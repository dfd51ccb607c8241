/** PyPI names (PEP 503) and distribution file names (sdists, PEP 427 wheels, eggs). */
import { explain } from '@renovatebot/pep440';

/** PEP 503 normalised project name: lower case, runs of `-`, `_`, `.` become one `-`. */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export type DistKind = 'sdist' | 'wheel' | 'egg';

export interface DistFile {
  kind: DistKind;
  /** Project name as written in the file name. */
  name: string;
  version: string;
  /** Wheels: python, abi and platform tags. */
  tags?: { python: string; abi: string; platform: string };
}

const SDIST_EXTENSIONS = ['.tar.gz', '.tar.bz2', '.tar.xz', '.tar.zst', '.tgz', '.tbz', '.tar', '.zip'] as const;

/**
 * A key equal for versions that PEP 440 considers equal (`1.0` and `1.0.0`; `1.0.post0` differs), so files can be grouped with one map lookup. Invalid versions key on their text.
 */
export function versionKey(version: string): string {
  const info = explain(version);
  if (info === null) return `invalid:${version}`;
  const release = [...info.release];
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  const pre = info.pre === null ? '' : `${info.pre[0]}${info.pre[1]}`;
  const post = info.post === null ? '' : `.post${info.post}`;
  const dev = info.dev === null ? '' : `.dev${info.dev}`;
  const local = info.local === null ? '' : `+${info.local.toLowerCase()}`;
  return `${info.epoch}!${release.join('.')}${pre}${post}${dev}${local}`;
}

/** `1.0` and `1.0.0` and `1.0RC1`/`1.0rc1` are the same version; invalid versions compare by text. */
export function sameVersion(a: string, b: string): boolean {
  return a === b || versionKey(a) === versionKey(b);
}

/**
 * Parses a distribution file name. `project` (when known) settles where a legacy sdist name ends and
 * its version starts (`django-foo-1.0.tar.gz`); without it the version starts at the first `-` that
 * is followed by a digit.
 */
export function parseDistFilename(filename: string, project?: string): DistFile | undefined {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    if (parts.length !== 5 && parts.length !== 6) return undefined;
    const [name, version] = parts;
    const python = parts[parts.length - 3];
    const abi = parts[parts.length - 2];
    const platform = parts[parts.length - 1];
    if (name === undefined || version === undefined || python === undefined || abi === undefined || platform === undefined) return undefined;
    return { kind: 'wheel', name, version: version.replace(/_/g, '-'), tags: { python, abi, platform } };
  }
  if (lower.endsWith('.egg')) {
    const parts = filename.slice(0, -4).split('-');
    const [name, version] = parts;
    if (name === undefined || version === undefined || name === '' || version === '') return undefined;
    return { kind: 'egg', name, version: version.replace(/_/g, '-') };
  }
  const ext = SDIST_EXTENSIONS.find((e) => lower.endsWith(e));
  if (ext === undefined) return undefined;
  const stem = filename.slice(0, -ext.length);
  if (project !== undefined) {
    const wanted = normalizePypiName(project);
    for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
      if (normalizePypiName(stem.slice(0, i)) === wanted && i + 1 < stem.length) {
        return { kind: 'sdist', name: stem.slice(0, i), version: stem.slice(i + 1) };
      }
    }
  }
  const match = /-(?=\d)/.exec(stem);
  if (match === null || match.index === 0) return undefined;
  return { kind: 'sdist', name: stem.slice(0, match.index), version: stem.slice(match.index + 1) };
}
