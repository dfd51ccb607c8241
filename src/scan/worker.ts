import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import type { ScanOptions } from './scan.js';
import { scanTarget } from './scan.js';
import { installDefaultExtensions } from './extensions.js';

export interface WorkerRequest {
  id: number;
  target: string;
  options: ScanOptions;
  /** Past this footprint the worker stops taking requests; the pool replaces it and re-sends the rest. */
  memoryLimit?: number;
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
      // (v8.getHeapStatistics, not process.memoryUsage: that one also reads the process RSS, which cost
      // about 2% of a worker's time when asked after every target.)
      const h = getHeapStatistics();
      const memory = h.used_heap_size + h.external_memory;
      parentPort?.postMessage({ id: request.id, result, memory });
      // Starting the queued request would only grow a heap that is about to be discarded.
      if (request.memoryLimit !== undefined && memory > request.memoryLimit) return;
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
