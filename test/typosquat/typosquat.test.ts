import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TyposquatIndex,
  findImitated,
  normaliseName,
  osaDistance,
  parseTopList,
  skeleton,
  typosquatFindings,
} from '../../src/typosquat/index.js';
import { deletions } from '../../src/typosquat/names.js';

const pypiList = parseTopList(
  'pypi',
  [
    'rank\tname\tdownloads_30d',
    '1\tboto3\t1000000000',
    '2\trequests\t900000000',
    '3\tpython-dateutil\t800000000',
    '4\tcolorama\t700000000',
    '5\tbeautifulsoup4\t600000000',
    '6\tgoogle-cloud-storage\t500000000',
    '7\tpyyaml\t400000000',
    '8\tdiscord.py\t300000000',
    '9\tpyside6\t200000',
    '10\tpyside2\t100000',
    '11\tscikit-learn\t90000000',
    '12\tgoogle-cloud-pubsub\t80000000',
    '13\tgrequests\t100000',
  ].join('\n'),
);
const pypi = new TyposquatIndex('pypi', pypiList);

test('normalisation follows PEP 503 for PyPI and lower-cases npm', () => {
  assert.equal(normaliseName('pypi', 'Python_DateUtil'), 'python-dateutil');
  assert.equal(normaliseName('pypi', 'zope..interface'), 'zope-interface');
  assert.equal(normaliseName('npm', 'JQuery'), 'jquery');
  assert.equal(normaliseName('npm', ''), '');
});

test('skeleton folds homoglyphs and separators', () => {
  assert.equal(skeleton('rn0dule'), skeleton('module'));
  assert.equal(skeleton('vvheel'), skeleton('wheel'));
  assert.equal(skeleton('reqиests'), skeleton('reqиests'));
  assert.equal(skeleton('со1orama'), skeleton('colorama')); // Cyrillic с, о and digit 1
});

test('OSA distance counts a transposition as one edit and stops early', () => {
  assert.equal(osaDistance('reqeusts', 'requests', 2), 1);
  assert.equal(osaDistance('requests', 'requests', 2), 0);
  assert.equal(osaDistance('abcdef', 'uvwxyz', 2), 3);
  assert.equal(osaDistance('colorama', 'coloramma', 1), 1);
});

test('deletion neighbourhood contains every one- and two-character deletion', () => {
  const d = new Set(deletions('abcd', 2));
  for (const v of ['abcd', 'bcd', 'acd', 'abd', 'abc', 'cd', 'bd', 'bc', 'ad', 'ac', 'ab']) assert.ok(d.has(v), v);
});

test('edits are found and classified', () => {
  const cases: [string, string, string][] = [
    ['reqeusts', 'requests', 'transposition'],
    ['requesys', 'requests', 'keyboard-adjacent'],
    ['colorrama', 'colorama', 'doubled-letter'],
    ['colrama', 'colorama', 'dropped-letter'],
    ['requestb', 'requests', 'substitution'],
    ['co1orama', 'colorama', 'homoglyph'],
    ['beautifusloup4', 'beautifulsoup4', 'transposition'],
    ['beautfulsop4', 'beautifulsoup4', 'edit-distance'],
    ['discord-ppy', 'discord.py', 'doubled-letter'],
  ];
  for (const [name, target, technique] of cases) {
    const hit = pypi.find(name);
    assert.ok(hit, name);
    assert.equal(hit.target, target, name);
    assert.equal(hit.technique, technique, name);
  }
});

test('separators, affixes, combosquats', () => {
  assert.deepEqual(pick(pypi.find('pythondateutil')), ['python-dateutil', 'separator']);
  assert.deepEqual(pick(pypi.find('dateutil')), ['python-dateutil', 'affix']);
  assert.deepEqual(pick(pypi.find('py-requests')), ['requests', 'affix']);
  assert.deepEqual(pick(pypi.find('requests-python')), ['requests', 'affix']);
  assert.deepEqual(pick(pypi.find('boto3-sdk')), ['boto3', 'combosquat']);
  assert.deepEqual(pick(pypi.find('colarama-api')), ['colorama', 'combosquat']);
  assert.deepEqual(pick(pypi.find('scikit-learn-utils')), ['scikit-learn', 'combosquat']);
});

test('legitimate names are not flagged', () => {
  for (const name of [
    'requests', 'Requests', 'python_dateutil', 'types-requests', 'boto3-stubs', 'google-cloud-pubsub',
    'google-cloud-bigquery', 'pyside2', 'flask', 'numpy', 'req', 'rest',
  ]) {
    assert.equal(pypi.find(name), undefined, name);
  }
  // A listed name is reported only when the target is far more popular.
  assert.equal(pypi.find('grequests')?.target, 'requests');
  const strict = new TyposquatIndex('pypi', pypiList, { popularityRatio: 1e6 });
  assert.equal(strict.find('grequests'), undefined);
});

test('same maintainers clear the match', () => {
  const hit = pypi.find('requests-sdk', { maintainers: ['alice'], maintainersOf: (t) => (t === 'requests' ? ['Alice'] : undefined) });
  assert.equal(hit, undefined);
  assert.ok(pypi.find('requests-sdk', { maintainers: ['mallory'], maintainersOf: () => ['alice'] }));
});

test('npm families and scope confusion', () => {
  const npm = new TyposquatIndex(
    'npm',
    parseTopList('npm', ['rank\tname\tdownloads', '1\tlodash\t900', '2\t@babel/core\t800', '3\t@types/node\t700', '4\texpress\t600', '5\tcross-env\t500'].join('\n')),
  );
  assert.equal(npm.find('lodash.pick'), undefined);
  assert.equal(npm.find('@types/lodash'), undefined);
  assert.equal(npm.find('@babel/cor'), undefined, 'same scope: owned by the same organisation');
  assert.deepEqual(pick(npm.find('babel-core')), ['@babel/core', 'scope-confusion']);
  assert.deepEqual(pick(npm.find('types-node')), ['@types/node', 'scope-confusion']);
  assert.deepEqual(pick(npm.find('@typse/node')), ['@types/node', 'transposition']);
  assert.deepEqual(pick(npm.find('crossenv')), ['cross-env', 'separator']);
  assert.deepEqual(pick(npm.find('expresss')), ['express', 'doubled-letter']);
  assert.deepEqual(pick(npm.find('express-js')), ['express', 'affix']);
  assert.deepEqual(pick(npm.find('express.js')), ['express', 'affix']);
});

test('bundled lists: findings name the target with bounded severity', () => {
  assert.deepEqual(findImitated('pypi', 'reqeusts'), { target: 'requests', technique: 'transposition' });
  assert.equal(findImitated('pypi', 'requests'), undefined);
  assert.equal(findImitated('npm', 'lodash.pick'), undefined);
  const [f] = typosquatFindings('pypi', 'reqeusts');
  assert.ok(f);
  assert.equal(f.category, 'typosquatting');
  assert.equal(f.severity, 'high');
  assert.equal(f.kind, 'threat');
  assert.equal(f.confidence, 'medium');
  assert.equal(f.data?.target, 'requests');
  const [combo] = typosquatFindings('pypi', 'requests-sdk');
  assert.equal(combo?.ruleId, 'meta/combosquat');
  assert.equal(combo?.severity, 'medium');
  assert.deepEqual(typosquatFindings('npm', 'express'), []);
});

function pick(hit: { target: string; technique: string } | undefined): [string, string] | undefined {
  return hit === undefined ? undefined : [hit.target, hit.technique];
}
