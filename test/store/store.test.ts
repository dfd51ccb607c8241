import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Finding } from '../../src/core/types.js';
import { PostgresStore, SqliteStore, defaultDataDir, openStore, parsePostgresUrl, releaseKey } from '../../src/store/index.js';
import type { ReleaseRecord, ResultStore } from '../../src/store/index.js';
import { PG_URL, serviceSkipReason, uniqueName } from './services.js';

const finding: Finding = {
  ruleId: 'test/rule', severity: 'critical', kind: 'threat', category: 'execution', confidence: 'high',
  message: 'runs a thing', location: { path: 'setup.py', line: 3 }, evidence: '<script>x</script>', trigger: 'install',
};

function record(name: string, version: string, over: Partial<ReleaseRecord> = {}): Omit<ReleaseRecord, 'key' | 'scanCount'> {
  return {
    ecosystem: 'pypi', name, version, verdict: 'clean', score: 0, reason: 'ok',
    artifacts: [{ filename: `${name}-${version}.tar.gz`, sha256: `${name}${version}`.padEnd(64, '0'), size: 10 }],
    findings: [], errors: [], source: 'test', durationMs: 5, scannedAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    ...over,
  };
}

async function contract(store: ResultStore): Promise<void> {
  await store.init();
  await store.init(); // idempotent
  await store.putResult(record('Foo_Bar', '1.0'));
  await store.putResult(record('foo-bar', '1.0', { verdict: 'malicious', score: 100, findings: [finding], newInRelease: [finding], previousVersion: '0.9' }));
  await store.putResult(record('other', '2.0', { scannedAt: new Date(Date.UTC(2026, 0, 2)).toISOString() }));
  assert.equal(await store.countResults(), 2, 'upsert by normalised key: no duplicate row');
  const got = await store.getResult('pypi', 'FOO.bar', '1.0');
  assert.ok(got);
  assert.equal(got.key, releaseKey('pypi', 'foo-bar', '1.0'));
  assert.equal(got.verdict, 'malicious');
  assert.equal(got.scanCount, 2);
  assert.equal(got.previousVersion, '0.9');
  assert.deepEqual(got.findings, [finding]);
  assert.deepEqual(got.newInRelease, [finding]);
  assert.equal((await store.getResultsByArtifact('foo-bar1.0'.padEnd(64, '0'))).length, 1);
  assert.equal((await store.getResultsByArtifact('0'.repeat(64))).length, 0);
  assert.equal(await store.getResult('pypi', 'nope', '1'), undefined);
  const listed = await store.listResults();
  assert.deepEqual(listed.map((r) => r.name), ['other', 'foo-bar']);
  assert.deepEqual((await store.listResults({ search: 'FOO' })).map((r) => r.version), ['1.0']);
  assert.deepEqual(await store.listResults({ search: '%' }), [], 'LIKE wildcards are escaped');
  assert.equal((await store.listResults({ verdict: 'clean' })).length, 1);
  assert.deepEqual((await store.listResults({ search: 'foo', verdict: 'malicious', limit: 1 })).map((r) => r.name), ['foo-bar'], 'search, filter and limit together');
  assert.deepEqual(await store.listResults({ search: 'foo', verdict: 'clean' }), []);
  assert.equal((await store.listResults({ limit: 1 })).length, 1);

  const alert = {
    key: 'k1', kind: 'malicious-release' as const, severity: 'critical' as const, title: 't', message: 'm',
    ecosystem: 'pypi' as const, name: 'foo-bar', version: '1.0', evidencePath: '/release/pypi/foo-bar/1.0', createdAt: new Date().toISOString(),
  };
  assert.equal(await store.addAlert(alert), true);
  assert.equal(await store.addAlert({ ...alert, title: 'again' }), false, 'dedupe by key');
  const alerts = await store.listAlerts({ search: 'foo' });
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.title, 't');
  assert.equal((await store.listAlerts({ project: 'none' })).length, 0);
  assert.equal((await store.listAlerts({ search: 'foo', project: 'none', limit: 5 })).length, 0);
  assert.equal((await store.listAlerts({ search: 'nothing-like-it' })).length, 0);

  const project = { id: 'p1', path: '/x', name: 'x', addedAt: 'a', status: 'pending' as const, summary: '', dependencies: [{ ecosystem: 'npm' as const, name: 'a', version: '1.0.0' }] };
  await store.putProject(project);
  await store.putProject({ ...project, status: 'ok', lastRunAt: 'b' });
  const projects = await store.listProjects();
  assert.equal(projects.length, 1);
  assert.equal(projects[0]?.status, 'ok');
  assert.deepEqual(projects[0]?.dependencies, project.dependencies);
  assert.equal((await store.getProject('p1'))?.lastRunAt, 'b');
  assert.equal(await store.removeProject('p1'), true);
  assert.equal(await store.removeProject('p1'), false);

  assert.equal(await store.getCheckpoint('npm'), undefined);
  await store.setCheckpoint('npm', '10');
  await store.setCheckpoint('npm', '12');
  assert.equal(await store.getCheckpoint('npm'), '12');
}

describe('ResultStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('SQLite implements the contract', async () => {
    const store = new SqliteStore(join(dir, 'a', 'vigil.db'));
    try {
      await contract(store);
    } finally {
      await store.close();
    }
  });

  test('PostgreSQL implements the contract', async (t) => {
    const skip = await serviceSkipReason('postgres');
    if (skip !== undefined) return t.skip(skip);
    const schema = uniqueName('vigil_test');
    const store = new PostgresStore(`${PG_URL}?schema=${schema}`);
    try {
      await contract(store);
    } finally {
      await store.dropSchema();
      await store.close();
    }
  });

  test('openStore picks SQLite in the data dir by default, and validates URLs', async () => {
    const env = { VIGIL_DATA_DIR: join(dir, 'data') };
    assert.equal(defaultDataDir(env), join(dir, 'data'));
    assert.ok(defaultDataDir({ XDG_DATA_HOME: '/x' }).endsWith('/x/vigil'));
    const store = await openStore(undefined, env);
    assert.equal(store.description, `sqlite:${join(dir, 'data', 'vigil.db')}`);
    await store.close();
    await assert.rejects(openStore('mysql://x', env), { code: 'E_CONFIG' });
    assert.throws(() => parsePostgresUrl('postgres://u:secret@h/db?schema=Bad-Name'), { code: 'E_CONFIG' });
    const parsed = parsePostgresUrl('postgres://u:secret@h:5/db?schema=s1');
    assert.equal(parsed.schema, 's1');
    assert.ok(!parsed.description.includes('secret'));
  });
});
