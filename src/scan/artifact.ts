import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { analyzeTree } from '../analysis/index.js';
import type { AnalysisContext } from '../analysis/types.js';
import { unpackArtifact } from '../archive/index.js';
import { describeError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import type { ArtifactInfo, Ecosystem, FileTree, Finding, ScanError } from '../core/types.js';

export interface ArtifactScan {
  artifact: ArtifactInfo;
  findings: Finding[];
  errors: ScanError[];
  /** Files and bytes looked at (for benchmarks). */
  stats: { files: number; parsedFiles: number; parsedBytes: number; totalBytes: number };
}

export interface ArtifactScanOptions {
  ecosystem: Ecosystem | 'unknown';
  packageName?: string;
  limits?: Limits;
  registry?: AnalysisContext['registry'];
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Analyses an already unpacked tree. Never throws. */
export async function scanTree(tree: FileTree, artifact: ArtifactInfo, options: ArtifactScanOptions): Promise<ArtifactScan> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const context: AnalysisContext = {
    ecosystem: options.ecosystem,
    artifact: artifact.filename,
    limits,
    deadline: performance.now() + limits.analysisBudgetMs,
    ...(options.packageName !== undefined ? { packageName: options.packageName } : {}),
    ...(options.registry !== undefined ? { registry: options.registry } : {}),
  };
  const out = await analyzeTree(tree, context);
  for (const f of out.findings) f.location.artifact ??= artifact.filename;
  return { artifact, findings: out.findings, errors: out.errors, stats: { ...out.stats, totalBytes: tree.totalBytes } };
}

/**
 * Unpacks (in memory, with limits) and analyses one artifact. Never throws: an unreadable archive is
 * reported in `errors` with code E_ARCHIVE.
 */
export async function scanArtifactBytes(bytes: Uint8Array, filename: string, options: ArtifactScanOptions): Promise<ArtifactScan> {
  const artifact: ArtifactInfo = { filename, sha256: sha256Hex(bytes), size: bytes.byteLength };
  let tree: FileTree;
  try {
    tree = unpackArtifact(bytes, filename, options.limits ?? DEFAULT_LIMITS);
  } catch (error) {
    return {
      artifact,
      findings: [],
      errors: [{ code: 'E_ARCHIVE', message: `cannot read ${filename}: ${describeError(error)}` }],
      stats: { files: 0, parsedFiles: 0, parsedBytes: 0, totalBytes: 0 },
    };
  }
  return scanTree(tree, artifact, options);
}
