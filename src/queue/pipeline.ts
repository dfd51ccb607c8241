/**
 * One scan job end to end: fetch the release's artifacts, scan each (never executing anything), score,
 * diff against the previous release's stored result, upsert the result, raise an alert when the verdict
 * calls for one. Idempotent: a release already in the store is not scanned again (unless `force`), and
 * its alert is re-raised (deduplicated by key) so a crash between "stored" and "alerted" loses nothing.
 */
import { performance } from 'node:perf_hooks';
import type { AlertRaiser } from '../alerts/types.js';
import type { Ecosystem, Finding, ScanError, Verdict } from '../core/types.js';
import { VigilError, describeError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import { newFindings as diffNewFindings } from '../diff/index.js';
import { scanArtifactBytes } from '../scan/artifact.js';
import type { ArtifactScan, ArtifactScanOptions } from '../scan/artifact.js';
import { scoreFindings } from '../scoring/score.js';
import type { AlertRecord, ReleaseRecord, ResultStore } from '../store/types.js';
import { releaseKey, releasePath } from '../store/types.js';
import type { JobProcessor, ScanJob } from './types.js';

export interface FetchedArtifact {
  filename: string;
  bytes: Uint8Array;
  /** URL it was downloaded from. */
  source?: string;
}

export interface FetchedRelease {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  previousVersion?: string;
  artifacts: FetchedArtifact[];
}

export interface ReleaseRef {
  ecosystem: Ecosystem;
  name: string;
  version: string;
}

/** Resolves an exact release and downloads (and verifies) its artifacts. */
export type ReleaseFetcher = (ref: ReleaseRef) => Promise<FetchedRelease>;
export type ArtifactScanner = (bytes: Uint8Array, filename: string, options: ArtifactScanOptions) => Promise<ArtifactScan>;

export interface ScanPipelineOptions {
  store: ResultStore;
  fetchRelease: ReleaseFetcher;
  /** Default: the real static scanner `scanArtifactBytes`. */
  scanArtifact?: ArtifactScanner;
  limits?: Limits;
  alerts?: AlertRaiser;
  /** Verdicts that raise an alert (default: malicious). */
  alertOn?: readonly Verdict[];
  /** Scan again even when a result is stored. */
  force?: boolean;
  onScanned?: (record: ReleaseRecord, reused: boolean) => void;
}

/** Findings of `current` absent from `previous` (same rule, file and evidence; version folder ignored). */
export function newFindings(current: readonly Finding[], previous: readonly Finding[]): Finding[] {
  return diffNewFindings(previous, current);
}

function compareFindings(a: Finding, b: Finding): number {
  return (a.location.artifact ?? '').localeCompare(b.location.artifact ?? '')
    || a.location.path.localeCompare(b.location.path)
    || a.location.line - b.location.line
    || a.ruleId.localeCompare(b.ruleId);
}

export function releaseAlert(record: ReleaseRecord, alertOn: readonly Verdict[] = ['malicious']): AlertRecord | undefined {
  if (!alertOn.includes(record.verdict) || record.verdict === 'clean') return undefined;
  const top = [...record.findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1)).slice(0, 3);
  const lines = [record.reason, ...top.map((f) => `- ${f.ruleId}: ${f.message} (${f.location.path}${f.location.line > 0 ? `:${f.location.line}` : ''})`)];
  return {
    key: `release:${record.key}:${record.verdict}`,
    kind: record.verdict === 'malicious' ? 'malicious-release' : 'suspicious-release',
    severity: record.verdict === 'malicious' ? 'critical' : 'high',
    title: `${record.ecosystem} ${record.name}@${record.version} is ${record.verdict} (score ${record.score})`,
    message: lines.join('\n'),
    ecosystem: record.ecosystem,
    name: record.name,
    version: record.version,
    evidencePath: releasePath(record.ecosystem, record.name, record.version),
    createdAt: new Date().toISOString(),
  };
}

export async function scanRelease(job: ScanJob, options: ScanPipelineOptions): Promise<{ record: ReleaseRecord; reused: boolean }> {
  const { store } = options;
  if (options.force !== true) {
    const existing = await store.getResult(job.ecosystem, job.name, job.version);
    if (existing !== undefined) {
      await raise(existing, options);
      options.onScanned?.(existing, true);
      return { record: existing, reused: true };
    }
  }
  const started = performance.now();
  const fetched = await options.fetchRelease({ ecosystem: job.ecosystem, name: job.name, version: job.version });
  if (fetched.artifacts.length === 0) {
    // PyPI announces a release before its files are uploaded: fail (and be retried) rather than store an
    // empty "clean" result that would stop the release from ever being scanned.
    throw new VigilError('E_NOT_FOUND', `${job.ecosystem}:${job.name}@${job.version} has no downloadable artifact yet`);
  }
  const scan = options.scanArtifact ?? scanArtifactBytes;
  const findings: Finding[] = [];
  const errors: ScanError[] = [];
  const artifacts: ReleaseRecord['artifacts'] = [];
  for (const a of fetched.artifacts) {
    try {
      const result = await scan(a.bytes, a.filename, {
        ecosystem: fetched.ecosystem,
        packageName: fetched.name,
        ...(options.limits !== undefined ? { limits: options.limits } : {}),
      });
      artifacts.push({ ...result.artifact, ...(a.source !== undefined ? { source: a.source } : {}) });
      findings.push(...result.findings);
      errors.push(...result.errors);
    } catch (error) {
      errors.push({ code: 'E_INTERNAL', message: `scan of ${a.filename} failed: ${describeError(error)}` });
    }
  }
  findings.sort(compareFindings);
  const score = scoreFindings(findings);
  let newInRelease: Finding[] | undefined;
  if (fetched.previousVersion !== undefined) {
    const prev = await store.getResult(fetched.ecosystem, fetched.name, fetched.previousVersion);
    if (prev !== undefined) newInRelease = newFindings(findings, prev.findings);
  }
  const stored: Omit<ReleaseRecord, 'key' | 'scanCount'> = {
    ecosystem: fetched.ecosystem,
    name: fetched.name,
    version: fetched.version,
    verdict: score.verdict,
    score: score.score,
    reason: score.reason,
    artifacts,
    findings,
    errors,
    ...(newInRelease !== undefined ? { newInRelease } : {}),
    ...(fetched.previousVersion !== undefined ? { previousVersion: fetched.previousVersion } : {}),
    source: job.source,
    durationMs: Math.round(performance.now() - started),
    scannedAt: new Date().toISOString(),
  };
  await store.putResult(stored);
  const record = (await store.getResult(stored.ecosystem, stored.name, stored.version)) ?? {
    ...stored,
    key: releaseKey(stored.ecosystem, stored.name, stored.version),
    scanCount: 1,
  };
  await raise(record, options);
  options.onScanned?.(record, false);
  return { record, reused: false };
}

async function raise(record: ReleaseRecord, options: ScanPipelineOptions): Promise<void> {
  if (options.alerts === undefined) return;
  const alert = releaseAlert(record, options.alertOn);
  if (alert !== undefined) await options.alerts.raise(alert);
}

export function createScanProcessor(options: ScanPipelineOptions): JobProcessor {
  return async (job) => {
    await scanRelease(job, options);
  };
}
