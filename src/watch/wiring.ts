/** The real implementations behind WatchDeps: lockfile extractors, advisory audit, registry, scanner. */
import { defaultDbPath } from '../advisories/paths.js';
import { collectPackages, runAudit } from '../audit/run.js';
import type { Ecosystem } from '../core/types.js';
import { VigilError } from '../core/errors.js';
import type { ScanPipelineOptions } from '../queue/pipeline.js';
import { scanRelease } from '../queue/pipeline.js';
import type { DirectDependency, ProjectRecord } from '../store/types.js';
import type { RepoCache } from './repo.js';
import { repoFromProjectPath } from './repo.js';
import type { WatchAdvisory, WatchDeps } from './types.js';

/** Direct, pinned registry dependencies found in the lockfiles/manifests under `path`. */
export async function lockfileDirectDependencies(path: string): Promise<DirectDependency[]> {
  const collected = collectPackages([path], path);
  const seen = new Map<string, DirectDependency>();
  for (const p of collected.packages) {
    if (p.direct === false || !p.pinned || p.version === undefined) continue;
    if (p.source !== undefined && p.source !== 'registry') continue;
    const key = `${p.ecosystem}:${p.name.toLowerCase()}@${p.version}`;
    if (!seen.has(key)) seen.set(key, { ecosystem: p.ecosystem, name: p.name, version: p.version });
  }
  if (seen.size === 0 && collected.errors.length > 0) throw new VigilError('E_TARGET', collected.errors[0] ?? 'unreadable lockfile');
  return [...seen.values()].sort((a, b) => a.ecosystem.localeCompare(b.ecosystem) || a.name.localeCompare(b.name));
}

export interface AuditWiring {
  env: NodeJS.ProcessEnv;
  /** Advisory database path (default: the one `vigil db update` writes). */
  dbPath?: string;
  /** Ask the OSV API instead of the local database. */
  online?: boolean;
}

export function advisoryAudit(w: AuditWiring): (path: string) => Promise<WatchAdvisory[]> {
  return async (path) => {
    const report = await runAudit({
      paths: [path],
      cwd: path,
      dbPath: w.dbPath ?? defaultDbPath(w.env),
      ...(w.online === true ? { online: true } : {}),
    });
    return report.findings.map((f) => ({
      id: f.id, ecosystem: f.ecosystem, name: f.name, version: f.version, severity: f.severity, kind: f.kind,
      summary: f.summary, fixed: f.fixed, file: f.file,
    }));
  };
}

export function createWatchDeps(options: {
  pipeline: ScanPipelineOptions;
  latestVersion: (ecosystem: Ecosystem, name: string) => Promise<string | undefined>;
  audit?: (path: string) => Promise<WatchAdvisory[]>;
  directDependencies?: (path: string) => Promise<DirectDependency[]>;
  /** Clones of projects watched by repository URL. */
  repos?: RepoCache;
}): WatchDeps {
  const { repos } = options;
  return {
    directDependencies: options.directDependencies ?? lockfileDirectDependencies,
    ...(repos !== undefined ? { checkout: (project: ProjectRecord) => checkoutRepository(repos, project) } : {}),
    ...(options.audit !== undefined ? { audit: options.audit } : {}),
    latestVersion: options.latestVersion,
    scan: async (job) => (await scanRelease(job, options.pipeline)).record,
  };
}

/** Updates the clone of a project watched by URL to the remote head; returns the clone's folder. */
export async function checkoutRepository(repos: RepoCache, project: ProjectRecord): Promise<string> {
  const ref = repoFromProjectPath(project.path);
  if (ref === undefined) throw new VigilError('E_TARGET', `${project.path} is not a repository URL`);
  return repos.update(project.id, ref);
}
