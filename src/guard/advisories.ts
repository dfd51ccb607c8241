/** Known-malicious lookups for the proxy, backed by the local advisory database (OSV `MAL-` records). */
import { existsSync } from 'node:fs';
import type { Ecosystem } from '../core/types.js';
import type { KnownMaliciousCheck } from './policy.js';

export interface MaliciousLookup {
  check: KnownMaliciousCheck;
  describe: string;
  close(): void;
}

/**
 * Opens the advisory database read-only, or returns undefined when there is none. Lookups are memoised
 * per package (bounded); a failing lookup answers "not known" (the scan still runs).
 */
export async function openMaliciousLookup(dbPath: string): Promise<MaliciousLookup | undefined> {
  if (!existsSync(dbPath)) return undefined;
  const { AdvisoryStore, isAffected, packageKeyString } = await import('../advisories/index.js');
  const store = AdvisoryStore.openReadOnly(dbPath);
  type Entry = ReturnType<typeof store.lookupSync> extends Map<string, infer V> ? V : never;
  const memo = new Map<string, Entry>();
  const check: KnownMaliciousCheck = (ecosystem: Ecosystem, name: string, version: string) => {
    const key = packageKeyString(ecosystem, name);
    let entries = memo.get(key);
    if (entries === undefined) {
      try {
        entries = (store.lookupSync([{ ecosystem, name }]).get(key) ?? []).filter((e) => e.kind === 'malicious');
      } catch {
        return false;
      }
      if (memo.size > 20_000) memo.clear();
      memo.set(key, entries);
    }
    const hit = entries.find((e) => e.specs.some((spec) => isAffected(ecosystem, spec, version)));
    return hit === undefined ? false : hit.id;
  };
  return { check, describe: store.describe(), close: () => store.close() };
}
