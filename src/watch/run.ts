/**
 * One watch cycle over every registered project: re-read the lockfiles, re-audit against advisories,
 * scan the latest release of each direct dependency that is newer than the version in use (before
 * anyone upgrades) and compare it with the version in use. Alerts carry a dedupe key, so only what is
 * new since the last run is sent.
 */
import { describeError } from '../core/errors.js';
import type { Severity, Verdict } from '../core/types.js';
import type { AlertRaiser } from '../alerts/types.js';
import { newFindings } from '../queue/pipeline.js';
import type { AlertRecord, AlertSeverity, DirectDependency, ProjectRecord, ReleaseRecord, ResultStore } from '../store/types.js';
import { normalizeName, releasePath } from '../store/types.js';
import { repoFromProjectPath } from './repo.js';
import type { WatchAdvisory, WatchDeps } from './types.js';

export interface WatchRunOptions {
  store: ResultStore;
  deps: WatchDeps;
  alerts: AlertRaiser;
  /** Verdicts of dependency releases that alert (default malicious). */
  alertOn?: readonly Verdict[];
  log?: (line: string) => void;
  /** Dependencies checked at once per project (default 4). */
  concurrency?: number;
}

export interface ProjectRunResult {
  project: string;
  status: ProjectRecord['status'];
  advisories: number;
  riskyReleases: number;
  newAlerts: number;
  errors: string[];
}

function alertSeverity(s: Severity): AlertSeverity {
  return s === 'info' ? 'low' : s;
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

export function advisoryAlert(project: ProjectRecord, a: WatchAdvisory): AlertRecord {
  const malicious = a.kind === 'malicious';
  return {
    key: `advisory:${project.id}:${a.ecosystem}:${normalizeName(a.ecosystem, a.name)}@${a.version}:${a.id}`,
    kind: 'advisory',
    severity: malicious ? 'critical' : alertSeverity(a.severity),
    title: `${project.name}: ${a.name}@${a.version} ${malicious ? 'is known malware' : 'has a known vulnerability'} (${a.id})`,
    message: `${a.summary}${a.fixed.length > 0 ? `\nFixed in: ${a.fixed.join(', ')}` : ''}\nFound in ${a.file}`,
    ecosystem: a.ecosystem,
    name: a.name,
    version: a.version,
    project: project.id,
    evidencePath: `/project/${project.id}`,
    createdAt: new Date().toISOString(),
  };
}

export function dependencyReleaseAlert(project: ProjectRecord, dep: DirectDependency, record: ReleaseRecord, inUse: ReleaseRecord | undefined): AlertRecord {
  const upcoming = record.version !== dep.version;
  const added = inUse !== undefined ? newFindings(record.findings, inUse.findings) : record.findings;
  const what = upcoming ? `new release ${record.name}@${record.version} (you use ${dep.version})` : `${record.name}@${record.version}, the version in use,`;
  return {
    key: `watch:${project.id}:${record.key}:${record.verdict}`,
    kind: record.verdict === 'malicious' ? 'malicious-release' : 'suspicious-release',
    severity: record.verdict === 'malicious' ? 'critical' : 'high',
    title: `${project.name}: ${what} is ${record.verdict}`,
    message: `${record.reason}${upcoming && inUse !== undefined ? `\n${added.length} finding(s) not present in ${dep.version}${inUse.verdict !== 'clean' ? ` (which is ${inUse.verdict} itself)` : ''}.` : ''}${upcoming ? '\nDo not upgrade until this is reviewed.' : ''}`,
    ecosystem: record.ecosystem,
    name: record.name,
    version: record.version,
    project: project.id,
    evidencePath: releasePath(record.ecosystem, record.name, record.version),
    createdAt: new Date().toISOString(),
  };
}

export async function runProject(project: ProjectRecord, o: WatchRunOptions): Promise<ProjectRunResult> {
  const log = o.log ?? (() => undefined);
  const alertOn = o.alertOn ?? ['malicious'];
  const result: ProjectRunResult = { project: project.id, status: 'ok', advisories: 0, riskyReleases: 0, newAlerts: 0, errors: [] };
  const raise = async (a: AlertRecord): Promise<void> => {
    if (await o.alerts.raise(a)) result.newAlerts++;
  };
  let dependencies = project.dependencies;
  // A repository project is read from its clone, updated to the remote head first; when that fails,
  // the dependencies recorded last time are still checked against the registry.
  let localPath: string | undefined = project.path;
  if (repoFromProjectPath(project.path) !== undefined) {
    localPath = undefined;
    if (o.deps.checkout === undefined) result.errors.push('repository: no repository cache configured');
    else {
      try {
        localPath = await o.deps.checkout(project);
      } catch (error) {
        result.errors.push(`repository: ${describeError(error)}`);
      }
    }
  }
  if (localPath !== undefined) {
    try {
      dependencies = await o.deps.directDependencies(localPath);
    } catch (error) {
      result.errors.push(`lockfiles: ${describeError(error)}`);
    }
  }
  if (o.deps.audit !== undefined && localPath !== undefined) {
    try {
      const advisories = await o.deps.audit(localPath);
      result.advisories = advisories.length;
      for (const a of advisories) await raise(advisoryAlert(project, a));
    } catch (error) {
      result.errors.push(`audit: ${describeError(error)}`);
    }
  }
  await mapLimit(dependencies, o.concurrency ?? 4, async (dep) => {
    try {
      const latest = await o.deps.latestVersion(dep.ecosystem, dep.name);
      const inUse = await o.deps.scan({ ecosystem: dep.ecosystem, name: dep.name, version: dep.version, source: `watch:${project.id}` });
      if (alertOn.includes(inUse.verdict)) {
        result.riskyReleases++;
        await raise(dependencyReleaseAlert(project, dep, inUse, undefined));
      }
      if (latest !== undefined && latest !== dep.version) {
        const next = await o.deps.scan({ ecosystem: dep.ecosystem, name: dep.name, version: latest, source: `watch:${project.id}` });
        if (alertOn.includes(next.verdict)) {
          result.riskyReleases++;
          await raise(dependencyReleaseAlert(project, dep, next, inUse));
        }
      }
    } catch (error) {
      result.errors.push(`${dep.name}@${dep.version}: ${describeError(error)}`);
    }
  });
  result.status = result.advisories > 0 || result.riskyReleases > 0 ? 'alert' : result.errors.length > 0 ? 'error' : 'ok';
  const summary = [
    `${dependencies.length} direct dependencies`,
    `${result.advisories} advisories`,
    `${result.riskyReleases} risky releases`,
    ...(result.errors.length > 0 ? [`${result.errors.length} errors (${result.errors[0] ?? ''})`] : []),
  ].join('; ');
  await o.store.putProject({ ...project, dependencies, status: result.status, summary: summary.slice(0, 500), lastRunAt: new Date().toISOString() });
  for (const e of result.errors) log(`${project.name}: ${e}`);
  return result;
}

/** Runs every watched project once. */
export async function runWatchOnce(o: WatchRunOptions): Promise<ProjectRunResult[]> {
  const out: ProjectRunResult[] = [];
  for (const p of await o.store.listProjects()) out.push(await runProject(p, o));
  return out;
}
