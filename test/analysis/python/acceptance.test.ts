import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzePython } from '../../../src/analysis/python/index.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import type { FileEntry, FileTree } from '../../../src/core/types.js';
import { scoreFindings } from '../../../src/scoring/score.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/python/', import.meta.url));

function readTree(dir: string): FileTree {
  const files: FileEntry[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const data = new Uint8Array(readFileSync(p));
        files.push({ path: relative(dir, p).split('\\').join('/'), data, size: data.byteLength });
      }
    }
  };
  walk(dir);
  return { format: 'directory', files, issues: [], totalBytes: files.reduce((a, f) => a + f.size, 0) };
}

async function scan(kind: 'malicious' | 'benign', name: string) {
  const out = await analyzePython(readTree(join(FIXTURES, kind, name)), { ecosystem: 'pypi', artifact: name, limits: DEFAULT_LIMITS, deadline: performance.now() + 20_000 });
  return { out, score: scoreFindings(out.findings) };
}

const MALICIOUS: { name: string; rule: string; path: string; line: number; decoded?: RegExp }[] = [
  { name: 'fake-cloud-sdk', rule: 'py/credential-exfiltration', path: 'acloud_client/client.py', line: 10 },
  { name: 'setup-env-exfil', rule: 'py/host-data-exfiltration', path: 'setup.py', line: 18 },
  { name: 'pth-zlib-payload', rule: 'py/exec-decoded-payload', path: 'zz_speedups.pth', line: 1, decoded: /beacon\.startup\.invalid/ },
];

for (const m of MALICIOUS) {
  test(`campaign imitation ${m.name} is malicious with file:line evidence`, async () => {
    const { out, score } = await scan('malicious', m.name);
    assert.equal(score.verdict, 'malicious', score.reason);
    const f = out.findings.find((x) => x.ruleId === m.rule && x.location.path === m.path);
    assert.ok(f, `expected ${m.rule}, got ${out.findings.map((x) => x.ruleId).join(', ')}`);
    assert.equal(f.location.path, m.path);
    assert.equal(f.location.line, m.line);
    assert.ok(f.evidence.length > 0);
    if (m.decoded !== undefined) assert.match(f.decoded ?? '', m.decoded);
  });
}

test('the reversed URL of the fake SDK is recovered and classified as hidden', async () => {
  const { out } = await scan('malicious', 'fake-cloud-sdk');
  const hidden = out.findings.find((f) => f.ruleId === 'py/obfuscated-destination');
  assert.ok(hidden);
  assert.match(hidden.decoded ?? '', /api\.time-check-server\.invalid/);
});

test('the base64-hidden host of the install hook is decoded and the trigger is install', async () => {
  const { out } = await scan('malicious', 'setup-env-exfil');
  const f = out.findings.find((x) => x.ruleId === 'py/host-data-exfiltration');
  assert.equal(f?.trigger, 'install');
  assert.match(f?.message ?? '', /collect\.exfil\.invalid/);
});

test('the .pth payload runs at startup and its decoded code is analysed', async () => {
  const { out } = await scan('malicious', 'pth-zlib-payload');
  assert.ok(out.findings.every((f) => f.location.path !== 'zz_speedups.pth' || f.trigger === 'startup'));
  assert.ok(out.findings.some((f) => f.ruleId === 'py/host-data-exfiltration' && f.location.line === 1));
});

for (const name of ['ntp-time-helper', 'aws-signing-sdk', 'native-build', 'get-pip-installer']) {
  test(`benign ${name} is not malicious`, async () => {
    const { score, out } = await scan('benign', name);
    assert.notEqual(score.verdict, 'malicious', `${score.reason} ${out.findings.map((f) => f.ruleId).join(',')}`);
    assert.notEqual(score.verdict, 'suspicious', score.reason);
  });
}

test('files inside a nested archive are not install or start-up hooks', async () => {
  const { isSetupPy, isStartupFile } = await import('../../../src/analysis/python/package.js');
  assert.equal(isSetupPy('pkg-1.0/setup.py'), true);
  assert.equal(isSetupPy('vendor.zip!/setup.py'), false);
  assert.equal(isStartupFile('pkg/evil.pth'), true);
  assert.equal(isStartupFile('pkg/inner.whl!/evil.pth'), false);
});
