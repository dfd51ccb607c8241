import type { PackageRef, ScanResult } from '../core/types.js';
import { defaultCacheDir, defaultRegistryOptions } from '../ecosystems/index.js';
import { installDefaultExtensions } from './extensions.js';
import { defaultJobs, scanAll } from './pool.js';
import { defaultScanOptions } from './scan.js';

/** `pypi:name==1.0` / `npm:name@1.0.0` for a package reference. */
export function refToTarget(ref: PackageRef): string {
  if (ref.ecosystem === 'pypi') return ref.version !== undefined ? `pypi:${ref.name}==${ref.version}` : `pypi:${ref.name}`;
  return ref.version !== undefined ? `npm:${ref.name}@${ref.version}` : `npm:${ref.name}`;
}

/**
 * Scans registry packages with Vigil's analysis (used by `vigil audit --deep`): downloads are verified
 * and cached by hash, results cached by artifact hash, scans run on worker threads.
 */
export async function scanPackages(refs: readonly PackageRef[], env: NodeJS.ProcessEnv = process.env): Promise<ScanResult[]> {
  const registry = defaultRegistryOptions(env);
  const cacheDir = registry.cacheDir ?? defaultCacheDir(env);
  installDefaultExtensions();
  const options = { ...defaultScanOptions(registry, process.cwd()), compareWithPrevious: false, resultCacheDir: cacheDir };
  return scanAll(refs.map(refToTarget), options, { jobs: defaultJobs(), taskTimeoutMs: 120_000 });
}
