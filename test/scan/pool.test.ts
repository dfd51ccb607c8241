import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scanAll } from '../../src/scan/pool.js';
import { defaultScanOptions } from '../../src/scan/scan.js';
import { localOnlyRegistry } from '../../eval/common.js';

const root = new URL('../../../test/fixtures/python/', import.meta.url).pathname;
const targets = ['benign', 'malicious'].flatMap((kind) => readdirSync(join(root, kind)).map((d) => join(root, kind, d)));
const options = { ...defaultScanOptions(localOnlyRegistry(), process.cwd()), metadata: false };

test('worker threads return every result in the order of the targets, as one thread does', async () => {
  const inProcess = await scanAll(targets, options, { jobs: 1, taskTimeoutMs: 60_000 });
  let progress = 0;
  const threaded = await scanAll(targets, options, { jobs: 2, taskTimeoutMs: 60_000, onResult: (_r, done) => (progress = done) });
  assert.equal(progress, targets.length);
  assert.deepEqual(
    threaded.map((r) => [r.target, r.verdict]),
    inProcess.map((r) => [r.target, r.verdict]),
  );
  assert.ok(threaded.some((r) => r.verdict === 'malicious') && threaded.some((r) => r.verdict === 'clean'));
});

test('a worker replaced after every target (memory limit) loses none of the requests it held', async () => {
  const results = await scanAll(targets, options, { jobs: 2, taskTimeoutMs: 60_000, workerMemoryLimit: 1 });
  assert.deepEqual(
    results.map((r) => [r.target, r.errors.length]),
    targets.map((t) => [t, 0]),
  );
});

test('a target over the time limit is reported as such and the others still finish', async () => {
  const results = await scanAll(targets.slice(0, 4), options, { jobs: 2, taskTimeoutMs: 1 });
  assert.equal(results.length, 4);
  for (const [i, r] of results.entries()) {
    assert.equal(r.target, targets[i]);
    // A worker needs far more than 1 ms to start, so each request runs out of time.
    assert.equal(r.errors[0]?.code, 'E_TIMEOUT');
  }
});
