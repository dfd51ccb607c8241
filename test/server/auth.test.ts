/**
 * Dashboard access control over real HTTP: 401 without the token, 200 with the bearer token, the login
 * form and `/login?token=` cookie flow (HttpOnly, SameSite=Strict), logout, tampered and expired
 * sessions, open redirects and cross-site posts refused, security headers, the refusal to bind a
 * non-loopback address without a token, and `vigil serve --token-file` as a real process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { serveToken } from '../../src/cli/commands/serve.js';
import { main } from '../../src/cli/main.js';
import { DashboardAuth, checkExposure, isLoopbackHost, safeNext, startDashboard } from '../../src/server/index.js';
import type { RunningDashboard } from '../../src/server/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { seededDashboard } from './seed.js';

const TOKEN = 'tok-3f9c2a1b7e0d4c5a9b8e7f6a';
const BIN = fileURLToPath(new URL('../../../bin/vigil.js', import.meta.url));

describe('dashboard access control (HTTP)', () => {
  let served: Awaited<ReturnType<typeof seededDashboard>>;
  let dash: RunningDashboard;
  before(async () => {
    served = await seededDashboard('vigil-serve-auth-', { token: TOKEN });
    dash = served.dash;
  });
  after(async () => {
    await served.close();
  });

  const req = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${dash.url}${path}`, { redirect: 'manual', ...init });
    return { status: res.status, headers: res.headers, body: await res.text() };
  };
  const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
    method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  const cookieOf = (headers: Headers): string => (headers.get('set-cookie') ?? '').split(';')[0] ?? '';

  test('without the token: 401 on every page and API route, a login form, no data; /healthz stays open', async () => {
    for (const path of ['/', '/releases?q=evil', '/alerts', '/release/npm/evil-pkg/0.0.9', '/project/abc123def456', '/nope']) {
      const r = await req(path);
      assert.equal(r.status, 401, path);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="vigil"');
      assert.match(r.body, /<form method="post" action="\/login">/);
      for (const data of ['shop-frontend', 'payload.example.invalid', 'requests-helper', 'Install hook']) assert.ok(!r.body.includes(data), `no data leaks on ${path}`);
    }
    assert.match((await req('/releases?q=evil')).body, /name="next" value="\/releases\?q=evil"/);
    for (const path of ['/api/releases', '/api/alerts', '/api/projects']) {
      const r = await req(path);
      assert.equal(r.status, 401);
      assert.deepEqual(JSON.parse(r.body), { error: 'authentication required: send Authorization: Bearer <token>' });
    }
    assert.equal((await req('/api/projects', { headers: { authorization: `Bearer ${TOKEN}x` } })).status, 401, 'wrong bearer');
    assert.equal((await req('/api/projects', { headers: { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` } })).status, 401);
    assert.equal((await req('/healthz')).status, 200);
  });

  test('with the bearer token: 200, the same pages and JSON as before', async () => {
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
    const overview = await req('/', auth);
    assert.equal(overview.status, 200);
    assert.ok(overview.body.includes('shop-frontend'));
    assert.ok(!overview.body.includes('Log out'), 'no session, no logout button');
    assert.equal((await req('/release/npm/evil-pkg/0.0.9', auth)).status, 200);
    const api = JSON.parse((await req('/api/releases?q=requests', auth)).body) as { name: string }[];
    assert.deepEqual(api.map((x) => x.name), ['requests-helper']);
    assert.equal((await req('/api/projects', { headers: { authorization: `bearer   ${TOKEN}` } })).status, 200, 'scheme is case-insensitive');
  });

  test('cookie flow: /login?token= and the form set an HttpOnly SameSite=Strict session; logout ends it', async () => {
    const viaQuery = await req(`/login?token=${TOKEN}&next=${encodeURIComponent('/alerts?q=evil')}`);
    assert.equal(viaQuery.status, 303);
    assert.equal(viaQuery.headers.get('location'), '/alerts?q=evil', 'redirect drops the token from the address bar');
    const setCookie = viaQuery.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^vigil_session=v1\.\d+\.[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    assert.ok(!setCookie.includes(TOKEN), 'the cookie does not carry the token');
    const cookie = cookieOf(viaQuery.headers);
    const alerts = await req('/alerts?q=evil', { headers: { cookie } });
    assert.equal(alerts.status, 200);
    assert.ok(alerts.body.includes('you use 0.0.8'));
    assert.match(alerts.body, /<form class="account" method="post" action="\/logout"><button type="submit">Log out<\/button><\/form>/);
    assert.equal((await req('/api/alerts', { headers: { cookie } })).status, 200);
    assert.equal((await req('/login', { headers: { cookie } })).status, 303, 'already logged in');

    const bad = await req('/login', form({ token: 'wrong-token-wrong-token', next: '/' }));
    assert.equal(bad.status, 401);
    assert.match(bad.body, /Wrong token\./);
    assert.equal(bad.headers.get('set-cookie'), null);
    const good = await req('/login', form({ token: TOKEN, next: '/releases' }, { origin: dash.url }));
    assert.equal(good.status, 303);
    assert.equal(good.headers.get('location'), '/releases');
    const cookie2 = cookieOf(good.headers);
    assert.equal((await req('/releases', { headers: { cookie: cookie2 } })).status, 200);
    const secure = await req('/login', form({ token: TOKEN }, { 'x-forwarded-proto': 'https' }));
    assert.match(secure.headers.get('set-cookie') ?? '', /; Secure$/, 'Secure behind an HTTPS proxy');

    const out = await req('/logout', { method: 'POST', headers: { cookie: cookie2, origin: dash.url } });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/login');
    assert.match(out.headers.get('set-cookie') ?? '', /^vigil_session=; .*Max-Age=0/);
    assert.equal((await req('/releases', { headers: { cookie: cookie2 } })).status, 401, 'a logged-out session is refused even if replayed');
    assert.equal((await req('/releases', { headers: { cookie } })).status, 200, 'other sessions go on');
    assert.equal((await req('/logout')).status, 405, 'logout is POST only');
  });

  test('tampered, forged and expired sessions are refused; open redirects and cross-site posts too', async () => {
    const login = await req(`/login?token=${TOKEN}`);
    const value = cookieOf(login.headers).split('=')[1] ?? '';
    const [v, expiry, nonce, mac] = value.split('.');
    for (const forged of [`${v}.${Number(expiry) + 3600}.${nonce}.${mac}`, `${v}.${expiry}.${nonce}.${'A'.repeat(43)}`, TOKEN, '']) {
      assert.equal((await req('/', { headers: { cookie: `vigil_session=${forged}` } })).status, 401, forged);
    }
    let now = Date.now();
    const a = new DashboardAuth(TOKEN, () => now);
    const s = a.issueSession();
    assert.equal(a.verifySession(s), true);
    now += 12 * 3600 * 1000 + 1000;
    assert.equal(a.verifySession(s), false, 'expired after 12 h');
    assert.equal(new DashboardAuth(`${TOKEN}-rotated`).verifySession(s), false, 'a new token ends every session');

    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/%0d%0aSet-Cookie:x', 'javascript:alert(1)', '/logout']) {
      const r = await req(`/login?token=${TOKEN}&next=${encodeURIComponent(next)}`);
      assert.equal(r.headers.get('location'), next === '/%0d%0aSet-Cookie:x' ? next : '/', next);
    }
    assert.equal(safeNext('/release/npm/x/1.0.0?a=b'), '/release/npm/x/1.0.0?a=b');
    assert.equal(safeNext('/a\nb'), '/');

    const cross = await req('/login', form({ token: TOKEN }, { origin: 'http://evil.example' }));
    assert.equal(cross.status, 403);
    assert.equal(cross.headers.get('set-cookie'), null);
    assert.equal((await req('/login', form({ token: TOKEN }, { 'sec-fetch-site': 'cross-site', origin: 'null' }))).status, 403, 'Fetch Metadata says cross-site');
    assert.equal((await req('/login', form({ token: TOKEN }, { 'sec-fetch-site': 'same-origin', origin: 'null' }))).status, 303, 'our own form under no-referrer');
    assert.equal((await req('/login', { method: 'POST', body: '{"token":"x"}', headers: { 'content-type': 'application/json' } })).status, 400);
    assert.equal((await req('/login', form({ token: 'x'.repeat(5000) }))).status, 400, 'form size limit');
    assert.equal((await req('/', { method: 'POST', body: 'x', headers: { authorization: `Bearer ${TOKEN}` } })).status, 405);
  });

  test('security headers: CSP without inline script or unsafe-inline style (the stylesheet by hash), framing denied, no referrer', async () => {
    for (const r of [await req('/', { headers: { authorization: `Bearer ${TOKEN}` } }), await req('/')]) {
      const csp = r.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.ok(!csp.includes('unsafe-inline') && !csp.includes('script-src'), csp);
      const style = /<style>([\s\S]*?)<\/style>/.exec(r.body)?.[1] ?? '';
      assert.ok(style.length > 100);
      assert.ok(csp.includes(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`), 'the page stylesheet matches the CSP hash');
      assert.equal(r.headers.get('x-frame-options'), 'DENY');
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.ok(!r.body.includes('<script'));
    }
  });
});

describe('binding and tokens', () => {
  test('a non-loopback address without a token is refused, with a clear error', async () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '::ffff:10.0.0.1', '128.0.0.1']) assert.equal(isLoopbackHost(host), false, host);
    await assert.rejects(startDashboard({ store: new SqliteStore(':memory:'), host: '0.0.0.0', port: 0 }), {
      code: 'E_USAGE', message: /refusing to serve the dashboard on 0\.0\.0\.0 without authentication.*--token-file.*--insecure-no-auth/,
    });
    assert.doesNotThrow(() => checkExposure('0.0.0.0', TOKEN, false));
    assert.doesNotThrow(() => checkExposure('0.0.0.0', undefined, true));
    assert.doesNotThrow(() => checkExposure('127.0.0.1', undefined, false));

    let stderr = '';
    const io = {
      stdout: new Writable({ write: (_c, _e, cb) => cb() }),
      stderr: new Writable({ write: (c: Buffer, _e, cb) => { stderr += c.toString(); cb(); } }),
      env: { PATH: process.env.PATH ?? '' }, cwd: '/',
    };
    assert.equal(await main(['serve', '--host', '0.0.0.0', '--port', '0'], io), 2);
    assert.match(stderr, /refusing to serve the dashboard on 0\.0\.0\.0 without authentication/);
    stderr = '';
    assert.equal(await main(['serve', '--token', 'short'], io), 2);
    assert.match(stderr, /at least 16 characters/);
    stderr = '';
    assert.equal(await main(['serve', '--token', TOKEN, '--token-file', '/x'], io), 2);
    assert.match(stderr, /not both/);
  });

  test('token sources: --token-file (first line, permission warning), --token, $VIGIL_SERVE_TOKEN', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-token-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, `${TOKEN}\n`);
      chmodSync(file, 0o644);
      let stderr = '';
      const io = { stdout: process.stdout, stderr: new Writable({ write: (c: Buffer, _e, cb) => { stderr += c.toString(); cb(); } }), env: {}, cwd: dir };
      assert.equal(serveToken({ 'token-file': 'token' }, io), TOKEN);
      assert.match(stderr, /can be read by other users \(chmod 600 it\)/);
      chmodSync(file, 0o600);
      stderr = '';
      assert.equal(serveToken({ 'token-file': file }, io), TOKEN);
      assert.equal(stderr, '');
      assert.equal(serveToken({ token: TOKEN }, io), TOKEN);
      assert.equal(serveToken({}, { ...io, env: { VIGIL_SERVE_TOKEN: `${TOKEN}-env` } }), `${TOKEN}-env`);
      assert.equal(serveToken({}, io), undefined);
      assert.throws(() => serveToken({ 'token-file': 'missing' }, io), { code: 'E_USAGE', message: /cannot read the token file missing/ });
      assert.throws(() => serveToken({ token: 'has space in the token' }, io), { code: 'E_USAGE', message: /printable ASCII/ });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('vigil serve --token-file as a process: 401 without, 200 with the bearer token', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-serve-proc-'));
    const file = join(dir, 'token');
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--token-file', file, '--store', join(dir, 'p.db')], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, VIGIL_DATA_DIR: join(dir, 'data') }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      const end = Date.now() + 15_000;
      while (!/http:\/\/[\d.]+:\d+/.test(stdout)) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`serve did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(stdout, /token required; browsers log in at http:\/\/127\.0\.0\.1:\d+\/login/);
      const url = /http:\/\/[\d.]+:\d+/.exec(stdout)?.[0] ?? '';
      assert.equal((await fetch(`${url}/api/projects`)).status, 401);
      const ok = await fetch(`${url}/api/projects`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), []);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(child.exitCode, 0, stderr);
  });
});
