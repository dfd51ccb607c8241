import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildMessage, createAlertDispatcher, jsonlSink, sendMail, smtpSink, webhookPayload, webhookSink } from '../../src/alerts/index.js';
import type { AlertSink } from '../../src/alerts/index.js';
import { SqliteStore } from '../../src/store/index.js';
import type { AlertRecord } from '../../src/store/index.js';
import { startSmtpServer, startWebhookReceiver } from './loopback.js';

const alert: AlertRecord = {
  key: 'release:npm:evil@1.0.0:malicious', kind: 'malicious-release', severity: 'critical',
  title: 'npm evil@1.0.0 is malicious <@everyone>', message: 'postinstall downloads & runs a script',
  ecosystem: 'npm', name: 'evil', version: '1.0.0', evidencePath: '/release/npm/evil/1.0.0', createdAt: '2026-01-01T00:00:00.000Z',
};
const URL_ = 'http://dash.test/release/npm/evil/1.0.0';

describe('alert payloads', () => {
  test('generic JSON carries the alert and its evidence URL', () => {
    const p = webhookPayload('json', alert, URL_);
    assert.equal(p.type, 'vigil.alert');
    assert.deepEqual(p.alert, { ...alert, evidenceUrl: URL_ });
  });
  test('Slack payload escapes mrkdwn and links the evidence', () => {
    const p = webhookPayload('slack', alert, URL_);
    assert.equal(typeof p.text, 'string');
    assert.match(String(p.text), /&lt;@everyone&gt;/);
    assert.match(String(p.text), /<http:\/\/dash\.test\/release\/npm\/evil\/1\.0\.0\|Evidence>/);
    assert.match(String(p.text), /downloads &amp; runs/);
  });
  test('Discord payload disables mentions and embeds the evidence URL', () => {
    const p = webhookPayload('discord', alert, URL_);
    assert.deepEqual(p.allowed_mentions, { parse: [] });
    assert.ok(!String(p.content).includes('@everyone'));
    const embeds = p.embeds as { url: string }[];
    assert.equal(embeds[0]?.url, URL_);
  });
  test('e-mail message: encoded subject, base64 body, no header injection', () => {
    const raw = buildMessage({ from: 'a@x.test', to: ['b@x.test'], subject: 'ünï\r\nBcc: evil@x.test', body: 'hello' });
    assert.match(raw, /^Subject: =\?UTF-8\?B\?/m);
    assert.ok(!/^Bcc:/m.test(raw));
    assert.match(raw, /\r\n\r\naGVsbG8=$/);
  });
});

describe('alert sinks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-alerts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('webhook posts JSON and retries a failing receiver', async () => {
    const rx = await startWebhookReceiver([500]);
    try {
      await webhookSink(`${rx.url}/hook`, { format: 'slack', retries: 1 }).send(alert, URL_);
      assert.equal(rx.received.length, 1);
      assert.equal(rx.received[0]?.path, '/hook');
      await webhookSink(`${rx.url}/x`, { retries: 0 }).send(alert, URL_);
      assert.equal(rx.received.length, 2);
      assert.equal((rx.received[1]?.body as { type?: string }).type, 'vigil.alert');
    } finally {
      await rx.close();
    }
  });

  test('webhook failure is a VigilError', async () => {
    const rx = await startWebhookReceiver([503, 503]);
    try {
      await assert.rejects(webhookSink(rx.url, { retries: 1 }).send(alert, URL_), { code: 'E_NETWORK' });
    } finally {
      await rx.close();
    }
    assert.throws(() => webhookSink('file:///etc/passwd'), { code: 'E_CONFIG' });
  });

  test('SMTP delivers over loopback with dot-stuffing and validated addresses', async () => {
    const smtp = await startSmtpServer();
    try {
      await smtpSink({ url: smtp.url, from: 'vigil@x.test', to: ['sec@x.test', 'ops@x.test'] }).send(alert, URL_);
      assert.equal(smtp.mails.length, 1);
      const mail = smtp.mails[0];
      assert.equal(mail?.from, '<vigil@x.test>');
      assert.deepEqual(mail?.to, ['<sec@x.test>', '<ops@x.test>']);
      const body = Buffer.from((mail?.data ?? '').split('\r\n\r\n')[1]?.replace(/\r\n/g, '') ?? '', 'base64').toString('utf8');
      assert.match(body, /Evidence: http:\/\/dash\.test\/release\/npm\/evil\/1\.0\.0/);
      assert.throws(() => smtpSink({ url: smtp.url, from: 'x@y.test', to: ['a@b.test>\r\nRCPT TO:<c@d.test'] }), { code: 'E_CONFIG' });
      await assert.rejects(sendMail('smtp://127.0.0.1:1', { from: 'a@b.test', to: ['c@d.test'], subject: 's', body: 'b' }, 2000), { code: 'E_NETWORK' });
    } finally {
      await smtp.close();
    }
  });

  test('JSON-lines file gets one line per alert', async () => {
    const file = join(dir, 'sub', 'alerts.jsonl');
    const sink = jsonlSink(file);
    await sink.send(alert, URL_);
    await sink.send({ ...alert, key: 'k2' }, URL_);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; evidenceUrl: string });
    assert.deepEqual(lines.map((l) => l.key), [alert.key, 'k2']);
    assert.equal(lines[0]?.evidenceUrl, URL_);
  });

  test('dispatcher delivers a key once and survives a failing sink', async () => {
    const store = new SqliteStore(join(dir, 'd.db'));
    await store.init();
    const got: string[] = [];
    const errors: string[] = [];
    const ok: AlertSink = { name: 'ok', send: async (a, url) => void got.push(`${a.key} ${url}`) };
    const bad: AlertSink = { name: 'bad', send: async () => Promise.reject(new Error('down')) };
    const d = createAlertDispatcher({ store, sinks: [bad, ok], dashboardUrl: 'http://dash.test/', onError: (s, _a, m) => errors.push(`${s}: ${m}`) });
    assert.equal(await d.raise(alert), true);
    assert.equal(await d.raise(alert), false);
    assert.deepEqual(got, [`${alert.key} ${URL_}`]);
    assert.deepEqual(errors, ['bad: down']);
    assert.equal((await store.listAlerts()).length, 1);
    await store.close();
  });
});
