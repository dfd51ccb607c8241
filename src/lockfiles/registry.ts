import { bunLockExtractor } from './bun.js';
import { distInfoExtractor, nodeModulesExtractor } from './installed.js';
import { packageLockExtractor } from './package-lock.js';
import { pipfileExtractor } from './pipfile.js';
import { pnpmLockExtractor } from './pnpm.js';
import { pdmLockExtractor, pipfileLockExtractor, poetryLockExtractor, pylockExtractor, uvLockExtractor } from './python-locks.js';
import { pyprojectExtractor } from './pyproject.js';
import { requirementsExtractor } from './requirements.js';
import type { Extractor } from './types.js';
import { yarnLockExtractor } from './yarn.js';


/** Every extractor, sorted by id. Installed-environment extractors apply only inside installed trees. */
export const extractors = [
  bunLockExtractor,
  nodeModulesExtractor,
  packageLockExtractor,
  pnpmLockExtractor,
  yarnLockExtractor,
  distInfoExtractor,
  pdmLockExtractor,
  pipfileExtractor,
  pipfileLockExtractor,
  poetryLockExtractor,
  pylockExtractor,
  pyprojectExtractor,
  requirementsExtractor,
  uvLockExtractor,
] as const satisfies readonly Extractor[];

export const installedExtractors: readonly Extractor[] = [nodeModulesExtractor, distInfoExtractor];

/** The extractor for a path (forward slashes), or undefined. Installed-tree files match only with `installed`. */
export function findExtractor(path: string, installed = false): Extractor | undefined {
  const p = path.replaceAll('\\', '/');
  for (const e of installedExtractors) {
    if (e.matches(p)) return installed ? e : undefined;
  }
  return extractors.find((e) => !installedExtractors.includes(e) && e.matches(p));
}

/** Finds an extractor by id (`--type` option). */
export function extractorById(id: string): Extractor | undefined {
  return extractors.find((e) => e.id === id);
}
