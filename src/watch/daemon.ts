/** `vigil watch run`: feeds -> queue, then projects, every interval (or once). */
import { describeError } from '../core/errors.js';
import type { Ecosystem } from '../core/types.js';
import type { AlertRaiser } from '../alerts/types.js';
import { pollFeedOnce } from '../feeds/runner.js';
import type { FeedAdapter } from '../feeds/types.js';
import type { JobQueue } from '../queue/types.js';
import type { ResultStore } from '../store/types.js';
import type { ProjectRunResult } from './run.js';
import { runWatchOnce } from './run.js';
import type { WatchDeps } from './types.js';
import type { Verdict } from '../core/types.js';

export interface WatchDaemonOptions {
  store: ResultStore;
  alerts: AlertRaiser;
  /** Project checks; undefined skips projects. */
  deps?: WatchDeps;
  feeds: readonly FeedAdapter[];
  queue: JobQueue;
  latestVersion?: (ecosystem: Ecosystem, name: string) => Promise<string | undefined>;
  alertOn?: readonly Verdict[];
  /** Run one cycle and wait for its scans (when the queue is in-process). */
  once: boolean;
  intervalMs: number;
  /**
   * The queue is in-process (default true): wait for a feed's scans before storing its checkpoint, and
   * for queued scans at the end of a `once` run. False for a durable (Redis) queue.
   */
  drain?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
  onCycle?: (cycle: number, projects: ProjectRunResult[]) => void;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function runWatchDaemon(o: WatchDaemonOptions): Promise<{ cycles: number; errors: number }> {
  const log = o.log ?? (() => undefined);
  let cycles = 0;
  let errors = 0;
  while (o.signal?.aborted !== true) {
    cycles++;
    for (const feed of o.feeds) {
      try {
        const s = await pollFeedOnce(feed, {
          store: o.store,
          queue: o.queue,
          ...(o.latestVersion !== undefined ? { latestVersion: o.latestVersion } : {}),
          waitForScans: o.drain !== false,
          log,
        });
        if (s.events > 0) log(`${feed.id}: ${s.events} events, ${s.queued} scans queued`);
      } catch (error) {
        errors++;
        log(`${feed.id}: ${describeError(error)} (will retry next cycle)`);
      }
    }
    let projects: ProjectRunResult[] = [];
    if (o.deps !== undefined) {
      try {
        projects = await runWatchOnce({
          store: o.store, deps: o.deps, alerts: o.alerts, log,
          ...(o.alertOn !== undefined ? { alertOn: o.alertOn } : {}),
        });
      } catch (error) {
        errors++;
        log(`projects: ${describeError(error)}`);
      }
    }
    o.onCycle?.(cycles, projects);
    if (o.once) {
      if (o.drain !== false) await o.queue.drain();
      break;
    }
    await sleep(o.intervalMs, o.signal);
  }
  return { cycles, errors };
}
