/**
 * Binds the pipeline to the real registry clients (src/ecosystems): resolve an exact release, pick its
 * artifacts, download and verify them. Loaded lazily so that the store/queue/watch code does not pull
 * the registry code in when a test injects its own fetcher.
 */
import { VigilError } from '../core/errors.js';
import type { Ecosystem, PackageRef } from '../core/types.js';
import type { RegistryOptions, RemoteArtifact, ResolvedRelease } from '../ecosystems/types.js';
import type { FetchedArtifact, ReleaseFetcher } from './pipeline.js';

export interface RegistryClient {
  fetchRelease: ReleaseFetcher;
  /** Latest (non-prerelease) version, or undefined when the package does not exist. */
  latestVersion(ecosystem: Ecosystem, name: string): Promise<string | undefined>;
  readonly options: RegistryOptions;
}

interface EcosystemsModule {
  resolveRelease(ref: PackageRef, options: RegistryOptions): Promise<ResolvedRelease>;
  downloadArtifact(artifact: RemoteArtifact, options: RegistryOptions): Promise<unknown>;
  defaultRegistryOptions(env: NodeJS.ProcessEnv): RegistryOptions;
}

function isEcosystemsModule(m: unknown): m is EcosystemsModule {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return typeof r.resolveRelease === 'function' && typeof r.downloadArtifact === 'function' && typeof r.defaultRegistryOptions === 'function';
}

function bytesOf(downloaded: unknown): Uint8Array {
  if (downloaded instanceof Uint8Array) return downloaded;
  if (typeof downloaded === 'object' && downloaded !== null) {
    const b = (downloaded as Record<string, unknown>).bytes ?? (downloaded as Record<string, unknown>).data;
    if (b instanceof Uint8Array) return b;
  }
  throw new VigilError('E_INTERNAL', 'downloadArtifact returned no bytes');
}

/** sdist first (it holds setup.py), then the most generic wheel; npm has one tarball. */
export function pickArtifacts(artifacts: readonly RemoteArtifact[], max: number): RemoteArtifact[] {
  const rank = (a: RemoteArtifact): number => {
    if (a.kind === 'npm-tgz' || a.kind === 'sdist') return 0;
    if (a.kind === 'wheel') return a.filename.includes('-none-any.') ? 1 : 2;
    return 3;
  };
  const sorted = [...artifacts].filter((a) => rank(a) < 3).sort((a, b) => rank(a) - rank(b) || a.filename.localeCompare(b.filename));
  const out: RemoteArtifact[] = [];
  let platformWheel = false;
  for (const a of sorted) {
    if (out.length >= Math.max(1, max)) break;
    if (rank(a) === 2) {
      if (platformWheel || out.some((o) => o.kind === 'wheel')) continue;
      platformWheel = true;
    }
    out.push(a);
  }
  return out;
}

const MODULE_PATH = '../ecosystems/index.js';

export async function loadRegistryClient(env: NodeJS.ProcessEnv, overrides: Partial<RegistryOptions> = {}): Promise<RegistryClient> {
  let mod: unknown;
  try {
    mod = await import(MODULE_PATH);
  } catch (error) {
    throw new VigilError('E_CONFIG', 'registry clients are not available in this build', { cause: error });
  }
  if (!isEcosystemsModule(mod)) throw new VigilError('E_CONFIG', 'registry clients are not available in this build');
  const eco = mod;
  const options: RegistryOptions = { ...eco.defaultRegistryOptions(env), ...overrides };
  return {
    options,
    async fetchRelease(ref) {
      const release = await eco.resolveRelease({ ecosystem: ref.ecosystem, name: ref.name, version: ref.version }, options);
      const artifacts: FetchedArtifact[] = [];
      for (const a of pickArtifacts(release.artifacts, Math.min(options.maxArtifacts, 2))) {
        artifacts.push({ filename: a.filename, bytes: bytesOf(await eco.downloadArtifact(a, options)), source: a.url });
      }
      return {
        ecosystem: release.ecosystem,
        name: release.name,
        version: release.version,
        ...(release.previousVersion !== undefined ? { previousVersion: release.previousVersion } : {}),
        artifacts,
      };
    },
    async latestVersion(ecosystem, name) {
      try {
        return (await eco.resolveRelease({ ecosystem, name }, options)).version;
      } catch (error) {
        if (error instanceof VigilError && error.code === 'E_NOT_FOUND') return undefined;
        throw error;
      }
    },
  };
}
