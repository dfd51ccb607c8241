import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createAlertDispatcher } from '../../src/alerts/index.js';
import { SqliteStore } from '../../src/store/index.js';
import type { AlertRecord, DirectDependency } from '../../src/store/index.js';
import { addProject, createWatchDeps, lockfileDirectDependencies, runWatchOnce } from '../../src/watch/index.js';
import type { WatchAdvisory } from '../../src/watch/index.js';
import { MALICIOUS_MARKER, fakeRegistry, markerScanner } from '../queue/fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-watch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('watch cycle', () => {
  test('alerts on advisories and risky new releases of direct deps, only once, then only what is new', async () => {
    const store = new SqliteStore(join(dir, 'w.db'));
    await store.init();
    const reg = fakeRegistry();
    reg.publish('npm', 'lib-a', '1.0.0', 'ok');
    reg.publish('npm', 'lib-a', '1.1.0', `now with ${MALICIOUS_MARKER}`);
    reg.publish('pypi', 'lib-b', '2.0', 'ok');
    const projectDir = join(dir, 'proj');
    mkdirSync(projectDir);
    let deps: DirectDependency[] = [{ ecosystem: 'npm', name: 'lib-a', version: '1.0.0' }, { ecosystem: 'pypi', name: 'lib-b', version: '2.0' }];
    let advisories: WatchAdvisory[] = [
      { id: 'GHSA-1', ecosystem: 'pypi', name: 'lib-b', version: '2.0', severity: 'high', kind: 'vulnerability', summary: 'RCE', fixed: ['2.1'], file: 'requirements.txt' },
    ];
    const alerts: AlertRecord[] = [];
    const dispatcher = createAlertDispatcher({ store, sinks: [], dashboardUrl: 'http://d', onAlert: (a) => alerts.push(a) });
    const watchDeps = createWatchDeps({
      pipeline: { store, fetchRelease: reg.fetch, scanArtifact: markerScanner },
      latestVersion: reg.latest,
      audit: async () => advisories,
      directDependencies: async () => deps,
    });
    await assert.rejects(addProject(store, 'missing', dir, watchDeps), { code: 'E_TARGET' });
    const project = await addProject(store, 'proj', dir, watchDeps);
    assert.equal(project.status, 'pending');
    assert.equal((await addProject(store, projectDir, '/', watchDeps)).id, project.id, 'same path, same project');

    const [r1] = await runWatchOnce({ store, deps: watchDeps, alerts: dispatcher });
    assert.equal(r1?.newAlerts, 2);
    assert.deepEqual(alerts.map((a) => a.key).sort(), [
      `advisory:${project.id}:pypi:lib-b@2.0:GHSA-1`,
      `watch:${project.id}:npm:lib-a@1.1.0:malicious`,
    ]);
    const releaseAlert = alerts.find((a) => a.kind === 'malicious-release');
    assert.match(releaseAlert?.title ?? '', /new release lib-a@1\.1\.0 \(you use 1\.0\.0\) is malicious/);
    assert.match(releaseAlert?.message ?? '', /1 finding\(s\) not present in 1\.0\.0/);
    assert.equal(releaseAlert?.evidencePath, '/release/npm/lib-a/1.1.0');
    const stored = await store.getProject(project.id);
    assert.equal(stored?.status, 'alert');
    assert.match(stored?.summary ?? '', /2 direct dependencies; 1 advisories; 1 risky releases/);
    assert.ok(stored?.lastRunAt);

    // Second run: nothing new, nothing sent; releases are not downloaded again.
    const fetches = reg.fetched.length;
    const [r2] = await runWatchOnce({ store, deps: watchDeps, alerts: dispatcher });
    assert.equal(r2?.newAlerts, 0);
    assert.equal(alerts.length, 2);
    assert.equal(reg.fetched.length, fetches);

    // A new advisory and an upgrade to a clean version: only the advisory is new.
    advisories = [...advisories, { id: 'MAL-9', ecosystem: 'pypi', name: 'lib-b', version: '2.0', severity: 'critical', kind: 'malicious', summary: 'malware', fixed: [], file: 'requirements.txt' }];
    reg.publish('npm', 'lib-a', '1.2.0', 'clean again');
    deps = [{ ecosystem: 'npm', name: 'lib-a', version: '1.2.0' }, { ecosystem: 'pypi', name: 'lib-b', version: '2.0' }];
    const [r3] = await runWatchOnce({ store, deps: watchDeps, alerts: dispatcher });
    assert.equal(r3?.newAlerts, 1);
    assert.equal(alerts[2]?.severity, 'critical');
    assert.match(alerts[2]?.title ?? '', /is known malware \(MAL-9\)/);
    assert.deepEqual((await store.getProject(project.id))?.dependencies, deps, 'lockfile changes are picked up');
    await store.close();
  });

  test('registry errors are recorded on the project, not thrown', async () => {
    const store = new SqliteStore(join(dir, 'e.db'));
    await store.init();
    const watchDeps = createWatchDeps({
      pipeline: { store, fetchRelease: async () => Promise.reject(new Error('offline')), scanArtifact: markerScanner },
      latestVersion: async () => '9.9.9',
      directDependencies: async () => [{ ecosystem: 'npm', name: 'x', version: '1.0.0' }],
    });
    mkdirSync(join(dir, 'p2'));
    await addProject(store, join(dir, 'p2'), dir, watchDeps);
    const [r] = await runWatchOnce({ store, deps: watchDeps, alerts: createAlertDispatcher({ store, sinks: [], dashboardUrl: 'http://d' }) });
    assert.equal(r?.status, 'error');
    assert.match(r?.errors[0] ?? '', /x@1\.0\.0: offline/);
    await store.close();
  });
});

describe('lockfile wiring', () => {
  test('direct pinned registry dependencies from package-lock.json and requirements.txt', async () => {
    const p = join(dir, 'lockproj');
    mkdirSync(p);
    writeFileSync(join(p, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { 'lib-a': '^1.0.0' } }));
    writeFileSync(join(p, 'package-lock.json'), JSON.stringify({
      name: 'app', version: '1.0.0', lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0', dependencies: { 'lib-a': '^1.0.0' } },
        'node_modules/lib-a': { version: '1.0.3', resolved: 'https://registry.npmjs.org/lib-a/-/lib-a-1.0.3.tgz', dependencies: { 'lib-t': '1.0.0' } },
        'node_modules/lib-t': { version: '1.0.0', resolved: 'https://registry.npmjs.org/lib-t/-/lib-t-1.0.0.tgz' },
      },
    }));
    writeFileSync(join(p, 'requirements.txt'), 'requests==2.32.3\nflask>=2\n');
    const deps = await lockfileDirectDependencies(p);
    assert.deepEqual(deps, [
      { ecosystem: 'npm', name: 'lib-a', version: '1.0.3' },
      { ecosystem: 'pypi', name: 'requests', version: '2.32.3' },
    ]);
  });
});
