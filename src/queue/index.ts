export * from './types.js';
export { InProcessQueue } from './memory.js';
export type { InProcessQueueOptions } from './memory.js';
export { DEFAULT_QUEUE_NAME, RedisJobQueue, parseRedisUrl, startRedisWorker } from './redis.js';
export type { RedisQueueConfig, RedisWorkerOptions, RetryPolicy, RunningWorker } from './redis.js';
export { createScanProcessor, newFindings, releaseAlert, scanRelease } from './pipeline.js';
export type { ArtifactScanner, FetchedArtifact, FetchedRelease, ReleaseFetcher, ReleaseRef, ScanPipelineOptions } from './pipeline.js';
export { loadRegistryClient, pickArtifacts } from './registry.js';
export type { RegistryClient } from './registry.js';
