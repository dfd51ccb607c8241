/**
 * Measures the typosquatting detector.
 *
 *   node dist/eval/typosquat.js [--corpus ../shared/corpus/malicious-dev.tsv] [--list-fp] [--list-miss]
 *
 * (a) False positives: top npm (5,000) and PyPI (15,000) names reported as squats of another top name.
 * (b) Recall: malicious corpus names within reach of a top-5,000 name, where "within reach" is decided by
 *     an independent brute-force generator of the transformations (written here, sharing no code with
 *     src/typosquat), and a hit must name one of the reachable targets.
 * (c) Speed: lookups per second.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Ecosystem } from '../src/core/types.js';
import { defaultIndex, loadTopList } from '../src/typosquat/index.js';

const args = process.argv.slice(2);
const corpusPath = args[args.indexOf('--corpus') + 1] !== undefined && args.includes('--corpus')
  ? (args[args.indexOf('--corpus') + 1] ?? '')
  : '../shared/corpus/malicious-dev.tsv';
const listFp = args.includes('--list-fp');
const listMiss = args.includes('--list-miss');
const TARGET_RANK = 5000;
const LISTED: Readonly<Record<Ecosystem, number>> = { npm: 5000, pypi: 15000 };

// ---------- independent reference implementation ----------
function norm(eco: Ecosystem, name: string): string {
  const lower = name.toLowerCase();
  return eco === 'pypi' ? lower.replace(/[-_.]+/g, '-') : lower;
}
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789-_.';
const GLYPHS: readonly [string, string][] = [
  ['o', '0'], ['0', 'o'], ['l', '1'], ['1', 'l'], ['l', 'i'], ['i', 'l'], ['i', '1'], ['1', 'i'], ['m', 'rn'], ['rn', 'm'], ['w', 'vv'], ['vv', 'w'],
];
const PY_PREFIX = ['py', 'py-', 'python-', 'python'];
const PY_SUFFIX = ['-python', 'python', '-py', 'py'];
const NPM_PREFIX = ['node-', 'js-'];
const NPM_SUFFIX = ['-js', '.js', 'js', '-node'];
const COMBO = ['sdk', 'client', 'utils', 'core', 'api', 'dev'];

function dl(a: string, b: string): number {
  // Full dynamic programme, restricted Damerau-Levenshtein (adjacent transpositions).
  const w = b.length + 1;
  const d = new Int32Array((a.length + 1) * w);
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    d[i * w] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((d[(i - 1) * w + j] ?? 0) + 1, (d[i * w + j - 1] ?? 0) + 1, (d[(i - 1) * w + j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (d[(i - 2) * w + j - 2] ?? 0) + 1);
      d[i * w + j] = v;
    }
  }
  return d[a.length * w + b.length] ?? 0;
}

/** Every single-step transformation of `t` (edit 1, homoglyph, separators, affixes, combosquats). */
function* variants(eco: Ecosystem, t: string): Generator<string> {
  const bare = t.replace(/[-_.]/g, '');
  if (bare.length >= 4) {
    for (let i = 0; i < t.length; i++) yield t.slice(0, i) + t.slice(i + 1);
    for (let i = 0; i <= t.length; i++) for (const c of ALPHABET) yield t.slice(0, i) + c + t.slice(i);
    for (let i = 0; i < t.length; i++) for (const c of ALPHABET) yield t.slice(0, i) + c + t.slice(i + 1);
    for (let i = 0; i + 1 < t.length; i++) yield t.slice(0, i) + (t[i + 1] ?? '') + (t[i] ?? '') + t.slice(i + 2);
  }
  for (const [from, to] of GLYPHS) {
    for (let i = t.indexOf(from); i >= 0; i = t.indexOf(from, i + 1)) yield t.slice(0, i) + to + t.slice(i + from.length);
  }
  yield bare;
  for (const s of ['-', '_', '.']) yield t.replace(/[-_.]/g, s);
  const pre = eco === 'pypi' ? PY_PREFIX : NPM_PREFIX;
  const suf = eco === 'pypi' ? PY_SUFFIX : NPM_SUFFIX;
  for (const p of pre) {
    yield p + t;
    if (t.startsWith(p) && t.length - p.length >= 4) yield t.slice(p.length);
  }
  for (const s of suf) {
    yield t + s;
    if (t.endsWith(s) && t.length - s.length >= 4) yield t.slice(0, t.length - s.length);
  }
  if (bare.length >= 4) {
    for (const w of COMBO) for (const s of ['-', '_', '.', '']) yield t + s + w;
    for (const w of ['py', 'python']) for (const s of ['-', '_', '']) yield w + s + t;
  }
  if (eco === 'npm' && t.startsWith('@')) {
    const [scope = '', rest = ''] = t.slice(1).split('/');
    yield `${scope}-${rest}`;
    yield `${scope}${rest}`;
  }
}

// ---------- measurement ----------
interface Row { eco: Ecosystem; name: string; samples: number; clusters: Set<string> }
function corpusNames(): Row[] {
  const text = readFileSync(corpusPath, 'utf8');
  const seen = new Map<string, Row>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.split('\t');
    const [eco, name] = cols;
    if ((eco !== 'pypi' && eco !== 'npm') || name === undefined || name === '') continue;
    const k = `${eco}\t${norm(eco, name)}`;
    const row = seen.get(k) ?? { eco, name, samples: 0, clusters: new Set<string>() };
    row.samples++;
    row.clusters.add(cols[7] ?? '');
    seen.set(k, row);
  }
  return [...seen.values()];
}

function falsePositives(eco: Ecosystem): { checked: number; reported: string[] } {
  const list = loadTopList(eco).slice(0, LISTED[eco]);
  const index = defaultIndex(eco);
  const reported: string[] = [];
  for (const p of list) {
    const hit = index.find(p.name);
    if (hit !== undefined) reported.push(`${p.name} (#${p.rank}) -> ${hit.target} (#${hit.targetRank}) [${hit.technique}]`);
  }
  return { checked: list.length, reported };
}

interface Recall {
  reach: number;
  hit: number;
  wrongTarget: number;
  misses: string[];
  listed: number;
  samples: { reach: number; hit: number };
  clusters: { reach: number; hit: number };
}

function recall(eco: Ecosystem, rows: Row[]): Recall {
  const list = loadTopList(eco);
  const known = new Set(list.map((p) => norm(eco, p.name)));
  const targets = list.filter((p) => p.rank <= TARGET_RANK).map((p) => norm(eco, p.name));
  const names = new Map<string, string>();
  const rowOf = new Map<string, Row>();
  let listed = 0;
  for (const r of rows) {
    if (r.eco !== eco) continue;
    const k = norm(eco, r.name);
    if (known.has(k)) listed++;
    else {
      names.set(k, r.name);
      rowOf.set(k, r);
    }
  }
  const reachOf = new Map<string, Set<string>>();
  const add = (k: string, t: string): void => {
    if (k === t || !names.has(k)) return;
    let s = reachOf.get(k);
    if (s === undefined) reachOf.set(k, (s = new Set()));
    s.add(t);
  };
  for (const t of targets) for (const v of variants(eco, t)) add(norm(eco, v), t);
  // Two edits for names of 8+ characters that keep the first letter (scoped npm names excluded):
  // brute-force distance against every such target.
  const longTargets = targets.filter((t) => t.length >= 8 && !t.startsWith('@'));
  for (const k of names.keys()) {
    if (k.length < 6) continue;
    for (const t of longTargets) if (t[0] === k[0] && Math.abs(t.length - k.length) <= 2 && dl(k, t) <= 2) add(k, t);
  }
  const index = defaultIndex(eco);
  let hit = 0;
  let wrongTarget = 0;
  const misses: string[] = [];
  const samples = { reach: 0, hit: 0 };
  const clusterHit = new Map<string, boolean>();
  for (const [k, reach] of reachOf) {
    const found = index.find(names.get(k) ?? k);
    const ok = found !== undefined && reach.has(norm(eco, found.target));
    const row = rowOf.get(k);
    samples.reach += row?.samples ?? 0;
    if (ok) samples.hit += row?.samples ?? 0;
    for (const c of row?.clusters ?? []) clusterHit.set(c, (clusterHit.get(c) ?? true) && ok);
    if (ok) hit++;
    else {
      if (found !== undefined) wrongTarget++;
      misses.push(`${names.get(k) ?? k} -> expected one of ${[...reach].slice(0, 3).join(', ')}; got ${found === undefined ? 'nothing' : `${found.target} [${found.technique}]`}`);
    }
  }
  let flagged = 0;
  for (const n of names.values()) if (index.find(n) !== undefined) flagged++;
  console.log(`${eco}: ${flagged}/${names.size} of all unlisted corpus names are reported (within reach or not)`);
  const clusters = { reach: clusterHit.size, hit: [...clusterHit.values()].filter(Boolean).length };
  return { reach: reachOf.size, hit, wrongTarget, misses, listed, samples, clusters };
}

function speed(eco: Ecosystem, rows: Row[]): number {
  const names = rows.filter((r) => r.eco === eco).map((r) => r.name);
  const extra = loadTopList(eco).map((p) => `${p.name}x`);
  const all = [...names, ...extra];
  const index = defaultIndex(eco);
  const start = performance.now();
  for (const n of all) index.find(n);
  return Math.round(all.length / ((performance.now() - start) / 1000));
}

const rows = corpusNames();
for (const eco of ['npm', 'pypi'] as const) {
  const t0 = performance.now();
  defaultIndex(eco);
  const buildMs = Math.round(performance.now() - t0);
  const fp = falsePositives(eco);
  const pct = ((100 * fp.reported.length) / fp.checked).toFixed(2);
  console.log(`${eco}: index built in ${buildMs} ms; FP ${fp.reported.length}/${fp.checked} top names (${pct}%)`);
  if (listFp) for (const r of fp.reported) console.log(`  FP ${r}`);
  const rc = recall(eco, rows);
  const rpct = rc.reach === 0 ? 'n/a' : `${((100 * rc.hit) / rc.reach).toFixed(1)}%`;
  console.log(`${eco}: recall ${rc.hit}/${rc.reach} corpus names within reach (${rpct}); ${rc.wrongTarget} named another target; ${rc.listed} corpus names are themselves listed`);
  console.log(`${eco}: per sample ${rc.samples.hit}/${rc.samples.reach}; per cluster (all its reachable names hit) ${rc.clusters.hit}/${rc.clusters.reach}`);
  if (listMiss) for (const m of rc.misses) console.log(`  MISS ${m}`);
  console.log(`${eco}: ${speed(eco, rows)} lookups/s`);
}
