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
    (result) => {
      // The isolate's own footprint (JS heap + wasm/array buffers), so the pool can recycle a worker
      // whose parser heaps and caches have grown (wasm memory never shrinks).
      const m = process.memoryUsage();
      parentPort?.postMessage({ id: request.id, result, memory: m.heapUsed + m.external });
    },
    (error: unknown) => parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
