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

// The pool queues a second request while the first runs; they are scanned one at a time, in order.
const queue: WorkerRequest[] = [];
let busy = false;

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  for (let request = queue.shift(); request !== undefined; request = queue.shift()) {
    try {
      const result = await scanTarget(request.target, request.options);
      // The isolate's own footprint (JS heap + wasm/array buffers), so the pool can recycle a worker
      // whose parser heaps and caches have grown (wasm memory never shrinks).
      const m = process.memoryUsage();
      parentPort?.postMessage({ id: request.id, result, memory: m.heapUsed + m.external });
    } catch (error) {
      parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  busy = false;
}

parentPort?.on('message', (request: WorkerRequest) => {
  queue.push(request);
  void drain();
});
