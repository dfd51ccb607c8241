/**
 * Watching git repositories by URL, end to end with the real git: an upstream repository served over
 * smart HTTP on loopback (git http-backend) and as file://, the real CLI (`vigil watch add/list/run`),
 * the OSV fixtures in an advisory database and a loopback npm registry. A new upstream commit that
 * changes the lockfile raises its new alert on the next run; old alerts are not repeated. Also: URLs
 * with credentials are refused, an auth prompt fails fast, and nothing from the repository runs.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { RepoCache, defaultRepoCacheDir, looksLikeRepoUrl, parseRepoUrl, repoFromProjectPath, repoProjectPath } from '../../src/watch/index.js';
import { OSV_FIXTURES } from '../advisories/helpers.js';
import { npmVersion, sdistFile, startRegistryServer } from '../helpers/registry-server.js';
import type { RegistryServer } from '../helpers/registry-server.js';
import { UpstreamRepo, git, gitTestEnv, startGitHttpServer } from './git-server.js';
import type { GitHttpServer } from './git-server.js';

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void): Writable => new Writable({ write(chunk: Buffer, _enc, cb) { append(chunk.toString()); cb(); } });
  const code = await main(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env, cwd: env.HOME ?? '/' });
  return { code, stdout, stderr };
}

function packageLock(registry: string, deps: Record<string, string>): string {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0', dependencies: Object.fromEntries(Object.keys(deps).map((n) => [n, '*'])) } };
  for (const [name, version] of Object.entries(deps)) packages[`node_modules/${name}`] = { version, resolved: `${registry}${name}/-/${name}-${version}.tgz` };
  return `${JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, packages }, null, 2)}\n`;
}

describe('repository URLs', () => {
  test('accepted forms are stored without credentials; unsafe ones are refused with a reason', () => {
    assert.deepEqual(parseRepoUrl('https://git.example.test/owner/repo.git'), { url: 'https://git.example.test/owner/repo.git', scheme: 'https' });
    assert.deepEqual(parseRepoUrl('git@git.example.test:owner/repo.git'), { url: 'git@git.example.test:owner/repo.git', scheme: 'ssh' });
    assert.deepEqual(parseRepoUrl('ssh://git@git.example.test:2222/owner/repo.git', 'release/1.x'), { url: 'ssh://git@git.example.test:2222/owner/repo.git', scheme: 'ssh', branch: 'release/1.x' });
    assert.deepEqual(parseRepoUrl('git://127.0.0.1/repo#dev'), { url: 'git://127.0.0.1/repo', scheme: 'git', branch: 'dev' });
    assert.deepEqual(parseRepoUrl('file:///srv/git/app'), { url: 'file:///srv/git/app', scheme: 'file' });
    assert.equal(repoProjectPath(parseRepoUrl('http://h.test/a', 'dev')), 'http://h.test/a#dev');
    assert.deepEqual(repoFromProjectPath('http://h.test/a#dev'), { url: 'http://h.test/a', scheme: 'http', branch: 'dev' });
    assert.equal(repoFromProjectPath('/srv/app'), undefined);
    for (const local of ['./app', '/srv/app', 'app/poetry.lock', 'C:stuff']) assert.equal(looksLikeRepoUrl(local), false, local);

    const refused: [string, RegExp][] = [
      ['https://user:s3cr3t@git.example.test/o/r.git', /credentials.*plain text.*credential helper/],
      ['https://ghp_abcdef@git.example.test/o/r.git', /credentials/],
      ['ssh://git:pw@git.example.test/o/r.git', /credentials/],
      ['https://git.example.test/o/r.git?private_token=x', /query string/],
      ['ext::sh -c touch% /tmp/pwned', /spaces|scheme/],
      ['ftp://git.example.test/r.git', /unsupported repository URL scheme 'ftp:'/],
      ['ssh://-oProxyCommand=touch%20x/r', /invalid host/],
      ['git@-oProxyCommand=x:r', /invalid|'-'/],
      ['https://git.example.test/', /no repository path/],
      ['file://otherhost/srv/x', /local path/],
    ];
    for (const [url, re] of refused) {
      assert.throws(() => parseRepoUrl(url), (e: Error & { code?: string }) => e.code === 'E_USAGE' && re.test(e.message) && !e.message.includes('s3cr3t'), url);
    }
    assert.throws(() => parseRepoUrl('https://h.test/r', '--upload-pack=x'), /invalid branch/);
    assert.throws(() => parseRepoUrl('https://h.test/r#a', 'b'), /give one/);
    assert.equal(defaultRepoCacheDir('sqlite:/data/vigil.db', '/data'), '/data/vigil.db-repos');
    assert.match(defaultRepoCacheDir('postgres://db/vigil?schema=v', '/data'), /^\/data\/repos\/[0-9a-f]{12}$/);
  });
});

describe('vigil watch add REPO-URL (real git over loopback HTTP and file://)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-watch-repo-'));
  const root = join(dir, 'upstream');
  const gitEnv = gitTestEnv(dir);
  let upstream: UpstreamRepo;
  let registry: RegistryServer;
  let gitServer: GitHttpServer;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    registry = await startRegistryServer({
      npm: [
        { name: '01template1', versions: [npmVersion('01template1', '1.0.0', { 'index.js': 'module.exports = 1;\n' })] },
        { name: 'tricky', versions: [npmVersion('tricky', '1.2.0', { 'index.js': 'module.exports = 2;\n' })] },
      ],
      pypi: [{ name: 'soal', files: [sdistFile('soal', '8.0.5', { 'soal/__init__.py': 'VALUE = 1\n' })] }],
    });
    upstream = new UpstreamRepo(join(root, 'app'), gitEnv);
    upstream.commit({
      'README.md': '# app\n',
      'web/package-lock.json': packageLock(registry.npmRegistryUrl, { '01template1': '1.0.0' }),
    }, 'first');
    gitServer = await startGitHttpServer(root);
    env = { ...gitEnv, VIGIL_DATA_DIR: join(dir, 'data'), VIGIL_CACHE_DIR: join(dir, 'cache'), npm_config_registry: registry.npmRegistryUrl, PIP_INDEX_URL: registry.pypiIndexUrl };
    const imported = await run(['db', 'import', OSV_FIXTURES], env);
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(async () => {
    await gitServer.close();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('add, list, run; an upstream commit changes the lockfile; the next run alerts only what is new', { timeout: 60_000 }, async () => {
    const url = `${gitServer.url}/app`;
    const add = await run(['watch', 'add', url], env);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, new RegExp(`watching app \\(([0-9a-f]{12})\\): 1 direct dependencies, ${url.replace(/[.]/g, '\\.')}\\n`));
    assert.ok(gitServer.requests.some((r) => r.includes('git-upload-pack')), 'cloned over smart HTTP');
    const id = /\(([0-9a-f]{12})\)/.exec(add.stdout)?.[1] ?? '';
    const clone = join(dir, 'data', 'vigil.db-repos', id);
    assert.ok(existsSync(join(clone, 'web', 'package-lock.json')), 'clone in the store\'s repository cache');
    assert.equal(git(clone, gitEnv, 'rev-parse', '--is-shallow-repository').trim(), 'true', 'shallow clone');

    const list = await run(['watch', 'list'], env);
    assert.equal(list.code, 0);
    assert.match(list.stdout, new RegExp(`${id}  pending  app  ${url.replace(/[.]/g, '\\.')}`));

    const first = await run(['watch', 'run', '--once'], env);
    assert.equal(first.code, 1, `new alerts -> exit 1; ${first.stderr}`);
    assert.match(first.stdout, /ALERT \[critical\] app: 01template1@1\.0\.0 is known malware \(MAL-2022-11\)/);
    assert.ok(!first.stdout.includes('tricky'));

    // Upstream moves on: a new dependency with a known vulnerability, and an untracked file in the clone.
    upstream.commit({ 'web/package-lock.json': packageLock(registry.npmRegistryUrl, { '01template1': '1.0.0', tricky: '1.2.0' }) }, 'add tricky');
    writeFileSync(join(clone, 'stray.txt'), 'left behind');
    const second = await run(['watch', 'run', '--once'], env);
    assert.equal(second.code, 1, `new alert -> exit 1; ${second.stderr}`);
    assert.match(second.stdout, /ALERT \[\w+\] app: tricky@1\.2\.0 has a known vulnerability \(VIGIL-TEST-1\)/);
    assert.ok(!second.stdout.includes('MAL-2022-11'), `old alerts are not repeated: ${second.stdout}`);
    assert.equal(git(clone, gitEnv, 'rev-parse', 'HEAD').trim(), upstream.run('rev-parse', 'HEAD').trim(), 'clone reset to the remote head');
    assert.ok(!existsSync(join(clone, 'stray.txt')), 'untracked files removed');

    const third = await run(['watch', 'run', '--once'], env);
    assert.equal(third.code, 0, `nothing new -> exit 0; ${third.stdout} ${third.stderr}`);
    const projects = JSON.parse((await run(['watch', 'list', '--json'], env)).stdout) as { path: string; status: string; dependencies: { name: string }[] }[];
    assert.deepEqual(projects.map((p) => [p.path, p.status, p.dependencies.map((d) => d.name)]), [[url, 'alert', ['01template1', 'tricky']]]);

    // Upstream unreachable: the run records the error and keeps the project.
    await gitServer.close();
    const down = await run(['watch', 'run', '--once'], env);
    assert.equal(down.code, 0);
    assert.match(down.stderr, /app: repository: git fetch http:\/\/127\.0\.0\.1:\d+\/app failed/);
    gitServer = await startGitHttpServer(root);

    const removed = await run(['watch', 'remove', url], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(!existsSync(clone), 'remove deletes the clone');
  });

  test('file:// with --branch follows that branch', { timeout: 30_000 }, async () => {
    upstream.run('checkout', '-q', '-b', 'release');
    upstream.commit({ 'requirements.txt': 'soal==8.0.5\n' }, 'python side');
    upstream.run('checkout', '-q', 'main');
    const url = `file://${join(root, 'app')}`;
    const add = await run(['watch', 'add', url, '--branch', 'release', '--store', join(dir, 'branch.db')], env);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /watching app#release \([0-9a-f]{12}\): 3 direct dependencies, file:\/\/\S+\/app#release/);
    const first = await run(['watch', 'run', '--once', '--store', join(dir, 'branch.db')], env);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stdout, /app#release: soal@8\.0\.5 is known malware/);
    const noBranch = await run(['watch', 'add', url, '--branch', 'nope', '--store', join(dir, 'branch.db')], env);
    assert.equal(noBranch.code, 2);
    assert.match(noBranch.stderr, /git clone file:\S+ \(branch nope\) failed/);
    const notRepo = await run(['watch', 'add', './app', '--branch', 'x'], env);
    assert.equal(notRepo.code, 2);
    assert.match(notRepo.stderr, /--branch applies to repository URLs only/);
  });

  test('credentials, authentication, git missing and a hung server fail fast with a clear message', { timeout: 60_000 }, async () => {
    const creds = await run(['watch', 'add', `${gitServer.url.replace('//', '//alice:t0ps3cret@')}/app`], env);
    assert.equal(creds.code, 2);
    assert.match(creds.stderr, /refusing a repository URL with credentials/);
    assert.ok(!creds.stderr.includes('t0ps3cret'));

    const priv = await startGitHttpServer(root, { requireAuth: true });
    try {
      const t0 = Date.now();
      const auth = await run(['watch', 'add', `${priv.url}/app`, '--store', join(dir, 'auth.db')], env);
      assert.equal(auth.code, 2);
      assert.match(auth.stderr, /asks for authentication, and vigil never prompts\. Configure a git credential helper/);
      assert.ok(Date.now() - t0 < 20_000);
      assert.deepEqual(readdirSync(join(dir, 'data')).filter((f) => f.startsWith('auth')), [], 'nothing left behind');
    } finally {
      await priv.close();
    }

    const empty = join(dir, 'empty-bin');
    mkdirSync(empty, { recursive: true });
    const noGit = await run(['watch', 'add', `${gitServer.url}/app`, '--store', join(dir, 'nogit.db')], { ...env, PATH: empty });
    assert.equal(noGit.code, 2);
    assert.match(noGit.stderr, /git is not installed/);

    const hung = createServer(() => undefined);
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    try {
      const cache = new RepoCache({ dir: join(dir, 'hung-cache'), env: gitEnv, timeoutMs: 1500 });
      const t0 = Date.now();
      await assert.rejects(cache.clone('abcdef123456', parseRepoUrl(`http://127.0.0.1:${(hung.address() as AddressInfo).port}/app`)), /timed out after 2 s/);
      assert.ok(Date.now() - t0 < 10_000);
    } finally {
      hung.closeAllConnections();
      hung.close();
    }
  });

  test('git:// through a real git daemon on loopback: clone, then fetch + reset to a new upstream commit', { timeout: 30_000 }, async () => {
    const free = createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as AddressInfo).port;
    await new Promise((r) => free.close(r));
    const daemon = spawn('git', ['daemon', '--export-all', '--reuseaddr', `--base-path=${root}`, '--listen=127.0.0.1', `--port=${port}`, root], {
      env: gitEnv, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let daemonErr = '';
    daemon.stderr.on('data', (c: Buffer) => (daemonErr += c.toString()));
    try {
      const end = Date.now() + 10_000;
      for (;;) {
        const up = await new Promise<boolean>((r) => {
          const s = connect(port, '127.0.0.1', () => {
            s.end();
            r(true);
          }).on('error', () => r(false));
        });
        if (up) break;
        if (Date.now() > end || daemon.exitCode !== null) throw new Error(`git daemon did not start: ${daemonErr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const cache = new RepoCache({ dir: join(dir, 'daemon-cache'), env: gitEnv });
      const ref = parseRepoUrl(`git://127.0.0.1:${port}/app`);
      const clone = await cache.clone('0a0a0a0a0a0a', ref);
      assert.equal(await cache.head('0a0a0a0a0a0a', ref), upstream.run('rev-parse', 'HEAD').trim());
      const next = upstream.commit({ 'web/extra.txt': 'x\n' }, 'over git://');
      await cache.update('0a0a0a0a0a0a', ref);
      assert.equal(await cache.head('0a0a0a0a0a0a', ref), next);
      assert.ok(existsSync(join(clone, 'web', 'extra.txt')));
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((r) => (daemon.exitCode !== null ? r(undefined) : daemon.once('exit', r)));
    }
  });

  test('nothing from the repository runs: user hooks and filter drivers are off, symlinks are plain files', { timeout: 30_000 }, async () => {
    const hostileHome = join(dir, 'hostile-home');
    const markers = join(dir, 'markers');
    const hooks = join(hostileHome, 'hooks');
    mkdirSync(hooks, { recursive: true });
    mkdirSync(markers, { recursive: true });
    writeFileSync(join(hooks, 'post-checkout'), `#!/bin/sh\ntouch ${markers}/hook-$$\n`, { mode: 0o755 });
    // A user configuration with a global hooks path and filter drivers, as a developer machine may have.
    const globalConfig = join(hostileHome, '.gitconfig');
    writeFileSync(globalConfig, [
      '[core]', `\thooksPath = ${hooks}`,
      '[filter "evil"]', `\tsmudge = "touch ${markers}/evil-$$; cat"`, '\trequired = true',
      '[filter "lfs"]', `\tsmudge = "touch ${markers}/lfs-$$; cat"`, '\trequired = true',
    ].join('\n'));
    const hostile = new UpstreamRepo(join(root, 'hostile'), gitEnv);
    symlinkSync('/etc/passwd', join(hostile.dir, 'requirements.txt'));
    hostile.commit({
      '.gitattributes': '*.txt filter=evil\n*.bin filter=lfs\n',
      'notes.txt': 'hello\n', 'blob.bin': 'x\n',
      'package-lock.json': packageLock(registry.npmRegistryUrl, { tricky: '1.2.0' }),
    }, 'hostile');
    const userEnv = { ...gitEnv, GIT_CONFIG_GLOBAL: globalConfig };

    // Control: a plain clone with this configuration does run the hook and both filters.
    git(dir, userEnv, 'clone', '-q', `file://${hostile.dir}`, join(dir, 'plain-clone'));
    const ran = readdirSync(markers).map((m) => m.replace(/-\d+$/, '')).sort();
    assert.deepEqual([...new Set(ran)], ['evil', 'hook', 'lfs'], 'the control clone runs them');
    rmSync(markers, { recursive: true, force: true });
    mkdirSync(markers);

    const cache = new RepoCache({ dir: join(dir, 'hostile-cache'), env: userEnv });
    const ref = parseRepoUrl(`file://${hostile.dir}`);
    const clone = await cache.clone('0123456789ab', ref);
    hostile.commit({ 'notes.txt': 'changed\n', 'blob.bin': 'y\n' }, 'again');
    await cache.update('0123456789ab', ref);
    assert.deepEqual(readdirSync(markers), [], 'no hook or filter ran on clone, fetch or reset');
    assert.equal(readFileSync(join(clone, 'notes.txt'), 'utf8'), 'changed\n');
    const link = lstatSync(join(clone, 'requirements.txt'));
    assert.ok(link.isFile() && !link.isSymbolicLink(), 'a symlink in the repository is checked out as a plain file');
    assert.equal(readFileSync(join(clone, 'requirements.txt'), 'utf8'), '/etc/passwd');
  });
});
