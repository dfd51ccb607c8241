import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { VigilError, describeError } from '../core/errors.js';
import type { ProjectRecord, ResultStore } from '../store/types.js';
import type { RepoCache } from './repo.js';
import { parseRepoUrl, repoDisplayName, repoProjectPath } from './repo.js';
import type { WatchDeps } from './types.js';

/** Stable id of a project: a short hash of its absolute path. */
export function projectId(absPath: string): string {
  return createHash('sha256').update(absPath).digest('hex').slice(0, 12);
}

/**
 * Registers a project directory (or a single lockfile). Reads its direct dependencies now so that a
 * project without any readable lockfile is refused at `add` time. Adding twice updates the record.
 */
export async function addProject(store: ResultStore, path: string, cwd: string, deps: Pick<WatchDeps, 'directDependencies'>): Promise<ProjectRecord> {
  const abs = resolve(cwd, path);
  if (!existsSync(abs)) throw new VigilError('E_TARGET', `${path}: no such file or directory`);
  const st = statSync(abs);
  if (!st.isDirectory() && !st.isFile()) throw new VigilError('E_TARGET', `${path}: not a file or directory`);
  const dependencies = await deps.directDependencies(abs);
  if (dependencies.length === 0) throw new VigilError('E_TARGET', `${path}: no lockfile with pinned direct dependencies was found`);
  const id = projectId(abs);
  const existing = await store.getProject(id);
  const record = projectRecord(id, abs, st.isDirectory() ? basename(abs) : `${basename(resolve(abs, '..'))}/${basename(abs)}`, existing, dependencies);
  await store.putProject(record);
  return record;
}

/**
 * Registers a git repository by URL: clones it shallowly into the repository cache and reads its
 * lockfiles like a local project. The stored path is the credential-free URL (plus `#branch`), so
 * `vigil watch list` and the dashboard show where the project comes from. A repository without any
 * readable lockfile is refused and its clone removed.
 */
export async function addRepository(
  store: ResultStore,
  url: string,
  options: { branch?: string; repos: RepoCache; deps: Pick<WatchDeps, 'directDependencies'> },
): Promise<ProjectRecord> {
  const ref = parseRepoUrl(url, options.branch);
  const path = repoProjectPath(ref);
  const id = projectId(path);
  const existing = await store.getProject(id);
  const dir = await options.repos.clone(id, ref);
  let dependencies;
  try {
    dependencies = await options.deps.directDependencies(dir);
  } catch (error) {
    if (existing === undefined) options.repos.remove(id);
    throw new VigilError('E_TARGET', `${path}: ${describeError(error)}`, { cause: error });
  }
  if (dependencies.length === 0) {
    if (existing === undefined) options.repos.remove(id);
    throw new VigilError('E_TARGET', `${path}: no lockfile with pinned direct dependencies was found in the repository`);
  }
  const record = projectRecord(id, path, repoDisplayName(ref), existing, dependencies);
  await store.putProject(record);
  return record;
}

/** A project record for (re-)registration: keeps what an earlier registration and runs recorded. */
function projectRecord(id: string, path: string, name: string, existing: ProjectRecord | undefined, dependencies: ProjectRecord['dependencies']): ProjectRecord {
  return {
    id,
    path,
    name,
    addedAt: existing?.addedAt ?? new Date().toISOString(),
    ...(existing?.lastRunAt !== undefined ? { lastRunAt: existing.lastRunAt } : {}),
    status: existing?.status ?? 'pending',
    summary: existing?.summary ?? `${dependencies.length} direct dependencies; not checked yet`,
    dependencies,
  };
}
