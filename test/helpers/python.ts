import { analyzePython } from '../../src/analysis/python/index.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { FileEntry } from '../../src/core/types.js';
import { scoreFindings } from '../../src/scoring/score.js';

/** Analyses a package given as path -> text and returns `verdict: reason`. */
export async function pythonVerdict(files: Record<string, string>): Promise<string> {
  const entries: FileEntry[] = Object.entries(files).map(([path, text]) => {
    const data = new TextEncoder().encode(text);
    return { path, data, size: data.byteLength };
  });
  const out = await analyzePython({ format: 'directory', files: entries, issues: [], totalBytes: 0 }, { ecosystem: 'pypi', artifact: 'x', limits: DEFAULT_LIMITS, deadline: performance.now() + 10_000 });
  const s = scoreFindings(out.findings);
  return `${s.verdict}: ${s.reason}`;
}
