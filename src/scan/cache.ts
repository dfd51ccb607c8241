import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArtifactScan } from './artifact.js';
import type { PackageIdentity } from './identify.js';

/** What is cached per artifact: the scan and the identity read from the artifact's metadata. */
export type CachedScan = ArtifactScan & { identity?: PackageIdentity };

let engineKey: string | undefined;

/**
 * A key that changes whenever the detection code changes: a hash of the compiled analysis, rules and
 * scoring modules. Cached results from another engine version are never reused.
 */
export function detectionEngineKey(): string {
  if (engineKey !== undefined) return engineKey;
  const hash = createHash('sha256');
  const srcRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.js')) hash.update(name).update(readFileSync(p));
    }
  };
  for (const part of ['analysis', 'rules', 'scoring', 'archive']) walk(join(srcRoot, part));
  engineKey = hash.digest('hex').slice(0, 16);
  return engineKey;
}

/** Per-artifact scan results on disk, keyed by the artifact's sha256 and the engine key. */
export class ScanCache {
  readonly dir: string;
  constructor(root: string) {
    this.dir = join(root, 'scans', detectionEngineKey());
  }

  get(sha256: string): CachedScan | undefined {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    try {
      const doc: unknown = JSON.parse(readFileSync(join(this.dir, sha256.slice(0, 2), `${sha256}.json`), 'utf8'));
      if (typeof doc === 'object' && doc !== null && Array.isArray((doc as { findings?: unknown }).findings)) return doc as CachedScan;
    } catch {
      // Missing or unreadable: scan again.
    }
    return undefined;
  }

  set(sha256: string, scan: CachedScan): void {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return;
    try {
      const dir = join(this.dir, sha256.slice(0, 2));
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${sha256}.json`);
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(tmp, JSON.stringify(scan));
      renameSync(tmp, file);
    } catch {
      // A cache that cannot be written is not an error.
    }
  }
}
