import type { Ecosystem, FileTree, Finding, ScanError } from '../core/types.js';
import type { Limits } from '../core/limits.js';

export interface AnalysisContext {
  ecosystem: Ecosystem | 'unknown';
  /** Package name when known (registry target or read from metadata). */
  packageName?: string;
  /** File name of the artifact being analysed (used in finding locations). */
  artifact: string;
  limits: Limits;
  /** performance.now() value after which analysis should stop and report a budget error. */
  deadline: number;
  /**
   * What the registry says about this release, when scanning a registry package (unvalidated).
   * npm: the packument's manifest for the version (manifest-confusion checks compare it with the
   * tarball's package.json).
   */
  registry?: { versionManifest?: unknown; document?: unknown };
}

export interface AnalysisStats {
  files: number;
  parsedFiles: number;
  parsedBytes: number;
}

export interface AnalysisOutput {
  findings: Finding[];
  errors: ScanError[];
  stats: AnalysisStats;
}

/** An analyzer looks at a whole unpacked artifact and returns findings; it never throws. */
export type PackageAnalyzer = (tree: FileTree, context: AnalysisContext) => Promise<AnalysisOutput>;

export function emptyOutput(): AnalysisOutput {
  return { findings: [], errors: [], stats: { files: 0, parsedFiles: 0, parsedBytes: 0 } };
}

export function mergeOutputs(outputs: readonly AnalysisOutput[]): AnalysisOutput {
  const merged = emptyOutput();
  for (const o of outputs) {
    merged.findings.push(...o.findings);
    merged.errors.push(...o.errors);
    merged.stats.files += o.stats.files;
    merged.stats.parsedFiles += o.stats.parsedFiles;
    merged.stats.parsedBytes += o.stats.parsedBytes;
  }
  return merged;
}
