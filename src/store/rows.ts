/** Row <-> record mapping shared by the SQLite and PostgreSQL stores (same column names in both). */
import { ECOSYSTEMS, VERDICTS } from '../core/types.js';
import type { ArtifactInfo, Ecosystem, Finding, ScanError, Verdict } from '../core/types.js';
import { VigilError } from '../core/errors.js';
import type { AlertKind, AlertRecord, AlertSeverity, DirectDependency, ProjectRecord, ProjectStatus, ReleaseRecord } from './types.js';
import type { ListOptions } from './types.js';
import { clampLimit, normalizeName, releaseKey } from './types.js';

export const SCHEMA_STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY, ecosystem TEXT NOT NULL, name TEXT NOT NULL, norm_name TEXT NOT NULL, version TEXT NOT NULL,
    verdict TEXT NOT NULL, score INTEGER NOT NULL, reason TEXT NOT NULL, artifacts TEXT NOT NULL, findings TEXT NOT NULL,
    errors TEXT NOT NULL, new_in_release TEXT, previous_version TEXT, source TEXT NOT NULL, duration_ms INTEGER NOT NULL,
    scanned_at TEXT NOT NULL, scan_count INTEGER NOT NULL DEFAULT 1)`,
  `CREATE INDEX IF NOT EXISTS results_norm_name ON results (norm_name)`,
  `CREATE INDEX IF NOT EXISTS results_scanned_at ON results (scanned_at)`,
  `CREATE TABLE IF NOT EXISTS artifacts (
    sha256 TEXT NOT NULL, release_key TEXT NOT NULL, filename TEXT NOT NULL, size INTEGER NOT NULL,
    PRIMARY KEY (sha256, release_key))`,
  `CREATE TABLE IF NOT EXISTS alerts (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, severity TEXT NOT NULL, title TEXT NOT NULL, message TEXT NOT NULL,
    ecosystem TEXT, name TEXT, version TEXT, project TEXT, evidence_path TEXT NOT NULL, created_at TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS alerts_created_at ON alerts (created_at)`,
  `CREATE TABLE IF NOT EXISTS projects (
    id TEXT PRIMARY KEY, path TEXT NOT NULL, name TEXT NOT NULL, added_at TEXT NOT NULL, last_run_at TEXT,
    status TEXT NOT NULL, summary TEXT NOT NULL, dependencies TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS checkpoints (feed TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL)`,
];

/** Column order used by both stores' upsert of a result. */
export const RESULT_COLUMNS = [
  'key', 'ecosystem', 'name', 'norm_name', 'version', 'verdict', 'score', 'reason', 'artifacts', 'findings', 'errors',
  'new_in_release', 'previous_version', 'source', 'duration_ms', 'scanned_at',
] as const;

export type SqlValue = string | number | null;

export function resultValues(r: Omit<ReleaseRecord, 'key' | 'scanCount'>): SqlValue[] {
  return [
    releaseKey(r.ecosystem, r.name, r.version), r.ecosystem, r.name, normalizeName(r.ecosystem, r.name), r.version,
    r.verdict, Math.round(r.score), r.reason, JSON.stringify(r.artifacts), JSON.stringify(r.findings),
    JSON.stringify(r.errors), r.newInRelease === undefined ? null : JSON.stringify(r.newInRelease),
    r.previousVersion ?? null, r.source, Math.round(r.durationMs), r.scannedAt,
  ];
}

export const ALERT_COLUMNS = [
  'key', 'kind', 'severity', 'title', 'message', 'ecosystem', 'name', 'version', 'project', 'evidence_path', 'created_at',
] as const;

export function alertValues(a: AlertRecord): SqlValue[] {
  return [a.key, a.kind, a.severity, a.title, a.message, a.ecosystem ?? null, a.name ?? null, a.version ?? null,
    a.project ?? null, a.evidencePath, a.createdAt];
}

export const PROJECT_COLUMNS = ['id', 'path', 'name', 'added_at', 'last_run_at', 'status', 'summary', 'dependencies'] as const;

export function projectValues(p: ProjectRecord): SqlValue[] {
  return [p.id, p.path, p.name, p.addedAt, p.lastRunAt ?? null, p.status, p.summary, JSON.stringify(p.dependencies)];
}

type Row = Record<string, unknown>;

function str(row: Row, col: string): string {
  const v = row[col];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  throw new VigilError('E_INTERNAL', `store: column ${col} is not text`);
}

function optStr(row: Row, col: string): string | undefined {
  const v = row[col];
  return v === null || v === undefined ? undefined : str(row, col);
}

function num(row: Row, col: string): number {
  const n = Number(row[col]);
  if (!Number.isFinite(n)) throw new VigilError('E_INTERNAL', `store: column ${col} is not a number`);
  return n;
}

function jsonArray<T>(text: string | undefined, col: string): T[] {
  if (text === undefined) return [];
  const v: unknown = JSON.parse(text);
  if (!Array.isArray(v)) throw new VigilError('E_INTERNAL', `store: column ${col} is not a JSON array`);
  // Written by this module only (resultValues/projectValues); the shape is ours.
  return v as T[];
}

function oneOf<T extends string>(values: readonly T[], v: string, col: string): T {
  if ((values as readonly string[]).includes(v)) return v as T;
  throw new VigilError('E_INTERNAL', `store: unexpected ${col} '${v}'`);
}

export function rowToResult(row: Row): ReleaseRecord {
  const newText = optStr(row, 'new_in_release');
  const prev = optStr(row, 'previous_version');
  return {
    key: str(row, 'key'),
    ecosystem: oneOf<Ecosystem>(ECOSYSTEMS, str(row, 'ecosystem'), 'ecosystem'),
    name: str(row, 'name'),
    version: str(row, 'version'),
    verdict: oneOf<Verdict>(VERDICTS, str(row, 'verdict'), 'verdict'),
    score: num(row, 'score'),
    reason: str(row, 'reason'),
    artifacts: jsonArray<ArtifactInfo>(str(row, 'artifacts'), 'artifacts'),
    findings: jsonArray<Finding>(str(row, 'findings'), 'findings'),
    errors: jsonArray<ScanError>(str(row, 'errors'), 'errors'),
    ...(newText !== undefined ? { newInRelease: jsonArray<Finding>(newText, 'new_in_release') } : {}),
    ...(prev !== undefined ? { previousVersion: prev } : {}),
    source: str(row, 'source'),
    durationMs: num(row, 'duration_ms'),
    scannedAt: str(row, 'scanned_at'),
    scanCount: num(row, 'scan_count'),
  };
}

const ALERT_KINDS: readonly AlertKind[] = ['malicious-release', 'suspicious-release', 'advisory', 'watch-error'];
const ALERT_SEVERITIES: readonly AlertSeverity[] = ['critical', 'high', 'medium', 'low'];
const PROJECT_STATUSES: readonly ProjectStatus[] = ['pending', 'ok', 'alert', 'error'];

export function rowToAlert(row: Row): AlertRecord {
  const eco = optStr(row, 'ecosystem');
  const name = optStr(row, 'name');
  const version = optStr(row, 'version');
  const project = optStr(row, 'project');
  return {
    key: str(row, 'key'),
    kind: oneOf(ALERT_KINDS, str(row, 'kind'), 'kind'),
    severity: oneOf(ALERT_SEVERITIES, str(row, 'severity'), 'severity'),
    title: str(row, 'title'),
    message: str(row, 'message'),
    ...(eco !== undefined ? { ecosystem: oneOf<Ecosystem>(ECOSYSTEMS, eco, 'ecosystem') } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(project !== undefined ? { project } : {}),
    evidencePath: str(row, 'evidence_path'),
    createdAt: str(row, 'created_at'),
  };
}

export function rowToProject(row: Row): ProjectRecord {
  const last = optStr(row, 'last_run_at');
  return {
    id: str(row, 'id'),
    path: str(row, 'path'),
    name: str(row, 'name'),
    addedAt: str(row, 'added_at'),
    ...(last !== undefined ? { lastRunAt: last } : {}),
    status: oneOf(PROJECT_STATUSES, str(row, 'status'), 'status'),
    summary: str(row, 'summary'),
    dependencies: jsonArray<DirectDependency>(str(row, 'dependencies'), 'dependencies'),
  };
}

/** `%…%` pattern for a case-insensitive substring search; LIKE wildcards in the input are escaped. */
export function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Positional parameter `n` (1-based) in the store's SQL dialect: `?` for SQLite, `$n` for PostgreSQL. */
export type Placeholder = (n: number) => string;

/**
 * A list page of one table, newest first and capped: an optional case-insensitive substring search of
 * `searchIn` and optional equality filters (skipped when their value is undefined). Both stores run it.
 */
function listQuery(
  table: 'results' | 'alerts',
  searchIn: string,
  search: string | undefined,
  equals: readonly (readonly [column: string, value: string | undefined])[],
  orderBy: string,
  limit: number | undefined,
  placeholder: Placeholder,
): { sql: string; values: SqlValue[] } {
  const where: string[] = [];
  const values: SqlValue[] = [];
  if (search !== undefined && search !== '') {
    values.push(likePattern(search));
    where.push(`${searchIn} LIKE ${placeholder(values.length)} ESCAPE '\\'`);
  }
  for (const [column, value] of equals) {
    if (value === undefined) continue;
    values.push(value);
    where.push(`${column} = ${placeholder(values.length)}`);
  }
  values.push(clampLimit(limit));
  const filter = where.length > 0 ? `WHERE ${where.join(' AND ')} ` : '';
  return { sql: `SELECT * FROM ${table} ${filter}ORDER BY ${orderBy} LIMIT ${placeholder(values.length)}`, values };
}

/** `listResults`: search by name, filter by verdict. */
export function listResultsQuery(options: ListOptions, placeholder: Placeholder): { sql: string; values: SqlValue[] } {
  return listQuery('results', 'lower(name)', options.search, [['verdict', options.verdict]], 'scanned_at DESC, key', options.limit, placeholder);
}

/** `listAlerts`: search by package name, filter by project. */
export function listAlertsQuery(options: { limit?: number; search?: string; project?: string }, placeholder: Placeholder): { sql: string; values: SqlValue[] } {
  return listQuery('alerts', "lower(coalesce(name, ''))", options.search, [['project', options.project]], 'created_at DESC, key', options.limit, placeholder);
}
