/** Embedded default store: one SQLite file (WAL, so `vigil serve` can read while `vigil watch` writes). */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { VigilError, describeError } from '../core/errors.js';
import type { Ecosystem } from '../core/types.js';
import {
  ALERT_COLUMNS, PROJECT_COLUMNS, RESULT_COLUMNS, SCHEMA_STATEMENTS, alertValues, listAlertsQuery, listResultsQuery, projectValues,
  resultValues, rowToAlert, rowToProject, rowToResult,
} from './rows.js';
import type { AlertRecord, ListOptions, ProjectRecord, ReleaseRecord, ResultStore } from './types.js';
import { releaseKey } from './types.js';

type Row = Record<string, unknown>;

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

const UPSERT_RESULT = `INSERT INTO results (${RESULT_COLUMNS.join(', ')}) VALUES (${placeholders(RESULT_COLUMNS.length)})
  ON CONFLICT (key) DO UPDATE SET ${RESULT_COLUMNS.filter((c) => c !== 'key').map((c) => `${c} = excluded.${c}`).join(', ')},
  scan_count = results.scan_count + 1`;

export class SqliteStore implements ResultStore {
  readonly description: string;
  private db: Database.Database | undefined;

  constructor(private readonly file: string) {
    this.description = `sqlite:${file}`;
  }

  private get conn(): Database.Database {
    if (this.db === undefined) throw new VigilError('E_INTERNAL', 'store used before init()');
    return this.db;
  }

  async init(): Promise<void> {
    if (this.db !== undefined) return;
    try {
      if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
      const db = new Database(this.file);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
      for (const s of SCHEMA_STATEMENTS) db.exec(s);
      this.db = db;
    } catch (error) {
      throw new VigilError('E_CONFIG', `cannot open store ${this.file}: ${describeError(error)}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  async putResult(record: Omit<ReleaseRecord, 'key' | 'scanCount'>): Promise<void> {
    const db = this.conn;
    const key = releaseKey(record.ecosystem, record.name, record.version);
    const upsertArtifact = db.prepare(
      'INSERT INTO artifacts (sha256, release_key, filename, size) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    db.transaction(() => {
      db.prepare(UPSERT_RESULT).run(...resultValues(record));
      for (const a of record.artifacts) upsertArtifact.run(a.sha256, key, a.filename, a.size);
    })();
  }

  async getResult(ecosystem: Ecosystem, name: string, version: string): Promise<ReleaseRecord | undefined> {
    const row = this.conn.prepare('SELECT * FROM results WHERE key = ?').get(releaseKey(ecosystem, name, version)) as Row | undefined;
    return row === undefined ? undefined : rowToResult(row);
  }

  async getResultsByArtifact(sha256: string): Promise<ReleaseRecord[]> {
    const rows = this.conn
      .prepare('SELECT r.* FROM results r JOIN artifacts a ON a.release_key = r.key WHERE a.sha256 = ? ORDER BY r.key')
      .all(sha256.toLowerCase()) as Row[];
    return rows.map(rowToResult);
  }

  async listResults(options: ListOptions = {}): Promise<ReleaseRecord[]> {
    const { sql, values } = listResultsQuery(options, () => '?');
    return (this.conn.prepare(sql).all(...values) as Row[]).map(rowToResult);
  }

  async countResults(): Promise<number> {
    const row = this.conn.prepare('SELECT count(*) AS n FROM results').get() as { n: number };
    return row.n;
  }

  async addAlert(alert: AlertRecord): Promise<boolean> {
    const info = this.conn
      .prepare(`INSERT INTO alerts (${ALERT_COLUMNS.join(', ')}) VALUES (${placeholders(ALERT_COLUMNS.length)}) ON CONFLICT (key) DO NOTHING`)
      .run(...alertValues(alert));
    return info.changes === 1;
  }

  async listAlerts(options: { limit?: number; search?: string; project?: string } = {}): Promise<AlertRecord[]> {
    const { sql, values } = listAlertsQuery(options, () => '?');
    return (this.conn.prepare(sql).all(...values) as Row[]).map(rowToAlert);
  }

  async putProject(project: ProjectRecord): Promise<void> {
    const cols = PROJECT_COLUMNS;
    this.conn
      .prepare(`INSERT INTO projects (${cols.join(', ')}) VALUES (${placeholders(cols.length)})
        ON CONFLICT (id) DO UPDATE SET ${cols.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')}`)
      .run(...projectValues(project));
  }

  async getProject(id: string): Promise<ProjectRecord | undefined> {
    const row = this.conn.prepare('SELECT * FROM projects WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : rowToProject(row);
  }

  async listProjects(): Promise<ProjectRecord[]> {
    return (this.conn.prepare('SELECT * FROM projects ORDER BY name, id').all() as Row[]).map(rowToProject);
  }

  async removeProject(id: string): Promise<boolean> {
    return this.conn.prepare('DELETE FROM projects WHERE id = ?').run(id).changes === 1;
  }

  async getCheckpoint(feed: string): Promise<string | undefined> {
    const row = this.conn.prepare('SELECT value FROM checkpoints WHERE feed = ?').get(feed) as { value: string } | undefined;
    return row?.value;
  }

  async setCheckpoint(feed: string, value: string): Promise<void> {
    this.conn
      .prepare('INSERT INTO checkpoints (feed, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (feed) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(feed, value, new Date().toISOString());
  }
}
