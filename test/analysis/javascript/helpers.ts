import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileTree } from '../../../src/core/types.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import type { AnalysisContext } from '../../../src/analysis/types.js';

/** test/fixtures/javascript in the source tree (tests run from dist/test/…). */
export const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/javascript/', import.meta.url));

export function treeFromFiles(files: Readonly<Record<string, string>>): FileTree {
  const enc = new TextEncoder();
  const entries = Object.entries(files).map(([path, text]) => {
    const data = enc.encode(text);
    return { path, data, size: data.length };
  });
  return { format: 'directory', files: entries, issues: [], totalBytes: entries.reduce((n, e) => n + e.size, 0) };
}

export function treeFromDir(dir: string): FileTree {
  const files: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      if (statSync(p).isDirectory()) walk(p, r);
      else files[r] = readFileSync(p, 'utf8');
    }
  };
  walk(dir, '');
  return { ...treeFromFiles(files), format: 'npm-tgz' };
}

export function npmContext(extra: Partial<AnalysisContext> = {}): AnalysisContext {
  return { ecosystem: 'npm', artifact: 'test.tgz', limits: DEFAULT_LIMITS, deadline: performance.now() + 10_000, ...extra };
}
