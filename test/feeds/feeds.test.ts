import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createFeed, decodeResponse, encodeCall, parseRssItem, parseXml, pollFeedOnce, textOf } from '../../src/feeds/index.js';
import type { FeedEndpoints } from '../../src/feeds/index.js';
import { InProcessQueue } from '../../src/queue/index.js';
import type { ScanJob } from '../../src/queue/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { fixture, startReplayServer } from './replay-server.js';
import type { ReplayServer } from './replay-server.js';

describe('XML reader', () => {
  test('parses elements, entities and CDATA', () => {
    const root = parseXml('<?xml version="1.0"?><a x="1>2"><b>x &amp; &#x41;&#66;</b><!-- c --><c><![CDATA[<y>]]></c><d/></a>');
    assert.equal(root.name, 'a');
    assert.equal(textOf(root), 'x & AB<y>');
  });
  test('rejects DTDs, mismatched tags, deep nesting and oversize documents', () => {
    assert.throws(() => parseXml('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'), { code: 'E_ARCHIVE' });
    assert.throws(() => parseXml('<a><b></a></b>'), { code: 'E_ARCHIVE' });
    assert.throws(() => parseXml('<a>'), { code: 'E_ARCHIVE' });
    assert.throws(() => parseXml(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`), { code: 'E_LIMIT' });
    assert.throws(() => parseXml('<a></a>', { maxBytes: 3, maxDepth: 5, maxNodes: 5 }), { code: 'E_LIMIT' });
  });
  test('is linear on hostile input', () => {
    const start = Date.now();
    assert.throws(() => parseXml(`<a ${'"'.repeat(200_000)}`));
    assert.throws(() => parseXml(`<a>${'&amp'.repeat(100_000)}`));
    assert.ok(Date.now() - start < 1000);
  });
});

describe('XML-RPC', () => {
  test('encodes calls and decodes values and faults', () => {
    assert.equal(encodeCall('changelog_since_serial', [5]), '<?xml version="1.0"?><methodCall><methodName>changelog_since_serial</methodName><params><param><value><int>5</int></value></param></params></methodCall>');
    assert.match(encodeCall('m', ['<&>']), /<string>&lt;&amp;&gt;<\/string>/);
    assert.equal(decodeResponse(fixture('xmlrpc-last-serial.xml')), 25000000);
    assert.throws(() => decodeResponse(fixture('xmlrpc-fault.xml')), /too many requests/);
    const struct = decodeResponse('<methodResponse><params><param><value><struct><member><name>a</name><value>x</value></member></struct></value></param></params></methodResponse>');
    assert.deepEqual({ ...(struct as object) }, { a: 'x' });
  });
});

describe('PyPI RSS items', () => {
  test('name and version come from the link, with a title fallback', () => {
    assert.deepEqual(parseRssItem('x 1', 'https://pypi.org/project/Flask-Tools/2.0.0rc1/', 'updates'), { name: 'Flask-Tools', version: '2.0.0rc1' });
    assert.deepEqual(parseRssItem('pkg 1.0', '', 'updates'), { name: 'pkg', version: '1.0' });
    assert.deepEqual(parseRssItem('pkg added to PyPI', 'https://pypi.org/project/pkg/', 'packages'), { name: 'pkg' });
    assert.equal(parseRssItem('bad', 'https://pypi.org/project/../../etc/', 'updates'), undefined);
  });
});

describe('feeds replayed on loopback', () => {
  let server: ReplayServer;
  let endpoints: FeedEndpoints;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-feeds-'));
  before(async () => {
    server = await startReplayServer();
    endpoints = { pypiUrl: server.url, npmReplicateUrl: `${server.url}/registry` };
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function harness(file: string) {
    const store = new SqliteStore(join(dir, file));
    await store.init();
    const queued: ScanJob[] = [];
    const queue = new InProcessQueue({ processor: async (j) => void queued.push(j) });
    return { store, queue, queued };
  }

  test('RSS updates: only new items, resumable across restarts', async () => {
    const { store, queue, queued } = await harness('rss.db');
    server.set('/rss/updates.xml', fixture('pypi-updates-1.xml'));
    const feed = createFeed('pypi-rss', endpoints);
    const s1 = await pollFeedOnce(feed, { store, queue });
    await queue.drain(2000);
    assert.equal(s1.queued, 3);
    assert.deepEqual(queued.map((j) => `${j.name}@${j.version}`), ['numpy-extras@1.2.3', 'Flask-Tools@2.0.0rc1', 'requests-helper@0.4.1']);
    assert.equal(queued[0]?.source, 'feed:pypi-rss');
    // Same document again: nothing new.
    assert.equal((await pollFeedOnce(feed, { store, queue })).queued, 0);
    await store.close();
    // "Restart": a new store handle on the same file resumes from the checkpoint.
    const reopened = new SqliteStore(join(dir, 'rss.db'));
    await reopened.init();
    server.set('/rss/updates.xml', fixture('pypi-updates-2.xml'));
    const s3 = await pollFeedOnce(createFeed('pypi-rss', endpoints), { store: reopened, queue });
    await queue.drain(2000);
    assert.equal(s3.queued, 2, 'a release with the same pubDate as the checkpoint is still new');
    assert.deepEqual(queued.slice(3).map((j) => `${j.name}@${j.version}`), ['requests-helper@0.4.2', 'colorama-plus@9.9.9']);
    await reopened.close();
  });

  test('RSS packages: new projects resolved to their latest version', async () => {
    const { store, queue, queued } = await harness('pkgs.db');
    server.set('/rss/packages.xml', fixture('pypi-packages.xml'));
    const s = await pollFeedOnce(createFeed('pypi-packages', endpoints), {
      store, queue, latestVersion: async (_e, name) => (name === 'brand-new-pkg' ? '0.0.1' : undefined),
    });
    await queue.drain(2000);
    assert.deepEqual(queued.map((j) => `${j.name}@${j.version}`), ['brand-new-pkg@0.0.1']);
    assert.equal(s.unresolved, 1);
    await store.close();
  });

  test('PyPI changelog serial over XML-RPC: starts at the current serial, then follows', async () => {
    const { store, queue, queued } = await harness('serial.db');
    const feed = createFeed('pypi-changelog', endpoints);
    const first = await pollFeedOnce(feed, { store, queue });
    assert.equal(first.events, 0);
    assert.equal(await store.getCheckpoint('pypi-changelog'), '25000000');
    const second = await pollFeedOnce(feed, { store, queue });
    await queue.drain(2000);
    assert.deepEqual(queued.map((j) => `${j.name}@${j.version}`), ['requests-helper@0.4.2', 'colorama-plus@9.9.9']);
    assert.equal(second.checkpoint, '25000006');
    assert.equal((await pollFeedOnce(feed, { store, queue })).events, 0);
    assert.ok(server.requests.some((r) => r === 'POST /pypi'));
    await store.close();
  });

  test('npm _changes: since/limit paging, resolves versions, skips design docs, deletions and bad names', async () => {
    const { store, queue, queued } = await harness('npm.db');
    const feed = createFeed('npm-changes', endpoints);
    await pollFeedOnce(feed, { store, queue });
    assert.equal(await store.getCheckpoint('npm-changes'), '41000000');
    const latest = async (_e: string, name: string) => ({ 'left-pad-ng': '1.3.0', '@acme/widgets': '2.0.0', 'evil-pkg': '0.0.9' } as Record<string, string>)[name];
    const s = await pollFeedOnce(feed, { store, queue, latestVersion: latest });
    await queue.drain(2000);
    assert.deepEqual(queued.map((j) => `${j.name}@${j.version}`).sort(), ['@acme/widgets@2.0.0', 'left-pad-ng@1.3.0']);
    assert.equal(s.checkpoint, '41000005');
    await pollFeedOnce(feed, { store, queue, latestVersion: latest });
    await queue.drain(2000);
    assert.deepEqual(queued.slice(2).map((j) => j.name), ['evil-pkg']);
    assert.equal(await store.getCheckpoint('npm-changes'), '41000007');
    assert.ok(server.requests.includes('GET /registry/_changes?since=41000005&limit=500'));
    await store.close();
  });

  test('with an in-process queue the checkpoint is stored only after the scans ran', async () => {
    const store = new SqliteStore(join(dir, 'wait.db'));
    await store.init();
    const seenCheckpoints: (string | undefined)[] = [];
    const queue = new InProcessQueue({
      processor: async () => {
        await new Promise((r) => setTimeout(r, 20));
        seenCheckpoints.push(await store.getCheckpoint('pypi-rss'));
      },
    });
    server.set('/rss/updates.xml', fixture('pypi-updates-1.xml'));
    const s = await pollFeedOnce(createFeed('pypi-rss', endpoints), { store, queue, waitForScans: true });
    assert.equal(s.queued, 3);
    assert.deepEqual(seenCheckpoints, [undefined, undefined, undefined], 'scans ran before the checkpoint moved');
    assert.ok(await store.getCheckpoint('pypi-rss'));
    await store.close();
  });

  test('a feed error leaves the checkpoint untouched', async () => {
    const { store, queue } = await harness('err.db');
    await store.setCheckpoint('pypi-rss', JSON.stringify({ t: 5, seen: [] }));
    server.set('/rss/updates.xml', '<rss><channel><item>', 'application/rss+xml');
    await assert.rejects(pollFeedOnce(createFeed('pypi-rss', endpoints), { store, queue }), { code: 'E_ARCHIVE' });
    assert.equal(await store.getCheckpoint('pypi-rss'), JSON.stringify({ t: 5, seen: [] }));
    await assert.rejects(pollFeedOnce(createFeed('pypi-rss', { pypiUrl: 'http://127.0.0.1:1', npmReplicateUrl: '' }), { store, queue }), { code: 'E_NETWORK' });
    assert.throws(() => createFeed('nope', endpoints), { code: 'E_USAGE' });
    await store.close();
  });
});
