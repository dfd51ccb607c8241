export type { WatchAdvisory, WatchDeps } from './types.js';
export { addProject, projectId } from './projects.js';
export { advisoryAlert, dependencyReleaseAlert, runProject, runWatchOnce } from './run.js';
export type { ProjectRunResult, WatchRunOptions } from './run.js';
export { advisoryAudit, createWatchDeps, lockfileDirectDependencies } from './wiring.js';
export type { AuditWiring } from './wiring.js';
export { runWatchDaemon } from './daemon.js';
export type { WatchDaemonOptions } from './daemon.js';
