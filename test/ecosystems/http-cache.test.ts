import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isVigilError } from '../../src/core/errors.js';
import { ArtifactCache, MetadataCache, defaultCacheDir, sha256Of } from '../../src/ecosystems/cache.js';
import { httpGet, parseRetryAfter } from '../../src/ecosystems/http.js';
import type { HttpOptions } from '../../src/ecosystems/http.js';
import { defaultRegistryOptions, downloadArtifact, resolveRelease } from '../../src/ecosystems/index.js';
import type { RegistryOptions } from '../../src/ecosystems/types.js';
import { sdistFile, startRegistryServer } from '../helpers/registry-server.js';

const code = (expected: string) => (error: unknown) => isVigilError(error) && error.code === expected;
const http = (extra: Partial<HttpOptions> = {}): HttpOptions => ({ timeoutMs: 2000, retries: 2, maxBytes: 1024, retryBaseMs: 5, ...extra });

describe('httpGet', () => {
  let server: Server;
  let base = '';
  let hits = 0;
  before(async () => {
    server = createServer((req, res) => {
      hits += 1;
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(5000));
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 1500).unref();
      } else if (req.url === '/wait-long') {
        res.writeHead(429, { 'retry-after': '3600' });
        res.end();
      } else if (req.url === '/forbidden') {
        res.writeHead(403);
        res.end();
      } else if (req.url === '/auth') {
        res.end(req.headers.authorization ?? 'none');
      } else if (req.url === '/ua') {
        res.end(req.headers['user-agent'] ?? '');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends a vigil User-Agent', async () => {
    const response = await httpGet(`${base}/ua`, http());
    assert.match(new TextDecoder().decode(response.body), /^vigil\/\d+\.\d+\.\d+/);
  });

  it('sends URL credentials as Basic auth, reuses them for the origin and never prints them', async () => {
    const port = new URL(base).port;
    const first = await httpGet(`http://user:p%40ss@127.0.0.1:${port}/auth`, http());
    const expected = `Basic ${Buffer.from('user:p@ss').toString('base64')}`;
    assert.equal(new TextDecoder().decode(first.body), expected);
    assert.equal(first.url.includes('p%40ss'), false);
    const again = await httpGet(`${base}/auth`, http());
    assert.equal(new TextDecoder().decode(again.body), expected);
    await assert.rejects(httpGet(`http://user:secret@127.0.0.1:${port}/missing`, http()), (e: unknown) => isVigilError(e) && !e.message.includes('secret'));
  });

  it('maps 404 to E_NOT_FOUND without retrying', async () => {
    hits = 0;
    await assert.rejects(httpGet(`${base}/missing`, http()), code('E_NOT_FOUND'));
    assert.equal(hits, 1);
  });

  it('maps other 4xx to E_NETWORK naming the host', async () => {
    await assert.rejects(httpGet(`${base}/forbidden`, http()), (e: unknown) => isVigilError(e) && e.code === 'E_NETWORK' && e.message.includes('127.0.0.1'));
  });

  it('enforces the response size limit', async () => {
    await assert.rejects(httpGet(`${base}/big`, http()), code('E_LIMIT'));
  });

  it('gives up on a Retry-After longer than it is willing to wait', async () => {
    const start = Date.now();
    await assert.rejects(httpGet(`${base}/wait-long`, http({ maxRetryDelayMs: 1000 })), code('E_RATE_LIMITED'));
    assert.ok(Date.now() - start < 1000);
  });

  it('times out and reports E_NETWORK with the host', async () => {
    await assert.rejects(httpGet(`${base}/slow`, http({ timeoutMs: 100, retries: 1 })), (e: unknown) => isVigilError(e) && e.code === 'E_NETWORK' && /127\.0\.0\.1.*timed out/.test(e.message));
  });

  it('reports an unreachable host as E_NETWORK', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(httpGet(`http://127.0.0.1:${port}/x`, http({ retries: 1 })), (e: unknown) => isVigilError(e) && e.code === 'E_NETWORK' && e.message.includes(`127.0.0.1:${port}`));
  });

  it('parses Retry-After', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 5000), 5000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });
});

describe('caches', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-cache-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('picks the cache directory from the environment', () => {
    assert.equal(defaultCacheDir({ VIGIL_CACHE_DIR: '/a', XDG_CACHE_HOME: '/b' }), '/a');
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/b' }), join('/b', 'vigil'));
    assert.match(defaultCacheDir({}), /\.cache[\\/]vigil$/);
  });

  it('stores by sha256, verifies on read and drops damaged files', async () => {
    const cache = new ArtifactCache(dir);
    const bytes = new TextEncoder().encode('artifact bytes');
    const key = await cache.put(bytes);
    assert.equal(key, sha256Of(bytes));
    assert.deepEqual(await cache.get(key), bytes);
    const path = join(dir, 'artifacts', 'sha256', key.slice(0, 2), key);
    await writeFile(path, 'planted');
    assert.equal(await cache.get(key), undefined);
    assert.deepEqual(await readdir(join(dir, 'artifacts', 'sha256', key.slice(0, 2))), []);
    assert.equal(await cache.get('../../etc/passwd'), undefined);
  });

  it('expires metadata after its TTL', async () => {
    const cache = new MetadataCache(dir, 1000);
    await cache.put('https://x.invalid/simple/a/', 'text/html', '<a>', 10_000);
    assert.equal((await cache.get('https://x.invalid/simple/a/', 10_500))?.body, '<a>');
    assert.equal(await cache.get('https://x.invalid/simple/a/', 12_000), undefined);
    assert.equal(await cache.get('https://x.invalid/simple/b/', 10_500), undefined);
  });

  it('serves a verified download from the cache without the network', async () => {
    const file = sdistFile('cached', '1.0', { 'setup.py': 'x' });
    const server = await startRegistryServer({ pypi: [{ name: 'cached', files: [file] }] });
    const options: RegistryOptions = {
      pypiIndexUrl: server.pypiIndexUrl,
      npmRegistryUrl: server.npmRegistryUrl,
      cacheDir: dir,
      timeoutMs: 5000,
      retries: 0,
      includePrereleases: false,
      maxArtifacts: 4,
    };
    try {
      const release = await resolveRelease({ ecosystem: 'pypi', name: 'cached' }, options);
      const artifact = release.artifacts[0];
      assert.ok(artifact !== undefined);
      await downloadArtifact(artifact, options);
      await downloadArtifact(artifact, options);
      assert.equal(server.requests.get(`/files/cached/${file.filename}`), 1);
      // The index page was cached too (metadata TTL).
      await resolveRelease({ ecosystem: 'pypi', name: 'cached' }, options);
      assert.equal(server.requests.get('/simple/cached/'), 1);
      // A cached copy that does not match the registry's hash is not used.
      const tampered = { ...artifact, hashes: { sha256: '1'.repeat(64) } };
      await assert.rejects(downloadArtifact(tampered, options), code('E_INTEGRITY'));
    } finally {
      await server.close();
    }
  });
});

describe('defaultRegistryOptions', () => {
  it('uses public defaults and honours the environment', () => {
    const defaults = defaultRegistryOptions({ VIGIL_CACHE_DIR: '/c' });
    assert.equal(defaults.pypiIndexUrl, 'https://pypi.org/simple/');
    assert.equal(defaults.pypiJsonApiUrl, 'https://pypi.org/pypi');
    assert.equal(defaults.npmRegistryUrl, 'https://registry.npmjs.org/');
    assert.equal(defaults.cacheDir, '/c');
    const custom = defaultRegistryOptions({ PIP_INDEX_URL: 'http://mirror.invalid/simple/', npm_config_registry: 'http://npm.invalid/' });
    assert.equal(custom.pypiIndexUrl, 'http://mirror.invalid/simple/');
    assert.equal(custom.pypiJsonApiUrl, undefined);
    assert.equal(custom.npmRegistryUrl, 'http://npm.invalid/');
    assert.equal(defaultRegistryOptions({ NPM_CONFIG_REGISTRY: 'http://upper.invalid/' }).npmRegistryUrl, 'http://upper.invalid/');
  });
});
