/**
 * Scale-out store on PostgreSQL. `postgres://user@host:port/db?schema=NAME` selects a schema (created
 * when missing); every statement is an idempotent upsert, so concurrent workers and re-run jobs never
 * duplicate a row. Connections that die (server restart, terminated backend) are replaced by the pool;
 * the failing statement throws and the job queue retries it.
 */
import pg from 'pg';
import { VigilError, describeError } from '../core/errors.js';
import type { Ecosystem } from '../core/types.js';
import {
  ALERT_COLUMNS, PROJECT_COLUMNS, RESULT_COLUMNS, SCHEMA_STATEMENTS, alertValues, listAlertsQuery, listResultsQuery, projectValues,
  resultValues, rowToAlert, rowToProject, rowToResult,
} from './rows.js';
import type { SqlValue } from './rows.js';
import type { AlertRecord, ListOptions, ProjectRecord, ReleaseRecord, ResultStore } from './types.js';
import { releaseKey } from './types.js';

type Row = Record<string, unknown>;

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

function params(n: number, from = 1): string {
  return Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');
}

/** Splits `?schema=` off a connection URL and returns a credential-free description. */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string; description: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new VigilError('E_CONFIG', 'invalid PostgreSQL URL');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new VigilError('E_CONFIG', 'PostgreSQL URL must start with postgres://');
  const schema = u.searchParams.get('schema') ?? 'vigil';
  if (!SCHEMA_RE.test(schema)) throw new VigilError('E_CONFIG', `invalid schema name '${schema}' (lower-case letters, digits, _)`);
  u.searchParams.delete('schema');
  const description = `postgres://${u.host}${u.pathname}?schema=${schema}`;
  return { connectionString: u.toString(), schema, description };
}

export interface PostgresStoreOptions {
  /** Max pooled connections (default 4). */
  max?: number;
}

export class PostgresStore implements ResultStore {
  readonly description: string;
  readonly schema: string;
  private readonly pool: pg.Pool;
  private initialised = false;

  constructor(url: string, options: PostgresStoreOptions = {}) {
    const parsed = parsePostgresUrl(url);
    this.description = parsed.description;
    this.schema = parsed.schema;
    this.pool = new pg.Pool({
      connectionString: parsed.connectionString,
      max: options.max ?? 4,
      options: `-c search_path=${parsed.schema}`,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 10_000,
    });
    // An idle client whose backend went away emits 'error'; the pool drops it. Never crash on it.
    this.pool.on('error', () => undefined);
  }

  private async query(sql: string, values: readonly SqlValue[] = []): Promise<pg.QueryResult<Row>> {
    try {
      return await this.pool.query<Row>(sql, [...values]);
    } catch (error) {
      throw new VigilError('E_NETWORK', `store ${this.description}: ${describeError(error)}`, { cause: error });
    }
  }

  async init(): Promise<void> {
    if (this.initialised) return;
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new VigilError('E_CONFIG', `cannot connect to ${this.description}: ${describeError(error)}`, { cause: error });
    }
    try {
      await client.query('BEGIN');
      // Several workers may start at once: serialise schema creation.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`vigil-schema:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      for (const s of SCHEMA_STATEMENTS) await client.query(s);
      await client.query('COMMIT');
      this.initialised = true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new VigilError('E_CONFIG', `cannot initialise ${this.description}: ${describeError(error)}`, { cause: error });
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  /** Drops the whole schema (tests clean up with it). */
  async dropSchema(): Promise<void> {
    await this.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  async putResult(record: Omit<ReleaseRecord, 'key' | 'scanCount'>): Promise<void> {
    const key = releaseKey(record.ecosystem, record.name, record.version);
    const values: SqlValue[] = [...resultValues(record)];
    let sql = `WITH r AS (INSERT INTO results (${RESULT_COLUMNS.join(', ')}) VALUES (${params(RESULT_COLUMNS.length)})
      ON CONFLICT (key) DO UPDATE SET ${RESULT_COLUMNS.filter((c) => c !== 'key').map((c) => `${c} = excluded.${c}`).join(', ')},
      scan_count = results.scan_count + 1 RETURNING key)`;
    if (record.artifacts.length > 0) {
      const rows = record.artifacts.map((a) => {
        const base = values.length;
        values.push(a.sha256, key, a.filename, a.size);
        return `(${params(4, base + 1)})`;
      });
      sql += ` INSERT INTO artifacts (sha256, release_key, filename, size) VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING`;
    } else {
      sql += ' SELECT key FROM r';
    }
    await this.query(sql, values);
  }

  async getResult(ecosystem: Ecosystem, name: string, version: string): Promise<ReleaseRecord | undefined> {
    const res = await this.query('SELECT * FROM results WHERE key = $1', [releaseKey(ecosystem, name, version)]);
    const row = res.rows[0];
    return row === undefined ? undefined : rowToResult(row);
  }

  async getResultsByArtifact(sha256: string): Promise<ReleaseRecord[]> {
    const res = await this.query(
      'SELECT r.* FROM results r JOIN artifacts a ON a.release_key = r.key WHERE a.sha256 = $1 ORDER BY r.key',
      [sha256.toLowerCase()],
    );
    return res.rows.map(rowToResult);
  }

  async listResults(options: ListOptions = {}): Promise<ReleaseRecord[]> {
    const { sql, values } = listResultsQuery(options, (n) => `$${n}`);
    return (await this.query(sql, values)).rows.map(rowToResult);
  }

  async countResults(): Promise<number> {
    const res = await this.query('SELECT count(*)::int AS n FROM results');
    return Number(res.rows[0]?.n ?? 0);
  }

  async addAlert(alert: AlertRecord): Promise<boolean> {
    const res = await this.query(
      `INSERT INTO alerts (${ALERT_COLUMNS.join(', ')}) VALUES (${params(ALERT_COLUMNS.length)}) ON CONFLICT (key) DO NOTHING`,
      alertValues(alert),
    );
    return res.rowCount === 1;
  }

  async listAlerts(options: { limit?: number; search?: string; project?: string } = {}): Promise<AlertRecord[]> {
    const { sql, values } = listAlertsQuery(options, (n) => `$${n}`);
    return (await this.query(sql, values)).rows.map(rowToAlert);
  }

  async putProject(project: ProjectRecord): Promise<void> {
    const cols = PROJECT_COLUMNS;
    await this.query(
      `INSERT INTO projects (${cols.join(', ')}) VALUES (${params(cols.length)})
       ON CONFLICT (id) DO UPDATE SET ${cols.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')}`,
      projectValues(project),
    );
  }

  async getProject(id: string): Promise<ProjectRecord | undefined> {
    const res = await this.query('SELECT * FROM projects WHERE id = $1', [id]);
    const row = res.rows[0];
    return row === undefined ? undefined : rowToProject(row);
  }

  async listProjects(): Promise<ProjectRecord[]> {
    return (await this.query('SELECT * FROM projects ORDER BY name, id')).rows.map(rowToProject);
  }

  async removeProject(id: string): Promise<boolean> {
    return (await this.query('DELETE FROM projects WHERE id = $1', [id])).rowCount === 1;
  }

  async getCheckpoint(feed: string): Promise<string | undefined> {
    const row = (await this.query('SELECT value FROM checkpoints WHERE feed = $1', [feed])).rows[0];
    return row === undefined ? undefined : String(row.value);
  }

  async setCheckpoint(feed: string, value: string): Promise<void> {
    await this.query(
      `INSERT INTO checkpoints (feed, value, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (feed) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [feed, value, new Date().toISOString()],
    );
  }
}
