/**
 * Registry clients: resolve a package reference to a release, and download its artifacts. Every
 * download is verified against the hash the registry vouches for before the bytes are returned (a
 * cache hit is re-verified too); there is no code path that skips verification.
 */
import { createHash } from 'node:crypto';
import { VigilError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import type { PackageRef } from '../core/types.js';
import { ArtifactCache, defaultCacheDir, sha256Of } from './cache.js';
import { httpOptionsFrom } from './fetch.js';
import { httpGet } from './http.js';
import { resolveNpmRelease } from './npm/index.js';
import { resolvePypiRelease } from './pypi/index.js';
import type { RegistryOptions, RemoteArtifact, ResolvedRelease } from './types.js';

export type { RegistryOptions, RemoteArtifact, ResolvedRelease, VersionInfo } from './types.js';
export { defaultCacheDir } from './cache.js';
export { normalizePypiName } from './pypi/names.js';

export const DEFAULT_PYPI_INDEX_URL = 'https://pypi.org/simple/';
export const DEFAULT_PYPI_JSON_API_URL = 'https://pypi.org/pypi';
export const DEFAULT_NPM_REGISTRY_URL = 'https://registry.npmjs.org/';

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

function isPypiOrg(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'pypi.org' || host === 'pypi.python.org';
  } catch {
    return false;
  }
}

/** Defaults, honouring PIP_INDEX_URL, npm_config_registry / NPM_CONFIG_REGISTRY and the cache variables. */
export function defaultRegistryOptions(env: NodeJS.ProcessEnv): RegistryOptions {
  const pypiIndexUrl = nonEmpty(env.PIP_INDEX_URL) ?? DEFAULT_PYPI_INDEX_URL;
  const npmRegistryUrl = nonEmpty(env.npm_config_registry) ?? nonEmpty(env.NPM_CONFIG_REGISTRY) ?? DEFAULT_NPM_REGISTRY_URL;
  const options: RegistryOptions = {
    pypiIndexUrl,
    npmRegistryUrl,
    cacheDir: defaultCacheDir(env),
    timeoutMs: 30_000,
    retries: 3,
    includePrereleases: false,
    maxArtifacts: 8,
  };
  if (isPypiOrg(pypiIndexUrl)) options.pypiJsonApiUrl = DEFAULT_PYPI_JSON_API_URL;
  return options;
}

/** Resolves `ref` against its ecosystem's registry: version choice, files, versions with times, documents. */
export async function resolveRelease(ref: PackageRef, options: RegistryOptions): Promise<ResolvedRelease> {
  return ref.ecosystem === 'pypi' ? resolvePypiRelease(ref, options) : resolveNpmRelease(ref, options);
}

const SRI_STRENGTH: Record<string, number> = { sha1: 1, sha256: 2, sha384: 3, sha512: 4 };

interface ExpectedHash {
  algorithm: string;
  /** Acceptable digests (SRI may list several for the same algorithm). */
  digests: string[];
  encoding: 'hex' | 'base64';
  label: string;
}

/** The hashes to check: sha256, the strongest SRI algorithm, and sha1 only when nothing stronger exists. */
export function expectedHashes(artifact: RemoteArtifact): ExpectedHash[] {
  const expected: ExpectedHash[] = [];
  const { sha256, integrity, sha1 } = artifact.hashes;
  if (sha256 !== undefined) expected.push({ algorithm: 'sha256', digests: [sha256.toLowerCase()], encoding: 'hex', label: `sha256:${sha256.toLowerCase()}` });
  if (integrity !== undefined) {
    const parsed = integrity
      .split(/\s+/)
      .map((token) => /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?\S*)?$/.exec(token))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ algorithm: m[1] ?? '', digest: m[2] ?? '' }));
    const strongest = Math.max(0, ...parsed.map((p) => SRI_STRENGTH[p.algorithm] ?? 0));
    const best = parsed.filter((p) => (SRI_STRENGTH[p.algorithm] ?? 0) === strongest);
    const first = best[0];
    if (first !== undefined) {
      expected.push({ algorithm: first.algorithm, digests: best.map((b) => b.digest), encoding: 'base64', label: `${first.algorithm}-${first.digest}` });
    } else if (sha256 === undefined && sha1 === undefined) {
      throw new VigilError('E_INTEGRITY', `${artifact.filename}: unsupported integrity value ${integrity.slice(0, 80)}`);
    }
  }
  if (sha1 !== undefined && expected.length === 0) expected.push({ algorithm: 'sha1', digests: [sha1.toLowerCase()], encoding: 'hex', label: `sha1:${sha1.toLowerCase()}` });
  return expected;
}

/** Throws E_INTEGRITY naming the file, the expected and the actual hash when `bytes` do not match. */
export function verifyArtifact(artifact: RemoteArtifact, bytes: Uint8Array, allowUnhashed = false): void {
  const expected = expectedHashes(artifact);
  if (expected.length === 0) {
    if (allowUnhashed) return;
    throw new VigilError('E_INTEGRITY', `${artifact.filename}: the registry gives no hash for this file, so it cannot be verified (refused)`);
  }
  for (const e of expected) {
    const actual = createHash(e.algorithm).update(bytes).digest(e.encoding);
    if (!e.digests.includes(actual)) {
      const shown = e.encoding === 'hex' ? `${e.algorithm}:${actual}` : `${e.algorithm}-${actual}`;
      throw new VigilError('E_INTEGRITY', `integrity check failed for ${artifact.filename}: expected ${e.label}, got ${shown}`);
    }
  }
}

/** Downloads (or takes from the cache) and verifies one artifact. */
export async function downloadArtifact(artifact: RemoteArtifact, options: RegistryOptions): Promise<Uint8Array> {
  const allowUnhashed = options.allowUnhashed === true;
  // Refuse before downloading when there is nothing to verify against.
  if (expectedHashes(artifact).length === 0 && !allowUnhashed) verifyArtifact(artifact, new Uint8Array(0), false);
  const cache = options.cacheDir !== undefined ? new ArtifactCache(options.cacheDir) : undefined;
  const alias = cacheAlias(artifact);
  if (cache !== undefined && alias !== undefined) {
    const cached = await cache.getByAlias(alias);
    if (cached !== undefined) {
      try {
        verifyArtifact(artifact, cached, allowUnhashed);
        return cached;
      } catch {
        // A cached file that no longer matches the registry is ignored and fetched again.
      }
    }
  }
  const response = await httpGet(artifact.url, httpOptionsFrom(options, DEFAULT_LIMITS.maxArtifactBytes));
  const bytes = response.body;
  verifyArtifact(artifact, bytes, allowUnhashed);
  if (cache !== undefined) {
    await cache.put(bytes);
    if (alias !== undefined) await cache.putAlias(alias, sha256Of(bytes));
  }
  return bytes;
}

/** Cache key for an artifact from the hashes the registry gave (sha256 directly, else an alias). */
function cacheAlias(artifact: RemoteArtifact): string | undefined {
  const { sha256, integrity, sha1 } = artifact.hashes;
  if (sha256 !== undefined) return `sha256:${sha256.toLowerCase()}`;
  if (integrity !== undefined) return `sri:${integrity}`;
  if (sha1 !== undefined) return `sha1:${sha1.toLowerCase()}`;
  return undefined;
}
