/** Worker-thread entry for the guard's scan pool: scans one artifact per message, never throws. */
import { parentPort } from 'node:worker_threads';
import { describeError } from '../core/errors.js';
import type { Ecosystem } from '../core/types.js';
import { staticScanner } from './scanner.js';
import type { ScanOutcome } from './scanner.js';

export interface ScanJob {
  id: number;
  bytes: Uint8Array;
  filename: string;
  ecosystem: Ecosystem;
  packageName: string;
}

export interface ScanReply {
  id: number;
  outcome: ScanOutcome;
}

parentPort?.on('message', (job: ScanJob) => {
  void (async () => {
    let outcome: ScanOutcome;
    try {
      outcome = await staticScanner(job.bytes, job.filename, { ecosystem: job.ecosystem, packageName: job.packageName });
    } catch (error) {
      outcome = { verdict: 'clean', score: 0, reason: 'The scan failed.', error: describeError(error) };
    }
    parentPort?.postMessage({ id: job.id, outcome } satisfies ScanReply);
  })();
});
