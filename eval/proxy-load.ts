/**
 * Load test for the install-guard proxy: 50 concurrent clients fetch 500 artifacts (npm tarballs and
 * wheels) through the proxy from a loopback upstream; every body is checked byte for byte. Then the
 * added latency for cached artifacts is measured request by request (proxy vs the upstream directly).
 *
 * Usage: node dist/eval/proxy-load.js [--clients 50] [--artifacts 500] [--fake-scanner] [--workers N] [--npm-dir DIR]
 *   --npm-dir DIR: serve real npm tarballs (*.tgz) from DIR instead of generated artifacts (first-time scan
 *   cost on a real corpus; files are only read, never executed)
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { makeNpmTgz, makeWheel } from '../test/helpers/archives.js';
import { startFixtureUpstream } from '../test/guard/fixture-upstream.js';
import type { NpmFixture, PypiFixture } from '../test/guard/fixture-upstream.js';
import { GuardProxy } from '../src/guard/proxy.js';
import type { DecisionEvent } from '../src/guard/log.js';
import type { ArtifactScanner } from '../src/guard/scanner.js';
import { ScanCache, staticScanner } from '../src/guard/scanner.js';
import { createWorkerScanner } from '../src/guard/worker-scanner.js';

interface Target {
  url: string;
  direct: string;
  sha256: string;
}

const { values } = parseArgs({
  options: { 'npm-dir': { type: 'string' }, workers: { type: 'string', default: '0' }, clients: { type: 'string', default: '50' }, artifacts: { type: 'string', default: '500' }, 'fake-scanner': { type: 'boolean', default: false } },
});
const CLIENTS = Number(values.clients);
const ARTIFACTS = Number(values.artifacts);

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(label: string, samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  return `${label}: n=${s.length} p50=${percentile(s, 50).toFixed(2)} ms p95=${percentile(s, 95).toFixed(2)} ms max=${(s[s.length - 1] ?? NaN).toFixed(2)} ms`;
}

/** Deterministic filler so artifacts differ in content and size (1-120 KB of source). */
function body(i: number): string {
  const lines: string[] = [];
  const n = 20 + ((i * 37) % 1500);
  for (let k = 0; k < n; k++) lines.push(`export const v${k} = ${(i * 7919 + k * 104729) % 1000003}; // filler line ${k}`);
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const npm: NpmFixture[] = [];
  const pypi: PypiFixture[] = [];
  const corpus = values['npm-dir'];
  if (corpus !== undefined) {
    const files = readdirSync(corpus).filter((f) => f.endsWith('.tgz')).sort().slice(0, ARTIFACTS);
    files.forEach((f, i) => npm.push({ name: `corpus-${i}`, version: '1.0.0', bytes: new Uint8Array(readFileSync(join(corpus, f))) }));
  }
  for (let i = 0; corpus === undefined && i < ARTIFACTS; i++) {
    if (i % 2 === 0) npm.push({ name: `load-pkg-${i}`, version: '1.0.0', bytes: makeNpmTgz({ name: `load-pkg-${i}`, version: '1.0.0', main: 'index.js' }, { 'index.js': body(i) }) });
    else pypi.push({ project: `load-proj-${i}`, version: '1.0', filename: `load_proj_${i}-1.0-py3-none-any.whl`, bytes: makeWheel(`load-proj-${i}`, '1.0', { [`load_proj_${i}/__init__.py`]: body(i).replace(/export const/g, '') }) });
  }
  const upstream = await startFixtureUpstream(pypi, npm);
  const events: DecisionEvent[] = [];
  const fake: ArtifactScanner = async () => ({ verdict: 'clean', score: 0, reason: 'fake scanner' });
  const workers = Number(values.workers) > 0 ? createWorkerScanner({ threads: Number(values.workers), timeoutMs: 60_000 }) : undefined;
  const proxy = new GuardProxy({
    upstreamPypi: upstream.pypiUrl,
    upstreamNpm: upstream.npmUrl,
    cache: new ScanCache(values['fake-scanner'] === true ? fake : (workers?.scan ?? staticScanner)),
    onDecision: (e) => events.push(e),
  });
  const { url: base } = await proxy.listen();

  // Listings first (they tell the proxy which hash each file must have).
  const targets: Target[] = [];
  for (const f of npm) {
    const doc = (await (await fetch(`${base}/npm/${f.name}`)).json()) as { versions: Record<string, { dist: { tarball: string } }> };
    targets.push({ url: doc.versions['1.0.0']!.dist.tarball, direct: `${upstream.npmUrl}${f.name}/-/${f.name}-1.0.0.tgz`, sha256: sha(f.bytes) });
  }
  for (const f of pypi) {
    const doc = (await (await fetch(`${base}/pypi/simple/${f.project}/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as { files: { url: string }[] };
    targets.push({ url: `${base}${doc.files[0]!.url}`, direct: `${upstream.url}/files/${f.filename}`, sha256: sha(f.bytes) });
  }

  let bad = 0;
  let failed = 0;
  const fetchAll = async (): Promise<number[]> => {
    const latencies: number[] = [];
    let next = 0;
    const client = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= targets.length) return;
        const t = targets[i]!;
        const start = performance.now();
        const res = await fetch(t.url);
        const bytes = new Uint8Array(await res.arrayBuffer());
        latencies.push(performance.now() - start);
        if (res.status !== 200) failed++;
        else if (sha(bytes) !== t.sha256) bad++;
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    return latencies;
  };

  const coldStart = performance.now();
  const cold = await fetchAll();
  const coldWall = performance.now() - coldStart;
  const firstScans = events.filter((e) => e.action === 'allow' && e.cached === false).map((e) => e.ms ?? 0);
  const warmFrom = events.length;
  const warmStart = performance.now();
  const warm = await fetchAll();
  const warmWall = performance.now() - warmStart;
  const warmEvents = events.slice(warmFrom).filter((e) => e.action === 'allow' && e.cached === true);
  const ownWork = warmEvents.map((e) => (e.ms ?? 0) - (e.upstreamMs ?? 0));

  // Added latency for cached artifacts: one request at a time, proxy vs upstream, interleaved.
  const added: number[] = [];
  const viaProxy: number[] = [];
  const direct: number[] = [];
  for (const t of targets.slice(0, 300)) {
    const d0 = performance.now();
    await (await fetch(t.direct)).arrayBuffer();
    const d = performance.now() - d0;
    const p0 = performance.now();
    await (await fetch(t.url)).arrayBuffer();
    const p = performance.now() - p0;
    direct.push(d);
    viaProxy.push(p);
    added.push(p - d);
  }
  await proxy.close();
  await upstream.close();
  await workers?.close();

  const sizes = targets.length;
  const lines = [
    `proxy-load: ${CLIENTS} concurrent clients, ${sizes} artifacts (${npm.length} npm tarballs${corpus !== undefined ? ` from ${corpus}` : ''}, ${pypi.length} wheels), scanner: ${values['fake-scanner'] === true ? 'fake' : workers !== undefined ? `static analysis on ${values.workers} worker thread(s)` : 'static analysis (main thread)'}`,
    `correctness: ${sizes * 2 - bad - failed}/${sizes * 2} bodies byte-identical, ${bad} corrupted, ${failed} failed`,
    `${summary('cold pass (download + verify + first scan), client latency', cold)}; wall ${coldWall.toFixed(0)} ms`,
    summary('first-time scan requests, time inside the proxy', firstScans),
    `${summary('warm pass (cached decisions), client latency', warm)}; wall ${warmWall.toFixed(0)} ms`,
    summary('sequential cached: direct from upstream', direct),
    summary('sequential cached: through the proxy', viaProxy),
    summary('added latency per cached artifact (proxy - direct)', added),
    summary('warm pass: proxy time excluding the upstream download (verify + cache lookup + send)', ownWork),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exitCode = bad + failed === 0 ? 0 : 1;
}

await main();
