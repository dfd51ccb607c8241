import { ECOSYSTEMS } from '../core/types.js';
import type { Ecosystem } from '../core/types.js';
import { VigilError } from '../core/errors.js';
import { normalizeName } from '../store/types.js';

/** Scan one exact release. The job id is derived from the release, so enqueueing twice is a no-op. */
export interface ScanJob {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  /** Who asked: `feed:npm-changes`, `watch`, ... */
  source: string;
}

export type JobProcessor = (job: ScanJob) => Promise<void>;

export interface JobQueue {
  readonly description: string;
  /** Adds jobs; duplicates of a job that is waiting or running are ignored. Returns how many were added. */
  enqueue(jobs: readonly ScanJob[]): Promise<number>;
  /** Resolves when nothing is waiting, delayed (retry) or running. */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Stable job id = release key, safe for BullMQ custom ids (no `:`): `npm/@scope%2Fname/1.0.0`.
 */
export function jobId(job: Pick<ScanJob, 'ecosystem' | 'name' | 'version'>): string {
  return `${job.ecosystem}/${encodeURIComponent(normalizeName(job.ecosystem, job.name))}/${encodeURIComponent(job.version)}`;
}

const MAX_FIELD = 214;

/** Checks job data read back from a queue (it is `unknown`: anything could be in Redis). */
export function parseScanJob(data: unknown): ScanJob {
  if (typeof data !== 'object' || data === null) throw new VigilError('E_INTERNAL', 'job data is not an object');
  const d = data as Record<string, unknown>;
  const { ecosystem, name, version, source } = d;
  if (typeof ecosystem !== 'string' || !(ECOSYSTEMS as readonly string[]).includes(ecosystem)) throw new VigilError('E_INTERNAL', 'job has no valid ecosystem');
  for (const [k, v] of [['name', name], ['version', version]] as const) {
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_FIELD || /[\s\0]/.test(v)) throw new VigilError('E_INTERNAL', `job has no valid ${k}`);
  }
  return {
    ecosystem: ecosystem as Ecosystem,
    name: name as string,
    version: version as string,
    source: typeof source === 'string' ? source.slice(0, 100) : 'unknown',
  };
}
