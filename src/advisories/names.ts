import type { Ecosystem } from '../core/types.js';

const PEP503_SEPARATORS = /[-_.]+/g;

/** PEP 503 normalised project name: lower case, runs of `-`, `_`, `.` become one `-`. */
export function normalizePypiName(name: string): string {
  return name.trim().replace(PEP503_SEPARATORS, '-').toLowerCase();
}

/**
 * The key an advisory is stored and looked up under. npm names are matched exactly (the registry
 * treats them as case-sensitive for legacy packages); PyPI names are PEP 503-normalised.
 */
export function normalizePackageName(ecosystem: Ecosystem, name: string): string {
  return ecosystem === 'pypi' ? normalizePypiName(name) : name.trim();
}

/** OSV ecosystem string for a Vigil ecosystem. */
export function osvEcosystemName(ecosystem: Ecosystem): 'PyPI' | 'npm' {
  return ecosystem === 'pypi' ? 'PyPI' : 'npm';
}

/** Vigil ecosystem for an OSV ecosystem string (`PyPI`, `npm`, case-insensitive); undefined for others. */
export function ecosystemFromOsv(value: string): Ecosystem | undefined {
  const v = value.toLowerCase();
  if (v === 'pypi') return 'pypi';
  if (v === 'npm') return 'npm';
  return undefined;
}
