import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The package version from package.json (works from src/ via tsx and from dist/src/). */
export function vigilVersion(): string {
  if (cached !== undefined) return cached;
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const doc: unknown = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
      if (typeof doc === 'object' && doc !== null && (doc as { name?: unknown }).name === 'vigil-scan') {
        const v = (doc as { version?: unknown }).version;
        cached = typeof v === 'string' ? v : '0.0.0';
        return cached;
      }
    } catch {
      // try the next location
    }
  }
  cached = '0.0.0';
  return cached;
}
