/**
 * Feed -> queue: poll a feed from its stored checkpoint, resolve versions the feed does not name, queue
 * one scan job per release, then store the new checkpoint. The checkpoint is written only after the jobs
 * were queued in a durable queue (Redis), or scanned when the queue is in-process (`waitForScans`):
 * at-least-once; jobs are idempotent, so a crash in between costs a re-scan, never a lost release.
 */
import { describeError } from '../core/errors.js';
import type { Ecosystem } from '../core/types.js';
import type { JobQueue, ScanJob } from '../queue/types.js';
import type { ResultStore } from '../store/types.js';
import type { FeedAdapter, FeedEvent } from './types.js';

export interface FeedRunOptions {
  store: ResultStore;
  queue: JobQueue;
  /** Latest version of a package, for feeds that only name packages. */
  latestVersion?: (ecosystem: Ecosystem, name: string) => Promise<string | undefined>;
  /**
   * Wait for the queued scans to finish before storing the checkpoint. Use it with an in-process queue,
   * whose jobs die with the process: a crash then re-polls the same events instead of losing them.
   */
  waitForScans?: boolean;
  /** Max polls in one call while the feed says it has more (default 20). */
  maxPages?: number;
  log?: (line: string) => void;
}

export interface FeedRunStats {
  feed: string;
  events: number;
  queued: number;
  unresolved: number;
  checkpoint: string;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}

export async function pollFeedOnce(adapter: FeedAdapter, options: FeedRunOptions): Promise<FeedRunStats> {
  const stats: FeedRunStats = { feed: adapter.id, events: 0, queued: 0, unresolved: 0, checkpoint: '' };
  let checkpoint = await options.store.getCheckpoint(adapter.id);
  const maxPages = options.maxPages ?? 20;
  for (let page = 0; page < maxPages; page++) {
    const poll = await adapter.poll(checkpoint);
    stats.events += poll.events.length;
    const resolved = await mapLimit(poll.events, 4, async (e: FeedEvent): Promise<ScanJob | undefined> => {
      let version = e.version;
      if (version === undefined && options.latestVersion !== undefined) {
        try {
          version = await options.latestVersion(e.ecosystem, e.name);
        } catch (error) {
          options.log?.(`${adapter.id}: cannot resolve ${e.name}: ${describeError(error)}`);
        }
      }
      if (version === undefined) return undefined;
      return { ecosystem: e.ecosystem, name: e.name, version, source: `feed:${adapter.id}` };
    });
    const jobs = resolved.filter((j): j is ScanJob => j !== undefined);
    stats.unresolved += resolved.length - jobs.length;
    stats.queued += await options.queue.enqueue(jobs);
    if (options.waitForScans === true) await options.queue.drain();
    await options.store.setCheckpoint(adapter.id, poll.checkpoint);
    checkpoint = poll.checkpoint;
    if (!poll.more) break;
  }
  stats.checkpoint = checkpoint ?? '';
  return stats;
}
