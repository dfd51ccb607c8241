import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readDirectory, unpackArtifact } from '../archive/index.js';
import { describeError, isVigilError, VigilError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import type { ArtifactInfo, Ecosystem, Finding, ScanError, ScanResult } from '../core/types.js';
import type { RegistryOptions, RemoteArtifact, ResolvedRelease } from '../ecosystems/types.js';
import { scoreFindings } from '../scoring/score.js';
import type { ArtifactScan } from './artifact.js';
import { scanTree, sha256Hex } from './artifact.js';
import { identifyPackage } from './identify.js';
import { parseTarget } from './targets.js';
import type { Target } from './targets.js';
import { ScanCache, registryContextKey } from './cache.js';
import { newFindings } from '../diff/index.js';

export interface ScanOptions {
  registry: RegistryOptions;
  limits: Limits;
  /** Registry metadata and name (typosquat) signals. */
  metadata: boolean;
  /** Compare a registry release with the previous release ("new in this release"). */
  compareWithPrevious: boolean;
  /** Policy: releases younger than this many hours get a `meta/min-age` finding. */
  minAgeHours?: number;
  /** Directory for the per-artifact result cache; undefined disables it. */
  resultCacheDir?: string;
  cwd: string;
}

/** Hooks that feature areas plug into the scan (metadata signals, typosquatting, release diff). */
export interface ScanExtensions {
  releaseFindings?: (release: ResolvedRelease, options: ScanOptions) => Finding[] | Promise<Finding[]>;
  nameFindings?: (ecosystem: Ecosystem, name: string) => Finding[];
}

let extensions: ScanExtensions = {};

/** Registers metadata/typosquat hooks (called once at start-up by the CLI and the worker). */
export function setScanExtensions(next: ScanExtensions): void {
  extensions = next;
}

function failed(raw: string, error: unknown, partial?: Partial<ScanResult>): ScanResult {
  const code = isVigilError(error) ? error.code : 'E_INTERNAL';
  const scanError: ScanError = { code, message: describeError(error) };
  return {
    target: raw,
    ecosystem: partial?.ecosystem ?? 'unknown',
    name: partial?.name ?? '',
    version: partial?.version ?? '',
    verdict: 'clean',
    score: 0,
    reason: `Not scanned: ${scanError.message}`,
    artifacts: partial?.artifacts ?? [],
    findings: [],
    errors: [scanError],
  };
}

function finish(
  raw: string,
  identity: { ecosystem: Ecosystem | 'unknown'; name: string; version: string },
  scans: readonly ArtifactScan[],
  extra: Finding[],
  errors: ScanError[],
  started: number,
): ScanResult {
  const findings = [...scans.flatMap((s) => s.findings), ...extra];
  const score = scoreFindings(findings);
  return {
    target: raw,
    ecosystem: identity.ecosystem,
    name: identity.name,
    version: identity.version,
    verdict: score.verdict,
    score: score.score,
    reason: score.reason,
    artifacts: scans.map((s) => s.artifact),
    findings,
    errors: [...errors, ...scans.flatMap((s) => s.errors)],
    durationMs: Math.round(performance.now() - started),
    stats: {
      files: scans.reduce((n, s) => n + s.stats.files, 0),
      parsedFiles: scans.reduce((n, s) => n + s.stats.parsedFiles, 0),
      parsedBytes: scans.reduce((n, s) => n + s.stats.parsedBytes, 0),
      totalBytes: scans.reduce((n, s) => n + s.stats.totalBytes, 0),
    },
  };
}

async function scanBytes(
  bytes: Uint8Array,
  artifact: ArtifactInfo,
  ecosystem: Ecosystem | 'unknown',
  options: ScanOptions,
  cache: ScanCache | undefined,
  packageName: string | undefined,
  registry?: { versionManifest?: unknown; document?: unknown },
): Promise<{ scan: ArtifactScan; identity: ReturnType<typeof identifyPackage> | undefined }> {
  // A registry scan depends on the registry's manifest too (manifest confusion): it is part of the key.
  const contextKey = registry === undefined ? undefined : registryContextKey(registry);
  const cached = cache?.get(artifact.sha256, contextKey);
  if (cached !== undefined) {
    const { identity, ...scan } = cached;
    return { scan: { ...scan, artifact }, identity };
  }
  let tree;
  try {
    tree = unpackArtifact(bytes, artifact.filename, options.limits);
  } catch (error) {
    const scan: ArtifactScan = {
      artifact,
      findings: [],
      errors: [{ code: isVigilError(error) ? error.code : 'E_ARCHIVE', message: `cannot read ${artifact.filename}: ${describeError(error)}` }],
      stats: { files: 0, parsedFiles: 0, parsedBytes: 0, totalBytes: 0 },
    };
    return { scan, identity: undefined };
  }
  const identity = identifyPackage(tree);
  const scan = await scanTree(tree, artifact, {
    ecosystem: ecosystem === 'unknown' ? identity.ecosystem : ecosystem,
    limits: options.limits,
    ...(packageName !== undefined ? { packageName } : identity.name !== '' ? { packageName: identity.name } : {}),
    ...(registry !== undefined ? { registry } : {}),
  });
  cache?.set(artifact.sha256, { ...scan, identity }, contextKey);
  return { scan, identity };
}

/**
 * Downloads (verified against the registry's hashes — a mismatch throws and refuses the target) and
 * scans each artifact of a release.
 */
async function scanRemoteArtifacts(
  remotes: readonly RemoteArtifact[],
  packageName: string,
  ecosystem: Ecosystem,
  options: ScanOptions,
  cache: ScanCache | undefined,
  registry?: { versionManifest?: unknown; document?: unknown },
): Promise<ArtifactScan[]> {
  const { downloadArtifact } = await import('../ecosystems/index.js');
  const scans: ArtifactScan[] = [];
  for (const remote of remotes) {
    const bytes = await downloadArtifact(remote, options.registry);
    const artifact: ArtifactInfo = { filename: remote.filename, sha256: sha256Hex(bytes), size: bytes.byteLength, source: remote.url };
    scans.push((await scanBytes(bytes, artifact, ecosystem, options, cache, packageName, registry)).scan);
  }
  return scans;
}

async function scanRegistryTarget(target: Extract<Target, { kind: 'registry' }>, options: ScanOptions, cache: ScanCache | undefined, started: number): Promise<ScanResult> {
  const ref = target.version !== undefined ? { ecosystem: target.ecosystem, name: target.name, version: target.version } : { ecosystem: target.ecosystem, name: target.name };
  // Loaded on demand: local scans (and the workers that run them) never load the registry clients.
  const { resolveRelease } = await import('../ecosystems/index.js');
  const release = await resolveRelease(ref, options.registry);
  const identity = { ecosystem: target.ecosystem, name: release.name, version: release.version };
  if (release.artifacts.length === 0) throw new VigilError('E_NOT_FOUND', `${target.ecosystem}:${release.name} ${release.version} has no downloadable files`);
  // npm: the packument's manifest goes along for manifest-confusion checks.
  const registry = target.ecosystem === 'npm' ? { versionManifest: release.versionManifest, document: release.registryDocument } : undefined;
  const scans = await scanRemoteArtifacts(release.artifacts, release.name, target.ecosystem, options, cache, registry);
  const extra: Finding[] = [];
  const errors: ScanError[] = [];
  if (options.metadata) {
    try {
      if (extensions.releaseFindings !== undefined) extra.push(...(await extensions.releaseFindings(release, options)));
      if (extensions.nameFindings !== undefined) extra.push(...extensions.nameFindings(target.ecosystem, release.name));
    } catch (error) {
      errors.push({ code: 'E_METADATA', message: `metadata checks failed: ${describeError(error)}` });
    }
  }
  const result = finish(target.raw, identity, scans, extra, errors, started);
  if (options.compareWithPrevious && release.previousVersion !== undefined) {
    try {
      const previous = await scanPreviousRelease(target, release, options, cache);
      if (previous !== undefined) result.newInRelease = newFindings(previous.scans.flatMap((s) => s.findings), scans.flatMap((s) => s.findings));
    } catch (error) {
      result.errors.push({ code: 'E_PREVIOUS_RELEASE', message: `could not compare with ${release.previousVersion}: ${describeError(error)}` });
    }
  }
  return result;
}

/** Scans the release before `release` (same artifact kinds, at most two files) for "new in this release". */
async function scanPreviousRelease(
  target: Extract<Target, { kind: 'registry' }>,
  release: ResolvedRelease,
  options: ScanOptions,
  cache: ScanCache | undefined,
): Promise<{ scans: ArtifactScan[]; version: string } | undefined> {
  const version = release.previousVersion;
  if (version === undefined) return undefined;
  const { resolveRelease } = await import('../ecosystems/index.js');
  const prev = await resolveRelease({ ecosystem: target.ecosystem, name: release.name, version }, { ...options.registry, maxArtifacts: 2 });
  const kinds = new Set(release.artifacts.map((a) => a.kind));
  const chosen = prev.artifacts.filter((a) => kinds.has(a.kind)).slice(0, 2);
  const scans = await scanRemoteArtifacts(chosen.length > 0 ? chosen : prev.artifacts.slice(0, 1), prev.name, target.ecosystem, options, cache);
  return { scans, version: prev.version };
}


async function scanFileTarget(target: Extract<Target, { kind: 'file' }>, options: ScanOptions, cache: ScanCache | undefined, started: number): Promise<ScanResult> {
  const info = await stat(target.path);
  if (info.size > options.limits.maxArtifactBytes) {
    throw new VigilError('E_LIMIT', `${target.raw} is ${info.size} bytes, over the ${options.limits.maxArtifactBytes}-byte artifact limit`);
  }
  const bytes = new Uint8Array(await readFile(target.path));
  const artifact: ArtifactInfo = { filename: basename(target.path), sha256: sha256Hex(bytes), size: bytes.byteLength, source: target.path };
  const { scan, identity } = await scanBytes(bytes, artifact, 'unknown', options, cache, undefined);
  const id = identity ?? { ecosystem: 'unknown' as const, name: '', version: '' };
  const extra: Finding[] = [];
  if (options.metadata && id.name !== '' && id.ecosystem !== 'unknown' && extensions.nameFindings !== undefined) {
    extra.push(...extensions.nameFindings(id.ecosystem, id.name));
  }
  return finish(target.raw, id, [scan], extra, [], started);
}

async function scanDirectoryTarget(target: Extract<Target, { kind: 'directory' }>, options: ScanOptions, started: number): Promise<ScanResult> {
  const tree = await readDirectory(target.path, options.limits);
  const identity = identifyPackage(tree);
  const artifact: ArtifactInfo = { filename: basename(target.path), sha256: '', size: tree.totalBytes, source: target.path };
  const scan = await scanTree(tree, artifact, {
    ecosystem: identity.ecosystem,
    limits: options.limits,
    ...(identity.name !== '' ? { packageName: identity.name } : {}),
  });
  return finish(target.raw, identity, [scan], [], [], started);
}

/** Scans one command-line target. Never throws: failures are reported in `errors`. */
export async function scanTarget(raw: string, options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const cache = options.resultCacheDir !== undefined ? new ScanCache(options.resultCacheDir) : undefined;
  let target: Target;
  try {
    target = parseTarget(raw, options.cwd);
  } catch (error) {
    return failed(raw, error);
  }
  try {
    if (target.kind === 'registry') return await scanRegistryTarget(target, options, cache, started);
    if (target.kind === 'file') return await scanFileTarget(target, options, cache, started);
    return await scanDirectoryTarget(target, options, started);
  } catch (error) {
    return failed(raw, error, target.kind === 'registry' ? { ecosystem: target.ecosystem, name: target.name, version: target.version ?? '' } : {});
  }
}

export function defaultScanOptions(registry: RegistryOptions, cwd: string): ScanOptions {
  return { registry, limits: DEFAULT_LIMITS, metadata: true, compareWithPrevious: true, cwd };
}
