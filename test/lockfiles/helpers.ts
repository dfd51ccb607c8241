import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { discoverLockfiles, extractFile } from '../../src/lockfiles/index.js';
import type { LockedPackage } from '../../src/lockfiles/index.js';

export const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'lockfiles');
export const SHARED_LOCKFILES = join(process.cwd(), '..', 'shared', 'lockfiles');
export const HAVE_SHARED = existsSync(join(SHARED_LOCKFILES, 'INDEX.tsv'));

/** Compact, hand-checkable form: name|version|requirement|P(inned)/u|L<line>|D/T/?|dev/prod/?|source */
export function brief(p: LockedPackage): string {
  const direct = p.direct === undefined ? '?' : p.direct ? 'D' : 'T';
  const dev = p.dev === undefined ? '?' : p.dev ? 'dev' : 'prod';
  return `${p.name}|${p.version ?? ''}|${p.requirement ?? ''}|${p.pinned ? 'P' : 'u'}|L${p.line}|${direct}|${dev}|${p.source ?? ''}`;
}

/** Extracts one fixture file (path relative to test/fixtures/lockfiles), failing on errors. */
export function extractFixture(rel: string, installed = false): { id: string; packages: LockedPackage[] } {
  const [file] = discoverLockfiles([rel], FIXTURES, { installed });
  if (file === undefined) throw new Error(`no extractor for ${rel}`);
  const out = extractFile(file);
  if (out.error !== undefined) throw new Error(out.error);
  return { id: file.extractor.id, packages: out.packages };
}
