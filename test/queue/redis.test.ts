import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { PostgresStore } from '../../src/store/index.js';
import { startReplayServer } from '../feeds/replay-server.js';
import { RedisJobQueue, parseRedisUrl, startWorkerService } from '../../src/queue/index.js';
import { PG_URL, REDIS_URL, serviceSkipReason, uniqueName } from '../store/services.js';
import { MALICIOUS_MARKER, fakeRegistry, markerScanner } from './fakes.js';

test('Redis URL parsing', () => {
  const c = parseRedisUrl('redis://u:p%40ss@10.0.0.1:6380/2?prefix=pre&queue=q1');
  assert.equal(c.prefix, 'pre');
  assert.equal(c.name, 'q1');
  assert.ok(!c.description.includes('p@ss'));
  assert.deepEqual({ ...c.connection, retryStrategy: undefined }, {
    host: '10.0.0.1', port: 6380, db: 2, username: 'u', password: 'p@ss', maxRetriesPerRequest: null, retryStrategy: undefined,
  });
  assert.throws(() => parseRedisUrl('http://x'), { code: 'E_CONFIG' });
  assert.throws(() => parseRedisUrl('redis://x/0?prefix=a:b'), { code: 'E_CONFIG' });
});

test('Redis queue: dedupe, retry with backoff, results and alerts in the store', { timeout: 30_000 }, async (t) => {
  const skip = await serviceSkipReason('redis');
  if (skip !== undefined) return t.skip(skip);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-redisq-'));
  const queueUrl = `${REDIS_URL}/0?prefix=${uniqueName('vigiltest')}`;
  const queue = new RedisJobQueue(parseRedisUrl(queueUrl), { attempts: 3, backoffMs: 50 });
  const reg = fakeRegistry();
  reg.publish('pypi', 'good', '1.0', 'fine');
  reg.publish('pypi', 'bad', '2.0', MALICIOUS_MARKER);
  reg.failNext = 1;
  const lines: string[] = [];
  const service = await startWorkerService({
    queueUrl, storeSpec: join(dir, 'w.db'), env: {}, cwd: dir, fetchRelease: reg.fetch, scanArtifact: markerScanner,
    log: (l) => lines.push(l),
  });
  try {
    const jobs = [
      { ecosystem: 'pypi' as const, name: 'good', version: '1.0', source: 't' },
      { ecosystem: 'pypi' as const, name: 'bad', version: '2.0', source: 't' },
    ];
    assert.equal(await queue.enqueue([...jobs, ...jobs]), 2);
    await queue.drain(20_000);
    assert.equal(await service.store.countResults(), 2);
    assert.equal((await service.store.getResult('pypi', 'bad', '2.0'))?.verdict, 'malicious');
    const alerts = await service.store.listAlerts();
    assert.deepEqual(alerts.map((a) => a.key), ['release:pypi:bad@2.0:malicious']);
    assert.ok(lines.some((l) => l.includes('will retry')), `a failed fetch was retried: ${lines.join(' | ')}`);
    // Completed ids are released: enqueueing again runs the job, which reuses the stored result.
    assert.equal(await queue.enqueue(jobs.slice(0, 1)), 1);
    await queue.drain(10_000);
    assert.equal((await service.store.getResult('pypi', 'good', '1.0'))?.scanCount, 1);
  } finally {
    await service.close();
    await queue.obliterate().catch(() => undefined);
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vigil watch run --queue redis:// --store postgres:// hands feed releases to workers', { timeout: 30_000 }, async (t) => {
  for (const kind of ['postgres', 'redis'] as const) {
    const skip = await serviceSkipReason(kind);
    if (skip !== undefined) return t.skip(skip);
  }
  const feeds = await startReplayServer();
  const schema = uniqueName('vigil_watchq');
  const queueUrl = `${REDIS_URL}/0?prefix=${uniqueName('vigiltest')}`;
  const storeUrl = `${PG_URL}?schema=${schema}`;
  const queue = new RedisJobQueue(parseRedisUrl(queueUrl));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-watchq-'));
  let out = '';
  const sink = new Writable({ write(c: Buffer, _e, cb) { out += c.toString(); cb(); } });
  const env = { HOME: dir, VIGIL_DATA_DIR: dir, VIGIL_CACHE_DIR: join(dir, 'cache'), npm_config_registry: `${feeds.url}/none/` };
  const args = ['watch', 'run', '--once', '--feed', 'npm-changes', '--npm-replicate-url', `${feeds.url}/registry`, '--queue', queueUrl, '--store', storeUrl];
  try {
    assert.equal(await main(args, { stdout: sink, stderr: sink, env, cwd: dir }), 0, out);
    // A first cycle of a serial feed only records the feed head; the next one queues the new releases.
    const args2 = ['watch', 'run', '--once', '--feed', 'pypi-changelog', '--pypi-url', feeds.url, '--queue', queueUrl, '--store', storeUrl];
    assert.equal(await main(args2, { stdout: sink, stderr: sink, env, cwd: dir }), 0, out);
    assert.equal(await main(args2, { stdout: sink, stderr: sink, env, cwd: dir }), 0, out);
    const counts = await queue.counts();
    assert.equal(counts.waiting, 2, `two releases waiting for workers: ${JSON.stringify(counts)} ${out}`);
    const jobs = await queue.queue.getJobs(['waiting']);
    assert.deepEqual(jobs.map((j) => j.id).sort(), ['pypi/colorama-plus/9.9.9', 'pypi/requests-helper/0.4.2']);
    const store = new PostgresStore(storeUrl);
    assert.equal(await store.getCheckpoint('pypi-changelog'), '25000006');
    assert.equal(await store.getCheckpoint('npm-changes'), '41000000');
    await store.dropSchema();
    await store.close();
  } finally {
    await queue.obliterate().catch(() => undefined);
    await queue.close();
    await feeds.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
