/** The `vigil proxy` binary end to end: start, serve, log JSON lines, stop gracefully on SIGINT. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeWheel } from '../helpers/archives.js';
import { startRegistryServer } from '../helpers/registry-server.js';

const bin = fileURLToPath(new URL('../../../bin/vigil.js', import.meta.url));
const wheel = makeWheel('goodpkg', '1.0', { 'goodpkg/__init__.py': 'V = 1\n' });

test('vigil proxy serves, logs decisions as JSON lines and shuts down on SIGINT', async () => {
  const upstream = await startRegistryServer({ pypi: [{ name: 'goodpkg', files: [{ version: '1.0', filename: 'goodpkg-1.0-py3-none-any.whl', bytes: wheel }] }] });
  const child = spawn(process.execPath, [bin, 'proxy', '--port', '0', '--upstream-pypi', upstream.pypiIndexUrl, '--upstream-npm', upstream.npmRegistryUrl, '--db', '/nonexistent/vigil.db', '--scan-threads', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 20_000;
    while (!/listening on http:\/\/127\.0\.0\.1:\d+/.test(err) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err)?.[1];
    assert.ok(base !== undefined, err);
    assert.match(err, /no advisory database at \/nonexistent\/vigil\.db/);
    const res = await fetch(`${base}/pypi/files/goodpkg/goodpkg-1.0-py3-none-any.whl`);
    assert.equal(res.status, 200);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), wheel);
    const line = err.split('\n').find((l) => l.startsWith('{'));
    const event = JSON.parse(line ?? '{}') as { action?: string; file?: string; sha256?: string };
    assert.equal(event.action, 'allow');
    assert.equal(event.file, 'goodpkg-1.0-py3-none-any.whl');
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(err, /shutting down/);
  } finally {
    child.kill('SIGKILL');
    await upstream.close();
  }
});

test('vigil proxy/exposure/run: usage errors exit 2 with a pointer to --help', async () => {
  const run = (args: string[]): Promise<{ code: number | null; err: string; out: string }> =>
    new Promise((resolve) => {
      const c = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      let out = '';
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.on('close', (code) => resolve({ code, err, out }));
    });
  const [bogus, format, help] = await Promise.all([run(['proxy', '--bogus']), run(['exposure', '--format', 'xml']), run(['run', '--help'])]);
  assert.equal(bogus.code, 2);
  assert.match(bogus.err, /vigil proxy --help/);
  assert.equal(format.code, 2);
  assert.match(format.err, /--format must be text or json/);
  assert.equal(help.code, 0);
  assert.match(help.out, /--keep-env NAME/);
});
