/**
 * The three HTTP clients built on `fetchWithRetries` (registry GET, install-guard upstream, feeds) keep
 * their own contracts: which statuses are answers, which are retried, and which error codes come out.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isVigilError } from '../../src/core/errors.js';
import { fetchWithRetries } from '../../src/ecosystems/http.js';
import { fetchText } from '../../src/feeds/http.js';
import { fetchUpstream } from '../../src/guard/upstream.js';

const code = (expected: string, pattern?: RegExp) => (error: unknown) => isVigilError(error) && error.code === expected && (pattern === undefined || pattern.test(error.message));

let server: Server;
let base = '';
/** Requests per path. */
const hits = new Map<string, number>();
/** Remaining 503s per path before it answers. */
const flaky = new Map<string, number>();

before(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const failures = flaky.get(path) ?? 0;
    if (failures > 0) {
      flaky.set(path, failures - 1);
      res.writeHead(503).end();
      return;
    }
    if (path === '/ok') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.method} ${req.headers['user-agent']} ${req.headers.accept ?? '-'}`);
    } else if (path === '/echo') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => res.writeHead(200).end(`${req.method} ${body}`));
    } else if (path === '/missing') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
    } else if (path === '/busy') {
      res.writeHead(429).end();
    } else if (path === '/down') {
      res.writeHead(500).end();
    } else if (path === '/big') {
      res.writeHead(200).end('x'.repeat(5000));
    } else if (path === '/redirect') {
      res.writeHead(302, { location: '/ok' }).end();
    } else {
      res.writeHead(400).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const upstreamOptions = { timeoutMs: 2000, retries: 2, maxBytes: 1024, retryDelayMs: 1 };

describe('fetchWithRetries', () => {
  it('retries 503 and returns the answer with the final URL after a redirect', async () => {
    flaky.set('/redirect', 1);
    const outcome = await fetchWithRetries(`${base}/redirect`, { timeoutMs: 2000, retries: 1, maxBytes: 1024, tooLarge: () => 'too large', retryDelay: () => 0 });
    assert.ok(outcome.ok);
    assert.equal(outcome.response.url, `${base}/ok`);
    assert.equal(outcome.response.status, 200);
  });

  it('returns the last failure once the retry policy gives up', async () => {
    hits.delete('/down');
    const outcome = await fetchWithRetries(`${base}/down`, { timeoutMs: 2000, retries: 5, maxBytes: 1024, tooLarge: () => 'too large', retryDelay: (retry) => (retry < 3 ? 0 : undefined) });
    assert.deepEqual(outcome, { ok: false, failure: { kind: 'status', status: 500, retryAfterMs: undefined } });
    assert.equal(hits.get('/down'), 3);
  });
});

describe('guard upstream (fetchUpstream)', () => {
  it('hands back a 404 with its body: it is an answer, not an error', async () => {
    const r = await fetchUpstream(`${base}/missing`, 'application/json', upstreamOptions);
    assert.equal(r.status, 404);
    assert.equal(new TextDecoder().decode(r.body), '{"error":"Not found"}');
  });

  it('sends its own User-Agent and the Accept asked for; retries a 503', async () => {
    flaky.set('/ok', 2);
    const r = await fetchUpstream(`${base}/ok`, 'text/html', upstreamOptions);
    assert.equal(new TextDecoder().decode(r.body), 'GET vigil-guard text/html');
  });

  it('E_NETWORK naming the status after the retries; E_LIMIT for a large body without retrying', async () => {
    hits.delete('/down');
    await assert.rejects(fetchUpstream(`${base}/down`, undefined, upstreamOptions), code('E_NETWORK', /upstream answered HTTP 500/));
    assert.equal(hits.get('/down'), 3);
    hits.delete('/big');
    await assert.rejects(fetchUpstream(`${base}/big`, undefined, upstreamOptions), code('E_LIMIT', /larger than 1024 bytes/));
    assert.equal(hits.get('/big'), 1);
  });

  it('refuses a non-http upstream', async () => {
    await assert.rejects(fetchUpstream('file:///etc/passwd', undefined, upstreamOptions), code('E_CONFIG'));
  });
});

describe('feeds (fetchText)', () => {
  it('POSTs a body and returns the text', async () => {
    assert.equal(await fetchText(`${base}/echo`, { method: 'POST', body: '<call/>', timeoutMs: 2000 }), 'POST <call/>');
  });

  it('tries once: 429 is E_RATE_LIMITED, 5xx and 404 are E_NETWORK, a large body is E_LIMIT', async () => {
    for (const path of ['/busy', '/down', '/missing']) hits.delete(path);
    await assert.rejects(fetchText(`${base}/busy`), code('E_RATE_LIMITED', /rate limited/));
    await assert.rejects(fetchText(`${base}/down`), code('E_NETWORK', /HTTP 500/));
    await assert.rejects(fetchText(`${base}/missing`), code('E_NETWORK', /HTTP 404/));
    for (const path of ['/busy', '/down', '/missing']) assert.equal(hits.get(path), 1, path);
    await assert.rejects(fetchText(`${base}/big`, { maxBytes: 100 }), code('E_LIMIT', /larger than 100 bytes/));
  });

  it('an unreachable feed is E_NETWORK with the cause, not "fetch failed"', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(fetchText(`http://127.0.0.1:${port}/`), code('E_NETWORK', /ECONNREFUSED/));
  });
});
