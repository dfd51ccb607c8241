import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createAlertDispatcher } from '../../src/alerts/index.js';
import { InProcessQueue, createScanProcessor, jobId, newFindings, parseScanJob, pickArtifacts, scanRelease } from '../../src/queue/index.js';
import type { ScanJob } from '../../src/queue/index.js';
import { SqliteStore } from '../../src/store/index.js';
import type { AlertRecord } from '../../src/store/index.js';
import { makeNpmTgz } from '../helpers/archives.js';
import { MALICIOUS_MARKER, fakeRegistry, markerScanner } from './fakes.js';

const job = (name: string, version: string): ScanJob => ({ ecosystem: 'npm', name, version, source: 'test' });

describe('job ids and data', () => {
  test('job id is the release key without ":" (BullMQ custom ids)', () => {
    assert.equal(jobId(job('@scope/pkg', '1.0.0')), 'npm/%40scope%2Fpkg/1.0.0');
    assert.equal(jobId({ ecosystem: 'pypi', name: 'Foo_Bar', version: '1!2.0' }), 'pypi/foo-bar/1!2.0');
    assert.ok(!jobId(job('a:b', '1:2')).includes(':'));
  });
  test('job data from a queue is validated', () => {
    assert.deepEqual(parseScanJob({ ecosystem: 'npm', name: 'a', version: '1', source: 'test' }), job('a', '1'));
    assert.throws(() => parseScanJob({ ecosystem: 'cargo', name: 'a', version: '1' }), { code: 'E_INTERNAL' });
    assert.throws(() => parseScanJob({ ecosystem: 'npm', name: 'a b', version: '1' }), { code: 'E_INTERNAL' });
    assert.throws(() => parseScanJob('x'), { code: 'E_INTERNAL' });
  });
  test('artifact choice: sdist, then one generic wheel', () => {
    const a = (filename: string, kind: 'sdist' | 'wheel' | 'other') => ({ filename, url: `http://x/${filename}`, hashes: {}, kind });
    const picked = pickArtifacts([a('p-1-cp311-linux.whl', 'wheel'), a('p-1-py3-none-any.whl', 'wheel'), a('p-1.tar.gz', 'sdist'), a('p.exe', 'other')], 2);
    assert.deepEqual(picked.map((p) => p.filename), ['p-1.tar.gz', 'p-1-py3-none-any.whl']);
  });
});

describe('InProcessQueue', () => {
  test('dedupes jobs in flight, runs them with bounded concurrency, drains', async () => {
    let running = 0;
    let peak = 0;
    const done: string[] = [];
    const q = new InProcessQueue({
      concurrency: 2,
      processor: async (j) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        done.push(j.name);
        running--;
      },
    });
    assert.equal(await q.enqueue([job('a', '1'), job('b', '1'), job('a', '1'), job('c', '1')]), 3);
    assert.equal(await q.enqueue([job('b', '1')]), 0, 'still in flight');
    await q.drain(5000);
    assert.deepEqual(done.sort(), ['a', 'b', 'c']);
    assert.equal(peak, 2);
    assert.equal(await q.enqueue([job('a', '1')]), 1, 'finished jobs can be enqueued again');
    await q.drain(5000);
    await q.close();
  });

  test('retries with exponential backoff, then reports the failure', async () => {
    const times: number[] = [];
    const failed: string[] = [];
    const q = new InProcessQueue({
      attempts: 3,
      backoffMs: 30,
      processor: async () => {
        times.push(Date.now());
        throw new Error('boom');
      },
      onFailed: (j, m) => failed.push(`${j.name}: ${m}`),
    });
    await q.enqueue([job('x', '1')]);
    await q.drain(5000);
    assert.equal(times.length, 3);
    assert.deepEqual(failed, ['x: boom']);
    const [t0 = 0, t1 = 0, t2 = 0] = times;
    assert.ok(t1 - t0 >= 25 && t2 - t1 >= 55, `backoff doubles: ${t1 - t0}, ${t2 - t1}`);
    await q.close();
  });
});

describe('scan pipeline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pipe-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('scans, stores, diffs against the previous release, alerts once, and is idempotent', async () => {
    const store = new SqliteStore(join(dir, 'p.db'));
    await store.init();
    const reg = fakeRegistry();
    reg.publish('npm', 'evil', '1.0.0', 'benign');
    reg.publish('npm', 'evil', '1.0.1', `payload ${MALICIOUS_MARKER}`);
    const alerts: AlertRecord[] = [];
    const dispatcher = createAlertDispatcher({ store, sinks: [], dashboardUrl: 'http://d', onAlert: (a) => alerts.push(a) });
    const opts = { store, fetchRelease: reg.fetch, scanArtifact: markerScanner, alerts: dispatcher };
    const q = new InProcessQueue({ processor: createScanProcessor(opts), backoffMs: 10 });
    reg.failNext = 1; // first fetch fails, the retry succeeds
    await q.enqueue([job('evil', '1.0.0')]);
    await q.drain(5000);
    await q.enqueue([job('evil', '1.0.1'), job('evil', '1.0.1')]);
    await q.drain(5000);
    const bad = await store.getResult('npm', 'evil', '1.0.1');
    assert.equal(bad?.verdict, 'malicious');
    assert.equal(bad?.previousVersion, '1.0.0');
    assert.deepEqual(bad?.newInRelease?.map((f) => f.ruleId), ['test/marker-malicious']);
    assert.equal((await store.getResult('npm', 'evil', '1.0.0'))?.verdict, 'clean');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.key, 'release:npm:evil@1.0.1:malicious');
    assert.equal(alerts[0]?.evidencePath, '/release/npm/evil/1.0.1');
    // Re-running a job reuses the stored result: no second fetch, no second alert, no second row.
    const fetchedBefore = reg.fetched.length;
    const again = await scanRelease(job('evil', '1.0.1'), opts);
    assert.equal(again.reused, true);
    assert.equal(reg.fetched.length, fetchedBefore);
    assert.equal(alerts.length, 1);
    assert.equal(await store.countResults(), 2);
    await q.close();
    await store.close();
  });

  test('uses the real static scanner by default', async () => {
    const store = new SqliteStore(join(dir, 'real.db'));
    await store.init();
    const tgz = makeNpmTgz({ name: 'plain', version: '1.0.0', main: 'index.js' }, { 'index.js': 'module.exports = 1;\n' });
    const { record } = await scanRelease(job('plain', '1.0.0'), {
      store,
      fetchRelease: async (r) => ({ ...r, artifacts: [{ filename: 'plain-1.0.0.tgz', bytes: tgz, source: 'http://x/plain-1.0.0.tgz' }] }),
    });
    assert.equal(record.verdict, 'clean');
    assert.equal(record.artifacts[0]?.size, tgz.byteLength);
    assert.equal(record.artifacts[0]?.source, 'http://x/plain-1.0.0.tgz');
    assert.equal((await store.getResultsByArtifact(record.artifacts[0]?.sha256 ?? '')).length, 1);
    await store.close();
  });

  test('a release without files yet is not stored (it is retried later)', async () => {
    const store = new SqliteStore(join(dir, 'empty.db'));
    await store.init();
    await assert.rejects(scanRelease(job('later', '1.0.0'), { store, fetchRelease: async (r) => ({ ...r, artifacts: [] }) }), { code: 'E_NOT_FOUND' });
    assert.equal(await store.countResults(), 0);
    await store.close();
  });

  test('newFindings ignores the version directory of the archive', () => {
    const f = { ruleId: 'r', severity: 'low' as const, kind: 'capability' as const, category: 'network' as const, confidence: 'low' as const, message: 'm', evidence: 'e', trigger: 'call' as const };
    const prev = [{ ...f, location: { path: 'p-1.0/a.py', line: 1 } }];
    const cur = [{ ...f, location: { path: 'p-1.1/a.py', line: 3 } }, { ...f, location: { path: 'p-1.1/b.py', line: 1 } }];
    assert.deepEqual(newFindings(cur, prev).map((x) => x.location.path), ['p-1.1/b.py']);
  });
});
