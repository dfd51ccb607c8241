/** Helpers shared by the evaluation and benchmark commands. */
import type { RegistryOptions } from '../src/ecosystems/types.js';

/** The p-th percentile (nearest rank) of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** A deterministic, evenly spread sample of `n` rows (all rows when n is undefined or large). */
export function spread<T>(rows: readonly T[], n: number | undefined): T[] {
  if (n === undefined || n >= rows.length) return [...rows];
  const step = rows.length / n;
  return Array.from({ length: n }, (_, i) => rows[Math.floor(i * step)] as T);
}

/** Registry settings for scans of local files only (never used to reach a registry). */
export function localOnlyRegistry(): RegistryOptions {
  return {
    pypiIndexUrl: 'https://pypi.org/simple/',
    npmRegistryUrl: 'https://registry.npmjs.org/',
    timeoutMs: 30_000,
    retries: 0,
    includePrereleases: false,
    maxArtifacts: 8,
  };
}
