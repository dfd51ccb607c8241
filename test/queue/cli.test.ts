import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void): Writable => new Writable({ write(c: Buffer, _e, cb) { append(c.toString()); cb(); } });
  const code = await main(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env: {}, cwd: '/' });
  return { code, stdout, stderr };
}

test('vigil worker / serve / watch: help and usage errors', async () => {
  const help = await run(['worker', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--queue URL/);
  assert.match(help.stdout, /--slack URL/);
  const missing = await run(['worker']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--queue redis:\/\/… is required/);
  const badUrl = await run(['worker', '--queue', 'http://x']);
  assert.equal(badUrl.code, 2);
  assert.match(badUrl.stderr, /redis:\/\//);
  const unknown = await run(['worker', '--bogus']);
  assert.equal(unknown.code, 2);
  const serveHelp = await run(['serve', '--help']);
  assert.equal(serveHelp.code, 0);
  assert.match(serveHelp.stdout, /--port N/);
  assert.equal((await run(['serve', '--port', '70000'])).code, 2);
  const watchBad = await run(['watch', 'frobnicate']);
  assert.equal(watchBad.code, 2);
  assert.match(watchBad.stderr, /unknown watch command/);
  assert.equal((await run(['watch', 'run', '--alert-on', 'clean'])).code, 2);
  assert.equal((await run(['watch', 'run', '--email-to', 'a@b.test'])).code, 2);
});
