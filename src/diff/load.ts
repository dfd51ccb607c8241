/**
 * Loads one side of a diff: a local artifact, a local folder, or a registry release (downloaded and
 * verified by the registry client), unpacked in memory and analysed.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { readDirectory, unpackArtifact } from '../archive/index.js';
import { VigilError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import type { ArtifactInfo, Ecosystem, FileTree } from '../core/types.js';
import type { RegistryOptions, RemoteArtifact } from '../ecosystems/types.js';
import { scanTree, sha256Hex } from '../scan/artifact.js';
import { parseTarget } from '../scan/targets.js';
import type { DiffInput } from './index.js';

export interface LoadOptions {
  cwd: string;
  limits: Limits;
  /** Needed only for registry targets. */
  registry?: RegistryOptions;
  /** For a registry target: prefer this kind of file (so both sides compare like with like). */
  preferKind?: RemoteArtifact['kind'];
}

export interface LoadedSide extends DiffInput {
  label: string;
  ecosystem: Ecosystem | 'unknown';
  artifact: ArtifactInfo;
  /** Kind of registry file used, when the side came from a registry. */
  kind?: RemoteArtifact['kind'];
}

const KIND_ORDER: readonly RemoteArtifact['kind'][] = ['npm-tgz', 'sdist', 'wheel', 'other'];

/** Picks the file to compare: the preferred kind, else sdist (it carries the install code), else a wheel. */
export function chooseArtifact(artifacts: readonly RemoteArtifact[], prefer?: RemoteArtifact['kind']): RemoteArtifact | undefined {
  const usable = artifacts.filter((a) => a.kind !== 'other' || artifacts.length === 1);
  if (prefer !== undefined) {
    const hit = usable.find((a) => a.kind === prefer);
    if (hit !== undefined) return hit;
  }
  for (const kind of KIND_ORDER) {
    const hit = usable.find((a) => a.kind === kind);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function ecosystemOf(tree: FileTree): Ecosystem | 'unknown' {
  if (tree.format === 'npm-tgz' || tree.files.some((f) => /^(?:[^/]+\/)?package\.json$/.test(f.path))) return 'npm';
  if (tree.format === 'wheel' || tree.format === 'sdist-tar' || tree.files.some((f) => /(?:^|\/)(?:setup\.py|PKG-INFO|pyproject\.toml)$/.test(f.path))) return 'pypi';
  return 'unknown';
}

export async function loadSide(raw: string, options: LoadOptions): Promise<LoadedSide> {
  const target = parseTarget(raw, options.cwd);
  if (target.kind === 'directory') {
    const tree = await readDirectory(target.path, options.limits);
    const artifact: ArtifactInfo = { filename: basename(target.path), sha256: '', size: tree.totalBytes, source: target.path };
    const ecosystem = ecosystemOf(tree);
    const scan = await scanTree(tree, artifact, { ecosystem, limits: options.limits });
    return { tree, findings: scan.findings, label: raw, ecosystem, artifact };
  }
  if (target.kind === 'file') {
    const info = await stat(target.path);
    if (info.size > options.limits.maxArtifactBytes) {
      throw new VigilError('E_LIMIT', `${raw} is ${info.size} bytes, over the ${options.limits.maxArtifactBytes}-byte artifact limit`);
    }
    const bytes = new Uint8Array(await readFile(target.path));
    const artifact: ArtifactInfo = { filename: basename(target.path), sha256: sha256Hex(bytes), size: bytes.byteLength, source: target.path };
    const tree = unpackArtifact(bytes, artifact.filename, options.limits);
    const ecosystem = ecosystemOf(tree);
    const scan = await scanTree(tree, artifact, { ecosystem, limits: options.limits });
    return { tree, findings: scan.findings, label: raw, ecosystem, artifact };
  }
  if (options.registry === undefined) throw new VigilError('E_USAGE', `${raw}: registry targets need registry settings`);
  if (target.version === undefined) {
    throw new VigilError('E_TARGET', `${raw}: give an exact version (pypi:NAME==VERSION, npm:NAME@VERSION)`);
  }
  const { downloadArtifact, resolveRelease } = await import('../ecosystems/index.js');
  const release = await resolveRelease({ ecosystem: target.ecosystem, name: target.name, version: target.version }, options.registry);
  const remote = chooseArtifact(release.artifacts, options.preferKind);
  if (remote === undefined) throw new VigilError('E_NOT_FOUND', `${raw}: ${release.name} ${release.version} has no downloadable files`);
  const bytes = await downloadArtifact(remote, options.registry);
  const artifact: ArtifactInfo = { filename: remote.filename, sha256: sha256Hex(bytes), size: bytes.byteLength, source: remote.url };
  const tree = unpackArtifact(bytes, remote.filename, options.limits);
  const scan = await scanTree(tree, artifact, {
    ecosystem: target.ecosystem,
    packageName: release.name,
    limits: options.limits,
    ...(target.ecosystem === 'npm' ? { registry: { versionManifest: release.versionManifest, document: release.registryDocument } } : {}),
  });
  const label = target.ecosystem === 'pypi' ? `pypi:${release.name}==${release.version}` : `npm:${release.name}@${release.version}`;
  return { tree, findings: scan.findings, label, ecosystem: target.ecosystem, artifact, kind: remote.kind };
}
