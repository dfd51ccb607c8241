import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unpackArtifact } from '../../src/archive/index.js';
import { isVigilError } from '../../src/core/errors.js';
import { downloadArtifact, expectedHashes, resolveRelease, verifyArtifact } from '../../src/ecosystems/index.js';
import { packumentUrl, parsePackument, pickVersion } from '../../src/ecosystems/npm/index.js';
import type { RemoteArtifact } from '../../src/ecosystems/types.js';
import { sri512 } from '../helpers/archives.js';
import { npmVersion, startRegistryServer } from '../helpers/registry-server.js';
import { registryOptionsFor } from '../helpers/registry-server.js';
import type { RegistryServer } from '../helpers/registry-server.js';

const options = registryOptionsFor;

const code = (expected: string) => (error: unknown) => isVigilError(error) && error.code === expected;

describe('npm packument helpers', () => {
  it('builds packument URLs with encoded scopes', () => {
    assert.equal(packumentUrl('https://r.example.invalid/', 'left-pad'), 'https://r.example.invalid/left-pad');
    assert.equal(packumentUrl('https://r.example.invalid/npm', '@scope/pkg'), 'https://r.example.invalid/npm/@scope%2Fpkg');
    assert.throws(() => packumentUrl('https://r.example.invalid/', '../etc'), code('E_TARGET'));
  });

  it('picks versions like npm', () => {
    const p = parsePackument(
      {
        name: 'x',
        'dist-tags': { latest: '1.2.0', next: '2.0.0-beta.1' },
        versions: { '1.0.0': {}, '1.2.0': {}, '1.3.0': {}, '2.0.0-beta.1': {}, '2.0.0-beta.2': {} },
      },
      'x',
    );
    assert.equal(pickVersion(p, undefined, false), '1.2.0');
    assert.equal(pickVersion(p, 'next', false), '2.0.0-beta.1');
    assert.equal(pickVersion(p, '1.0.0', false), '1.0.0');
    assert.equal(pickVersion(p, 'v1.3.0', false), '1.3.0');
    // latest wins when it satisfies the range (npm-pick-manifest), else the highest match.
    assert.equal(pickVersion(p, '^1.0.0', false), '1.2.0');
    assert.equal(pickVersion(p, '>=1.3.0', false), '1.3.0');
    assert.equal(pickVersion(p, '>=1.3.0', true), '2.0.0-beta.2');
    assert.throws(() => pickVersion(p, '^3', false), code('E_NOT_FOUND'));
    assert.throws(() => pickVersion(p, '9.9.9', false), code('E_NOT_FOUND'));
    assert.throws(() => parsePackument({ error: 'nope' }, 'x'), code('E_NOT_FOUND'));
  });

  it('chooses the strongest SRI hash and checks every given hash', () => {
    const data = new TextEncoder().encode('tarball');
    const artifact: RemoteArtifact = { filename: 'x.tgz', url: 'https://x.invalid/x.tgz', kind: 'npm-tgz', hashes: { integrity: `sha1-AAAA ${sri512(data)}` } };
    assert.deepEqual(
      expectedHashes(artifact).map((e) => e.algorithm),
      ['sha512'],
    );
    verifyArtifact(artifact, data);
    assert.throws(() => verifyArtifact(artifact, new TextEncoder().encode('other')), code('E_INTEGRITY'));
    assert.throws(() => verifyArtifact({ ...artifact, hashes: { integrity: 'md5-xyz' } }, data), code('E_INTEGRITY'));
    assert.throws(() => verifyArtifact({ ...artifact, hashes: {} }, data), code('E_INTEGRITY'));
    verifyArtifact({ ...artifact, hashes: {} }, data, true);
  });
});

describe('npm resolution against a loopback registry', () => {
  let server: RegistryServer;
  before(async () => {
    server = await startRegistryServer({
      npm: [
        {
          name: 'left-pad',
          versions: [
            npmVersion('left-pad', '1.0.0', { 'index.js': 'module.exports = 0' }, { time: '2016-01-01T00:00:00.000Z' }),
            npmVersion('left-pad', '1.3.0', { 'index.js': 'module.exports = 1' }, { time: '2018-04-09T00:00:00.000Z' }),
            npmVersion('left-pad', '1.4.0-rc.1', { 'index.js': 'module.exports = 2' }, { time: '2019-01-01T00:00:00.000Z', deprecated: 'use String.prototype.padStart' }),
          ],
          distTags: { latest: '1.3.0', next: '1.4.0-rc.1' },
          extra: { maintainers: [{ name: 'someone', email: 'someone@example.invalid' }] },
        },
        {
          name: '@scope/tool',
          versions: [
            npmVersion('@scope/tool', '0.1.0', { 'cli.js': '1' }, { manifest: { scripts: { postinstall: 'node cli.js' } } }),
            npmVersion('@scope/tool', '0.2.0', { 'cli.js': '2' }),
          ],
        },
        { name: 'tampered', versions: [npmVersion('tampered', '1.0.0', { 'index.js': 'x' }, { tamper: true })] },
        { name: 'sha1-only', versions: [npmVersion('sha1-only', '1.0.0', { 'index.js': 'x' }, { hashes: 'shasum' })] },
        { name: 'sha1-tampered', versions: [npmVersion('sha1-tampered', '1.0.0', { 'index.js': 'x' }, { hashes: 'shasum', tamper: true })] },
        { name: 'no-hash', versions: [npmVersion('no-hash', '1.0.0', { 'index.js': 'x' }, { hashes: 'none' })] },
      ],
    });
  });
  after(async () => {
    await server.close();
  });

  it('resolves latest from dist-tags with the full packument, times and previous version', async () => {
    const release = await resolveRelease({ ecosystem: 'npm', name: 'left-pad' }, options(server));
    assert.equal(release.version, '1.3.0');
    assert.equal(release.previousVersion, '1.0.0');
    assert.deepEqual(
      release.versions.map((v) => [v.version, v.time, v.deprecated]),
      [
        ['1.0.0', '2016-01-01T00:00:00.000Z', undefined],
        ['1.3.0', '2018-04-09T00:00:00.000Z', undefined],
        ['1.4.0-rc.1', '2019-01-01T00:00:00.000Z', 'use String.prototype.padStart'],
      ],
    );
    const doc = release.registryDocument as { maintainers?: unknown[] };
    assert.equal(doc.maintainers?.length, 1);
    assert.equal((release.versionManifest as { version?: string }).version, '1.3.0');
    const artifact = release.artifacts[0];
    assert.equal(artifact?.filename, 'left-pad-1.3.0.tgz');
    assert.equal(artifact?.kind, 'npm-tgz');
    assert.match(artifact?.hashes.integrity ?? '', /^sha512-/);
    assert.equal(server.log.find((r) => r.path === '/npm/left-pad')?.accept, 'application/json');
  });

  it('downloads, verifies and unpacks the tarball', async () => {
    const release = await resolveRelease({ ecosystem: 'npm', name: 'left-pad', version: '1.0.0' }, options(server));
    const artifact = release.artifacts[0];
    assert.ok(artifact !== undefined);
    const tree = unpackArtifact(await downloadArtifact(artifact, options(server)), artifact.filename);
    assert.equal(tree.format, 'npm-tgz');
    assert.equal(new TextDecoder().decode(tree.files.find((f) => f.path === 'package/index.js')?.data), 'module.exports = 0');
  });

  it('resolves tags, ranges and pre-releases', async () => {
    assert.equal((await resolveRelease({ ecosystem: 'npm', name: 'left-pad', version: 'next' }, options(server))).version, '1.4.0-rc.1');
    assert.equal((await resolveRelease({ ecosystem: 'npm', name: 'left-pad', version: '~1.0' }, options(server))).version, '1.0.0');
    assert.equal((await resolveRelease({ ecosystem: 'npm', name: 'left-pad', version: '>1.3.0' }, options(server, { includePrereleases: true }))).version, '1.4.0-rc.1');
    await assert.rejects(resolveRelease({ ecosystem: 'npm', name: 'left-pad', version: '>1.3.0' }, options(server)), code('E_NOT_FOUND'));
  });

  it('handles scoped packages and their tarball paths', async () => {
    const release = await resolveRelease({ ecosystem: 'npm', name: '@scope/tool', version: '0.1.0' }, options(server));
    assert.equal(release.name, '@scope/tool');
    assert.equal((release.versionManifest as { scripts?: { postinstall?: string } }).scripts?.postinstall, 'node cli.js');
    assert.ok(server.requests.has('/npm/@scope%2Ftool') || server.requests.has('/npm/@scope%2ftool'));
    const artifact = release.artifacts[0];
    assert.ok(artifact !== undefined);
    assert.equal(artifact.filename, 'tool-0.1.0.tgz');
    const bytes = await downloadArtifact(artifact, options(server));
    assert.ok(bytes.length > 0);
  });

  it('refuses a tarball that fails dist.integrity (sha512) or shasum, and one without hashes', async () => {
    for (const name of ['tampered', 'sha1-tampered']) {
      const release = await resolveRelease({ ecosystem: 'npm', name }, options(server));
      const artifact = release.artifacts[0];
      assert.ok(artifact !== undefined);
      await assert.rejects(downloadArtifact(artifact, options(server)), (error: unknown) => {
        assert.ok(isVigilError(error));
        assert.equal(error.code, 'E_INTEGRITY');
        assert.match(error.message, new RegExp(`${name}-1\\.0\\.0\\.tgz.*expected (sha512-|sha1:)`));
        return true;
      });
    }
    const sha1 = await resolveRelease({ ecosystem: 'npm', name: 'sha1-only' }, options(server));
    assert.ok(sha1.artifacts[0] !== undefined);
    assert.ok((await downloadArtifact(sha1.artifacts[0], options(server))).length > 0);
    const none = await resolveRelease({ ecosystem: 'npm', name: 'no-hash' }, options(server));
    assert.ok(none.artifacts[0] !== undefined);
    await assert.rejects(downloadArtifact(none.artifacts[0], options(server)), code('E_INTEGRITY'));
  });

  it('maps a missing package to E_NOT_FOUND', async () => {
    await assert.rejects(resolveRelease({ ecosystem: 'npm', name: 'does-not-exist' }, options(server)), code('E_NOT_FOUND'));
    await assert.rejects(resolveRelease({ ecosystem: 'npm', name: '@scope/missing' }, options(server)), code('E_NOT_FOUND'));
  });

  it('retries a packument after a 500', async () => {
    server.failNext('/npm/left-pad', 500, 2);
    const release = await resolveRelease({ ecosystem: 'npm', name: 'left-pad' }, options(server));
    assert.equal(release.version, '1.3.0');
  });

  it('retries a tarball download after a 429 and a 503 (failFirst fixture knob)', async () => {
    const flaky = await startRegistryServer({
      npm: [{ name: 'flaky', versions: [npmVersion('flaky', '1.0.0', { 'index.js': '1' })] }],
      failFirst: [
        { path: '/npm/flaky/-/', status: 429, count: 1, retryAfter: '0' },
        { path: '/npm/flaky/-/', status: 503, count: 1 },
      ],
    });
    try {
      const release = await resolveRelease({ ecosystem: 'npm', name: 'flaky' }, options(flaky));
      assert.ok(release.artifacts[0] !== undefined);
      const bytes = await downloadArtifact(release.artifacts[0], options(flaky));
      assert.ok(bytes.length > 0);
      assert.equal(flaky.requests.get('/npm/flaky/-/flaky-1.0.0.tgz'), 3);
    } finally {
      await flaky.close();
    }
  });
});
