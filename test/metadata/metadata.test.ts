import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/types.js';
import type { ResolvedRelease } from '../../src/ecosystems/types.js';
import { metadataFindings, parseRepositoryUrl } from '../../src/metadata/index.js';

const NOW = new Date('2026-01-10T12:00:00Z');

function npmRelease(version: string, versions: Record<string, Record<string, unknown>>, times: Record<string, string>): ResolvedRelease {
  const order = Object.keys(versions);
  const doc = { name: 'event-pipe', versions, time: { created: times[order[0] ?? ''] ?? '', ...times }, description: 'pipes events' };
  const idx = order.indexOf(version);
  const release: ResolvedRelease = {
    ecosystem: 'npm',
    name: 'event-pipe',
    version,
    artifacts: [],
    versions: order.map((v) => ({ version: v, ...(times[v] !== undefined ? { time: times[v] } : {}) })),
    registryDocument: doc,
    versionManifest: versions[version],
  };
  if (idx > 0) release.previousVersion = order[idx - 1] ?? '';
  return release;
}

const manifest = (v: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'event-pipe',
  version: v,
  description: 'Pipes events between streams',
  repository: { type: 'git', url: 'git+https://github.com/alice/event-pipe.git' },
  _npmUser: { name: 'alice', email: 'a@example.invalid' },
  maintainers: [{ name: 'alice', email: 'a@example.invalid' }],
  dist: { attestations: { url: 'https://registry.invalid/att', provenance: { predicateType: 'https://slsa.dev/provenance/v1' } } },
  dependencies: { 'through2': '^4.0.0' },
  ...extra,
});

const ids = (fs: readonly Finding[]): string[] => fs.map((f) => f.ruleId).sort();

test('an established npm release with nothing unusual yields no findings', () => {
  const r = npmRelease('1.1.0', { '1.0.0': manifest('1.0.0'), '1.1.0': manifest('1.1.0') }, { '1.0.0': '2024-01-01T00:00:00Z', '1.1.0': '2025-06-01T00:00:00Z' });
  assert.deepEqual(metadataFindings(r, { now: NOW }), []);
});

test('takeover-shaped npm release: dormant, new publisher and maintainer, provenance dropped, look-alike dependency', () => {
  const evil = manifest('1.2.0', {
    _npmUser: { name: 'mallory', email: 'm@example.invalid' },
    maintainers: [{ name: 'alice' }, { name: 'mallory' }],
    dist: { integrity: 'sha512-x' },
    dependencies: { through2: '^4.0.0', 'expresss': '1.0.0' },
  });
  const r = npmRelease(
    '1.2.0',
    { '1.0.0': manifest('1.0.0'), '1.1.0': manifest('1.1.0'), '1.2.0': evil },
    { '1.0.0': '2019-01-01T00:00:00Z', '1.1.0': '2020-01-01T00:00:00Z', '1.2.0': '2026-01-10T02:00:00Z' },
  );
  const fs = metadataFindings(r, { now: NOW, minAgeHours: 48 });
  assert.deepEqual(ids(fs), ['meta/dormant-revival', 'meta/lookalike-dependency', 'meta/maintainers-changed', 'meta/min-age', 'meta/new-publisher', 'meta/provenance-removed']);
  const byId = new Map(fs.map((f) => [f.ruleId, f]));
  assert.equal(byId.get('meta/new-publisher')?.data?.publisher, 'mallory');
  assert.deepEqual(byId.get('meta/maintainers-changed')?.data?.added, ['mallory']);
  assert.equal(byId.get('meta/lookalike-dependency')?.data?.target, 'express');
  assert.equal(byId.get('meta/min-age')?.data?.ageHours, 10);
  assert.ok((byId.get('meta/dormant-revival')?.data?.gapDays as number) > 2000);
  for (const f of fs) {
    assert.ok(['medium', 'low', 'info'].includes(f.severity), f.ruleId);
    assert.equal(f.category, 'metadata');
    assert.equal(f.trigger, 'none');
  }
});

test('without a min-age policy a very new release is a low finding', () => {
  const r = npmRelease('1.1.0', { '1.0.0': manifest('1.0.0'), '1.1.0': manifest('1.1.0') }, { '1.0.0': '2025-01-01T00:00:00Z', '1.1.0': '2026-01-10T00:00:00Z' });
  const fs = metadataFindings(r, { now: NOW });
  assert.deepEqual(ids(fs), ['meta/new-release']);
  assert.equal(fs[0]?.severity, 'low');
});

test('PyPI: first and only release, no description, no repository, 99.x version, star-jacking', () => {
  const base = (info: Record<string, unknown>, version: string): ResolvedRelease => ({
    ecosystem: 'pypi',
    name: 'acme-billing',
    version,
    artifacts: [{ filename: `acme_billing-${version}.tar.gz`, url: 'https://files.invalid/x', hashes: {}, kind: 'sdist', uploadTime: '2026-01-09T12:00:00Z' }],
    versions: [{ version, time: '2026-01-09T12:00:00Z' }],
    registryDocument: { info: { name: 'acme-billing', version, ...info }, releases: { [version]: [{ upload_time_iso_8601: '2026-01-09T12:00:00Z' }] } },
    versionManifest: { info: { name: 'acme-billing', version, ...info } },
  });
  const bare = metadataFindings(base({ summary: '', description: '', project_urls: null, home_page: '' }, '99.0.1'), { now: NOW });
  assert.deepEqual(ids(bare), ['meta/dependency-confusion-version', 'meta/new-project', 'meta/new-release', 'meta/no-description', 'meta/no-repository', 'meta/single-release']);
  const jacked = metadataFindings(
    base({ summary: 'Billing helpers', description: '# Requests\n\nHTTP for Humans.', project_urls: { Source: 'https://github.com/psf/requests' }, requires_dist: ['reqeusts>=1', 'pytest; extra == "test"'] }, '0.1.0'),
    { now: NOW },
  );
  const byId = new Map(jacked.map((f) => [f.ruleId, f]));
  assert.equal(byId.get('meta/star-jacking')?.data?.imitated, 'requests');
  assert.equal(byId.get('meta/copied-description')?.data?.imitated, 'requests');
  assert.equal(byId.get('meta/lookalike-dependency')?.data?.dependency, 'reqeusts');
  assert.ok(!byId.has('meta/no-repository'));
});

test('PyPI: a package linking its own repository is not star-jacking; yanked releases are reported', () => {
  const r: ResolvedRelease = {
    ecosystem: 'pypi',
    name: 'requests-toolbelt',
    version: '1.0.0',
    artifacts: [{ filename: 'x.whl', url: 'https://files.invalid/x', hashes: {}, kind: 'wheel', yanked: 'broken build' }],
    versions: [{ version: '0.9.0', time: '2020-01-01T00:00:00Z' }, { version: '1.0.0', time: '2023-05-01T00:00:00Z', yanked: true }],
    previousVersion: '0.9.0',
    registryDocument: { info: { summary: 'A toolbelt of useful classes and functions to be used with python-requests', description: '# requests-toolbelt' } },
    versionManifest: { info: { summary: 'toolbelt', description: '# requests toolbelt', project_urls: { Source: 'https://github.com/requests/toolbelt' }, yanked_reason: 'broken build' } },
  };
  const fs = metadataFindings(r, { now: NOW });
  assert.deepEqual(ids(fs), ['meta/dormant-revival', 'meta/yanked']);
  assert.equal(fs.find((f) => f.ruleId === 'meta/yanked')?.data?.reason, 'broken build');
});

test('malformed registry documents do not throw', () => {
  const junk: unknown[] = [null, 42, 'x', [], { versions: 'nope', time: [] }, { info: [], releases: { '1': 'x' } }];
  for (const doc of junk) {
    for (const ecosystem of ['npm', 'pypi'] as const) {
      const r: ResolvedRelease = { ecosystem, name: 'x-pkg', version: '1.0.0', artifacts: [], versions: [], registryDocument: doc, versionManifest: doc };
      assert.ok(Array.isArray(metadataFindings(r, { now: NOW })));
    }
  }
});

test('repository URL forms', () => {
  assert.deepEqual(parseRepositoryUrl('git+https://github.com/psf/requests.git'), { host: 'github.com', owner: 'psf', repo: 'requests' });
  assert.deepEqual(parseRepositoryUrl('git@github.com:lodash/lodash.git'), { host: 'github.com', owner: 'lodash', repo: 'lodash' });
  assert.deepEqual(parseRepositoryUrl('expressjs/express'), { host: 'github.com', owner: 'expressjs', repo: 'express' });
  assert.equal(parseRepositoryUrl('https://example.invalid/x'), undefined);
});

test('a packument with 20,000 versions is handled quickly', () => {
  const versions: Record<string, Record<string, unknown>> = {};
  const times: Record<string, string> = {};
  for (let i = 0; i < 20_000; i++) {
    const v = `0.0.${i}`;
    versions[v] = manifest(v);
    times[v] = new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString();
  }
  const start = Date.now();
  const fs = metadataFindings(npmRelease('0.0.19999', versions, times), { now: NOW });
  assert.ok(Date.now() - start < 5000);
  assert.ok(Array.isArray(fs));
});
