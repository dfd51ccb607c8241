/**
 * Binds the pipeline to the real registry clients (src/ecosystems): resolve an exact release, pick its
 * artifacts, download them (verified against the registry's hashes by downloadArtifact).
 */
import { VigilError } from '../core/errors.js';
import type { Ecosystem } from '../core/types.js';
import { defaultRegistryOptions, downloadArtifact, resolveRelease } from '../ecosystems/index.js';
import type { RegistryOptions, RemoteArtifact } from '../ecosystems/types.js';
import type { FetchedArtifact, ReleaseFetcher } from './pipeline.js';

export interface RegistryClient {
  fetchRelease: ReleaseFetcher;
  /** Latest (non-prerelease) version, or undefined when the package does not exist. */
  latestVersion(ecosystem: Ecosystem, name: string): Promise<string | undefined>;
  readonly options: RegistryOptions;
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

export async function loadRegistryClient(env: NodeJS.ProcessEnv, overrides: Partial<RegistryOptions> = {}): Promise<RegistryClient> {
  const options: RegistryOptions = { ...defaultRegistryOptions(env), ...overrides };
  return {
    options,
    async fetchRelease(ref) {
      const release = await resolveRelease({ ecosystem: ref.ecosystem, name: ref.name, version: ref.version }, options);
      const artifacts: FetchedArtifact[] = [];
      for (const a of pickArtifacts(release.artifacts, Math.min(options.maxArtifacts, 2))) {
        artifacts.push({ filename: a.filename, bytes: await downloadArtifact(a, options), source: a.url });
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
        return (await resolveRelease({ ecosystem, name }, options)).version;
      } catch (error) {
        if (error instanceof VigilError && error.code === 'E_NOT_FOUND') return undefined;
        throw error;
      }
    },
  };
}
