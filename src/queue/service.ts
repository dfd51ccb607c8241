/** A scan worker bound to a store and a Redis queue: what `vigil worker` runs. */
import { createAlertDispatcher } from '../alerts/dispatcher.js';
import type { AlertSink } from '../alerts/types.js';
import type { Verdict } from '../core/types.js';
import { openStore } from '../store/index.js';
import type { ResultStore } from '../store/types.js';
import type { ArtifactScanner, ReleaseFetcher } from './pipeline.js';
import { createScanProcessor } from './pipeline.js';
import { parseRedisUrl, startRedisWorker } from './redis.js';
import type { RunningWorker } from './redis.js';
import { loadRegistryClient } from './registry.js';
import type { ScanJob } from './types.js';

export interface WorkerServiceOptions {
  queueUrl: string;
  /** Store spec (default SQLite in the data dir; use PostgreSQL when workers run on several machines). */
  storeSpec?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  sinks?: readonly AlertSink[];
  dashboardUrl?: string;
  alertOn?: readonly Verdict[];
  /** Injected for tests and benchmarks; default: the real registry clients. */
  fetchRelease?: ReleaseFetcher;
  scanArtifact?: ArtifactScanner;
  log?: (line: string) => void;
  onJobStart?: (job: ScanJob) => void;
}

export interface WorkerService {
  store: ResultStore;
  worker: RunningWorker;
  close(): Promise<void>;
}

export async function startWorkerService(o: WorkerServiceOptions): Promise<WorkerService> {
  const config = parseRedisUrl(o.queueUrl);
  const fetchRelease = o.fetchRelease ?? (await loadRegistryClient(o.env)).fetchRelease;
  const store = await openStore(o.storeSpec, o.env, o.cwd);
  const log = o.log ?? (() => undefined);
  const alerts = createAlertDispatcher({
    store,
    sinks: o.sinks ?? [],
    dashboardUrl: o.dashboardUrl ?? 'http://127.0.0.1:8080',
    onError: (sink, alert, message) => log(`alert ${alert.key}: ${sink} failed: ${message}`),
    onAlert: (alert) => log(`ALERT ${alert.title}`),
  });
  const process = createScanProcessor({
    store,
    fetchRelease,
    ...(o.scanArtifact !== undefined ? { scanArtifact: o.scanArtifact } : {}),
    alerts,
    ...(o.alertOn !== undefined ? { alertOn: o.alertOn } : {}),
    onScanned: (r, reused) => log(`${reused ? 'known' : 'scanned'} ${r.key} ${r.verdict} (${r.durationMs} ms)`),
  });
  const worker = startRedisWorker(
    config,
    async (job) => {
      o.onJobStart?.(job);
      await process(job);
    },
    {
      concurrency: o.concurrency ?? 1,
      ...(o.lockDurationMs !== undefined ? { lockDurationMs: o.lockDurationMs } : {}),
      ...(o.stalledIntervalMs !== undefined ? { stalledIntervalMs: o.stalledIntervalMs } : {}),
      onFailed: (job, message, willRetry) => log(`failed ${job === undefined ? '?' : `${job.name}@${job.version}`}: ${message}${willRetry ? ' (will retry)' : ''}`),
      onError: (message) => log(`queue error: ${message}`),
    },
  );
  await worker.worker.waitUntilReady();
  return {
    store,
    worker,
    async close() {
      await worker.close();
      await store.close();
    },
  };
}
