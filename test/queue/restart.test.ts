/**
 * Real restarts, not simulated ones: the test owns a private Redis (append-only file, fsync always) and a
 * private PostgreSQL cluster on free loopback ports, queues N releases through RedisJobQueue and runs real
 * `vigil worker` processes (bin/vigil.js, real registry client against a loopback npm registry, real
 * static scanner). Mid-run it kills one worker with SIGKILL while it is fetching a release, then stops and
 * restarts Redis, then PostgreSQL, each while jobs are in flight. Every release must end up with exactly
 * one result row, scanned once (scan_count 1, one `scanned` log line), no job failed, and the surviving
 * workers must keep consuming after both restarts without any help.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import pg from 'pg';
import { RedisJobQueue, parseRedisUrl } from '../../src/queue/index.js';
import { PostgresStore } from '../../src/store/index.js';
import { npmVersion, startRegistryServer } from '../helpers/registry-server.js';
import type { RegistryServer } from '../helpers/registry-server.js';
import { privatePostgresSkipReason, privateRedisSkipReason, startPrivatePostgres, startPrivateRedis } from '../helpers/private-services.js';
import type { PrivateServer } from '../helpers/private-services.js';

const N = 16;
/** Each packument answer is held this long, so a job is surely "in flight" when something breaks. */
const FETCH_DELAY_MS = 700;
const VIGIL = fileURLToPath(new URL('../../../bin/vigil.js', import.meta.url));
const SCHEMA = 'vigil_restart';
/** How long each server stays down: long enough for jobs in flight to hit the dead server. */
const REDIS_DOWN_MS = 1000;
const PG_DOWN_MS = 2000;

interface WorkerProc {
  name: string;
  child: ChildProcess;
  /** stderr lines with the time they arrived. */
  lines: { at: number; text: string }[];
  waitFor(pred: (line: string) => boolean, timeoutMs: number): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

function startWorker(name: string, args: readonly string[], env: NodeJS.ProcessEnv): WorkerProc {
  const child = spawn(process.execPath, [VIGIL, 'worker', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: WorkerProc['lines'] = [];
  let buf = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push({ at: Date.now(), text: buf.slice(0, nl) });
      buf = buf.slice(nl + 1);
    }
  });
  return {
    name,
    child,
    lines,
    waitFor: (pred, timeoutMs) =>
      until(`${name}: ${lines.map((l) => l.text).join(' | ').slice(-600)}`, () => {
        if (!alive(child)) throw new Error(`${name} exited (${String(child.exitCode ?? child.signalCode)}): ${lines.map((l) => l.text).join(' | ').slice(-800)}`);
        return lines.some((l) => pred(l.text));
      }, timeoutMs),
  };
}

/** `scanned npm:pkg@1.0.0 …` lines of a worker (a fresh scan, not a reused stored result). */
function scanned(w: WorkerProc, after = 0): string[] {
  return w.lines.filter((l) => l.at >= after).map((l) => /^vigil worker: scanned (\S+) /.exec(l.text)?.[1]).filter((k): k is string => k !== undefined);
}

/** A pass-through proxy to the registry that holds each packument answer and tracks requests in flight. */
async function startDelayProxy(target: RegistryServer): Promise<{ server: Server; url: string; arrivals: string[]; pending: () => number }> {
  const arrivals: string[] = [];
  let pending = 0;
  const upstream = new URL(target.url);
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const isPackument = path.startsWith('/npm/') && !path.includes('/-/');
    if (isPackument) {
      arrivals.push(decodeURIComponent(path.slice('/npm/'.length)));
      pending++;
    }
    let counted = isPackument;
    const settle = (): void => {
      if (counted) pending--;
      counted = false;
    };
    res.once('close', settle);
    setTimeout(() => {
      if (res.destroyed) return settle();
      const up = request({ host: upstream.hostname, port: upstream.port, path, method: req.method, headers: req.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.once('error', () => res.destroy());
      up.end();
    }, isPackument ? FETCH_DELAY_MS : 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, arrivals, pending: () => pending };
}

test('real restarts: kill -9 a worker, restart Redis and PostgreSQL mid-run: every release scanned exactly once', { timeout: 120_000 }, async (t) => {
  const skip = privateRedisSkipReason() ?? (await privatePostgresSkipReason());
  if (skip !== undefined) return t.skip(skip);

  const started = Date.now();
  const cleanups: (() => Promise<unknown>)[] = [];
  const workers: WorkerProc[] = [];
  try {
    const scratch = await mkdtemp(join(tmpdir(), 'vigil-restart-'));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    const [redisResult, pgResult] = await Promise.allSettled([startPrivateRedis(), startPrivatePostgres()]);
    for (const r of [redisResult, pgResult]) if (r.status === 'fulfilled') cleanups.push(() => r.value.destroy());
    if (redisResult.status === 'rejected') throw redisResult.reason;
    if (pgResult.status === 'rejected') throw pgResult.reason;
    const redis: PrivateServer = redisResult.value;
    const postgres: PrivateServer = pgResult.value;
    t.diagnostic(`private servers up in ${Date.now() - started} ms (redis :${redis.port}, postgres :${postgres.port})`);

    const names = Array.from({ length: N }, (_, i) => `vigil-rt-${String(i).padStart(2, '0')}`);
    const registry = await startRegistryServer({
      npm: names.map((name) => ({ name, versions: [npmVersion(name, '1.0.0', { 'package/index.js': `module.exports = ${JSON.stringify(name)};\n` })] })),
    });
    cleanups.push(() => registry.close());
    const proxy = await startDelayProxy(registry);
    cleanups.push(() => new Promise((r) => {
      proxy.server.close(r);
      proxy.server.closeAllConnections();
    }));

    const storeUrl = `${postgres.url}?schema=${SCHEMA}`;
    const queueUrl = `${redis.url}/0?prefix=vigilrt`;
    const store = new PostgresStore(storeUrl);
    await store.init();
    cleanups.push(() => store.close());
    const queue = new RedisJobQueue(parseRedisUrl(queueUrl), { attempts: 8, backoffMs: 250 });
    cleanups.push(() => queue.close());

    const jobs = names.map((name) => ({ ecosystem: 'npm' as const, name, version: '1.0.0', source: 'test' }));
    assert.equal(await queue.enqueue(jobs), N);

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: scratch,
      VIGIL_DATA_DIR: join(scratch, 'data'),
      VIGIL_CACHE_DIR: join(scratch, 'cache'),
      npm_config_registry: `${proxy.url}/npm/`,
    };
    const args = ['--queue', queueUrl, '--store', storeUrl, '--lock-duration', '4000'];

    // 1. Worker A alone: it finishes two releases, then is killed with SIGKILL while fetching the third.
    const a = startWorker('A', args, env);
    workers.push(a);
    await until('worker A to fetch its third release', () => proxy.arrivals.length >= 3 || !alive(a.child), 30_000);
    a.child.kill('SIGKILL');
    await exited(a.child);
    const killed = proxy.arrivals[2] ?? '';
    assert.equal(proxy.arrivals.length, 3, 'only worker A was fetching');
    assert.equal(await store.getResult('npm', killed, '1.0.0'), undefined, 'the killed job had not stored a result');

    // 2. Two replacement workers.
    const b = startWorker('B', args, env);
    const c = startWorker('C', args, env);
    workers.push(b, c);
    await Promise.all([b, c].map((w) => w.waitFor((l) => l.includes('consuming'), 20_000)));

    // 3. Restart Redis while a job is being fetched; the queue must survive it (AOF).
    await until('a job in flight before the Redis restart', () => proxy.pending() > 0, 20_000);
    const redisRestartAt = Date.now();
    await redis.restart(REDIS_DOWN_MS);
    const redisDownMs = Date.now() - redisRestartAt;
    const c1 = await queue.counts();
    assert.ok((c1.waiting ?? 0) + (c1.active ?? 0) + (c1.delayed ?? 0) + (c1.prioritized ?? 0) > 0, 'the queue survived the Redis restart');

    // 4. Once the workers have stored two more results, restart PostgreSQL while a job is in flight.
    const before = await store.countResults();
    await until('two results after the Redis restart', async () => (await store.countResults()) >= before + 2, 30_000);
    await until('a job in flight before the PostgreSQL restart', () => proxy.pending() > 0, 20_000);
    const pgRestartAt = Date.now();
    await postgres.restart(PG_DOWN_MS);
    const pgDownMs = Date.now() - pgRestartAt;
    const afterPg = Date.now();
    const doneBeforePg = await store.countResults();
    assert.ok(doneBeforePg < N, `jobs were still queued when PostgreSQL restarted (${doneBeforePg}/${N} done)`);

    await queue.drain(45_000);
    const counts = await queue.counts();
    assert.equal(counts.failed ?? 0, 0, 'no job failed for good');
    assert.equal(await store.countResults(), N, 'one result per release');

    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    try {
      const rows = await admin.query<{ key: string; n: number; scans: number }>(
        `SELECT key, count(*)::int AS n, max(scan_count)::int AS scans FROM ${SCHEMA}.results GROUP BY key ORDER BY key`,
      );
      assert.deepEqual(rows.rows.map((r) => r.key), names.map((n) => `npm:${n}@1.0.0`), 'a result for every queued release');
      for (const r of rows.rows) {
        assert.equal(r.n, 1, `${r.key}: one row`);
        assert.equal(r.scans, 1, `${r.key}: stored by one scan`);
      }
    } finally {
      await admin.end();
    }
    const allScans = workers.flatMap((w) => scanned(w));
    assert.equal(allScans.length, N, `each release scanned once: ${allScans.join(' ')}`);
    assert.equal(new Set(allScans).size, N, 'no release scanned twice');
    assert.ok([b, c].some((w) => scanned(w).includes(`npm:${killed}@1.0.0`)), 'the killed job was recovered by another worker');
    for (const w of [b, c]) {
      assert.ok(alive(w.child), `worker ${w.name} is still running`);
      assert.ok(scanned(w, afterPg).length > 0, `worker ${w.name} scanned releases after both restarts: ${w.lines.map((l) => l.text).join(' | ').slice(-800)}`);
    }
    const errors = [b, c].flatMap((w) => w.lines.filter((l) => /queue error|failed/.test(l.text)).map((l) => `${w.name}: ${l.text}`));
    const pgFailures = [b, c].flatMap((w) => w.lines.filter((l) => l.at >= pgRestartAt && /failed .*\(will retry\)/.test(l.text)));
    assert.ok(pgFailures.length > 0, `a job in flight hit the stopped PostgreSQL and was retried: ${errors.join(' | ').slice(-800)}`);
    t.diagnostic(`redis restart ${redisDownMs} ms, postgres restart ${pgDownMs} ms, ${doneBeforePg}/${N} done before the postgres restart`);
    t.diagnostic(`worker errors seen and survived: ${errors.length}${errors.length > 0 ? ` (first: ${errors[0] ?? ''})` : ''}`);
    t.diagnostic(`total ${Date.now() - started} ms`);
  } finally {
    for (const w of workers) {
      if (alive(w.child)) {
        w.child.kill('SIGTERM');
        const timer = setTimeout(() => w.child.kill('SIGKILL'), 3000);
        await exited(w.child);
        clearTimeout(timer);
      }
    }
    for (const clean of cleanups.reverse()) await clean().catch(() => undefined);
  }
});
