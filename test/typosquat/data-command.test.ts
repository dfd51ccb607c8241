import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { dataCommand } from '../../src/cli/commands/data.js';
import type { CliIO } from '../../src/cli/command.js';
import { parsePypiTop } from '../../src/typosquat/update.js';

function io(env: NodeJS.ProcessEnv): { io: CliIO; out: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { io: { stdout, stderr: new PassThrough(), env, cwd: tmpdir() }, out: () => text };
}

test('vigil data update refreshes both lists from loopback sources', async () => {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    res.setHeader('content-type', 'application/json');
    if (url === '/downloads/point/last-month/left-pad,express') {
      return void res.end(JSON.stringify({ 'left-pad': { downloads: 10, package: 'left-pad' }, express: { downloads: 500, package: 'express' } }));
    }
    if (url === '/downloads/point/last-month/@babel/core') return void res.end(JSON.stringify({ downloads: 1000, package: '@babel/core' }));
    if (url === '/top.json') {
      return void res.end(JSON.stringify({ rows: [{ project: 'requests', download_count: 5 }, { project: 'boto3', download_count: 9 }, { project: 'bad\tname', download_count: 7 }, { project: 'Requests', download_count: 1 }] }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-data-'));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(join(dir, 'npm-top.tsv'), 'rank\tname\tdownloads_a_month\n1\tleft-pad\t99\n2\texpress\t50\n3\t@babel/core\t40\n');
    const t = io({ VIGIL_DATA_DIR: dir });
    const code = await dataCommand.run(['update', '--npm-api', base, '--pypi-url', `${base}/top.json`, '--timeout', '5000'], t.io);
    assert.equal(code, 0);
    assert.match(t.out(), /npm: 3 download counts refreshed, 0 kept/);
    assert.equal(readFileSync(join(dir, 'npm-top.tsv'), 'utf8'), 'rank\tname\tdownloads_a_month\n1\t@babel/core\t1000\n2\texpress\t500\n3\tleft-pad\t10\n');
    assert.equal(readFileSync(join(dir, 'pypi-top.tsv'), 'utf8'), 'rank\tname\tdownloads_30d\n1\tboto3\t9\n2\trequests\t5\n');
    const info = io({ VIGIL_DATA_DIR: dir });
    assert.equal(await dataCommand.run(['info'], info.io), 0);
    assert.match(info.out(), /npm: 3 names/);
    assert.match(info.out(), /pypi: 2 names/);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vigil data: usage errors and unreachable sources', async () => {
  await assert.rejects(dataCommand.run(['frobnicate'], io({}).io), { code: 'E_USAGE' });
  await assert.rejects(dataCommand.run(['update', '--only', 'cargo'], io({}).io), { code: 'E_USAGE' });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-data-'));
  try {
    // Port 9 on loopback: nothing listens; the command fails with a network error, no file written.
    await assert.rejects(
      dataCommand.run(['update', '--only', 'pypi', '--out', dir, '--pypi-url', 'http://127.0.0.1:9/top.json', '--timeout', '2000'], io({}).io),
      (e: unknown) => typeof (e as { code?: unknown }).code === 'string',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => parsePypiTop({ nope: 1 }, 10), { code: 'E_NETWORK' });
});
