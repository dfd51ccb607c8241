/**
 * Runs the static analysis on worker threads so the proxy keeps answering (cached artifacts, listings)
 * while a new artifact is scanned, and so a scan that runs away is stopped: past the time limit its
 * worker is terminated and replaced, and the scan counts as failed (fail closed by default).
 */
import { Worker } from 'node:worker_threads';
import type { ScanJob, ScanReply } from './scan-worker.js';
import type { ArtifactScanner, ScanContext, ScanOutcome } from './scanner.js';

export interface WorkerScannerOptions {
  threads: number;
  /** Per-artifact wall-clock limit, ms. */
  timeoutMs: number;
}

interface Pending {
  job: ScanJob;
  resolve: (outcome: ScanOutcome) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
  timer: NodeJS.Timeout | undefined;
}

export interface WorkerScanner {
  scan: ArtifactScanner;
  close(): Promise<void>;
}

export function createWorkerScanner(options: WorkerScannerOptions): WorkerScanner {
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;
  const url = new URL('./scan-worker.js', import.meta.url);

  const finish = (slot: Slot, outcome: ScanOutcome): void => {
    const p = slot.busy;
    if (slot.timer !== undefined) clearTimeout(slot.timer);
    slot.busy = undefined;
    slot.timer = undefined;
    p?.resolve(outcome);
    pump();
  };

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(url), busy: undefined, timer: undefined };
    slot.worker.unref();
    slot.worker.on('message', (reply: ScanReply) => {
      if (slot.busy !== undefined && reply.id === slot.busy.job.id) finish(slot, reply.outcome);
    });
    const replace = (message: string): void => {
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      if (slot.busy !== undefined) finish(slot, { verdict: 'clean', score: 0, reason: 'The scan failed.', error: message });
      if (!closed) {
        slots.push(spawn());
        pump();
      }
    };
    slot.worker.on('error', (error) => replace(`scan worker crashed: ${error.message.split('\n')[0] ?? ''}`));
    slot.worker.on('exit', (code) => {
      if (!closed && slots.includes(slot)) replace(`scan worker exited (${code})`);
    });
    return slot;
  };

  const pump = (): void => {
    for (const slot of slots) {
      if (slot.busy !== undefined) continue;
      const next = queue.shift();
      if (next === undefined) return;
      slot.busy = next;
      slot.timer = setTimeout(() => {
        const i = slots.indexOf(slot);
        if (i >= 0) slots.splice(i, 1);
        void slot.worker.terminate();
        finish(slot, { verdict: 'clean', score: 0, reason: 'The scan failed.', error: `scan stopped after ${options.timeoutMs} ms` });
        if (!closed) {
          slots.push(spawn());
          pump();
        }
      }, options.timeoutMs);
      // Copy: the caller keeps its bytes to send them to the client.
      const copy = next.job.bytes.slice();
      slot.worker.postMessage({ ...next.job, bytes: copy }, [copy.buffer as ArrayBuffer]);
    }
  };

  for (let i = 0; i < Math.max(1, options.threads); i++) slots.push(spawn());

  const scan: ArtifactScanner = (bytes: Uint8Array, filename: string, context: ScanContext) =>
    new Promise<ScanOutcome>((resolve) => {
      if (closed) {
        resolve({ verdict: 'clean', score: 0, reason: 'The scan failed.', error: 'scanner closed' });
        return;
      }
      queue.push({ job: { id: nextId++, bytes, filename, ecosystem: context.ecosystem, packageName: context.packageName }, resolve });
      pump();
    });

  return {
    scan,
    async close() {
      closed = true;
      for (const p of queue.splice(0)) p.resolve({ verdict: 'clean', score: 0, reason: 'The scan failed.', error: 'scanner closed' });
      await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
    },
  };
}
