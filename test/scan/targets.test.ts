import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTarget } from '../../src/scan/targets.js';
import { VigilError } from '../../src/core/errors.js';

test('registry targets in every documented form', () => {
  assert.deepEqual(parseTarget('pypi:requests'), { kind: 'registry', raw: 'pypi:requests', ecosystem: 'pypi', name: 'requests' });
  assert.deepEqual(parseTarget('pypi:Time_Check.Server==1.0.2'), {
    kind: 'registry',
    raw: 'pypi:Time_Check.Server==1.0.2',
    ecosystem: 'pypi',
    name: 'Time_Check.Server',
    version: '1.0.2',
  });
  assert.deepEqual(parseTarget('npm:left-pad'), { kind: 'registry', raw: 'npm:left-pad', ecosystem: 'npm', name: 'left-pad' });
  assert.deepEqual(parseTarget('npm:left-pad@1.3.0'), { kind: 'registry', raw: 'npm:left-pad@1.3.0', ecosystem: 'npm', name: 'left-pad', version: '1.3.0' });
  assert.deepEqual(parseTarget('npm:@types/node@^20'), { kind: 'registry', raw: 'npm:@types/node@^20', ecosystem: 'npm', name: '@types/node', version: '^20' });
  assert.deepEqual(parseTarget('npm:@scope/name'), { kind: 'registry', raw: 'npm:@scope/name', ecosystem: 'npm', name: '@scope/name' });
  assert.deepEqual(parseTarget('pkg:pypi/name@1.0'), { kind: 'registry', raw: 'pkg:pypi/name@1.0', ecosystem: 'pypi', name: 'name', version: '1.0' });
  assert.deepEqual(parseTarget('pkg:npm/%40scope/name@1.0.0'), {
    kind: 'registry',
    raw: 'pkg:npm/%40scope/name@1.0.0',
    ecosystem: 'npm',
    name: '@scope/name',
    version: '1.0.0',
  });
});

test('local files and directories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-targets-'));
  const file = join(dir, 'pkg.tar.gz');
  writeFileSync(file, 'x');
  assert.equal(parseTarget(file).kind, 'file');
  assert.equal(parseTarget(dir).kind, 'directory');
  assert.equal(parseTarget('pkg.tar.gz', dir).kind, 'file');
});

test('bad targets are usage errors with a clear message', () => {
  for (const bad of ['', 'pypi:', 'pypi:bad name', 'npm:@scope', 'pypi:x>=1', 'pkg:cargo/serde@1', 'pkg:pypi', 'no-such-file.tgz', 'npm:x@']) {
    assert.throws(() => parseTarget(bad), (e: unknown) => e instanceof VigilError && e.code === 'E_TARGET', bad);
  }
});
