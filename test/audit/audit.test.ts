import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { importOsv } from '../../src/advisories/import.js';
import { AdvisoryStore } from '../../src/advisories/store.js';
import { auditPackages, failsThreshold } from '../../src/audit/audit.js';
import { parseIgnoreFile } from '../../src/audit/ignore.js';
import { renderJson, renderMarkdown, renderSarif, renderText } from '../../src/audit/report/index.js';
import { buildCycloneDx, purlOf } from '../../src/audit/sbom.js';
import type { ScanResult } from '../../src/core/types.js';
import type { LockedPackage } from '../../src/lockfiles/types.js';
import { auditCommand, createAuditCommand } from '../../src/cli/commands/audit.js';
import { dbCommand } from '../../src/cli/commands/db.js';
import { sbomCommand } from '../../src/cli/commands/sbom.js';
import { OSV_FIXTURES, tempDir } from '../advisories/helpers.js';

let t: { dir: string; cleanup: () => void };
let db: string;
let project: string;

before(() => {
  t = tempDir('vigil-audit-');
  db = join(t.dir, 'advisories.db');
  importOsv(db, [OSV_FIXTURES]);
  project = join(t.dir, 'project');
  mkdirSync(join(project, 'web'), { recursive: true });
  writeFileSync(join(project, 'requirements.txt'), 'PyYAML==5.3.1\ndjango==1.6.4\nrequests>=2\nsoal==8.0.5\nsafe-lib==1.0\n');
  writeFileSync(
    join(project, 'web', 'package-lock.json'),
    JSON.stringify({ lockfileVersion: 3, packages: { '': { dependencies: { tricky: '^1' } }, 'node_modules/tricky': { version: '1.2.0' }, 'node_modules/ws': { version: '8.17.1', dev: true } } }, null, 2),
  );
});
after(() => t.cleanup());

function pkg(ecosystem: 'pypi' | 'npm', name: string, version: string, line = 1): LockedPackage {
  return { ecosystem, name, version, pinned: true, file: 'lock', line, source: 'registry' };
}

async function audit(packages: LockedPackage[], extra: Partial<Parameters<typeof auditPackages>[1]> = {}) {
  const store = AdvisoryStore.openReadOnly(db);
  try {
    return await auditPackages(packages, { source: store, now: new Date('2026-06-01T00:00:00Z'), ...extra });
  } finally {
    store.close();
  }
}

test('aliases are merged into one finding, with fixed versions and the smallest safe upgrade', async () => {
  const report = await audit([pkg('pypi', 'PyYAML', '5.3.1', 3), pkg('pypi', 'Django', '1.6.4', 4), pkg('pypi', 'pyyaml', '5.4', 9)]);
  const brief = report.findings.map((f) => ({ name: f.name, id: f.id, aliases: f.aliases, severity: f.severity, fixed: f.fixed, upgrade: f.upgrade, line: f.line }));
  assert.deepEqual(brief, [
    { name: 'Django', id: 'PYSEC-2014-19', aliases: ['CVE-2014-1418'], severity: 'medium', fixed: ['1.6.5', '1.7b4'], upgrade: '1.6.5', line: 4 },
    { name: 'PyYAML', id: 'GHSA-8q59-q68h-6hv4', aliases: ['CVE-2020-14343', 'PYSEC-2021-142'], severity: 'critical', fixed: ['5.4'], upgrade: '5.4', line: 3 },
  ]);
});

test('smallest upgrade clears every advisory of the package, or is absent', async () => {
  const r1 = await audit([pkg('npm', 'tricky', '1.2.0')]);
  assert.equal(r1.findings[0]?.upgrade, '1.5.0');
  const r2 = await audit([pkg('npm', 'tricky', '3.0.0')]);
  assert.equal(r2.findings.length, 1);
  assert.equal(r2.findings[0]?.upgrade, undefined);
  const r3 = await audit([pkg('pypi', 'celery', '2.3.1')]);
  assert.deepEqual(r3.findings.map((f) => [f.id, f.fixed, f.upgrade]), [['PYSEC-2011-17', ['2.3.4', '2.4.4'], '2.3.4']]);
});

test('malicious packages are critical, kind malicious; unpinned and non-registry entries are reported, not matched', async () => {
  const report = await audit([
    pkg('npm', '01template1', '1.0.0'),
    { ecosystem: 'pypi', name: 'pyyaml', requirement: '>=5', pinned: false, file: 'req.txt', line: 2, source: 'registry' },
    { ecosystem: 'pypi', name: 'pyyaml', requirement: 'git+https://x.invalid/y', pinned: false, file: 'req.txt', line: 3, source: 'git' },
    { ecosystem: 'npm', name: 'me', version: '1.0.0', pinned: false, file: 'l', line: 1, source: 'workspace' },
  ]);
  assert.deepEqual(report.findings.map((f) => [f.id, f.kind, f.severity, f.fixed]), [['MAL-2022-11', 'malicious', 'critical', []]]);
  assert.equal(report.findings[0]?.aliases[0], 'GHSA-hcqw-8vxg-ww7g');
  assert.deepEqual(report.unpinned.map((p) => p.line), [2, 3]);
  assert.equal(report.stats.checked, 1);
});

test('ignore file: by id or alias, per package, expiry stops a rule and is reported', async () => {
  const rules = parseIgnoreFile(
    `ignore:
  - id: CVE-2020-14343
    package: pyyaml
    reason: loader never sees untrusted input
    expires: 2026-12-31
  - id: PYSEC-2014-19
    reason: old rule
    expires: 2026-01-01
  - id: GHSA-3h5v-q93c-6h6q
    package: other-package
    reason: wrong package
`,
    '.vigilignore.yaml',
  );
  assert.equal(rules.length, 3);
  assert.equal(rules[0]?.origin, '.vigilignore.yaml:2');
  const report = await audit([pkg('pypi', 'PyYAML', '5.3.1'), pkg('pypi', 'django', '1.6.4'), pkg('npm', 'ws', '8.0.0')], { ignores: rules });
  assert.deepEqual(report.findings.map((f) => f.id), ['GHSA-3h5v-q93c-6h6q', 'PYSEC-2014-19']);
  assert.deepEqual(report.ignored.map((i) => [i.finding.id, i.rule.reason]), [['GHSA-8q59-q68h-6hv4', 'loader never sees untrusted input']]);
  assert.deepEqual(report.expiredIgnores.map((r) => r.id), ['PYSEC-2014-19']);
  assert.throws(() => parseIgnoreFile('ignore:\n  - id: X\n', 'f'), /needs a 'reason'/);
  assert.throws(() => parseIgnoreFile('ignore:\n  - id: X\n    reason: r\n    expires: soon\n', 'f'), /YYYY-MM-DD/);
  assert.throws(() => parseIgnoreFile('ignore:\n  - id: X\n    reason: r\n    typo: 1\n', 'f'), /unknown key/);
});

test('fail-on thresholds', async () => {
  const report = await audit([pkg('pypi', 'django', '1.6.4')]);
  assert.equal(failsThreshold(report.findings, 'high'), false);
  assert.equal(failsThreshold(report.findings, 'medium'), true);
  assert.equal(failsThreshold(report.findings, 'never'), false);
});

test('deep scan hook: malicious verdicts become findings; a failing hook is an error, not a crash', async () => {
  const calls: string[] = [];
  const scanPackages = async (refs: readonly { ecosystem: string; name: string; version?: string }[]): Promise<ScanResult[]> => {
    calls.push(...refs.map((r) => `${r.ecosystem}:${r.name}@${r.version ?? ''}`));
    return refs.map((r) => ({
      target: r.name,
      ecosystem: r.ecosystem === 'npm' ? 'npm' : 'pypi',
      name: r.name,
      version: r.version ?? '',
      verdict: r.name === 'evil' ? 'malicious' : 'clean',
      score: r.name === 'evil' ? 100 : 0,
      reason: r.name === 'evil' ? 'install script downloads and runs a payload' : 'nothing found',
      artifacts: [],
      findings: [],
      errors: [],
    }));
  };
  const report = await audit([pkg('npm', 'evil', '1.0.0', 7), pkg('npm', 'evil', '1.0.0', 9), pkg('npm', 'fine', '2.0.0')], { scanPackages });
  assert.deepEqual(calls, ['npm:evil@1.0.0', 'npm:fine@2.0.0']);
  assert.deepEqual(report.findings.map((f) => [f.id, f.kind, f.severity, f.origin, f.line]), [
    ['VIGIL-DEEP', 'malicious', 'critical', 'deep', 7],
    ['VIGIL-DEEP', 'malicious', 'critical', 'deep', 9],
  ]);
  const failing = await audit([pkg('npm', 'evil', '1.0.0')], { scanPackages: () => Promise.reject(new Error('sandbox down')) });
  assert.deepEqual(failing.errors, ['deep scan failed: sandbox down']);
});

test('renderers: JSON contract, SARIF 2.1.0 shape, markdown escaping, text', async () => {
  const report = await audit([pkg('pypi', 'PyYAML', '5.3.1', 3), pkg('npm', '01template1', '1.0.0', 5)]);
  const json = JSON.parse(renderJson(report)) as { findings: Record<string, unknown>[] };
  for (const f of json.findings) {
    for (const key of ['ecosystem', 'name', 'version', 'id', 'aliases', 'kind', 'severity', 'fixed', 'file', 'line']) assert.ok(key in f, key);
  }
  assert.deepEqual(json.findings.map((f) => [f.ecosystem, f.name, f.id, f.kind]), [
    ['npm', '01template1', 'MAL-2022-11', 'malicious'],
    ['pypi', 'PyYAML', 'GHSA-8q59-q68h-6hv4', 'vulnerability'],
  ]);
  const sarif = JSON.parse(renderSarif(report)) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.ok(run !== undefined);
  assert.deepEqual(run.tool.driver.rules.map((r) => r.id), ['GHSA-8q59-q68h-6hv4', 'MAL-2022-11']);
  assert.deepEqual(run.results.map((r) => [r.ruleId, r.ruleIndex, r.level, r.locations[0]?.physicalLocation.region.startLine]), [
    ['MAL-2022-11', 1, 'error', 5],
    ['GHSA-8q59-q68h-6hv4', 0, 'error', 3],
  ]);
  const evil = await audit([{ ...pkg('npm', '01template1', '1.0.0'), file: 'a|b<script>\u001b[31m' }]);
  const md = renderMarkdown(evil);
  assert.match(md, /a\\\|b\\<script\\>/);
  assert.doesNotMatch(renderText(evil), /\u001b/);
  assert.match(renderText(report), /upgrade to 5\.4 clears all known advisories/);
});

test('CycloneDX 1.5 SBOM with purls', () => {
  const packages: LockedPackage[] = [
    pkg('npm', '@scope/Name', '1.0.0+build'),
    pkg('pypi', 'Zope.Interface', '5.0'),
    { ...pkg('pypi', 'Zope_Interface', '5.0'), dev: true, line: 8 },
    { ecosystem: 'pypi', name: 'flask', requirement: '>=2', pinned: false, file: 'r.txt', line: 1, source: 'registry' },
    { ecosystem: 'npm', name: 'me', version: '0.0.0', pinned: false, file: 'l', line: 1, source: 'workspace' },
  ];
  assert.equal(purlOf(packages[0] as LockedPackage), 'pkg:npm/%40scope/Name@1.0.0%2Bbuild');
  const bom = buildCycloneDx(packages, { timestamp: '2026-01-01T00:00:00.000Z' }) as { specVersion: string; serialNumber: string; components: Record<string, unknown>[] };
  assert.equal(bom.specVersion, '1.5');
  assert.match(bom.serialNumber, /^urn:uuid:[0-9a-f-]{36}$/);
  assert.deepEqual(bom.components.map((c) => [c.group ?? null, c.name, c.version ?? null, c.purl ?? null]), [
    ['@scope', 'Name', '1.0.0+build', 'pkg:npm/%40scope/Name@1.0.0%2Bbuild'],
    [null, 'flask', null, 'pkg:pypi/flask'],
    [null, 'Zope.Interface', '5.0', 'pkg:pypi/zope-interface@5.0'],
  ]);
  assert.equal(JSON.stringify(buildCycloneDx(packages, { timestamp: '2026-01-01T00:00:00.000Z' })), JSON.stringify(bom), 'deterministic');
});

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(command: { run: (a: readonly string[], io: never) => Promise<number> }, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await command.run(args, { stdout, stderr, env: { HOME: t.dir }, cwd: project } as never);
  return { code, out: stdout.text, err: stderr.text };
}

test('vigil audit: discovery, JSON output, exit codes, --deep wiring, ignore file in the project', async () => {
  const json = await run(auditCommand, ['--db', db, '--format', 'json']);
  assert.equal(json.code, 1, json.err);
  const parsed = JSON.parse(json.out) as { findings: { name: string; id: string; file: string; line: number; kind: string }[]; unpinned: { name: string }[] };
  assert.deepEqual(parsed.findings.map((f) => `${f.file}:${f.line} ${f.name} ${f.id} ${f.kind}`), [
    'web/package-lock.json:9 tricky VIGIL-TEST-1 vulnerability',
    'requirements.txt:2 django PYSEC-2014-19 vulnerability',
    'requirements.txt:1 PyYAML GHSA-8q59-q68h-6hv4 vulnerability',
    'requirements.txt:4 soal pypi/2024-07-weaponized-golden/soal malicious',
  ]);
  assert.deepEqual(parsed.unpinned.map((p) => p.name), ['requests']);
  assert.equal((await run(auditCommand, ['--db', db, '--fail-on', 'never'])).code, 0);
  assert.equal((await run(auditCommand, ['--db', db, '--fail-on', 'bogus'])).code, 2);
  assert.equal((await run(auditCommand, ['--db', join(t.dir, 'missing.db')])).code, 2);
  const deep = await run(auditCommand, ['--db', db, '--deep']);
  assert.equal(deep.code, 2);
  assert.match(deep.err, /--deep is not available/);
  const withHook = createAuditCommand({ scanPackages: async () => [], now: () => new Date('2026-06-01T00:00:00Z') });
  assert.equal((await run(withHook, ['--db', db, '--deep', '--fail-on', 'never'])).code, 0);
  const help = await run(auditCommand, ['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /--fail-on LEVEL/);
  writeFileSync(join(project, '.vigilignore.yaml'), 'ignore:\n  - id: CVE-2020-14343\n    reason: accepted\n  - id: MAL-9\n    reason: old\n    expires: 2020-01-01\n');
  try {
    const sarif = await run(auditCommand, ['--db', db, '--format', 'sarif', '--output', 'out.sarif', '--fail-on', 'critical']);
    assert.equal(sarif.code, 1, 'soal is malicious, so critical');
    assert.match(sarif.err, /MAL-9.*expired/);
    const log = JSON.parse(readFileSync(join(project, 'out.sarif'), 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
    assert.equal(log.runs[0]?.results.some((r) => r.ruleId === 'GHSA-8q59-q68h-6hv4'), false);
  } finally {
    writeFileSync(join(project, '.vigilignore.yaml'), '');
  }
  const broken = join(project, 'broken');
  mkdirSync(broken);
  writeFileSync(join(broken, 'package-lock.json'), '{');
  try {
    const r = await run(auditCommand, ['--db', db, 'broken']);
    assert.equal(r.code, 2);
    assert.match(r.out, /error: broken\/package-lock\.json: invalid JSON/);
  } finally {
    writeFileSync(join(broken, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
  }
});

test('vigil db import/status and vigil sbom', async () => {
  const fresh = join(t.dir, 'fresh.db');
  const imp = await run(dbCommand, ['import', '--db', fresh, OSV_FIXTURES]);
  assert.equal(imp.code, 0, imp.err);
  assert.match(imp.out, /12 records read: 11 added/);
  const status = await run(dbCommand, ['status', '--db', fresh, '--json']);
  assert.equal(status.code, 0);
  assert.equal((JSON.parse(status.out) as { malicious: number }).malicious, 2);
  assert.equal((await run(dbCommand, ['frobnicate', '--db', fresh])).code, 2);
  assert.equal((await run(dbCommand, ['status', '--db', join(t.dir, 'none.db')])).code, 2);
  const sbom = await run(sbomCommand, []);
  assert.equal(sbom.code, 0, sbom.err);
  const bom = JSON.parse(sbom.out) as { components: { purl?: string }[] };
  assert.ok(bom.components.some((c) => c.purl === 'pkg:pypi/pyyaml@5.3.1'));
  assert.ok(bom.components.some((c) => c.purl === 'pkg:npm/tricky@1.2.0'));
});

test('vigil audit --online: the same findings from the OSV API on a loopback server', async () => {
  const { createServer } = await import('node:http');
  const records = new Map<string, string>();
  for (const rel of ['PyPI/GHSA-8q59-q68h-6hv4.json', 'PyPI/PYSEC-2021-142.json']) {
    const text = readFileSync(join(OSV_FIXTURES, rel), 'utf8');
    records.set((JSON.parse(text) as { id: string }).id, text);
  }
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/querybatch') {
        const q = JSON.parse(body) as { queries: { package: { name: string } }[] };
        const results = q.queries.map((x) => (x.package.name === 'PyYAML' ? { vulns: [{ id: 'GHSA-8q59-q68h-6hv4' }, { id: 'PYSEC-2021-142' }] } : {}));
        res.writeHead(200).end(JSON.stringify({ results }));
      } else {
        const rec = records.get(decodeURIComponent((req.url ?? '').replace('/v1/vulns/', '')));
        res.writeHead(rec === undefined ? 404 : 200).end(rec ?? '{}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as { port: number };
    const r = await run(auditCommand, ['--online', '--osv-api', `http://127.0.0.1:${port}`, '--format', 'json', 'requirements.txt']);
    assert.equal(r.code, 1, r.err);
    const parsed = JSON.parse(r.out) as { findings: { name: string; id: string; aliases: string[] }[]; source: string };
    assert.deepEqual(parsed.findings.map((f) => [f.name, f.id, f.aliases]), [['PyYAML', 'GHSA-8q59-q68h-6hv4', ['CVE-2020-14343', 'PYSEC-2021-142']]]);
    assert.match(parsed.source, /OSV API http:\/\/127\.0\.0\.1/);
    const down = await run(auditCommand, ['--online', '--osv-api', 'http://127.0.0.1:1', 'requirements.txt']);
    assert.equal(down.code, 2);
    assert.match(down.err, /OSV API request failed/);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
