import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { unpackArtifact } from '../../src/archive/index.js';
import { isVigilError } from '../../src/core/errors.js';
import { downloadArtifact, resolveRelease, verifyArtifact } from '../../src/ecosystems/index.js';
import { normalizePypiName, parseDistFilename, sameVersion } from '../../src/ecosystems/pypi/names.js';
import { parseSimpleHtml, remoteHashes, selectArtifacts } from '../../src/ecosystems/pypi/index.js';
import { parseAnchors, unescapeHtml } from '../../src/ecosystems/pypi/simple.js';
import { sha256Hex } from '../helpers/archives.js';
import { sdistFile, startRegistryServer, wheelFile } from '../helpers/registry-server.js';
import { registryOptionsFor } from '../helpers/registry-server.js';
import type { RegistryServer } from '../helpers/registry-server.js';

const options = registryOptionsFor;

const code = (expected: string) => (error: unknown) => isVigilError(error) && error.code === expected;

describe('PyPI names and files', () => {
  it('normalises names per PEP 503', () => {
    assert.equal(normalizePypiName('Friendly-Bard'), 'friendly-bard');
    assert.equal(normalizePypiName('FRIENDLY__bard'), 'friendly-bard');
    assert.equal(normalizePypiName('friendly.-_bard'), 'friendly-bard');
  });

  it('parses sdist, wheel and egg file names', () => {
    assert.deepEqual(parseDistFilename('requests-2.31.0.tar.gz'), { kind: 'sdist', name: 'requests', version: '2.31.0' });
    assert.deepEqual(parseDistFilename('django-foo-bar-1.0.zip', 'Django_Foo-bar'), { kind: 'sdist', name: 'django-foo-bar', version: '1.0' });
    assert.equal(parseDistFilename('pkg-1.0.tar.bz2')?.version, '1.0');
    const wheel = parseDistFilename('numpy-1.26.0-1-cp311-cp311-manylinux_2_17_x86_64.whl');
    assert.equal(wheel?.kind, 'wheel');
    assert.equal(wheel?.version, '1.26.0');
    assert.deepEqual(wheel?.tags, { python: 'cp311', abi: 'cp311', platform: 'manylinux_2_17_x86_64' });
    assert.deepEqual(parseDistFilename('foo-0.1-py2.7.egg'), { kind: 'egg', name: 'foo', version: '0.1' });
    assert.equal(parseDistFilename('README.md'), undefined);
    assert.equal(parseDistFilename('bad.whl'), undefined);
  });

  it('compares versions by PEP 440 normal form', () => {
    assert.ok(sameVersion('1.0', '1.0.0'));
    assert.ok(sameVersion('1.0RC1', '1.0rc1'));
    assert.ok(!sameVersion('1.0', '1.0.1'));
  });
});

describe('PEP 503 HTML parsing', () => {
  const page = `<!DOCTYPE html><html><body>
    <a href="../../files/demo/demo-1.0.tar.gz#sha256=${'a'.repeat(64)}" data-requires-python="&gt;=3.8,&lt;4">demo-1.0.tar.gz</a>
    <A HREF='https://files.example.invalid/demo-1.1-py3-none-any.whl#sha256=${'b'.repeat(64)}' data-yanked="broken &amp; bad">demo-1.1-py3-none-any.whl</A>
    <a href="/abs/demo-1.2.tar.gz" data-yanked>demo-1.2.tar.gz</a>
    <a href="javascript:alert(1)">demo-9.tar.gz</a>
    <a name="x">no href</a>
  </body></html>`;
  const project = parseSimpleHtml(page, 'https://mirror.example.invalid/simple/demo/', 'demo');

  it('resolves relative and absolute links against the page and reads hash fragments', () => {
    assert.deepEqual(
      project.files.map((f) => f.url),
      [
        'https://mirror.example.invalid/files/demo/demo-1.0.tar.gz',
        'https://files.example.invalid/demo-1.1-py3-none-any.whl',
        'https://mirror.example.invalid/abs/demo-1.2.tar.gz',
      ],
    );
    assert.equal(project.files[0]?.hashes.sha256, 'a'.repeat(64));
    assert.equal(project.files[1]?.hashes.sha256, 'b'.repeat(64));
    assert.deepEqual(project.files[2]?.hashes, {});
  });

  it('unescapes data-requires-python and reads data-yanked with and without a reason', () => {
    assert.equal(project.files[0]?.requiresPython, '>=3.8,<4');
    assert.equal(project.files[0]?.yanked, undefined);
    assert.equal(project.files[1]?.yanked, 'broken & bad');
    assert.equal(project.files[2]?.yanked, true);
  });

  it('survives hostile markup in linear time', () => {
    assert.equal(unescapeHtml('&#x3e;&#62;&gt;&bogus;&#0;'), '>>>&bogus;&#0;');
    const start = performance.now();
    parseAnchors('<a '.repeat(50_000) + '<a href="x">'.repeat(20_000));
    parseAnchors(`<a href="${'"'.repeat(100_000)}`);
    assert.ok(performance.now() - start < 2000);
  });
});

describe('PyPI resolution against a loopback index', () => {
  let server: RegistryServer;
  const stable = sdistFile('Demo.Pkg', '1.0', { 'setup.py': 'print("1.0")' }, { uploadTime: '2024-01-01T00:00:00Z' });
  const newest = sdistFile('Demo.Pkg', '1.2', { 'setup.py': 'print("1.2")' }, { uploadTime: '2024-03-01T00:00:00Z', requiresPython: '>=3.8' });
  const newestWheel = wheelFile('Demo.Pkg', '1.2', { 'demo_pkg/__init__.py': 'x = 1' }, 'py3-none-any', { uploadTime: '2024-03-01T00:00:01Z' });
  const yanked = sdistFile('Demo.Pkg', '1.3', { 'setup.py': 'print("bad")' }, { yanked: 'contains malware', uploadTime: '2024-04-01T00:00:00Z' });
  const pre = sdistFile('Demo.Pkg', '2.0rc1', { 'setup.py': 'print("rc")' }, { uploadTime: '2024-05-01T00:00:00Z' });
  const tampered = sdistFile('tampered', '1.0', { 'setup.py': 'x' }, { tamperHash: true });
  const unhashed = sdistFile('unhashed', '1.0', { 'setup.py': 'x' }, { noHash: true });
  const onlyPre = sdistFile('only-pre', '0.1b1', { 'setup.py': 'x' });
  // A release with several wheels, one of them a duplicate of another's bytes.
  const wheels = ['py3-none-any', 'cp311-cp311-manylinux_2_17_x86_64', 'cp311-cp311-win_amd64', 'cp311-cp311-macosx_11_0_arm64', 'cp312-cp312-manylinux_2_17_x86_64'].map((tag) =>
    wheelFile('multi', '3.0', { 'multi/__init__.py': `tag = "${tag}"` }, tag),
  );
  const duplicate = { ...wheels[1]!, filename: 'multi-3.0-cp310-cp310-manylinux_2_17_x86_64.whl' };

  before(async () => {
    server = await startRegistryServer({
      pypi: [
        { name: 'Demo.Pkg', files: [stable, newest, newestWheel, yanked, pre], info: { author: 'Someone' } },
        { name: 'tampered', files: [tampered] },
        { name: 'unhashed', files: [unhashed] },
        { name: 'only-pre', files: [onlyPre] },
        { name: 'multi', files: [sdistFile('multi', '3.0', { 'setup.py': 'x' }), ...wheels, duplicate] },
      ],
    });
  });
  after(async () => {
    await server.close();
  });

  it('picks the latest non-yanked final release through PEP 691 JSON, with times and the JSON API document', async () => {
    const release = await resolveRelease({ ecosystem: 'pypi', name: 'demo_pkg' }, options(server));
    assert.equal(release.version, '1.2');
    assert.equal(release.name, 'Demo.Pkg');
    assert.equal(release.previousVersion, '1.0');
    assert.deepEqual(
      release.artifacts.map((a) => [a.filename, a.kind]),
      [
        [newest.filename, 'sdist'],
        [newestWheel.filename, 'wheel'],
      ],
    );
    assert.equal(release.artifacts[0]?.hashes.sha256, sha256Hex(newest.bytes));
    assert.deepEqual(
      release.versions.map((v) => [v.version, v.time, v.yanked ?? false]),
      [
        ['1.0', '2024-01-01T00:00:00Z', false],
        ['1.2', '2024-03-01T00:00:00Z', false],
        ['1.3', '2024-04-01T00:00:00Z', true],
        ['2.0rc1', '2024-05-01T00:00:00Z', false],
      ],
    );
    const doc = release.registryDocument as { info?: { author?: string } };
    assert.equal(doc.info?.author, 'Someone');
    assert.ok(release.versionManifest !== undefined);
    const page = server.log.find((r) => r.path === '/simple/demo-pkg/');
    assert.match(page?.accept ?? '', /application\/vnd\.pypi\.simple\.v1\+json/);
    assert.match(page?.userAgent ?? '', /^vigil\//);
  });

  it('downloads and verifies a file, and the bytes unpack', async () => {
    const release = await resolveRelease({ ecosystem: 'pypi', name: 'Demo.Pkg', version: '1.2' }, options(server));
    const artifact = release.artifacts[0];
    assert.ok(artifact !== undefined);
    const bytes = await downloadArtifact(artifact, options(server));
    const tree = unpackArtifact(bytes, artifact.filename);
    assert.equal(tree.format, 'sdist-tar');
    assert.ok(tree.files.some((f) => f.path === 'Demo_Pkg-1.2/setup.py'));
  });

  it('includes pre-releases only when asked', async () => {
    const release = await resolveRelease({ ecosystem: 'pypi', name: 'demo-pkg' }, options(server, { includePrereleases: true }));
    assert.equal(release.version, '2.0rc1');
    assert.equal(release.previousVersion, '1.2');
    const fallback = await resolveRelease({ ecosystem: 'pypi', name: 'only-pre' }, options(server));
    assert.equal(fallback.version, '0.1b1');
  });

  it('honours an exact pin, compared in normal form, even when yanked', async () => {
    const pinned = await resolveRelease({ ecosystem: 'pypi', name: 'demo-pkg', version: '==1.0.0' }, options(server));
    assert.equal(pinned.version, '1.0');
    const yankedPin = await resolveRelease({ ecosystem: 'pypi', name: 'demo-pkg', version: '1.3' }, options(server));
    assert.equal(yankedPin.version, '1.3');
    assert.equal(yankedPin.artifacts[0]?.yanked, 'contains malware');
    await assert.rejects(resolveRelease({ ecosystem: 'pypi', name: 'demo-pkg', version: '9.9' }, options(server)), code('E_NOT_FOUND'));
  });

  it('resolves PEP 440 specifiers', async () => {
    const release = await resolveRelease({ ecosystem: 'pypi', name: 'demo-pkg', version: '>=1.0,<1.2' }, options(server));
    assert.equal(release.version, '1.0');
  });

  it('reads a static HTML-only mirror the same way', async () => {
    const mirror = await startRegistryServer({ htmlOnly: true, pypi: [{ name: 'Demo.Pkg', files: [stable, newest, newestWheel, yanked, pre] }] });
    try {
      const opts = options(mirror);
      delete opts.pypiJsonApiUrl;
      const release = await resolveRelease({ ecosystem: 'pypi', name: 'Demo.Pkg' }, opts);
      assert.equal(release.version, '1.2');
      assert.equal(release.name, 'Demo.Pkg');
      assert.equal(release.registryDocument, undefined);
      assert.equal(release.versions.find((v) => v.version === '1.3')?.yanked, true);
      // Both link styles (relative and absolute) were served and both download and verify.
      for (const artifact of release.artifacts) await downloadArtifact(artifact, opts);
      assert.equal(mirror.requests.get('/pypi/demo-pkg/json'), undefined);
    } finally {
      await mirror.close();
    }
  });

  it('refuses a file whose bytes do not match the index hash, naming both hashes', async () => {
    const release = await resolveRelease({ ecosystem: 'pypi', name: 'tampered' }, options(server));
    const artifact = release.artifacts[0];
    assert.ok(artifact !== undefined);
    await assert.rejects(downloadArtifact(artifact, options(server)), (error: unknown) => {
      assert.ok(isVigilError(error));
      assert.equal(error.code, 'E_INTEGRITY');
      assert.match(error.message, /tampered-1\.0\.tar\.gz/);
      assert.match(error.message, new RegExp(`expected sha256:${'0'.repeat(64)}`));
      assert.match(error.message, new RegExp(sha256Hex(tampered.bytes)));
      return true;
    });
  });

  it('refuses a file without any hash unless allowed', async () => {
    const release = await resolveRelease({ ecosystem: 'pypi', name: 'unhashed' }, options(server));
    const artifact = release.artifacts[0];
    assert.ok(artifact !== undefined);
    await assert.rejects(downloadArtifact(artifact, options(server)), code('E_INTEGRITY'));
    assert.equal(server.requests.get(`/files/unhashed/${unhashed.filename}`), undefined);
    const bytes = await downloadArtifact(artifact, options(server, { allowUnhashed: true }));
    assert.equal(bytes.length, unhashed.bytes.length);
  });

  it('dedupes artifacts by hash and keeps a diverse capped set (sdist first)', async () => {
    const release = await resolveRelease({ ecosystem: 'pypi', name: 'multi' }, options(server, { maxArtifacts: 4 }));
    assert.deepEqual(
      release.artifacts.map((a) => a.filename),
      ['multi-3.0.tar.gz', 'multi-3.0-py3-none-any.whl', 'multi-3.0-cp311-cp311-manylinux_2_17_x86_64.whl', 'multi-3.0-cp311-cp311-win_amd64.whl'],
    );
    const all = await resolveRelease({ ecosystem: 'pypi', name: 'multi' }, options(server));
    assert.equal(all.artifacts.length, 6); // 1 sdist + 5 distinct wheels (the duplicate is dropped)
  });

  it('maps a missing project to E_NOT_FOUND', async () => {
    await assert.rejects(resolveRelease({ ecosystem: 'pypi', name: 'no-such-project' }, options(server)), code('E_NOT_FOUND'));
  });

  it('retries the index after 500 and 429 responses', async () => {
    server.failNext('/simple/tampered/', 500, 1);
    server.failNext('/simple/tampered/', 429, 1, '0');
    const before = server.requests.get('/simple/tampered/') ?? 0;
    const release = await resolveRelease({ ecosystem: 'pypi', name: 'tampered' }, options(server));
    assert.equal(release.version, '1.0');
    assert.equal((server.requests.get('/simple/tampered/') ?? 0) - before, 3);
  });

  it('reports rate limiting after the retries are used up', async () => {
    server.failNext('/simple/unhashed/', 429, 10, '0');
    await assert.rejects(resolveRelease({ ecosystem: 'pypi', name: 'unhashed' }, options(server, { retries: 1 })), code('E_RATE_LIMITED'));
  });
});

describe('index hashes', () => {
  it('uses sha256, falls back to sha512 as SRI, and never trusts md5', () => {
    const data = new TextEncoder().encode('dist bytes');
    const sha256 = createHash('sha256').update(data).digest('hex');
    const sha512 = createHash('sha512').update(data).digest('hex');
    assert.deepEqual(remoteHashes({ sha256, sha512 }), { sha256 });
    const fallback = remoteHashes({ sha512, md5: 'a'.repeat(32) });
    assert.match(fallback.integrity ?? '', /^sha512-/);
    verifyArtifact({ filename: 'x.tar.gz', url: 'https://x.invalid/x', kind: 'sdist', hashes: fallback }, data);
    assert.deepEqual(remoteHashes({ md5: 'a'.repeat(32) }), {});
  });
});

describe('artifact selection', () => {
  it('always keeps at least one artifact', () => {
    const file = { filename: 'x-1.0.tar.gz', url: 'https://x.invalid/x', hashes: {} };
    assert.equal(selectArtifacts([{ file, dist: { kind: 'sdist', name: 'x', version: '1.0' } }], 0).length, 1);
  });
});
