import type { Ecosystem } from '../core/types.js';

/** One downloadable file of a release, as the registry describes it. */
export interface RemoteArtifact {
  filename: string;
  url: string;
  /** Hashes the registry vouches for; at least one must verify before the bytes are used. */
  hashes: {
    sha256?: string;
    /** npm `dist.integrity` (SRI, e.g. `sha512-…`). */
    integrity?: string;
    /** npm `dist.shasum` (hex sha1), used only when no stronger hash is given. */
    sha1?: string;
  };
  size?: number;
  kind: 'sdist' | 'wheel' | 'npm-tgz' | 'other';
  yanked?: boolean | string;
  /** ISO time the file was uploaded, when known. */
  uploadTime?: string;
}

export interface VersionInfo {
  version: string;
  /** ISO upload/publish time of the release, when known. */
  time?: string;
  yanked?: boolean;
  deprecated?: string;
}

/** A release resolved against a registry: which exact version, which files, and what the registry says. */
export interface ResolvedRelease {
  ecosystem: Ecosystem;
  /** Name as the registry spells it. */
  name: string;
  version: string;
  artifacts: RemoteArtifact[];
  /** All known versions, oldest first by the ecosystem's ordering. */
  versions: VersionInfo[];
  /** The release before `version` in version order, when there is one (for "new in this release"). */
  previousVersion?: string;
  /**
   * Raw registry documents, unvalidated (`unknown` until checked): PyPI JSON API project document
   * (when available) or the npm packument.
   */
  registryDocument?: unknown;
  /**
   * npm: the packument's manifest for this version (`versions[version]`). PyPI: the JSON API's
   * per-release document (`{base}/NAME/VERSION/json`), when a JSON API is configured.
   */
  versionManifest?: unknown;
}

export interface RegistryOptions {
  /** PEP 503/691 simple index base URL (default PyPI's, or PIP_INDEX_URL). */
  pypiIndexUrl: string;
  /** PyPI JSON API base (e.g. https://pypi.org/pypi); undefined when the index has none. */
  pypiJsonApiUrl?: string;
  /** npm registry base URL (default the public registry, or npm_config_registry). */
  npmRegistryUrl: string;
  /** Content-addressed download cache directory; undefined disables caching. */
  cacheDir?: string;
  timeoutMs: number;
  retries: number;
  includePrereleases: boolean;
  /** Max distinct artifacts scanned per release. */
  maxArtifacts: number;
  /** Accept artifacts for which the registry gives no hash at all (default: refused). */
  allowUnhashed?: boolean;
  /** First retry delay in ms, doubled per attempt (default 500). */
  retryBaseMs?: number;
  /** How long index pages and packuments are reused from the cache, in ms (default 5 minutes). */
  metadataTtlMs?: number;
}
