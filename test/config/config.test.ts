import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../src/core/types.js';
import { applyAllowlist, dependencyConfusionFindings, loadConfig, parseConfig } from '../../src/config/index.js';

function finding(ruleId: string, path = 'package/index.js'): Finding {
  return { ruleId, severity: 'medium', kind: 'capability', category: 'network', confidence: 'high', message: 'm', location: { path, line: 1 }, evidence: 'e', trigger: 'call' };
}

function withDirs(fn: (project: string, home: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-config-'));
    const project = join(root, 'project');
    const home = join(root, 'xdg');
    mkdirSync(project);
    mkdirSync(join(home, 'vigil'), { recursive: true });
    try {
      await fn(project, home);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

test('no files: empty configuration', withDirs(async (project, home) => {
  const c = await loadConfig(project, { env: { XDG_CONFIG_HOME: home } });
  assert.deepEqual(c, { allow: [], internal: { pypi: [], npm: [] }, sources: [] });
}));

test('user and project JSON layers merge: lists concatenate, project thresholds win', withDirs(async (project, home) => {
  writeFileSync(join(home, 'vigil', 'config.json'), JSON.stringify({ failOn: 'malicious', minAgeHours: 24, internal: { npm: ['@acme/*'] } }));
  writeFileSync(
    join(project, 'vigil.config.json'),
    JSON.stringify({ failOn: 'suspicious', internal: { pypi: ['acme-*'] }, allow: [{ name: 'esbuild', ecosystem: 'npm', rule: 'npm/install-script', reason: 'native binary' }] }),
  );
  const c = await loadConfig(project, { env: { XDG_CONFIG_HOME: home } });
  assert.equal(c.failOn, 'suspicious');
  assert.equal(c.minAgeHours, 24);
  assert.deepEqual(c.internal, { pypi: ['acme-*'], npm: ['@acme/*'] });
  assert.equal(c.allow.length, 1);
  assert.equal(c.sources.length, 2);
}));

test('[tool.vigil] in pyproject.toml, kebab-case keys', withDirs(async (project, home) => {
  writeFileSync(
    join(project, 'pyproject.toml'),
    `[project]\nname = "app"\n\n[tool.vigil]\nfail-on = "never"\nmin-age-hours = 72\ninternal = { pypi = ["corp-"] }\n\n[[tool.vigil.allow]]\nname = "cryptography"\nrule = "py/native-*"\nreason = "builds Rust code"\n`,
  );
  const c = await loadConfig(project, { env: { XDG_CONFIG_HOME: home } });
  assert.equal(c.failOn, 'never');
  assert.equal(c.minAgeHours, 72);
  assert.deepEqual(c.internal.pypi, ['corp-']);
  assert.equal(c.allow[0]?.rule, 'py/native-*');
  assert.match(c.allow[0]?.source ?? '', /pyproject\.toml \[tool\.vigil\]$/);
}));

test('pyproject.toml without [tool.vigil] is ignored; both files is an error', withDirs(async (project, home) => {
  writeFileSync(join(project, 'pyproject.toml'), `[project]\nname = "app"\n`);
  assert.deepEqual((await loadConfig(project, { env: { XDG_CONFIG_HOME: home } })).sources, []);
  writeFileSync(join(project, 'pyproject.toml'), `[tool.vigil]\nfail-on = "never"\n`);
  writeFileSync(join(project, 'vigil.config.json'), '{}');
  await assert.rejects(loadConfig(project, { env: { XDG_CONFIG_HOME: home } }), { code: 'E_CONFIG', message: /keep one/ });
}));

test('strict validation names the file and key', async () => {
  const bad: [unknown, RegExp][] = [
    [{ allow: [{ name: 'x' }] }, /f\.json: allow\[0\]\.reason: every allowlist entry needs a reason/],
    [{ allow: [{ name: 'x', reason: '  ' }] }, /allow\[0\]\.reason: expected a non-empty string/],
    [{ allow: [{ reason: 'r' }] }, /allow\[0\]: an entry needs at least one of name, sha256 or rule/],
    [{ allow: [{ name: 'x', reason: 'r', colour: 1 }] }, /allow\[0\]\.colour: unknown key/],
    [{ allow: [{ sha256: 'abc', reason: 'r' }] }, /allow\[0\]\.sha256: expected 64 hex digits/],
    [{ allow: [{ version: '1', reason: 'r', rule: 'x' }] }, /allow\[0\]\.version: a version needs a name/],
    [{ failOn: 'sometimes' }, /failOn: expected one of malicious, suspicious, never/],
    [{ minAgeHours: -1 }, /minAgeHours: expected a number/],
    [{ internal: { cargo: [] } }, /internal\.cargo: unknown ecosystem/],
    [{ internal: { npm: ['a*b'] } }, /internal\.npm\[0\]: '\*' is only allowed at the end/],
    [{ ignore: true }, /f\.json: ignore: unknown key/],
    [[], /f\.json: \(top level\): expected an object/],
  ];
  for (const [doc, re] of bad) assert.throws(() => parseConfig(doc, 'f.json'), (e: unknown) => (e as { code?: string }).code === 'E_CONFIG' && re.test((e as Error).message), JSON.stringify(doc));
});

test('invalid JSON or TOML is an E_CONFIG error naming the file', withDirs(async (project, home) => {
  writeFileSync(join(project, 'vigil.config.json'), '{ nope');
  await assert.rejects(loadConfig(project, { env: { XDG_CONFIG_HOME: home } }), { code: 'E_CONFIG', message: /vigil\.config\.json: not valid JSON/ });
  rmSync(join(project, 'vigil.config.json'));
  writeFileSync(join(project, 'pyproject.toml'), '[tool.vigil\n');
  await assert.rejects(loadConfig(project, { env: { XDG_CONFIG_HOME: home } }), { code: 'E_CONFIG', message: /pyproject\.toml: not valid TOML/ });
}));

test('allowlist by name, version, hash and rule; suppressions keep the reason', () => {
  const hash = 'a'.repeat(64);
  const config = parseConfig(
    {
      allow: [
        { name: 'Left_Pad', ecosystem: 'pypi', version: '1.0', rule: 'py/network', reason: 'telemetry is documented' },
        { sha256: hash, reason: 'vetted build' },
        { rule: 'meta/*', path: '(registry)', reason: 'metadata noise' },
      ],
    },
    'cfg.json',
  );
  const fs = [finding('py/network'), finding('py/exec'), finding('meta/young-release', '(registry)')];
  const r1 = applyAllowlist(fs, config, { ecosystem: 'pypi', name: 'left-pad', version: '1.0' });
  assert.deepEqual(r1.findings.map((f) => f.ruleId), ['py/exec']);
  assert.deepEqual(r1.suppressions.map((s) => [s.finding.ruleId, s.reason, s.source]), [
    ['py/network', 'telemetry is documented', 'cfg.json'],
    ['meta/young-release', 'metadata noise', 'cfg.json'],
  ]);
  const r2 = applyAllowlist(fs, config, { ecosystem: 'pypi', name: 'left-pad', version: '1.1' });
  assert.deepEqual(r2.findings.map((f) => f.ruleId), ['py/network', 'py/exec']);
  const r3 = applyAllowlist(fs, config, { ecosystem: 'npm', name: 'x', version: '1', sha256: [hash.toUpperCase()] });
  assert.deepEqual(r3.findings, []);
});

test('dependency confusion: internal names and prefixes that exist publicly', () => {
  assert.equal(dependencyConfusionFindings('npm', '@acme/utils', ['@acme/*'], true)[0]?.ruleId, 'meta/dependency-confusion');
  assert.deepEqual(dependencyConfusionFindings('npm', '@acme/utils', ['@acme/*'], false), []);
  assert.equal(dependencyConfusionFindings('pypi', 'Acme_Billing', ['acme-billing'], true).length, 1);
  assert.equal(dependencyConfusionFindings('pypi', 'acme.core', ['acme-*'], true)[0]?.severity, 'medium');
  assert.deepEqual(dependencyConfusionFindings('pypi', 'requests', ['acme-*'], true), []);
});
