import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { VigilError, describeError } from '../core/errors.js';
import type { Ecosystem, Severity } from '../core/types.js';
import { ECOSYSTEMS } from '../core/types.js';
import { normalizePackageName } from './names.js';
import type { AdvisoryEntry, AdvisoryKind, AdvisorySource, AffectedSpec, OsvRecord, PackageKey } from './types.js';

export const SCHEMA_VERSION = '1';

/**
 * Schema: `advisory` holds one row per OSV record (summary fields plus the deflated original JSON);
 * `affected` is clustered by (ecosystem, normalised name) so one lookup reads a few adjacent pages,
 * and carries each affected entry's ranges pre-extracted as compact JSON.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS advisory (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  modified TEXT NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  summary TEXT NOT NULL,
  aliases TEXT NOT NULL,
  source TEXT NOT NULL,
  json BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  rid INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  spec TEXT NOT NULL,
  PRIMARY KEY (ecosystem, name, rid, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS affected_rid ON affected (rid);
`;

export interface StoreStatus {
  path: string;
  schemaVersion: string | undefined;
  advisories: number;
  malicious: number;
  perEcosystem: Record<Ecosystem, { advisories: number; packages: number; malicious: number }>;
  lastUpdate: string | undefined;
  source: string | undefined;
  withdrawnSkipped: number;
}

export interface InsertResult {
  status: 'inserted' | 'replaced' | 'kept-newer' | 'withdrawn' | 'no-packages';
}

interface LookupRow {
  id: string;
  modified: string;
  kind: string;
  severity: string;
  summary: string;
  aliases: string;
  spec: string;
}

export function packageKeyString(ecosystem: Ecosystem, name: string): string {
  return `${ecosystem}\u0000${normalizePackageName(ecosystem, name)}`;
}

function isSeverity(v: string): v is Severity {
  return v === 'critical' || v === 'high' || v === 'medium' || v === 'low' || v === 'info';
}

/** SQLite-backed advisory store. Open read-only for audits; writers build a new file and swap it in. */
export class AdvisoryStore implements AdvisorySource {
  readonly path: string;
  private readonly db: Db;
  private lookupStmt: Statement<[string, string], LookupRow & { name: string }> | undefined;

  private constructor(path: string, db: Db) {
    this.path = path;
    this.db = db;
  }

  /** Opens an existing database read-only. */
  static openReadOnly(path: string): AdvisoryStore {
    if (!existsSync(path)) {
      throw new VigilError('E_DB', `no advisory database at ${path}; run 'vigil db update' or 'vigil db import PATH' first`);
    }
    let db: Db;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
      if (row?.value !== SCHEMA_VERSION) throw new Error(`unsupported schema version ${row?.value ?? '(none)'}`);
    } catch (error) {
      throw new VigilError('E_DB', `cannot open advisory database ${path}: ${describeError(error)}`, { cause: error });
    }
    return new AdvisoryStore(path, db);
  }

  /** Opens (creating if needed) a database for writing; used on a temporary file during imports. */
  static openForWrite(path: string): AdvisoryStore {
    let db: Db;
    try {
      db = new Database(path);
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
      db.pragma('cache_size = -65536');
      db.exec(SCHEMA);
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(SCHEMA_VERSION);
    } catch (error) {
      throw new VigilError('E_DB', `cannot create advisory database ${path}: ${describeError(error)}`, { cause: error });
    }
    return new AdvisoryStore(path, db);
  }

  close(): void {
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  private insertStmts:
    | {
        find: Statement<[string], { rid: number; modified: string }>;
        del: Statement<[number]>;
        delAffected: Statement<[number]>;
        insert: Statement<[string, string, string, string, string, string, string, Buffer]>;
        insertAffected: Statement<[string, string, number | bigint, number, string]>;
      }
    | undefined;

  /**
   * Adds one record; a record with the same id is replaced only by a newer (or equal) `modified`.
   * A withdrawn record removes an older copy and is not stored.
   */
  insert(record: OsvRecord, rawJson: string, source: string): InsertResult {
    const s = (this.insertStmts ??= {
      find: this.db.prepare('SELECT rid, modified FROM advisory WHERE id = ?'),
      del: this.db.prepare('DELETE FROM advisory WHERE rid = ?'),
      delAffected: this.db.prepare('DELETE FROM affected WHERE rid = ?'),
      insert: this.db.prepare(
        'INSERT INTO advisory (id, modified, kind, severity, summary, aliases, source, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertAffected: this.db.prepare('INSERT OR IGNORE INTO affected (ecosystem, name, rid, seq, spec) VALUES (?, ?, ?, ?, ?)'),
    });
    const existing = s.find.get(record.id);
    if (existing !== undefined) {
      if (existing.modified > record.modified) return { status: 'kept-newer' };
      s.delAffected.run(existing.rid);
      s.del.run(existing.rid);
    }
    if (record.withdrawn !== undefined) return { status: 'withdrawn' };
    if (record.affected.length === 0) return { status: 'no-packages' };
    const info = s.insert.run(
      record.id,
      record.modified,
      record.kind,
      record.severity,
      record.summary,
      JSON.stringify(record.aliases),
      source,
      deflateRawSync(rawJson, { level: 4 }),
    );
    let seq = 0;
    for (const a of record.affected) {
      s.insertAffected.run(a.ecosystem, normalizePackageName(a.ecosystem, a.name), info.lastInsertRowid, seq++, JSON.stringify(a.spec));
    }
    return { status: existing === undefined ? 'inserted' : 'replaced' };
  }

  /**
   * Advisories per package, keyed by `packageKeyString`. Never throws for unknown names. Names are
   * looked up in batches (one statement per 500 names) which is ~10x cheaper than one query each.
   */
  lookupSync(keys: readonly PackageKey[]): Map<string, AdvisoryEntry[]> {
    const stmt = (this.lookupStmt ??= this.db.prepare(
      `SELECT f.name AS name, a.id AS id, a.modified AS modified, a.kind AS kind, a.severity AS severity,
              a.summary AS summary, a.aliases AS aliases, f.spec AS spec
         FROM affected f JOIN advisory a ON a.rid = f.rid
        WHERE f.ecosystem = ? AND f.name IN (SELECT value FROM json_each(?))
        ORDER BY f.name, f.rid, f.seq`,
    ));
    const out = new Map<string, AdvisoryEntry[]>();
    const wanted = new Map<Ecosystem, Set<string>>();
    for (const key of keys) {
      const k = packageKeyString(key.ecosystem, key.name);
      if (out.has(k)) continue;
      out.set(k, []);
      let set = wanted.get(key.ecosystem);
      if (set === undefined) wanted.set(key.ecosystem, (set = new Set()));
      set.add(normalizePackageName(key.ecosystem, key.name));
    }
    for (const [ecosystem, names] of wanted) {
      const list = [...names];
      for (let i = 0; i < list.length; i += 500) {
        const rows = stmt.all(ecosystem, JSON.stringify(list.slice(i, i + 500)));
        let byId = new Map<string, AdvisoryEntry>();
        let current = '';
        for (const row of rows) {
          if (row.name !== current) {
            current = row.name;
            byId = new Map();
          }
          const spec = JSON.parse(row.spec) as AffectedSpec;
          const prior = byId.get(row.id);
          if (prior !== undefined) {
            prior.specs.push(spec);
            continue;
          }
          const entry: AdvisoryEntry = {
            id: row.id,
            aliases: JSON.parse(row.aliases) as string[],
            kind: (row.kind === 'malicious' ? 'malicious' : 'vulnerability') satisfies AdvisoryKind,
            severity: isSeverity(row.severity) ? row.severity : 'medium',
            summary: row.summary,
            modified: row.modified,
            specs: [spec],
          };
          byId.set(row.id, entry);
          out.get(`${ecosystem}\u0000${row.name}`)?.push(entry);
        }
      }
    }
    return out;
  }

  async lookup(keys: readonly PackageKey[]): Promise<Map<string, AdvisoryEntry[]>> {
    return this.lookupSync(keys);
  }

  describe(): string {
    return `local database ${this.path}`;
  }

  /** The original OSV JSON of a record, when stored. */
  getRecordJson(id: string): string | undefined {
    const row = this.db.prepare('SELECT json FROM advisory WHERE id = ?').get(id) as { json: Buffer } | undefined;
    return row === undefined ? undefined : inflateRawSync(row.json).toString('utf8');
  }

  status(): StoreStatus {
    const count = (sql: string, ...params: string[]): number => {
      const row = this.db.prepare(sql).get(...params) as { n: number } | undefined;
      return row?.n ?? 0;
    };
    const perEcosystem = {} as StoreStatus['perEcosystem'];
    for (const eco of ECOSYSTEMS) {
      perEcosystem[eco] = {
        advisories: count('SELECT COUNT(DISTINCT rid) AS n FROM affected WHERE ecosystem = ?', eco),
        packages: count('SELECT COUNT(*) AS n FROM (SELECT DISTINCT name FROM affected WHERE ecosystem = ?)', eco),
        malicious: count(
          "SELECT COUNT(DISTINCT f.rid) AS n FROM affected f JOIN advisory a ON a.rid = f.rid WHERE f.ecosystem = ? AND a.kind = 'malicious'",
          eco,
        ),
      };
    }
    return {
      path: this.path,
      schemaVersion: this.getMeta('schema_version'),
      advisories: count('SELECT COUNT(*) AS n FROM advisory'),
      malicious: count("SELECT COUNT(*) AS n FROM advisory WHERE kind = 'malicious'"),
      perEcosystem,
      lastUpdate: this.getMeta('last_update'),
      source: this.getMeta('source'),
      withdrawnSkipped: Number(this.getMeta('withdrawn_skipped') ?? '0'),
    };
  }

  /** Rebuilds statistics and compacts the file; call once at the end of an import. */
  finish(): void {
    this.db.exec('ANALYZE');
    this.db.exec('VACUUM');
  }
}
