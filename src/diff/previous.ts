/**
 * "New in this release": the findings of a registry release that its previous release did not have.
 * One extra resolve + download (cached by the registry client) of the previous release.
 */
import { unpackArtifact } from '../archive/index.js';
import type { Limits } from '../core/limits.js';
import type { Finding } from '../core/types.js';
import type { RegistryOptions, RemoteArtifact, ResolvedRelease } from '../ecosystems/types.js';
import { scanTree, sha256Hex } from '../scan/artifact.js';
import { newFindings } from './index.js';
import { chooseArtifact } from './load.js';

export interface PreviousComparison {
  previousVersion: string;
  /** File of the previous release that was compared. */
  artifact: string;
  /** Findings of `currentFindings` absent from the previous release. */
  newInRelease: Finding[];
}

/**
 * Compares `currentFindings` (of `release`) with the previous release of the same package. Returns
 * undefined when there is no previous release or it has no comparable file. Throws the registry
 * client's errors (callers record them as scan errors).
 */
export async function compareWithPreviousRelease(
  release: ResolvedRelease,
  currentFindings: readonly Finding[],
  options: { registry: RegistryOptions; limits: Limits; kind?: RemoteArtifact['kind'] },
): Promise<PreviousComparison | undefined> {
  if (release.previousVersion === undefined) return undefined;
  const { downloadArtifact, resolveRelease } = await import('../ecosystems/index.js');
  const previous = await resolveRelease({ ecosystem: release.ecosystem, name: release.name, version: release.previousVersion }, options.registry);
  const kind = options.kind ?? chooseArtifact(release.artifacts)?.kind;
  const remote = chooseArtifact(previous.artifacts, kind);
  if (remote === undefined) return undefined;
  const bytes = await downloadArtifact(remote, options.registry);
  const tree = unpackArtifact(bytes, remote.filename, options.limits);
  const scan = await scanTree(tree, { filename: remote.filename, sha256: sha256Hex(bytes), size: bytes.byteLength, source: remote.url }, {
    ecosystem: release.ecosystem,
    packageName: release.name,
    limits: options.limits,
  });
  return { previousVersion: previous.version, artifact: remote.filename, newInRelease: newFindings(scan.findings, currentFindings) };
}
