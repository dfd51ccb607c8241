import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAffected } from '../../src/advisories/match.js';
import { normalizePackageName } from '../../src/advisories/names.js';
import { parseOsvRecord } from '../../src/advisories/osv.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { compareVersions } from '../../src/advisories/versions.js';
import { OSV_FIXTURES } from './helpers.js';

function record(rel: string): OsvRecord {
  return parseOsvRecord(JSON.parse(readFileSync(join(OSV_FIXTURES, rel), 'utf8')), { maliciousSource: rel.startsWith('malicious/') });
}

function affected(r: OsvRecord, name: string, version: string): boolean {
  return r.affected.some((a) => normalizePackageName(a.ecosystem, a.name) === normalizePackageName(a.ecosystem, name) && isAffected(a.ecosystem, a.spec, version));
}

test('hand-written npm record: unsorted events, two pairs, pre-releases, limit, invalid event, versions list', () => {
  const r = record('npm/VIGIL-TEST-1.json');
  assert.equal(r.affected.length, 1, 'GIT range dropped, entry kept');
  const cases: [string, boolean][] = [
    ['0.9.9', true], // explicit versions list
    ['0.9.8', false],
    ['1.0.0', true],
    ['1.4.9', true],
    ['1.5.0', false],
    ['1.9.9', false],
    ['2.0.0-alpha', false], // pre-release below the introduced pre-release
    ['2.0.0-beta.1', true],
    ['2.0.0', true],
    ['2.0.5', true],
    ['2.1.0', false],
    ['v1.2.0', true],
    ['3.0.0', true],
    ['3.1.9', true],
    ['3.2.0', false], // limit
    ['4.0.0', false],
    ['garbage', false],
  ];
  for (const [v, want] of cases) assert.equal(affected(r, 'tricky', v), want, v);
  assert.equal(r.severity, 'medium'); // CVSS 6.4
});

test('hand-written PyPI record: PEP 440 ordering (pre, post, epoch) and PEP 503 names', () => {
  const r = record('PyPI/VIGIL-TEST-2.json');
  assert.equal(r.affected.length, 1, 'Maven entry dropped');
  const cases: [string, boolean][] = [
    ['0.9', false],
    ['1.0a0', false],
    ['1.0a1', true],
    ['1.0rc2', true],
    ['1.0', true],
    ['1.0.0', true],
    ['1.0.post0', true],
    ['1.0.post1', false],
    ['1.5', false],
    ['99', false],
    ['2!0.1', true],
    ['2!7.0', true],
    ['1!9', false],
  ];
  for (const [v, want] of cases) assert.equal(affected(r, 'zope-interface-tools', v), want, v);
  assert.equal(affected(r, 'Zope_Interface.tools', '1.0'), true);
  assert.equal(r.severity, 'high');
});

test('real records: last_affected, several introduced/fixed pairs, SEMVER pre-releases', () => {
  const py = record('PyPI/PYSEC-2022-42969.json');
  assert.equal(affected(py, 'py', '1.11.0'), true, 'last_affected is inclusive');
  assert.equal(affected(py, 'py', '1.11.1'), false);
  assert.equal(affected(py, 'py', '0.8.0a2'), true, 'listed as 0.8.0-alpha2');
  const django = record('PyPI/PYSEC-2014-19.json');
  const cases: [string, boolean][] = [
    ['1.3', false],
    ['1.4', true],
    ['1.4.13', false],
    ['1.5.7', true],
    ['1.6.4', true],
    ['1.6.5', false],
    ['1.7a0', true],
    ['1.7a2', true],
    ['1.7b4', false],
    ['1.7', false],
  ];
  for (const [v, want] of cases) assert.equal(affected(django, 'Django', v), want, `django ${v}`);
  const swagger = record('npm/NSWG-ECO-137.json');
  assert.equal(affected(swagger, 'swagger-ui', '2.1.0-M1'), true);
  assert.equal(affected(swagger, 'swagger-ui', '2.1.0-M2'), true);
  assert.equal(affected(swagger, 'swagger-ui', '2.1.0-M3'), false);
  assert.equal(affected(swagger, 'swagger-ui', '2.1.0'), false);
  const ws = record('npm/GHSA-3h5v-q93c-6h6q.json');
  assert.equal(ws.affected.length, 4);
  assert.equal(affected(ws, 'ws', '7.5.9'), true);
  assert.equal(affected(ws, 'ws', '7.5.10'), false);
  assert.equal(affected(ws, 'ws', '8.17.1'), false);
  assert.equal(affected(ws, 'ws', '2.0.0'), false);
  assert.equal(ws.severity, 'high'); // CVSS 7.5
});

test('malicious records: MAL ids and malicious-packages feeds are critical and match every version', () => {
  const mal = record('malicious/npm/MAL-2022-11.json');
  assert.equal(mal.kind, 'malicious');
  assert.equal(mal.severity, 'critical');
  assert.equal(affected(mal, '01template1', '0.0.1'), true);
  assert.equal(affected(mal, '01template1', 'not-semver'), true, 'introduced 0 covers unparsable versions');
  const soal = record('malicious/PyPI/malicious__soal.json');
  assert.equal(soal.kind, 'malicious');
  assert.equal(affected(soal, 'soal', '8.0.5'), true);
  assert.equal(affected(soal, 'soal', '8.0.4'), false);
  const withdrawn = record('PyPI/PYSEC-2023-141.json');
  assert.ok(withdrawn.withdrawn !== undefined);
});

test('version ordering', () => {
  assert.ok(compareVersions('pypi', '1.0rc1', '1.0') < 0);
  assert.ok(compareVersions('pypi', '1.0', '1.0.post1') < 0);
  assert.equal(compareVersions('pypi', '1.0', '1.0.0'), 0);
  assert.ok(compareVersions('npm', '1.0.0-rc.1', '1.0.0') < 0);
  assert.ok(compareVersions('npm', '1.0.0-alpha.10', '1.0.0-alpha.9') > 0);
  assert.ok(compareVersions('npm', 'junk', '0.0.1') < 0);
});

test('hostile records are rejected or trimmed, never crash', () => {
  assert.throws(() => parseOsvRecord(null), /not a JSON object/);
  assert.throws(() => parseOsvRecord({ modified: 'x' }), /no id/);
  const r = parseOsvRecord({
    id: 'X-1',
    affected: [
      { package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ introduced: 5 }, { fixed: {} }, 'junk'] }] },
      { package: 'nope' },
      { package: { ecosystem: 'PyPI', name: 'b' }, versions: ['1.0', 7, null] },
    ],
    aliases: 'not-a-list',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:X' }],
  });
  assert.deepEqual(
    r.affected.map((a) => [a.name, a.spec.versions]),
    [['b', ['1.0']]],
  );
  assert.deepEqual(r.aliases, []);
  assert.equal(r.severity, 'medium');
});
