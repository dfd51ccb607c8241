/**
 * SMTP over TLS against a loopback server with the test-only certificates of test/fixtures/tls:
 * STARTTLS (opportunistic and required), implicit TLS (smtps), certificate verification (a wrong CA
 * and the system CAs both fail, with a clear message), credentials never sent in plain text, and a
 * STARTTLS command-injection attempt refused.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { alertSinksFromOptions } from '../../src/alerts/config.js';
import { readCaFile, sendMail, smtpSink } from '../../src/alerts/index.js';
import type { AlertRecord } from '../../src/store/index.js';
import { startSmtpServer } from './loopback.js';
import type { SmtpServer, SmtpServerOptions } from './loopback.js';

const TLS_DIR = join(process.cwd(), 'test', 'fixtures', 'tls');
const tls = { key: readFileSync(join(TLS_DIR, 'server.key')), cert: readFileSync(join(TLS_DIR, 'server.pem')) };
const CA = join(TLS_DIR, 'ca.pem');
const OTHER_CA = join(TLS_DIR, 'other-ca.pem');
const msg = { from: 'vigil@x.test', to: ['sec@x.test'], subject: 'alert', body: 'evidence' };
const alert: AlertRecord = {
  key: 'k', kind: 'malicious-release', severity: 'critical', title: 'npm evil@1.0.0 is malicious', message: 'm',
  evidencePath: '/release/npm/evil/1.0.0', createdAt: '2026-01-01T00:00:00.000Z',
};

async function withServer(options: SmtpServerOptions, fn: (s: SmtpServer) => Promise<void>): Promise<void> {
  const server = await startSmtpServer(options);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

const withCreds = (url: string, scheme?: string): string => {
  const u = url.replace('://', '://alice:p%40ss@');
  return scheme === undefined ? u : u.replace(/^smtps?:/, `${scheme}:`);
};

describe('SMTP over TLS (loopback, test-only certificates)', () => {
  test('smtp:// upgrades with STARTTLS when offered; AUTH and the message go over TLS', async () => {
    await withServer({ tls, starttls: true, auth: ['PLAIN', 'LOGIN'] }, async (s) => {
      await sendMail(withCreds(s.url), msg, { ca: readCaFile(CA), timeoutMs: 5000 });
      assert.equal(s.mails.length, 1);
      assert.equal(s.mails[0]?.secure, true, 'message delivered after STARTTLS');
      assert.deepEqual(s.auths, [{ mechanism: 'PLAIN', user: 'alice', pass: 'p@ss', secure: true }]);
    });
  });

  test('smtp+starttls:// requires STARTTLS; AUTH LOGIN when PLAIN is not offered', async () => {
    await withServer({ tls, starttls: true, auth: ['LOGIN'] }, async (s) => {
      await smtpSink({ url: withCreds(s.url, 'smtp+starttls'), from: msg.from, to: msg.to, caFile: CA, timeoutMs: 5000 }).send(alert, 'http://d/x');
      assert.equal(s.mails[0]?.secure, true);
      assert.deepEqual(s.auths, [{ mechanism: 'LOGIN', user: 'alice', pass: 'p@ss', secure: true }]);
    });
    await withServer({ auth: ['PLAIN'] }, async (s) => {
      await assert.rejects(sendMail(s.url.replace('smtp:', 'smtp+starttls:'), msg, { ca: readCaFile(CA), timeoutMs: 5000 }), {
        code: 'E_NETWORK', message: /does not offer STARTTLS, which smtp\+starttls:\/\/ requires/,
      });
      assert.equal(s.mails.length, 0);
    });
  });

  test('smtps:// is TLS from the first byte (implicit TLS)', async () => {
    await withServer({ tls, implicitTls: true, auth: ['PLAIN'] }, async (s) => {
      assert.match(s.url, /^smtps:/);
      await sendMail(withCreds(s.url), msg, { ca: readCaFile(CA), timeoutMs: 5000 });
      assert.equal(s.mails[0]?.secure, true);
      assert.equal(s.auths[0]?.secure, true);
    });
  });

  test('credentials are never sent over plain text unless explicitly allowed', async () => {
    await withServer({ auth: ['PLAIN', 'LOGIN'] }, async (s) => {
      await assert.rejects(sendMail(withCreds(s.url), msg, { timeoutMs: 5000 }), {
        code: 'E_CONFIG', message: /refusing to send credentials over an unencrypted connection.*smtps:\/\/ or smtp\+starttls:\/\/.*--smtp-allow-plain-auth/,
      });
      assert.deepEqual(s.auths, [], 'the server saw no AUTH');
      assert.equal(s.mails.length, 0);
      // A plain relay without credentials still works; so does AUTH when the user allows it.
      await sendMail(s.url, msg, { timeoutMs: 5000 });
      const [sink] = alertSinksFromOptions({ 'email-to': ['sec@x.test'], 'email-from': 'vigil@x.test', smtp: withCreds(s.url), 'smtp-allow-plain-auth': true }, '/');
      await sink?.send(alert, 'http://d/x');
      const delivered: { secure: boolean }[] = s.mails;
      const tried: { secure: boolean }[] = s.auths;
      assert.deepEqual(delivered.map((m) => m.secure), [false, false]);
      assert.deepEqual(tried.map((a) => a.secure), [false]);
    });
  });

  test('certificates are verified: a wrong CA and the system CAs fail with a clear error, nothing is sent', async () => {
    for (const options of [{ tls, starttls: true, auth: ['PLAIN'] }, { tls, implicitTls: true, auth: ['PLAIN'] }]) {
      await withServer(options, async (s) => {
        await assert.rejects(sendMail(withCreds(s.url), msg, { ca: readCaFile(OTHER_CA), timeoutMs: 5000 }), {
          code: 'E_NETWORK', message: /TLS certificate of 127\.0\.0\.1 could not be verified \(.+\); if the relay uses a private CA, pass its certificate with --smtp-ca-file/,
        });
        await assert.rejects(sendMail(s.url, msg, { timeoutMs: 5000 }), { code: 'E_NETWORK', message: /could not be verified/ });
        assert.deepEqual(s.auths, []);
        assert.equal(s.mails.length, 0, 'no downgrade to plain text after a failed upgrade');
      });
    }
    // The certificate names 127.0.0.1, ::1 and localhost; a server at 127.0.0.2 does not match it.
    await withServer({ tls, implicitTls: true, host: '127.0.0.2' }, async (s) => {
      await assert.rejects(sendMail(s.url, msg, { ca: readCaFile(CA), timeoutMs: 5000 }), {
        code: 'E_NETWORK', message: /TLS certificate of 127\.0\.0\.2 could not be verified \(.*(IP|altnames).*\)/,
      });
    });
  });

  test('data pipelined behind the STARTTLS answer is refused (command injection)', async () => {
    await withServer({ tls, starttls: true, injectAfterStarttls: '250 injected\r\n' }, async (s) => {
      await assert.rejects(sendMail(s.url, msg, { ca: readCaFile(CA), timeoutMs: 5000 }), { message: /sent data after its STARTTLS answer/ });
      assert.equal(s.mails.length, 0);
    });
  });

  test('CLI option --smtp-ca-file reaches the sink; a bad CA file is a config error', async () => {
    await withServer({ tls, starttls: true, auth: ['PLAIN'] }, async (s) => {
      const [sink] = alertSinksFromOptions({ 'email-to': ['sec@x.test'], 'email-from': 'vigil@x.test', smtp: withCreds(s.url), 'smtp-ca-file': CA }, '/');
      await sink?.send(alert, 'http://d/x');
      assert.equal(s.mails[0]?.secure, true);
    });
    assert.throws(() => alertSinksFromOptions({ 'email-to': ['a@b.test'], 'email-from': 'v@x.test', smtp: 'smtp://h', 'smtp-ca-file': join(TLS_DIR, 'README.md') }, '/'), {
      code: 'E_CONFIG', message: /holds no PEM certificate/,
    });
    assert.throws(() => alertSinksFromOptions({ 'email-to': ['a@b.test'], 'email-from': 'v@x.test', smtp: 'smtp://h', 'smtp-ca-file': 'missing.pem' }, '/'), { code: 'E_CONFIG', message: /cannot read the SMTP CA file/ });
    assert.throws(() => smtpSink({ url: 'smtpx://h', from: 'a@b.test', to: ['c@d.test'] }), { code: 'E_CONFIG' });
  });
});
