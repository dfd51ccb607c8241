import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ALERT_OPTIONS, ALERT_OPTIONS_HELP, alertOnOption, alertSinksFromOptions, dashboardUrlOption } from '../../alerts/config.js';
import { createAlertDispatcher } from '../../alerts/dispatcher.js';
import { defaultDbPath } from '../../advisories/paths.js';
import { VigilError } from '../../core/errors.js';
import { DEFAULT_FEED_ENDPOINTS, FEED_NAMES, createFeed } from '../../feeds/index.js';
import { InProcessQueue } from '../../queue/memory.js';
import { createScanProcessor } from '../../queue/pipeline.js';
import type { ScanPipelineOptions } from '../../queue/pipeline.js';
import { RedisJobQueue, parseRedisUrl } from '../../queue/redis.js';
import { loadRegistryClient } from '../../queue/registry.js';
import type { JobQueue } from '../../queue/types.js';
import { defaultDataDir, openStore } from '../../store/index.js';
import type { ResultStore } from '../../store/types.js';
import { addProject, addRepository } from '../../watch/projects.js';
import { RepoCache, defaultRepoCacheDir, looksLikeRepoUrl, repoFromProjectPath, repoProjectPath } from '../../watch/repo.js';
import { runWatchDaemon } from '../../watch/daemon.js';
import { advisoryAudit, createWatchDeps, lockfileDirectDependencies } from '../../watch/wiring.js';
import type { WatchAdvisory } from '../../watch/types.js';
import { intOption, listOption, parseCommandArgs, stringOption } from '../args.js';
import type { CliIO, Command } from '../command.js';
import { EXIT } from '../command.js';

const HELP = `Usage: vigil watch add PATH|REPO-URL [--branch NAME] [--store S]
       vigil watch list [--store S] [--json]
       vigil watch remove ID|PATH|REPO-URL [--store S]
       vigil watch run [--once | --interval SECONDS] [--feed NAME]... [options]

Stay informed about the projects you depend on and the registries you pull from.

  add PATH     register a project directory (or one lockfile); its direct dependencies are read from
               package-lock.json, pnpm-lock.yaml, yarn.lock, poetry.lock, requirements.txt, …
  add URL      register a git repository (https://, http://, ssh://, git://, file:// or
               user@host:owner/repo.git): it is cloned shallowly (no hooks, filters or submodules) into
               the store's repository cache and re-fetched before every run. URLs with credentials are
               refused: use a git credential helper or an SSH key for private repositories
  list         registered projects with their status and last run
  remove       forget a project
  run          every cycle: follow the chosen registry feeds and scan each new release; re-audit every
               project against the advisory database; scan the latest release of each direct
               dependency that is newer than the version in use (before anyone upgrades) and compare
               them. Alerts are sent only for what is new since the last run.

Options:
  --store URL|PATH       results store (default SQLite at $VIGIL_DATA_DIR/vigil.db; postgres://…?schema=…)
  --branch NAME          'add URL': watch this branch (default: the remote's default branch)
  --repo-cache DIR       clones of watched repositories (default <store>-repos/ next to an SQLite
                         store, $VIGIL_DATA_DIR/repos/<store> for PostgreSQL)
  --once                 one cycle, wait for its scans, exit 1 if new alerts were raised (cron/CI)
  --interval SECONDS     time between cycles of the daemon (default 300)
  --feed NAME            follow a registry feed (repeatable): ${FEED_NAMES.join(', ')}
  --pypi-url URL         PyPI base for feeds (default https://pypi.org; RSS /rss/…, XML-RPC /pypi)
  --npm-replicate-url U  npm changes feed base (default https://replicate.npmjs.com/registry)
  --queue redis://…      hand feed scans to 'vigil worker' processes instead of scanning in-process
  --concurrency N        in-process scans at once (default 2)
  --db PATH              advisory database (default: the one 'vigil db update' writes)
  --online               audit against the OSV API instead of the local database
  --json                 'list' as JSON

${ALERT_OPTIONS_HELP}

Registry URLs for downloads come from the environment (npm_config_registry, PIP_INDEX_URL).`;

const OPTIONS = {
  store: { type: 'string' },
  once: { type: 'boolean' },
  interval: { type: 'string' },
  feed: { type: 'string', multiple: true },
  'pypi-url': { type: 'string' },
  'npm-replicate-url': { type: 'string' },
  queue: { type: 'string' },
  concurrency: { type: 'string' },
  db: { type: 'string' },
  online: { type: 'boolean' },
  json: { type: 'boolean' },
  branch: { type: 'string' },
  'repo-cache': { type: 'string' },
  ...ALERT_OPTIONS,
} as const;

async function withStore<T>(spec: string | undefined, io: CliIO, fn: (store: ResultStore) => Promise<T>): Promise<T> {
  const store = await openStore(spec, io.env, io.cwd);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function waitForSignal(controller: AbortController): () => void {
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}

export const watchCommand: Command = {
  name: 'watch',
  summary: 'watch projects and registry feeds; alert on new advisories and malicious releases',
  async run(args, io) {
    const parsed = parseCommandArgs('watch', args, OPTIONS);
    const [sub, ...rest] = parsed.positionals;
    if (parsed.help || sub === undefined) {
      (parsed.help ? io.stdout : io.stderr).write(`${HELP}\n`);
      return parsed.help ? EXIT.OK : EXIT.ERROR;
    }
    const { values } = parsed;
    const storeSpec = stringOption(values, 'store') ?? io.env.VIGIL_STORE;
    switch (sub) {
      case 'add': {
        if (rest.length === 0) throw new VigilError('E_USAGE', "watch add needs a PATH or a repository URL (see 'vigil watch --help')");
        const branch = stringOption(values, 'branch');
        if (branch !== undefined && !rest.every(looksLikeRepoUrl)) throw new VigilError('E_USAGE', '--branch applies to repository URLs only');
        return withStore(storeSpec, io, async (store) => {
          for (const path of rest) {
            const p = looksLikeRepoUrl(path)
              ? await addRepository(store, path, { ...(branch !== undefined ? { branch } : {}), repos: repoCache(values, store, io), deps: { directDependencies: lockfileDirectDependencies } })
              : await addProject(store, path, io.cwd, { directDependencies: lockfileDirectDependencies });
            io.stdout.write(`watching ${p.name} (${p.id}): ${p.dependencies.length} direct dependencies, ${p.path}\n`);
          }
          return EXIT.OK;
        });
      }
      case 'list':
        return withStore(storeSpec, io, async (store) => {
          const projects = await store.listProjects();
          if (values.json === true) {
            io.stdout.write(`${JSON.stringify(projects, null, 2)}\n`);
            return EXIT.OK;
          }
          if (projects.length === 0) io.stdout.write("no watched projects (add one with 'vigil watch add PATH|REPO-URL')\n");
          for (const p of projects) {
            io.stdout.write(`${p.id}  ${p.status.padEnd(7)}  ${p.name}  ${p.path}\n    ${p.summary}${p.lastRunAt !== undefined ? ` (last run ${p.lastRunAt})` : ''}\n`);
          }
          return EXIT.OK;
        });
      case 'remove':
        return withStore(storeSpec, io, async (store) => {
          let removed = 0;
          for (const target of rest) {
            const projects = await store.listProjects();
            const asRepo = looksLikeRepoUrl(target) ? repoFromProjectPath(target) : undefined;
            const match = projects.find((p) => p.id === target || p.path === target
              || (asRepo !== undefined ? p.path === repoProjectPath(asRepo) : p.path === resolve(io.cwd, target)));
            if (match !== undefined && (await store.removeProject(match.id))) {
              removed++;
              if (repoFromProjectPath(match.path) !== undefined) repoCache(values, store, io).remove(match.id);
            } else io.stderr.write(`vigil watch: no watched project '${target}'\n`);
          }
          return removed === rest.length && removed > 0 ? EXIT.OK : EXIT.ERROR;
        });
      case 'run':
        return runWatch(values, io, storeSpec);
      default:
        throw new VigilError('E_USAGE', `unknown watch command '${sub}' (add, list, remove, run)`);
    }
  },
};

function repoCache(values: Parameters<typeof stringOption>[0], store: ResultStore, io: CliIO): RepoCache {
  const explicit = stringOption(values, 'repo-cache');
  const dir = explicit !== undefined ? resolve(io.cwd, explicit) : defaultRepoCacheDir(store.description, defaultDataDir(io.env));
  return new RepoCache({ dir, env: io.env });
}

async function runWatch(values: Record<string, unknown>, io: CliIO, storeSpec: string | undefined): Promise<number> {
  const v = values as Parameters<typeof stringOption>[0];
  const once = v.once === true;
  const intervalMs = intOption(v, 'interval', 300, 1) * 1000;
  const feedNames = listOption(v, 'feed');
  const endpoints = {
    pypiUrl: stringOption(v, 'pypi-url') ?? DEFAULT_FEED_ENDPOINTS.pypiUrl,
    npmReplicateUrl: stringOption(v, 'npm-replicate-url') ?? DEFAULT_FEED_ENDPOINTS.npmReplicateUrl,
  };
  const feeds = feedNames.map((n) => createFeed(n, endpoints));
  const sinks = alertSinksFromOptions(v, io.cwd);
  const dashboardUrl = dashboardUrlOption(v);
  const alertOn = alertOnOption(v);
  const log = (line: string): void => void io.stderr.write(`vigil watch: ${line}\n`);
  const registry = await loadRegistryClient(io.env);
  const store = await openStore(storeSpec, io.env, io.cwd);
  let newAlerts = 0;
  const alerts = createAlertDispatcher({
    store,
    sinks,
    dashboardUrl,
    onError: (sink, alert, message) => log(`alert ${alert.key}: ${sink} failed: ${message}`),
    onAlert: (alert) => {
      newAlerts++;
      io.stdout.write(`ALERT [${alert.severity}] ${alert.title}\n  ${dashboardUrl}${alert.evidencePath}\n`);
    },
  });
  const pipeline: ScanPipelineOptions = { store, fetchRelease: registry.fetchRelease, alerts, alertOn };
  const queueUrl = stringOption(v, 'queue') ?? io.env.VIGIL_QUEUE;
  const queue: JobQueue = queueUrl !== undefined
    ? new RedisJobQueue(parseRedisUrl(queueUrl))
    : new InProcessQueue({
      processor: createScanProcessor(pipeline),
      concurrency: intOption(v, 'concurrency', 2, 1),
      onFailed: (job, message) => log(`scan of ${job.ecosystem}:${job.name}@${job.version} failed: ${message}`),
    });
  const dbPath = stringOption(v, 'db') ?? defaultDbPath(io.env);
  const online = v.online === true;
  let audit: ((path: string) => Promise<WatchAdvisory[]>) | undefined;
  if (online || existsSync(dbPath)) audit = advisoryAudit({ env: io.env, dbPath, online });
  else if ((await store.listProjects()).length > 0) log(`no advisory database at ${dbPath}: projects are not re-audited (run 'vigil db update' or pass --online)`);
  const deps = createWatchDeps({ pipeline, latestVersion: registry.latestVersion, repos: repoCache(v, store, io), ...(audit !== undefined ? { audit } : {}) });
  const controller = new AbortController();
  const release = waitForSignal(controller);
  try {
    log(`store ${store.description}; queue ${queue.description}; feeds: ${feedNames.join(', ') || 'none'}; ${once ? 'one cycle' : `every ${intervalMs / 1000} s`}`);
    await runWatchDaemon({
      store, alerts, deps, feeds, queue, latestVersion: registry.latestVersion, alertOn, once, intervalMs,
      drain: queueUrl === undefined, signal: controller.signal, log,
      onCycle: (cycle, projects) => {
        for (const p of projects) if (p.newAlerts > 0) log(`project ${p.project}: ${p.newAlerts} new alerts`);
        if (!once && cycle === 1) log('running; stop with Ctrl-C');
      },
    });
    if (!once) await queue.drain(30_000).catch(() => undefined);
  } finally {
    release();
    await queue.close();
    await store.close();
  }
  return once && newAlerts > 0 ? EXIT.FINDINGS : EXIT.OK;
}
