/**
 * Scale-out queue on Redis with BullMQ. Producers (`vigil watch run --queue redis://…`) add jobs whose
 * id is the release key, so a release already waiting or running is not added twice. `vigil worker`
 * processes consume them: failures are retried with exponential backoff, and a job whose worker died
 * (kill -9, machine lost) is moved back to the wait list by the stalled-job check once its lock expires.
 * Results are upserted by release key, so a job that runs twice never duplicates a result.
 */
import { Queue, Worker } from 'bullmq';
import type { ConnectionOptions, Job } from 'bullmq';
import { VigilError, describeError } from '../core/errors.js';
import type { JobProcessor, JobQueue, ScanJob } from './types.js';
import { jobId, parseScanJob } from './types.js';

export const DEFAULT_QUEUE_NAME = 'vigil-scan';

export interface RedisQueueConfig {
  connection: ConnectionOptions;
  /** BullMQ key prefix (`?prefix=` in the URL, default `vigil`). */
  prefix: string;
  /** Queue name (`?queue=` in the URL, default `vigil-scan`). */
  name: string;
  /** Credential-free description. */
  description: string;
}

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** `redis://[user:pass@]host[:port][/db][?prefix=P&queue=Q]` -> BullMQ connection settings. */
export function parseRedisUrl(url: string): RedisQueueConfig {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new VigilError('E_CONFIG', 'invalid Redis URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new VigilError('E_CONFIG', 'queue URL must start with redis:// or rediss://');
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0 || db > 255) throw new VigilError('E_CONFIG', 'invalid Redis database number');
  const prefix = u.searchParams.get('prefix') ?? 'vigil';
  const name = u.searchParams.get('queue') ?? DEFAULT_QUEUE_NAME;
  if (!NAME_RE.test(prefix) || !NAME_RE.test(name)) throw new VigilError('E_CONFIG', 'queue prefix and name: letters, digits, _ . - only');
  const connection: ConnectionOptions = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || 6379),
    db,
    ...(u.username !== '' ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password !== '' ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // Required by BullMQ workers (blocking commands); reconnect forever with a capped delay.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
  return { connection, prefix, name, description: `${u.protocol}//${u.host}/${db} ${prefix}:${name}` };
}

export interface RetryPolicy {
  /** Total attempts per job (default 5). */
  attempts?: number;
  /** First retry delay in ms, doubling (default 1000). */
  backoffMs?: number;
}

export class RedisJobQueue implements JobQueue {
  readonly description: string;
  readonly queue: Queue;

  constructor(private readonly config: RedisQueueConfig, private readonly retry: RetryPolicy = {}) {
    this.description = `redis ${config.description}`;
    this.queue = new Queue(config.name, { connection: config.connection, prefix: config.prefix });
    this.queue.on('error', () => undefined);
  }

  async enqueue(jobs: readonly ScanJob[]): Promise<number> {
    if (jobs.length === 0) return 0;
    const unique = new Map(jobs.map((j) => [jobId(j), j]));
    const before = await Promise.all([...unique.keys()].map((id) => this.queue.getJob(id)));
    const added = await this.queue.addBulk(
      [...unique.entries()].map(([id, data]) => ({
        name: 'scan',
        data,
        opts: {
          jobId: id,
          attempts: this.retry.attempts ?? 5,
          backoff: { type: 'exponential', delay: this.retry.backoffMs ?? 1000 },
          removeOnComplete: true,
          removeOnFail: { count: 1000 },
        },
      })),
    );
    return added.length - before.filter((j) => j !== undefined).length;
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed');
  }

  async drain(timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const c = await this.counts();
      if ((c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0) return;
      if (Date.now() > end) throw new VigilError('E_INTERNAL', `queue did not drain within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Removes every key of this queue (tests and `--reset`). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

export interface RedisWorkerOptions {
  concurrency?: number;
  /** Lock held while a job runs; a dead worker's job is recovered after this (default 30 s). */
  lockDurationMs?: number;
  /** How often to look for stalled jobs (default lockDuration / 2... BullMQ default 30 s). */
  stalledIntervalMs?: number;
  /** How many times a job may stall before it fails for good (default 5). */
  maxStalledCount?: number;
  onCompleted?: (job: ScanJob) => void;
  onFailed?: (job: ScanJob | undefined, message: string, willRetry: boolean) => void;
  onError?: (message: string) => void;
}

export interface RunningWorker {
  readonly worker: Worker;
  close(): Promise<void>;
}

/** Starts consuming jobs. Close it to stop after the running jobs finish. */
export function startRedisWorker(config: RedisQueueConfig, processor: JobProcessor, options: RedisWorkerOptions = {}): RunningWorker {
  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker = new Worker(
    config.name,
    async (job: Job) => {
      await processor(parseScanJob(job.data));
    },
    {
      connection: config.connection,
      prefix: config.prefix,
      concurrency: options.concurrency ?? 1,
      lockDuration,
      stalledInterval: options.stalledIntervalMs ?? Math.max(1000, Math.floor(lockDuration / 2)),
      maxStalledCount: options.maxStalledCount ?? 5,
    },
  );
  worker.on('completed', (job: Job) => {
    try {
      options.onCompleted?.(parseScanJob(job.data));
    } catch {
      // malformed data already failed in the processor
    }
  });
  worker.on('failed', (job: Job | undefined, error: Error) => {
    let data: ScanJob | undefined;
    try {
      data = job === undefined ? undefined : parseScanJob(job.data);
    } catch {
      data = undefined;
    }
    const willRetry = job !== undefined && job.attemptsMade < (job.opts.attempts ?? 1);
    options.onFailed?.(data, describeError(error), willRetry);
  });
  worker.on('error', (error: Error) => options.onError?.(describeError(error)));
  return {
    worker,
    close: () => worker.close(),
  };
}
