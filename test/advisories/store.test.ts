import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';
import { importOsv } from '../../src/advisories/import.js';
import { OsvApiSource } from '../../src/advisories/online.js';
import { AdvisoryStore, packageKeyString } from '../../src/advisories/store.js';
import { updateDatabase } from '../../src/advisories/update.js';
import { forEachZipEntry } from '../../src/advisories/zip.js';
import { OSV_FIXTURES, tempDir } from './helpers.js';

function fixtureFiles(dir = OSV_FIXTURES): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? fixtureFiles(join(dir, n)) : [join(dir, n)]));
}

function fixtureZip(filter: (rel: string) => boolean = () => true): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const f of fixtureFiles()) {
    const rel = relative(OSV_FIXTURES, f).split('\\').join('/');
    if (filter(rel)) entries[rel] = readFileSync(f);
  }
  return zipSync(entries);
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('import a folder: counts, malicious feed, withdrawn skipped, lookups by normalised name', () => {
  const t = tempDir('vigil-db-');
  try {
    const db = join(t.dir, 'a.db');
    const stats = importOsv(db, [OSV_FIXTURES]);
    assert.equal(stats.records, 12);
    assert.equal(stats.withdrawn, 1);
    assert.equal(stats.inserted, 11);
    const store = AdvisoryStore.openReadOnly(db);
    const s = store.status();
    assert.equal(s.advisories, 11);
    assert.equal(s.malicious, 2);
    assert.equal(s.perEcosystem.pypi.advisories, 7);
    assert.equal(s.perEcosystem.npm.advisories, 4);
    assert.equal(s.withdrawnSkipped, 1);
    const found = store.lookupSync([
      { ecosystem: 'pypi', name: 'PyYAML' },
      { ecosystem: 'pypi', name: 'zope_interface.TOOLS' },
      { ecosystem: 'pypi', name: 'pynetbox' },
      { ecosystem: 'npm', name: 'ws' },
      { ecosystem: 'npm', name: 'nothing-here' },
    ]);
    assert.deepEqual(found.get(packageKeyString('pypi', 'pyyaml'))?.map((e) => e.id).sort(), ['GHSA-8q59-q68h-6hv4', 'PYSEC-2021-142']);
    assert.equal(found.get(packageKeyString('pypi', 'zope-interface-tools'))?.length, 1);
    assert.deepEqual(found.get(packageKeyString('pypi', 'pynetbox')), []);
    assert.equal(found.get(packageKeyString('npm', 'ws'))?.[0]?.specs.length, 4, 'one record, four affected entries');
    assert.deepEqual(found.get(packageKeyString('npm', 'nothing-here')), []);
    assert.match(store.getRecordJson('MAL-2022-11') ?? '', /01template1/);
    store.close();
  } finally {
    t.cleanup();
  }
});

test('import a zip export; an older copy of a record never replaces a newer one', () => {
  const t = tempDir('vigil-db-');
  try {
    const zip = join(t.dir, 'all.zip');
    writeFileSync(zip, fixtureZip());
    const db = join(t.dir, 'b.db');
    assert.equal(importOsv(db, [zip]).inserted, 11);
    const old = JSON.parse(readFileSync(join(OSV_FIXTURES, 'npm', 'VIGIL-TEST-1.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(t.dir, 'old.json'), JSON.stringify({ ...old, modified: '2000-01-01T00:00:00Z', summary: 'OLD' }));
    const again = importOsv(db, [join(t.dir, 'old.json')]);
    assert.equal(again.keptNewer, 1);
    const store = AdvisoryStore.openReadOnly(db);
    assert.notEqual(store.lookupSync([{ ecosystem: 'npm', name: 'tricky' }]).get(packageKeyString('npm', 'tricky'))?.[0]?.summary, 'OLD');
    assert.equal(store.status().advisories, 11);
    store.close();
  } finally {
    t.cleanup();
  }
});

test('a failed import leaves the previous database untouched and no temporary files', () => {
  const t = tempDir('vigil-db-');
  try {
    const db = join(t.dir, 'c.db');
    importOsv(db, [join(OSV_FIXTURES, 'npm')]);
    const before = readFileSync(db);
    const bad = join(t.dir, 'bad.zip');
    const zip = fixtureZip();
    zip[zip.length - 10] = 0xff; // damage the end record
    writeFileSync(bad, zip.subarray(0, zip.length - 30));
    assert.throws(() => importOsv(db, [bad], { replace: true }), (e: unknown) => e instanceof Error && 'code' in e);
    assert.deepEqual(readFileSync(db), before);
    assert.deepEqual(readdirSync(t.dir).sort(), ['bad.zip', 'c.db']);
    // A temporary file of a killed import (no such process) is cleaned up by the next import.
    writeFileSync(join(t.dir, 'c.db.tmp-999999999-1'), 'partial');
    importOsv(db, [join(OSV_FIXTURES, 'npm')]);
    assert.deepEqual(readdirSync(t.dir).sort(), ['bad.zip', 'c.db']);
  } finally {
    t.cleanup();
  }
});

test('zip reader enforces entry limits', () => {
  const zip = zipSync({ 'a.json': new Uint8Array(100_000) });
  assert.throws(() => forEachZipEntry(zip, () => undefined, { maxEntries: 10, maxEntryBytes: 1000, maxRatio: 1000 }), /larger than/);
  assert.throws(() => forEachZipEntry(zip, () => undefined, { maxEntries: 10, maxEntryBytes: 1e9, maxRatio: 5 }), /ratio/);
  assert.throws(() => forEachZipEntry(new Uint8Array(50), () => undefined), /end of central directory/);
});

test('db update: conditional download, atomic rebuild, failure keeps the old database', async () => {
  const t = tempDir('vigil-upd-');
  const zips: Record<string, Uint8Array> = {
    PyPI: fixtureZip((rel) => rel.startsWith('PyPI/') || rel.startsWith('malicious/PyPI/')),
    npm: fixtureZip((rel) => rel.startsWith('npm/') || rel.startsWith('malicious/npm/')),
  };
  const seen: string[] = [];
  let failNpm = false;
  const server = await serve((req, res) => {
    const eco = (req.url ?? '').split('/')[1] ?? '';
    const etag = `"v1-${eco}"`;
    seen.push(`${req.method} ${req.url} ${req.headers['if-none-match'] ?? '-'}`);
    if (failNpm && eco === 'npm') {
      res.writeHead(500).end();
      return;
    }
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304).end();
      return;
    }
    const body = zips[eco];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { etag, 'content-length': body.length, 'content-type': 'application/zip' }).end(body);
  });
  try {
    const db = join(t.dir, 'vigil', 'advisories.db');
    const first = await updateDatabase({ dbPath: db, baseUrl: server.url });
    assert.equal(first.rebuilt, true);
    assert.deepEqual(first.ecosystems.map((e) => e.status), ['downloaded', 'downloaded']);
    assert.equal(first.stats?.inserted, 11);
    const second = await updateDatabase({ dbPath: db, baseUrl: server.url });
    assert.equal(second.rebuilt, false);
    assert.deepEqual(second.ecosystems.map((e) => e.status), ['not-modified', 'not-modified']);
    assert.deepEqual(seen.slice(2), ['GET /PyPI/all.zip "v1-PyPI"', 'GET /npm/all.zip "v1-npm"']);
    const before = readFileSync(db);
    failNpm = true;
    await assert.rejects(updateDatabase({ dbPath: db, baseUrl: server.url, force: true }), /HTTP 500/);
    assert.deepEqual(readFileSync(db), before);
    const store = AdvisoryStore.openReadOnly(db);
    assert.equal(store.status().advisories, 11);
    assert.match(store.status().source ?? '', /127\.0\.0\.1/);
    store.close();
    assert.equal(existsSync(join(t.dir, 'vigil', 'osv-cache', 'npm-all.zip')), true);
  } finally {
    await server.close();
    t.cleanup();
  }
});

test('online source: OSV querybatch + vulns against a loopback server', async () => {
  const records = new Map<string, unknown>();
  for (const f of fixtureFiles()) {
    const r = JSON.parse(readFileSync(f, 'utf8')) as { id: string };
    records.set(r.id, r);
  }
  const queries: unknown[] = [];
  const server = await serve((req, res, body) => {
    if (req.method === 'POST' && req.url === '/v1/querybatch') {
      const q = JSON.parse(body) as { queries: { package: { name: string; ecosystem: string }; version: string }[] };
      queries.push(...q.queries);
      const results = q.queries.map((item) => {
        const ids = item.package.name === 'PyYAML' ? ['GHSA-8q59-q68h-6hv4', 'PYSEC-2021-142'] : item.package.name === 'ws' ? ['GHSA-3h5v-q93c-6h6q'] : [];
        return ids.length > 0 ? { vulns: ids.map((id) => ({ id, modified: '2024-01-01T00:00:00Z' })) } : {};
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
      return;
    }
    const m = /^\/v1\/vulns\/(.+)$/.exec(req.url ?? '');
    const rec = m?.[1] !== undefined ? records.get(decodeURIComponent(m[1])) : undefined;
    if (rec === undefined) res.writeHead(404).end('{}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rec));
  });
  try {
    const source = new OsvApiSource({ apiUrl: server.url });
    const out = await source.lookup([
      { ecosystem: 'pypi', name: 'PyYAML', version: '5.3.1' },
      { ecosystem: 'npm', name: 'ws', version: '7.5.9' },
      { ecosystem: 'npm', name: 'left-pad', version: '1.0.0' },
    ]);
    assert.deepEqual(out.get(packageKeyString('pypi', 'pyyaml'))?.map((e) => e.id).sort(), ['GHSA-8q59-q68h-6hv4', 'PYSEC-2021-142']);
    assert.equal(out.get(packageKeyString('npm', 'ws'))?.[0]?.specs.length, 4);
    assert.deepEqual(out.get(packageKeyString('npm', 'left-pad')), []);
    assert.deepEqual(queries[0], { package: { name: 'PyYAML', ecosystem: 'PyPI' }, version: '5.3.1' });
  } finally {
    await server.close();
  }
});
