/**
 * Speed benchmark: `npm run bench -- [--dir DIR | --manifest TSV --root DIR] [--sample N] [--floor-sample N] [--jobs N]`
 *
 * 1. floor: read + unpack in memory + parse every Python file (tree-sitter) — no rules — on one thread;
 * 2. full scan of the same packages on one thread (the ratio full/floor is the cost of analysis);
 * 3. full scan of all selected packages on worker threads: packages/s, MB/s, p50/p95/max, peak memory.
 * Without --dir, the malicious development corpus is used (../shared/corpus, unpacked once).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { pythonParser } from '../src/analysis/python/parser.js';
import { unpackArtifact } from '../src/archive/index.js';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { localOnlyRegistry, percentile, spread } from './common.js';
import { scanAll } from '../src/scan/pool.js';
import { defaultScanOptions, scanTarget } from '../src/scan/scan.js';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      manifest: { type: 'string' },
      root: { type: 'string' },
      sample: { type: 'string' },
      'floor-sample': { type: 'string' },
      jobs: { type: 'string' },
      'young-mb': { type: 'string' },
    },
  });
  const repo = resolve(new URL('../..', import.meta.url).pathname);
  const shared = resolve(repo, '..', 'shared');
  let files: string[];
  let corpusName: string;
  if (values.dir !== undefined) {
    files = listFiles(resolve(values.dir));
    corpusName = values.dir;
  } else {
    const manifest = values.manifest ?? join(shared, 'corpus', 'malicious-dev.tsv');
    const root = values.root ?? execFileSync('python3', [join(shared, 'corpus', 'unpack-malicious.py')], { encoding: 'utf8' }).trim();
    const lines = readFileSync(manifest, 'utf8').split('\n');
    const pathCol = (lines[0] ?? '').split('\t').indexOf('path');
    files = lines
      .slice(1)
      .filter((l) => l.trim() !== '')
      .map((l) => join(root, l.split('\t')[pathCol] ?? ''))
      .filter((p) => statSync(p, { throwIfNoEntry: false })?.isFile() === true);
    corpusName = 'malicious development corpus';
  }
  if (values.sample !== undefined) files = spread(files, Number(values.sample));
  const jobs = Number(values.jobs ?? availableParallelism());
  const floorFiles = spread(files, Number(values['floor-sample'] ?? 500));
  const registry = localOnlyRegistry();
  const options = { ...defaultScanOptions(registry, process.cwd()), metadata: false };

  // 1. Floor: unpack + parse only.
  const parser = await pythonParser();
  const decoder = new TextDecoder();
  let floorBytes = 0;
  const t0 = performance.now();
  for (const file of floorFiles) {
    let tree;
    try {
      tree = unpackArtifact(new Uint8Array(readFileSync(file)), file.split('/').pop() ?? file, DEFAULT_LIMITS);
    } catch {
      continue;
    }
    for (const entry of tree.files) {
      if (!entry.path.endsWith('.py') || entry.size > DEFAULT_LIMITS.maxParseBytes) continue;
      const parsed = parser.parse(decoder.decode(entry.data));
      floorBytes += entry.size;
      parsed?.delete();
    }
  }
  const floorMs = performance.now() - t0;

  // 2. Full scan, same packages, one thread.
  const t1 = performance.now();
  for (const file of floorFiles) await scanTarget(file, options);
  const fullOneMs = performance.now() - t1;

  // 3. Full scan on worker threads.
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const t2 = performance.now();
  const results = await scanAll(files, options, { jobs, taskTimeoutMs: 60_000, ...(values['young-mb'] !== undefined ? { youngGenerationMb: Number(values['young-mb']) } : {}) });
  const wall = performance.now() - t2;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const durations = results.map((r) => r.durationMs ?? 0).sort((a, b) => a - b);
  const artifactBytes = results.reduce((n, r) => n + r.artifacts.reduce((m, a) => m + a.size, 0), 0);
  const parsedBytes = results.reduce((n, r) => n + (r.stats?.parsedBytes ?? 0), 0);
  const sourceBytes = results.reduce((n, r) => n + (r.stats?.totalBytes ?? 0), 0);
  const lines = [
    `# Benchmark (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Corpus: ${corpusName}, ${files.length} packages; ${jobs} worker threads on ${availableParallelism()} cores; Node ${process.version}.`,
    '',
    '| measure | value |',
    '|---|---:|',
    `| packages/s (full scan, ${jobs} threads) | ${(files.length / (wall / 1000)).toFixed(1)} |`,
    `| artifact MB/s (compressed) | ${(artifactBytes / 1e6 / (wall / 1000)).toFixed(2)} |`,
    `| unpacked MB/s | ${(sourceBytes / 1e6 / (wall / 1000)).toFixed(2)} |`,
    `| parsed source MB/s | ${(parsedBytes / 1e6 / (wall / 1000)).toFixed(2)} |`,
    `| p50 / p95 / max per package (ms) | ${percentile(durations, 50)} / ${percentile(durations, 95)} / ${durations[durations.length - 1] ?? 0} |`,
    `| peak RSS (MB) | ${Math.round(peak / 1e6)} |`,
    `| floor: unpack + parse, 1 thread, ${floorFiles.length} packages (s) | ${(floorMs / 1000).toFixed(2)} (${(floorBytes / 1e6).toFixed(1)} MB of Python) |`,
    `| full scan, 1 thread, same packages (s) | ${(fullOneMs / 1000).toFixed(2)} |`,
    `| full scan / floor | ${(fullOneMs / Math.max(1, floorMs)).toFixed(2)}x |`,
    `| packages not scanned (errors) | ${results.filter((r) => r.errors.length > 0 && r.artifacts.length === 0).length} |`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
