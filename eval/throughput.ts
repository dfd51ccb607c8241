/**
 * Sustained scan throughput with downloads from a loopback registry (issue 8 targets):
 *   A. embedded default: one in-process worker (SQLite store), packages/s;
 *   B. scale-out: 1, 2, 3 `vigil worker` processes on Redis (BullMQ) + PostgreSQL.
 * Packages are real benign npm tarballs from /work/data/benign-dev/npm when present (bytes only, served
 * on 127.0.0.1), else synthetic ones. Each run uses a fresh download cache, so every package is fetched.
 *
 *   node dist/eval/throughput.js [--packages N] [--workers 1,2,3] [--no-scaleout] [--json FILE]
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InProcessQueue, RedisJobQueue, createScanProcessor, loadRegistryClient, parseRedisUrl } from '../src/queue/index.js';
import type { ScanJob } from '../src/queue/index.js';
import { PostgresStore, SqliteStore } from '../src/store/index.js';
import { makeNpmTgz } from '../test/helpers/archives.js';
import { startRegistryServer } from '../test/helpers/registry-server.js';
import type { NpmPackageFixture } from '../test/helpers/registry-server.js';

const BIN = fileURLToPath(new URL('../../bin/vigil.js', import.meta.url));
const CORPUS = '/work/data/benign-dev/npm';
const PG_URL = process.env.VIGIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.VIGIL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const { values } = parseArgs({
  options: {
    packages: { type: 'string', default: '60' },
    workers: { type: 'string', default: '1,2,3' },
    'no-scaleout': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const N = Math.max(1, Number(values.packages));
const WORKERS = (values.workers ?? '1,2,3').split(',').map(Number).filter((n) => n > 0);

function samplePackages(n: number): NpmPackageFixture[] {
  const out: NpmPackageFixture[] = [];
  let files: string[] = [];
  try {
    files = readdirSync(CORPUS).filter((f) => f.endsWith('.tgz')).sort();
  } catch {
    files = [];
  }
  for (const f of files) {
    if (out.length >= n) break;
    const m = /^(.+)-(\d+\.\d+\.\d+[^/]*)\.tgz$/.exec(f);
    if (m === null || statSync(join(CORPUS, f)).size > 1024 * 1024) continue;
    out.push({ name: `bench-${out.length}-${m[1] ?? 'x'}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-'), versions: [{ version: m[2] ?? '1.0.0', tarball: readFileSync(join(CORPUS, f)) }] });
  }
  for (let i = out.length; i < n; i++) {
    const files: Record<string, string> = {};
    for (let j = 0; j < 20; j++) files[`lib/m${j}.js`] = `'use strict';\nconst path = require('path');\nmodule.exports = function f${j}(a, b) {\n  return path.join(String(a), String(b)) + ${j};\n};\n`.repeat(20);
    out.push({ name: `bench-synthetic-${i}`, versions: [{ version: '1.0.0', tarball: makeNpmTgz({ name: `bench-synthetic-${i}`, version: '1.0.0', main: 'lib/m0.js' }, files) }] });
  }
  return out;
}

function jobsOf(pkgs: readonly NpmPackageFixture[]): ScanJob[] {
  return pkgs.map((p) => ({ ecosystem: 'npm', name: p.name, version: p.versions[0]?.version ?? '', source: 'bench' }));
}

async function embedded(registryUrl: string, pkgs: readonly NpmPackageFixture[]): Promise<{ seconds: number; perSecond: number; meanScanMs: number; verdicts: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tput-'));
  const store = new SqliteStore(join(dir, 'bench.db'));
  await store.init();
  const registry = await loadRegistryClient({ npm_config_registry: registryUrl, VIGIL_CACHE_DIR: join(dir, 'cache') });
  const durations: number[] = [];
  const queue = new InProcessQueue({
    concurrency: 1,
    processor: createScanProcessor({ store, fetchRelease: registry.fetchRelease, onScanned: (r) => durations.push(r.durationMs) }),
    onFailed: (j, m) => process.stderr.write(`failed ${j.name}: ${m}\n`),
  });
  const t0 = performance.now();
  await queue.enqueue(jobsOf(pkgs));
  await queue.drain();
  const seconds = (performance.now() - t0) / 1000;
  const verdicts: Record<string, number> = {};
  for (const r of await store.listResults({ limit: 1000 })) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
  await queue.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { seconds, perSecond: pkgs.length / seconds, meanScanMs: durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length), verdicts };
}

function startWorker(env: NodeJS.ProcessEnv, args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'worker', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${err}`)), 60_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (c: string) => {
      err += c;
      if (err.includes('consuming')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', () => reject(new Error(`worker exited: ${err}`)));
  });
}

/** User+system CPU seconds of a process so far (Linux /proc; 0 elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid ?? 0}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function scaleOut(registryUrl: string, pkgs: readonly NpmPackageFixture[], workers: number): Promise<{ workers: number; seconds: number; perSecond: number; results: number; cpuPerPackage: number }> {
  const tag = `${process.pid}_${workers}_${Date.now()}`;
  const schema = `vigil_bench_${tag}`;
  const queueUrl = `${REDIS_URL}/0?prefix=vigilbench_${tag}`;
  const storeUrl = `${PG_URL}?schema=${schema}`;
  const store = new PostgresStore(storeUrl);
  await store.init();
  const queue = new RedisJobQueue(parseRedisUrl(queueUrl));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tput-w-'));
  const procs: ChildProcess[] = [];
  try {
    for (let i = 0; i < workers; i++) {
      procs.push(await startWorker({ ...process.env, npm_config_registry: registryUrl, VIGIL_CACHE_DIR: join(dir, `cache${i}`), VIGIL_DATA_DIR: dir }, ['--queue', queueUrl, '--store', storeUrl]));
    }
    const cpu0 = procs.reduce((a, p) => a + cpuSeconds(p.pid), 0);
    const t0 = performance.now();
    await queue.enqueue(jobsOf(pkgs));
    await queue.drain(600_000);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = procs.reduce((a, p) => a + cpuSeconds(p.pid), 0) - cpu0;
    return { workers, seconds, perSecond: pkgs.length / seconds, results: await store.countResults(), cpuPerPackage: cpu / pkgs.length };
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(undefined) : p.once('exit', r)))));
    await queue.obliterate().catch(() => undefined);
    await queue.close();
    await store.dropSchema();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pkgs = samplePackages(N);
const bytes = pkgs.reduce((a, p) => a + (p.versions[0]?.tarball.byteLength ?? 0), 0);
const server = await startRegistryServer({ npm: pkgs });
try {
  process.stdout.write(`load average before: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores\n`);
  process.stdout.write(`packages: ${pkgs.length} (${(bytes / 1024 / 1024).toFixed(1)} MiB of tarballs), loopback registry ${server.npmRegistryUrl}\n`);
  const a = await embedded(server.npmRegistryUrl, pkgs);
  process.stdout.write(`A. embedded, 1 in-process worker: ${a.perSecond.toFixed(2)} packages/s (${a.seconds.toFixed(1)} s, mean scan ${a.meanScanMs.toFixed(0)} ms, verdicts ${JSON.stringify(a.verdicts)})\n`);
  const b: Awaited<ReturnType<typeof scaleOut>>[] = [];
  if (values['no-scaleout'] !== true) {
    for (const w of WORKERS) {
      const r = await scaleOut(server.npmRegistryUrl, pkgs, w);
      b.push(r);
      process.stdout.write(`B. Redis+PostgreSQL, ${w} worker process(es): ${r.perSecond.toFixed(2)} packages/s (${r.seconds.toFixed(1)} s, ${r.results} results, ${(r.cpuPerPackage * 1000).toFixed(0)} ms worker CPU per package)\n`);
    }
    const base = b[0]?.perSecond ?? 1;
    for (const r of b) process.stdout.write(`   speed-up with ${r.workers}: ${(r.perSecond / base).toFixed(2)}x\n`);
  }
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify({ packages: pkgs.length, bytes, embedded: a, scaleOut: b }, null, 2));
} finally {
  await server.close();
}
