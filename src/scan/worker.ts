import { parentPort } from 'node:worker_threads';
import type { ScanOptions } from './scan.js';
import { scanTarget } from './scan.js';
import { installDefaultExtensions } from './extensions.js';

export interface WorkerRequest {
  id: number;
  target: string;
  options: ScanOptions;
}

installDefaultExtensions();

parentPort?.on('message', (request: WorkerRequest) => {
  scanTarget(request.target, request.options).then(
    (result) => parentPort?.postMessage({ id: request.id, result }),
    (error: unknown) => parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
