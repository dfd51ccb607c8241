import type { FileTree, ScanError } from '../core/types.js';
import { describeError } from '../core/errors.js';
import { analyzeJavaScript } from './javascript/index.js';
import { analyzePython } from './python/index.js';
import { archiveIssueFindings } from './archive-findings.js';
import type { AnalysisContext, AnalysisOutput, PackageAnalyzer } from './types.js';
import { emptyOutput, mergeOutputs } from './types.js';

const ANALYZERS: readonly { name: string; run: PackageAnalyzer }[] = [
  { name: 'python', run: analyzePython },
  { name: 'javascript', run: analyzeJavaScript },
];

/** Runs every analyzer over one unpacked artifact. Never throws: failures become `errors`. */
export async function analyzeTree(tree: FileTree, context: AnalysisContext): Promise<AnalysisOutput> {
  const outputs: AnalysisOutput[] = [];
  const base = emptyOutput();
  base.findings.push(...archiveIssueFindings(tree.issues, context.artifact));
  outputs.push(base);
  for (const analyzer of ANALYZERS) {
    try {
      outputs.push(await analyzer.run(tree, context));
    } catch (error) {
      const failure: ScanError = { code: 'E_ANALYZER_CRASH', message: `${analyzer.name} analyzer failed: ${describeError(error)}` };
      const out = emptyOutput();
      out.errors.push(failure);
      outputs.push(out);
    }
  }
  return mergeOutputs(outputs);
}

export type { AnalysisContext, AnalysisOutput } from './types.js';
