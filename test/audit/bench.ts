/**
 * Benchmarks for docs/AUDIT.md (not part of the test suite). Build first (`npx tsc -p .`), then:
 *   node dist/test/audit/bench.js synth-export 400000 /tmp/vigil-bench/synth.zip
 *   node dist/test/audit/bench.js lockfile 2000 DB /tmp/vigil-bench/big/package-lock.json
 *   node dist/test/audit/bench.js audit /tmp/vigil-bench/big DB
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Zip, ZipDeflate } from 'fflate';
import { AdvisoryStore } from '../../src/advisories/store.js';
import { auditPackages } from '../../src/audit/audit.js';
import { collectPackages } from '../../src/audit/run.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function synthExport(count: number, out: string): Promise<void> {
  mkdirSync(dirname(out), { recursive: true });
  const random = rng(42);
  const chunks: Uint8Array[] = [];
  const zip = new Zip((err, data) => {
    if (err) throw err;
    chunks.push(data);
  });
  const enc = new TextEncoder();
  for (let i = 0; i < count; i++) {
    const npm = random() < 0.7;
    const eco = npm ? 'npm' : 'PyPI';
    // ~80% malicious-package records (as in the real export), the rest vulnerabilities with ranges.
    const malicious = random() < 0.8;
    const name = `synthetic-${npm ? 'js' : 'py'}-${Math.floor(random() * count * 0.6)}`;
    const id = malicious ? `MAL-2099-${i}` : `GHSA-syn-${i}`;
    const major = Math.floor(random() * 5);
    const record = malicious
      ? {
          id,
          modified: '2026-01-01T00:00:00Z',
          summary: `Malicious code in ${name} (${eco})`,
          details: 'Synthetic record for benchmarking. '.repeat(8),
          affected: [{ package: { ecosystem: eco, name }, ranges: [{ type: npm ? 'SEMVER' : 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
          database_specific: { 'malicious-packages-origins': [{ source: 'synthetic' }] },
        }
      : {
          id,
          modified: '2026-01-01T00:00:00Z',
          aliases: [`CVE-2099-${i}`],
          summary: `Synthetic vulnerability in ${name}`,
          details: 'Synthetic record for benchmarking. '.repeat(20),
          severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
          affected: [
            {
              package: { ecosystem: eco, name },
              ranges: [
                {
                  type: 'ECOSYSTEM',
                  events: [{ introduced: '0' }, { fixed: `${major}.1.0` }, { introduced: `${major + 1}.0.0` }, { fixed: `${major + 1}.4.2` }],
                },
              ],
              versions: [`${major}.0.0`, `${major}.0.1`],
            },
          ],
        };
    const file = new ZipDeflate(`${npm ? 'npm' : 'PyPI'}/${id}.json`, { level: 1 });
    zip.add(file);
    file.push(enc.encode(JSON.stringify(record)), true);
  }
  zip.end();
  const size = chunks.reduce((n, c) => n + c.length, 0);
  const all = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  writeFileSync(out, all);
  console.log(`wrote ${count} records, ${(size / 1048576).toFixed(1)} MiB to ${out}`);
}

/** A package-lock v3 with `count` packages; names are taken from the store so that lookups hit. */
function lockfile(count: number, db: string, out: string): void {
  const sql = new Database(db, { readonly: true });
  const names = (sql.prepare("SELECT DISTINCT name FROM affected WHERE ecosystem = 'npm' LIMIT ?").all(Math.floor(count / 2)) as { name: string }[]).map((r) => r.name);
  sql.close();
  const packages: Record<string, unknown> = { '': { name: 'bench', version: '1.0.0', dependencies: {} } };
  for (let i = 0; i < count; i++) {
    const name = i < names.length ? (names[i] as string) : `bench-filler-${i}`;
    packages[`node_modules/${name}`] = { version: `${i % 7}.${i % 5}.${i % 3}`, resolved: `https://registry.npmjs.org/${name}/-/x.tgz`, integrity: 'sha512-x' };
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ name: 'bench', lockfileVersion: 3, requires: true, packages }, null, 2));
  console.log(`wrote ${count} packages (${names.length} with advisories) to ${out}`);
}

async function audit(dir: string, db: string): Promise<void> {
  const times: number[] = [];
  let findings = 0;
  let packages = 0;
  const store = AdvisoryStore.openReadOnly(db);
  const cpu: number[] = [];
  for (let i = 0; i < 6; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const collected = collectPackages([dir], process.cwd());
    const report = await auditPackages(collected.packages, { source: store, files: collected.files });
    times.push(performance.now() - t0);
    const used = process.cpuUsage(c0);
    cpu.push((used.user + used.system) / 1000);
    findings = report.findings.length;
    packages = report.stats.packages;
  }
  store.close();
  const warm = times.slice(1).sort((a, b) => a - b);
  const warmCpu = cpu.slice(1).sort((a, b) => a - b);
  console.log(
    `${packages} packages, ${findings} findings; first run ${times[0]?.toFixed(1)} ms, warm median ${warm[Math.floor(warm.length / 2)]?.toFixed(1)} ms (min ${warm[0]?.toFixed(1)} ms); warm CPU median ${warmCpu[Math.floor(warmCpu.length / 2)]?.toFixed(1)} ms; db ${(statSync(db).size / 1048576).toFixed(1)} MiB`,
  );
}

const [cmd, a, b, c] = process.argv.slice(2);
if (cmd === 'synth-export' && a !== undefined && b !== undefined) await synthExport(Number(a), b);
else if (cmd === 'lockfile' && a !== undefined && b !== undefined && c !== undefined) lockfile(Number(a), b, c);
else if (cmd === 'audit' && a !== undefined && b !== undefined) await audit(a, b);
else console.error('usage: bench.js synth-export N OUT.zip | lockfile N DB OUT.json | audit DIR DB');
