/**
 * Storage contract for watching and scanning at scale: scan results (keyed by release and by artifact
 * sha256), alerts (keyed by a dedupe key), watched projects and feed checkpoints. Two implementations
 * share it: SQLite (embedded default) and PostgreSQL (scale-out). Every write is an idempotent upsert,
 * so a job that runs twice (retry, stalled-job recovery) never duplicates a row.
 */
import type { Ecosystem, ScanResult, Verdict } from '../core/types.js';

/**
 * One scanned release: the verdict, findings and artifacts of its `ScanResult` (the same fields, so the
 * two cannot drift apart), narrowed to a known ecosystem, plus what the store keeps about the scan.
 */
export interface ReleaseRecord
  extends Pick<ScanResult, 'ecosystem' | 'name' | 'version' | 'verdict' | 'score' | 'reason' | 'artifacts' | 'findings' | 'errors' | 'newInRelease' | 'durationMs'> {
  /** `releaseKey(ecosystem, name, version)`. */
  key: string;
  /** A stored release always comes from a registry. */
  ecosystem: Ecosystem;
  /** The stored `newInRelease` compares with the previous release's stored result, when that is known. */
  previousVersion?: string;
  /** What asked for the scan: `feed:npm-changes`, `watch`, `cli`, ... */
  source: string;
  /** Always recorded for a stored scan. */
  durationMs: number;
  /** ISO time of the (last) scan. */
  scannedAt: string;
  /** How many times a scan of this release was stored (1 unless a job was re-run). */
  scanCount: number;
}

export type AlertSeverity = 'critical' | 'high' | 'medium' | 'low';
export type AlertKind = 'malicious-release' | 'suspicious-release' | 'advisory' | 'watch-error';

export interface AlertRecord {
  /** Dedupe key: the same key is alerted once, ever. */
  key: string;
  kind: AlertKind;
  severity: AlertSeverity;
  title: string;
  message: string;
  ecosystem?: Ecosystem;
  name?: string;
  version?: string;
  /** Watched project id, when the alert concerns one. */
  project?: string;
  /** Dashboard path of the evidence, e.g. `/release/npm/left-pad/1.0.0`. */
  evidencePath: string;
  createdAt: string;
}

export interface DirectDependency {
  ecosystem: Ecosystem;
  name: string;
  /** Version in use (from the lockfile). */
  version: string;
}

export type ProjectStatus = 'pending' | 'ok' | 'alert' | 'error';

export interface ProjectRecord {
  /** Stable id derived from the absolute path. */
  id: string;
  path: string;
  name: string;
  addedAt: string;
  lastRunAt?: string;
  status: ProjectStatus;
  /** One line about the last run. */
  summary: string;
  dependencies: DirectDependency[];
}

export interface ListOptions {
  limit?: number;
  /** Substring of the package name (case-insensitive). */
  search?: string;
  verdict?: Verdict;
}

export interface ResultStore {
  /** `sqlite:<path>` or `postgres://…` (without credentials), for messages. */
  readonly description: string;
  /** Creates tables when missing. Idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Upsert by release key; also indexes every artifact sha256. */
  putResult(record: Omit<ReleaseRecord, 'key' | 'scanCount'>): Promise<void>;
  getResult(ecosystem: Ecosystem, name: string, version: string): Promise<ReleaseRecord | undefined>;
  /** Results of releases containing an artifact with this sha256. */
  getResultsByArtifact(sha256: string): Promise<ReleaseRecord[]>;
  listResults(options?: ListOptions): Promise<ReleaseRecord[]>;
  countResults(): Promise<number>;
  /** Inserts unless the key exists. Returns true when the alert is new. */
  addAlert(alert: AlertRecord): Promise<boolean>;
  listAlerts(options?: { limit?: number; search?: string; project?: string }): Promise<AlertRecord[]>;
  /** Insert or replace by id. */
  putProject(project: ProjectRecord): Promise<void>;
  getProject(id: string): Promise<ProjectRecord | undefined>;
  listProjects(): Promise<ProjectRecord[]>;
  removeProject(id: string): Promise<boolean>;
  getCheckpoint(feed: string): Promise<string | undefined>;
  setCheckpoint(feed: string, value: string): Promise<void>;
}

/** PyPI names compare after PEP 503 normalisation; npm names are case-sensitive as published. */
export function normalizeName(ecosystem: Ecosystem, name: string): string {
  return ecosystem === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}

export function releaseKey(ecosystem: Ecosystem, name: string, version: string): string {
  return `${ecosystem}:${normalizeName(ecosystem, name)}@${version}`;
}

/** Dashboard path of a release's evidence page. */
export function releasePath(ecosystem: Ecosystem, name: string, version: string): string {
  return `/release/${ecosystem}/${encodeURIComponent(normalizeName(ecosystem, name))}/${encodeURIComponent(version)}`;
}

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit) || limit <= 0) return DEFAULT_LIST_LIMIT;
  return Math.min(Math.floor(limit), MAX_LIST_LIMIT);
}
