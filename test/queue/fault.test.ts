/**
 * Scale-out fault tolerance against the real PostgreSQL and Redis on loopback: N releases are queued,
 * a worker process is killed with SIGKILL in the middle of a job, the database and Redis connections of
 * the replacement worker are cut (server-side terminate / CLIENT KILL — the servers themselves are
 * shared on this machine and are not restarted), and every release must end up scanned exactly once in
 * the results.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import pg from 'pg';
import { Redis } from 'ioredis';
import { RedisJobQueue, parseRedisUrl } from '../../src/queue/index.js';
import { PostgresStore } from '../../src/store/index.js';
import { PG_URL, REDIS_URL, serviceSkipReason, uniqueName } from '../store/services.js';

const N = 12;
const WORKER = fileURLToPath(new URL('./worker-proc.js', import.meta.url));

interface Proc {
  child: ChildProcess;
  lines: string[];
  waitFor(pred: (line: string) => boolean, timeoutMs: number): Promise<string>;
}

function startWorker(env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [WORKER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let buf = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pred(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr?.resume();
  return {
    child,
    lines,
    waitFor(pred, timeoutMs) {
      const found = lines.find(pred);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timeout waiting for worker output; got: ${lines.join(' | ')}`)), timeoutMs);
        waiters.push({ pred, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
  };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

test('kill -9 a worker mid-job and cut its connections: every release scanned exactly once', { timeout: 60_000 }, async (t) => {
  for (const kind of ['postgres', 'redis'] as const) {
    const skip = await serviceSkipReason(kind);
    if (skip !== undefined) return t.skip(skip);
  }
  const schema = uniqueName('vigil_fault');
  const prefix = uniqueName('vigiltest');
  const appName = uniqueName('vigilw');
  const storeUrl = `${PG_URL}?schema=${schema}&application_name=${appName}`;
  const queueUrl = `${REDIS_URL}/0?prefix=${prefix}`;
  const store = new PostgresStore(`${PG_URL}?schema=${schema}`);
  await store.init();
  const queue = new RedisJobQueue(parseRedisUrl(queueUrl), { attempts: 8, backoffMs: 200 });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const procs: Proc[] = [];
  try {
    const jobs = Array.from({ length: N }, (_, i) => ({ ecosystem: 'npm' as const, name: `pkg-${i}`, version: '1.0.0', source: 'test' }));
    assert.equal(await queue.enqueue(jobs), N);
    assert.equal(await queue.enqueue(jobs.slice(0, 3)), 0, 'waiting jobs are not added twice');

    const env = { VIGIL_T_QUEUE: queueUrl, VIGIL_T_STORE: storeUrl, VIGIL_T_DELAY_MS: '250' };
    // The first worker is slow (1.5 s per fetch) so the kill surely lands mid-job even on a loaded machine.
    const a = startWorker({ ...env, VIGIL_T_DELAY_MS: '1500' });
    procs.push(a);
    // Let it finish two jobs, then kill it while the third is being fetched.
    const third = await a.waitFor((l) => l.startsWith('start ') && a.lines.filter((x) => x.startsWith('start ')).length === 3, 20_000);
    a.child.kill('SIGKILL');
    await exited(a.child);
    const killedJob = third.slice('start '.length);
    const [killedName = ''] = killedJob.split('@');
    assert.equal(await store.getResult('npm', killedName, '1.0.0'), undefined, 'the killed job had not stored a result');

    const b = startWorker(env);
    procs.push(b);
    await b.waitFor((l) => l.startsWith('start '), 20_000);
    // Cut the replacement worker's PostgreSQL and Redis connections mid-run; it must reconnect and retry.
    const terminated = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName]);
    assert.ok((terminated.rowCount ?? 0) >= 1, 'the worker had a PostgreSQL connection to cut');
    const clients = String(await redis.client('LIST')).split('\n').filter((l) => l.includes(` name=${prefix}`));
    for (const line of clients) {
      const id = /\bid=(\d+)/.exec(line)?.[1];
      if (id !== undefined) await redis.client('KILL', 'ID', id);
    }
    assert.ok(clients.length >= 1, 'the worker had Redis connections to cut');

    await queue.drain(40_000);
    const counts = await queue.counts();
    assert.equal(counts.failed, 0, 'no job failed for good');
    assert.equal(await store.countResults(), N, 'one result per release');
    const dupes = await admin.query(`SELECT key FROM ${schema}.results GROUP BY key HAVING count(*) > 1`);
    assert.equal(dupes.rowCount, 0);
    for (const j of jobs) assert.ok(await store.getResult('npm', j.name, j.version), `${j.name} has a result`);
    assert.ok(b.lines.includes(`start ${killedJob}`), 'the killed job was recovered by the other worker');
  } finally {
    for (const p of procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGTERM');
        const timer = setTimeout(() => p.child.kill('SIGKILL'), 3000);
        await exited(p.child);
        clearTimeout(timer);
      }
    }
    await queue.obliterate().catch(() => undefined);
    await queue.close();
    redis.disconnect();
    await admin.end();
    await store.dropSchema();
    await store.close();
  }
});
