import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RedisJobQueue, parseRedisUrl, startWorkerService } from '../../src/queue/index.js';
import { REDIS_URL, serviceSkipReason, uniqueName } from '../store/services.js';
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
