import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { collectExposure, privateKeyEncrypted } from '../../src/exposure/index.js';
import { classifyToken, maskSecret } from '../../src/exposure/tokens.js';
import { exposureCommand } from '../../src/cli/commands/exposure.js';

// Fake secrets: right shape, never real.
const AKIA = 'AKIAFAKEFAKEFAKEFAKE';
const ASIA = 'ASIAFAKEFAKEFAKEFAKE';
const GHP = 'ghp_' + 'F'.repeat(36);
const GHPAT = 'github_pat_' + 'F'.repeat(70);
const GHO = 'gho_' + 'F'.repeat(36);
const NPM = 'npm_' + 'F'.repeat(36);
const PYPI = 'pypi-' + 'F'.repeat(60);
const SECRETS = [AKIA, ASIA, GHP, GHPAT, GHO, NPM, PYPI, 'hunter2-netrc-password', 'gitpassword123456', 'x'.repeat(40), 'kube-static-token-123456', 'pip-index-secret-123'];

/** An OpenSSH private key container with the given cipher name (structure only, no real key). */
function opensshKey(cipher: string): string {
  const str = (s: string): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(s.length);
    return Buffer.concat([len, Buffer.from(s, 'latin1')]);
  };
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), str(cipher), str(cipher === 'none' ? 'none' : 'bcrypt'), str(''), Buffer.alloc(40)]);
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

let home = '';
const write = (rel: string, text: string): void => {
  const p = join(home, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
};

before(() => {
  home = mkdtempSync(join(tmpdir(), 'vigil-home-'));
  write('.aws/credentials', `[default]\naws_access_key_id = ${AKIA}\naws_secret_access_key = ${'x'.repeat(40)}\n\n[session]\naws_access_key_id=${ASIA}\naws_secret_access_key=${'y'.repeat(40)}\naws_session_token=zzz\n`);
  write('.aws/config', '[profile tool]\ncredential_process = /usr/bin/get-creds\n');
  write('.config/gcloud/application_default_credentials.json', JSON.stringify({ type: 'authorized_user', client_id: 'c', refresh_token: 'FAKE-REFRESH' }));
  write('.config/gcloud/access_tokens.db', 'sqlite');
  write('.azure/msal_token_cache.json', '{}');
  write('.aliyun/config.json', JSON.stringify({ profiles: [{ name: 'default', mode: 'AK', access_key_id: 'LTAIFAKEFAKEFAKE1234', access_key_secret: 'FAKE' }] }));
  write('.npmrc', `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${NPM}\n//npm.pkg.github.com/:_authToken=\${GH_PACKAGES_TOKEN}\n`);
  write('.pypirc', `[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = ${PYPI}\n`);
  write('.docker/config.json', JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('me:secretpass').toString('base64') }, 'helper.io': {} }, credsStore: 'desktop' }));
  write('.netrc', 'machine api.example.com login me password hunter2-netrc-password\n');
  write('.git-credentials', `https://me:${GHP}@github.com\nhttps://me:gitpassword123456@git.example.com\n`);
  write('.kube/config', 'apiVersion: v1\nusers:\n  - name: admin\n    user:\n      token: kube-static-token-123456\n  - name: eks\n    user:\n      exec:\n        command: aws\n');
  write('.ssh/id_ed25519', opensshKey('none'));
  write('.ssh/id_ed25519.pub', 'ssh-ed25519 AAAA me');
  write('.ssh/id_protected', opensshKey('aes256-ctr'));
  write('.ssh/legacy_rsa', '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n');
  write('.ssh/known_hosts', 'github.com ssh-ed25519 AAAA');
  write('.config/pip/pip.conf', '[global]\nindex-url = https://ci:pip-index-secret-123@pypi.corp.example/simple/\n');
  write('.yarnrc.yml', `npmRegistryServer: "https://registry.yarnpkg.com"\nnpmAuthToken: "${NPM}"\n`);
  write('.config/gh/hosts.yml', `github.com:\n    user: me\n    oauth_token: ${GHO}\n    git_protocol: https\n`);
});

after(() => rmSync(home, { recursive: true, force: true }));

const ENV = { HOME: '', GITHUB_TOKEN: GHPAT, AWS_SESSION_TOKEN: 'FQoGZXIvYXdzEFAKEFAKEFAKE', PATH: '/usr/bin', EDITOR: 'vi', AWS_REGION: 'eu-west-1', AWS_CA_BUNDLE: '/etc/ssl/ca.pem', SSH_AUTH_SOCK: '/tmp/agent.sock' };

test('finds every planted credential with provider, kind and lifetime', async () => {
  const report = await collectExposure({ env: { ...ENV, HOME: home }, home });
  const find = (provider: string, kind: RegExp): boolean => report.items.some((i) => i.provider === provider && kind.test(i.kind));
  assert.ok(find('AWS', /^IAM user access key$/));
  assert.ok(report.items.some((i) => i.kind === 'temporary STS session key' && i.lifetime === 'temporary' && i.location.includes('[session]')));
  assert.ok(find('AWS', /credential_process/));
  assert.ok(find('Google Cloud', /user refresh token/));
  assert.ok(find('Google Cloud', /access_tokens\.db/));
  assert.ok(find('Azure', /MSAL/));
  assert.ok(find('Alibaba Cloud', /AccessKey/));
  assert.ok(report.items.some((i) => i.provider === 'npm' && i.location.includes('//registry.npmjs.org/') && i.preview !== undefined));
  assert.ok(report.items.some((i) => i.provider === 'npm' && /GH_PACKAGES_TOKEN/.test(i.kind) && i.preview === undefined));
  assert.ok(find('PyPI', /API token/));
  assert.ok(report.items.some((i) => i.provider === 'Docker' && i.location.endsWith('ghcr.io')));
  assert.ok(!report.items.some((i) => i.location.endsWith('helper.io')));
  assert.ok(report.items.some((i) => i.location.includes('.netrc machine api.example.com')));
  assert.ok(report.items.some((i) => i.provider === 'GitHub' && /classic/.test(i.kind) && i.location.includes('.git-credentials')));
  assert.ok(report.items.some((i) => i.provider === 'Kubernetes' && i.kind === 'static bearer token'));
  assert.ok(report.items.some((i) => i.provider === 'Kubernetes' && i.lifetime === 'temporary'));
  const ssh = report.items.filter((i) => i.provider === 'SSH' && i.source === 'file');
  assert.deepEqual(ssh.map((i) => i.location.split('/').pop()), ['id_ed25519']);
  assert.ok(report.items.some((i) => i.provider === 'GitHub' && /GitHub CLI OAuth app token/.test(i.kind)));
  assert.ok(report.items.some((i) => i.location === '$GITHUB_TOKEN' && /fine-grained/.test(i.kind)));
  assert.ok(report.items.some((i) => i.location === '$AWS_SESSION_TOKEN' && i.lifetime === 'temporary'));
  assert.ok(report.items.some((i) => i.location === '$SSH_AUTH_SOCK'));
  assert.ok(report.items.some((i) => i.provider === 'pypi.corp.example' && /index-url/.test(i.kind)));
  assert.ok(report.items.some((i) => i.provider === 'npm (yarn)' && i.location.endsWith('.yarnrc.yml')));
  assert.ok(!report.items.some((i) => ['$EDITOR', '$PATH', '$AWS_REGION', '$AWS_CA_BUNDLE'].includes(i.location)));
  assert.ok(report.items.every((i) => i.advice.length > 20));
});

test('never prints a secret, in text or JSON', async () => {
  for (const format of ['text', 'json']) {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await exposureCommand.run(['--format', format], { stdout, stderr: new PassThrough(), env: { ...ENV, HOME: home }, cwd: home });
    assert.equal(code, 1);
    for (const s of SECRETS) {
      assert.ok(!out.includes(s), `${format} output leaks ${s.slice(0, 6)}…`);
      assert.ok(!out.includes(s.slice(0, 8)), `${format} output shows more than 4 characters of ${s.slice(0, 6)}…`);
    }
    if (format === 'json') {
      const doc = JSON.parse(out) as { count: number; items: { preview?: string }[] };
      assert.equal(doc.count, doc.items.length);
      assert.ok(doc.items.some((i) => i.preview === 'AKIA…(20 chars)'));
    } else {
      assert.match(out, /long-lived/);
    }
  }
});

test('an empty home and environment is clean (exit 0)', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'vigil-empty-home-'));
  try {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await exposureCommand.run([], { stdout, stderr: new PassThrough(), env: { HOME: empty, PATH: '/usr/bin' }, cwd: empty });
    assert.equal(code, 0);
    assert.match(out, /No credentials found/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('token prefixes and masking', () => {
  assert.equal(classifyToken(AKIA)?.lifetime, 'long-lived');
  assert.equal(classifyToken(ASIA)?.lifetime, 'temporary');
  assert.match(classifyToken(GHP)?.kind ?? '', /classic/);
  assert.match(classifyToken(GHPAT)?.kind ?? '', /fine-grained/);
  assert.equal(classifyToken(NPM)?.provider, 'npm');
  assert.equal(classifyToken('ghp_short'), undefined);
  assert.equal(classifyToken('hello world'), undefined);
  assert.equal(maskSecret(AKIA), 'AKIA…(20 chars)');
  assert.equal(maskSecret('abc'), '…(3 chars)');
  assert.equal(maskSecret('abcdefgh'), 'ab…(8 chars)');
});

test('private key encryption detection', () => {
  assert.equal(privateKeyEncrypted(opensshKey('none')), false);
  assert.equal(privateKeyEncrypted(opensshKey('aes256-ctr')), true);
  assert.equal(privateKeyEncrypted('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'), false);
  assert.equal(privateKeyEncrypted('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n'), true);
  assert.equal(privateKeyEncrypted('ssh-ed25519 AAAA me'), undefined);
});
