import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifest } from '../analysis/javascript/package.js';
import type { AnalysisContext } from '../analysis/types.js';
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

/** JSON with object keys sorted, so equal documents hash equally whatever the registry's key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What a registry scan adds to an artifact's analysis, as a cache-key part: the registry's manifest for
 * the version as the analysis reads it (`readManifest`: scripts, dependencies, bin, name, … — what the
 * manifest-confusion check compares with the tarball; not dist, _npmUser or other publish metadata),
 * hashed. Results of npm registry scans are cached under artifact sha256 + this key, so a repeated scan
 * is served from the cache and a changed registry manifest is scanned again. (The analysis reads only
 * `versionManifest`; should it ever read `document`, that belongs in this key too.)
 */
export function registryContextKey(registry: NonNullable<AnalysisContext['registry']>): string {
  const manifest = registry.versionManifest === undefined ? undefined : readManifest(registry.versionManifest);
  return createHash('sha256')
    .update(canonicalJson(manifest ?? null))
    .digest('hex')
    .slice(0, 32);
}

const SHA256 = /^[0-9a-f]{64}$/;
const CONTEXT_KEY = /^[0-9a-f]{32}$/;

/**
 * Per-artifact scan results on disk, keyed by the artifact's sha256 and the engine key, and for registry
 * scans also by `registryContextKey` (a plain artifact scan and a registry scan of the same bytes differ).
 */
export class ScanCache {
  readonly dir: string;
  constructor(root: string) {
    this.dir = join(root, 'scans', detectionEngineKey());
  }

  private file(sha256: string, contextKey: string | undefined): string | undefined {
    if (!SHA256.test(sha256) || (contextKey !== undefined && !CONTEXT_KEY.test(contextKey))) return undefined;
    return join(this.dir, sha256.slice(0, 2), contextKey === undefined ? `${sha256}.json` : `${sha256}-${contextKey}.json`);
  }

  get(sha256: string, contextKey?: string): CachedScan | undefined {
    const file = this.file(sha256, contextKey);
    if (file === undefined) return undefined;
    try {
      const doc: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof doc === 'object' && doc !== null && Array.isArray((doc as { findings?: unknown }).findings)) return doc as CachedScan;
    } catch {
      // Missing or unreadable: scan again.
    }
    return undefined;
  }

  set(sha256: string, scan: CachedScan, contextKey?: string): void {
    const file = this.file(sha256, contextKey);
    if (file === undefined) return;
    try {
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(tmp, JSON.stringify(scan));
      renameSync(tmp, file);
    } catch {
      // A cache that cannot be written is not an error.
    }
  }
}
