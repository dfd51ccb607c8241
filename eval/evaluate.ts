/**
 * Detection evaluation: recall on a malicious manifest (per sample, per payload cluster, per category),
 * false-positive and suspicious rates on benign corpora, throughput, latency percentiles and peak memory.
 *
 *   npm run eval -- [--manifest ../shared/corpus/malicious-dev.tsv] [--root DIR] [--benign DIR]...
 *                   [--sample N] [--jobs N] [--out eval-out] [--ecosystem pypi|npm]
 *
 * --root is the folder the manifest's `path` column is relative to (the unpacked corpus). When omitted,
 * ../shared/corpus/unpack-malicious.py is asked for it (it unpacks once and prints the folder).
 * --benign takes a folder of npm .tgz files, of artifacts, or of unpacked package folders (one target
 * each); repeat it for several corpora.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { ScanResult, Verdict } from '../src/core/types.js';
import { localOnlyRegistry, percentile, spread } from './common.js';
import { scanAll } from '../src/scan/pool.js';
import { defaultScanOptions } from '../src/scan/scan.js';

interface Sample {
  ecosystem: string;
  name: string;
  version: string;
  path: string;
  cluster: string;
  category: string;
}

interface Outcome {
  target: string;
  label: string;
  verdict: Verdict | 'error';
  score: number;
  reason: string;
  durationMs: number;
  bytes: number;
  parsedBytes: number;
  topRules: string[];
}

function readManifest(path: string): Sample[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const header = (lines[0] ?? '').split('\t');
  const col = (name: string): number => header.indexOf(name);
  const out: Sample[] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const f = line.split('\t');
    out.push({
      ecosystem: f[col('ecosystem')] ?? '',
      name: f[col('package')] ?? '',
      version: f[col('version')] ?? '',
      path: f[col('path')] ?? '',
      cluster: f[col('cluster')] ?? '',
      category: f[col('category')] || 'unlabeled',
    });
  }
  return out;
}

function benignTargets(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    out.push(p);
  }
  return out;
}

function toOutcome(r: ScanResult, label: string): Outcome {
  const failed = r.errors.length > 0 && r.artifacts.length === 0;
  const rules = [...new Set(r.findings.filter((f) => f.severity !== 'info').map((f) => f.ruleId))].slice(0, 5);
  return {
    target: r.target,
    label,
    verdict: failed ? 'error' : r.verdict,
    score: r.score,
    reason: failed ? (r.errors[0]?.message ?? 'error') : r.reason,
    durationMs: r.durationMs ?? 0,
    bytes: r.artifacts.reduce((n, a) => n + a.size, 0),
    parsedBytes: r.stats?.parsedBytes ?? 0,
    topRules: rules,
  };
}

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      manifest: { type: 'string' },
      root: { type: 'string' },
      benign: { type: 'string', multiple: true },
      sample: { type: 'string' },
      'benign-sample': { type: 'string' },
      jobs: { type: 'string' },
      out: { type: 'string' },
      ecosystem: { type: 'string' },
      'no-malicious': { type: 'boolean' },
      title: { type: 'string' },
    },
  });
  const repo = resolve(new URL('../..', import.meta.url).pathname);
  const shared = resolve(repo, '..', 'shared');
  const manifestPath = values.manifest ?? join(shared, 'corpus', 'malicious-dev.tsv');
  const jobs = Number(values.jobs ?? availableParallelism());
  const outDir = resolve(values.out ?? join(repo, 'eval-out'));
  mkdirSync(outDir, { recursive: true });

  const registry = localOnlyRegistry();
  const options = { ...defaultScanOptions(registry, process.cwd()), metadata: false };

  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  sampler.unref();

  const runSet = async (targets: string[], labels: string[], name: string): Promise<{ outcomes: Outcome[]; wallMs: number }> => {
    const started = performance.now();
    let last = 0;
    const results = await scanAll(targets, options, {
      jobs,
      taskTimeoutMs: 60_000,
      onResult: (_r, done, total) => {
        if (process.stderr.isTTY === true || done - last >= 500 || done === total) {
          last = done;
          process.stderr.write(`\r${name}: ${done}/${total}`);
        }
      },
    });
    process.stderr.write('\n');
    return { outcomes: results.map((r, i) => toOutcome(r, labels[i] ?? '')), wallMs: performance.now() - started };
  };

  const report: Record<string, unknown> = { date: new Date().toISOString(), jobs, command: process.argv.slice(2).join(' ') };
  const md: string[] = [];
  md.push(`# ${values.title ?? 'Evaluation'}`, '', `Date: ${new Date().toISOString().slice(0, 10)}; worker threads: ${jobs}; machine: ${availableParallelism()} cores.`, '');

  const speed = (outcomes: Outcome[], wallMs: number): Record<string, number> => {
    const d = outcomes.map((o) => o.durationMs).sort((a, b) => a - b);
    const bytes = outcomes.reduce((n, o) => n + o.bytes, 0);
    const parsed = outcomes.reduce((n, o) => n + o.parsedBytes, 0);
    return {
      packages: outcomes.length,
      wallSeconds: +(wallMs / 1000).toFixed(2),
      packagesPerSecond: +(outcomes.length / (wallMs / 1000)).toFixed(1),
      artifactMBPerSecond: +(bytes / 1e6 / (wallMs / 1000)).toFixed(2),
      parsedSourceMBPerSecond: +(parsed / 1e6 / (wallMs / 1000)).toFixed(2),
      p50Ms: percentile(d, 50),
      p95Ms: percentile(d, 95),
      maxMs: d[d.length - 1] ?? 0,
    };
  };
  const speedTable = (s: Record<string, number>): string[] => [
    '| packages | wall s | packages/s | artifact MB/s | parsed source MB/s | p50 ms | p95 ms | max ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${s.packages} | ${s.wallSeconds} | ${s.packagesPerSecond} | ${s.artifactMBPerSecond} | ${s.parsedSourceMBPerSecond} | ${s.p50Ms} | ${s.p95Ms} | ${s.maxMs} |`,
  ];

  if (values['no-malicious'] !== true && existsSync(manifestPath)) {
    let root = values.root;
    if (root === undefined) {
      root = execFileSync('python3', [join(shared, 'corpus', 'unpack-malicious.py')], { encoding: 'utf8' }).trim();
    }
    let samples = readManifest(manifestPath).filter((s) => values.ecosystem === undefined || s.ecosystem === values.ecosystem);
    samples = spread(samples, values.sample !== undefined ? Number(values.sample) : undefined);
    const targets = samples.map((s) => join(root, s.path));
    const { outcomes, wallMs } = await runSet(targets, samples.map((s) => `${s.ecosystem}:${s.name}@${s.version}`), 'malicious');
    const caught = (o: Outcome): boolean => o.verdict === 'malicious';
    const byCluster = new Map<string, { n: number; hit: number }>();
    const byCategory = new Map<string, { n: number; hit: number }>();
    const byEco = new Map<string, { n: number; hit: number }>();
    samples.forEach((s, i) => {
      const o = outcomes[i];
      if (o === undefined) return;
      for (const [map, key] of [
        [byCluster, s.cluster],
        [byCategory, s.category],
        [byEco, s.ecosystem],
      ] as const) {
        const e = map.get(key) ?? { n: 0, hit: 0 };
        e.n += 1;
        if (caught(o)) e.hit += 1;
        map.set(key, e);
      }
    });
    const sampleRecall = outcomes.filter(caught).length / Math.max(1, outcomes.length);
    const clusters = [...byCluster.values()];
    const clusterAll = clusters.filter((c) => c.hit === c.n).length / Math.max(1, clusters.length);
    const clusterAny = clusters.filter((c) => c.hit > 0).length / Math.max(1, clusters.length);
    const clusterMean = clusters.reduce((n, c) => n + c.hit / c.n, 0) / Math.max(1, clusters.length);
    const suspiciousOnly = outcomes.filter((o) => o.verdict === 'suspicious').length;
    const errors = outcomes.filter((o) => o.verdict === 'error');
    const s = speed(outcomes, wallMs);
    const misses = outcomes.filter((o) => !caught(o));
    report.malicious = {
      samples: outcomes.length,
      recallPerSample: sampleRecall,
      clusters: clusters.length,
      recallPerClusterAllSamples: clusterAll,
      recallPerClusterAnySample: clusterAny,
      recallPerClusterMean: clusterMean,
      suspiciousOnly,
      errors: errors.length,
      byCategory: Object.fromEntries(byCategory),
      byEcosystem: Object.fromEntries(byEco),
      speed: s,
      misses,
    };
    const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
    md.push('## Malicious corpus', '');
    md.push(`Manifest: \`${basename(manifestPath)}\`, ${outcomes.length} samples in ${clusters.length} payload clusters.`, '');
    md.push('| metric | value |', '|---|---:|');
    md.push(`| recall per sample (verdict malicious) | ${pct(sampleRecall)} (${outcomes.filter(caught).length}/${outcomes.length}) |`);
    md.push(`| recall per cluster (every sample caught) | ${pct(clusterAll)} |`);
    md.push(`| recall per cluster (mean of per-cluster recall) | ${pct(clusterMean)} |`);
    md.push(`| clusters with at least one sample caught | ${pct(clusterAny)} |`);
    md.push(`| verdict suspicious (not counted as caught) | ${suspiciousOnly} |`);
    md.push(`| could not be scanned | ${errors.length} |`, '');
    md.push('| category | samples | recall |', '|---|---:|---:|');
    for (const [k, v] of [...byCategory].sort()) md.push(`| ${k} | ${v.n} | ${pct(v.hit / v.n)} |`);
    for (const [k, v] of [...byEco].sort()) md.push(`| ecosystem ${k} | ${v.n} | ${pct(v.hit / v.n)} |`);
    md.push('', '### Speed (malicious corpus)', '', ...speedTable(s), '');
    md.push(`### Misses (${misses.length})`, '', '| sample | verdict | score | reason |', '|---|---|---:|---|');
    for (const m of misses.slice(0, 200)) md.push(`| ${m.label} | ${m.verdict} | ${m.score} | ${m.reason.replace(/\|/g, '\\|').slice(0, 160)} |`);
    if (misses.length > 200) md.push(`| … ${misses.length - 200} more in the JSON report | | | |`);
    md.push('');
  }

  const benignDirs = values.benign ?? [];
  const benignReports: Record<string, unknown> = {};
  for (const dir of benignDirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      process.stderr.write(`skipping benign corpus ${dir}: not a folder\n`);
      continue;
    }
    let targets = benignTargets(dir);
    targets = spread(targets, values['benign-sample'] !== undefined ? Number(values['benign-sample']) : undefined);
    const { outcomes, wallMs } = await runSet(targets, targets.map((t) => basename(t)), `benign ${basename(dir)}`);
    const mal = outcomes.filter((o) => o.verdict === 'malicious');
    const sus = outcomes.filter((o) => o.verdict === 'suspicious');
    const errs = outcomes.filter((o) => o.verdict === 'error');
    const s = speed(outcomes, wallMs);
    benignReports[dir] = { packages: outcomes.length, malicious: mal, suspicious: sus, errors: errs, speed: s };
    const pct = (n: number): string => `${((n / Math.max(1, outcomes.length)) * 100).toFixed(2)}%`;
    md.push(`## Benign corpus: \`${basename(dir)}\``, '');
    md.push(`${outcomes.length} packages. Verdict malicious: ${mal.length} (${pct(mal.length)}); suspicious: ${sus.length} (${pct(sus.length)}); not scanned: ${errs.length}.`, '');
    md.push(...speedTable(s), '');
    if (mal.length + sus.length > 0) {
      md.push('| package | verdict | score | rules | reason |', '|---|---|---:|---|---|');
      for (const o of [...mal, ...sus]) md.push(`| ${o.label} | ${o.verdict} | ${o.score} | ${o.topRules.join(', ')} | ${o.reason.replace(/\|/g, '\\|').slice(0, 160)} |`);
      md.push('');
    }
  }
  report.benign = benignReports;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  report.peakRssMB = Math.round(peakRss / 1e6);
  md.push(`Peak memory (RSS of the whole process, all worker threads): ${Math.round(peakRss / 1e6)} MB.`, '');
  writeFileSync(join(outDir, 'evaluation.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, 'evaluation.md'), `${md.join('\n')}\n`);
  process.stdout.write(`${md.join('\n')}\nWritten: ${join(outDir, 'evaluation.md')} and evaluation.json\n`);
}

run().catch((error: unknown) => {
  process.stderr.write(`eval: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
