/** Embedded default: an in-process worker pool with per-release dedupe, retries and backoff. */
import { VigilError, describeError } from '../core/errors.js';
import type { JobProcessor, JobQueue, ScanJob } from './types.js';
import { jobId } from './types.js';

export interface InProcessQueueOptions {
  processor: JobProcessor;
  /** Jobs run at once (default 2: downloads overlap with analysis). */
  concurrency?: number;
  /** Total attempts per job (default 3). */
  attempts?: number;
  /** First retry delay; doubles each attempt (default 1000 ms). */
  backoffMs?: number;
  /** Called when a job failed its last attempt. */
  onFailed?: (job: ScanJob, message: string) => void;
}

interface Entry {
  job: ScanJob;
  attempt: number;
}

export class InProcessQueue implements JobQueue {
  readonly description = 'in-process';
  private readonly waiting: Entry[] = [];
  /** Ids waiting, delayed or running. */
  private readonly active = new Set<string>();
  private running = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly concurrency: number;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(private readonly options: InProcessQueueOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.backoffMs = Math.max(0, options.backoffMs ?? 1000);
  }

  async enqueue(jobs: readonly ScanJob[]): Promise<number> {
    if (this.closed) throw new VigilError('E_INTERNAL', 'queue is closed');
    let added = 0;
    for (const job of jobs) {
      const id = jobId(job);
      if (this.active.has(id)) continue;
      this.active.add(id);
      this.waiting.push({ job, attempt: 1 });
      added++;
    }
    this.pump();
    return added;
  }

  private pump(): void {
    while (!this.closed && this.running < this.concurrency && this.waiting.length > 0) {
      const entry = this.waiting.shift();
      if (entry === undefined) break;
      this.running++;
      void this.runOne(entry);
    }
    this.checkIdle();
  }

  private async runOne(entry: Entry): Promise<void> {
    const id = jobId(entry.job);
    try {
      await this.options.processor(entry.job);
      this.active.delete(id);
    } catch (error) {
      if (entry.attempt < this.attempts && !this.closed) {
        const delay = this.backoffMs * 2 ** (entry.attempt - 1);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.waiting.push({ job: entry.job, attempt: entry.attempt + 1 });
          this.pump();
        }, delay);
        this.timers.add(timer);
      } else {
        this.active.delete(id);
        this.options.onFailed?.(entry.job, describeError(error));
      }
    } finally {
      this.running--;
      this.pump();
    }
  }

  private checkIdle(): void {
    if (this.running === 0 && this.waiting.length === 0 && this.timers.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Number of jobs waiting, delayed or running. */
  get size(): number {
    return this.active.size;
  }

  drain(timeoutMs?: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.push(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
          reject(new VigilError('E_INTERNAL', `queue did not drain within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.checkIdle();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiting.length = 0;
    while (this.running > 0) await new Promise((r) => setTimeout(r, 10));
    this.checkIdle();
  }
}
