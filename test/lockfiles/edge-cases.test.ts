import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverLockfiles, extractFile, extractorById } from '../../src/lockfiles/index.js';
import { jsoncToJson } from '../../src/lockfiles/bun.js';
import { parseRequirement, pinnedVersion } from '../../src/lockfiles/pep508.js';
import { brief, extractFixture } from './helpers.js';

test('requirements: include cycles and missing includes do not loop or fail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-req-'));
  try {
    writeFileSync(join(dir, 'requirements.txt'), '-r requirements.txt\n-r other.txt\n-r nope.txt\nsix==1.16.0\n');
    writeFileSync(join(dir, 'other.txt'), '-r requirements.txt\nidna==3.4\n');
    const [file] = discoverLockfiles(['requirements.txt'], dir);
    assert.ok(file !== undefined);
    const out = extractFile(file);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.packages.map((p) => `${p.name}@${p.version ?? ''}:${p.file}:${p.line}`), ['idna@3.4:other.txt:2', 'six@1.16.0:requirements.txt:4']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PEP 508 parsing and exact pins', () => {
  assert.deepEqual(parseRequirement('requests[socks, security] (>=2.0, <3) ; python_version < "3.8"'), {
    name: 'requests',
    extras: ['socks', 'security'],
    specifier: '>=2.0,<3',
    marker: 'python_version < "3.8"',
  });
  assert.equal(parseRequirement('pkg @ https://x.invalid/pkg.whl ; os_name == "nt"')?.url, 'https://x.invalid/pkg.whl');
  assert.equal(pinnedVersion('==1.2.3'), '1.2.3');
  assert.equal(pinnedVersion('===1.2.3'), '1.2.3');
  assert.equal(pinnedVersion('==1.2.*'), undefined);
  assert.equal(pinnedVersion('==1.2,<2'), undefined);
  assert.equal(pinnedVersion('>=1.2'), undefined);
  assert.equal(parseRequirement('-e .'), undefined);
});

test('bun.lock JSONC: trailing commas and comments, strings untouched', () => {
  assert.deepEqual(JSON.parse(jsoncToJson('{"a": [1, 2,], // c\n "b": "x,]//y", /* z */ }')), { a: [1, 2], b: 'x,]//y' });
});

test('installed environments: dist-info METADATA and node_modules package.json', () => {
  const dir = join('installed');
  const files = discoverLockfiles([dir], join(process.cwd(), 'test', 'fixtures', 'lockfiles'), { installed: true });
  const got = files.flatMap((f) => extractFile(f).packages.map((p) => `${p.ecosystem}:${brief(p)}`)).sort();
  assert.deepEqual(got, [
    'npm:@scope/pkg|1.0.0||P|L1|?|?|registry',
    'npm:lodash|4.17.20||P|L1|?|?|registry',
    'npm:minimist|0.0.8||P|L1|?|?|registry',
    'pypi:requests|2.19.0||P|L2|?|?|registry',
  ]);
  // Without --include-installed, node_modules and site-packages are skipped.
  assert.deepEqual(discoverLockfiles([dir], join(process.cwd(), 'test', 'fixtures', 'lockfiles')), []);
});

test('hidden lockfile node_modules/.package-lock.json is read as a package-lock', () => {
  const { id, packages } = extractFixture('hidden/node_modules/.package-lock.json');
  assert.equal(id, 'npm/package-lock');
  assert.equal(packages.length, 49);
  assert.ok(packages.every((p) => p.pinned && p.line > 0));
});

test('discovery skips node_modules, .venv and .git unless asked, and never follows symlinks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-disc-'));
  try {
    for (const d of ['app', 'node_modules/x', '.venv', '.git', 'app/node_modules']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'app', 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
    writeFileSync(join(dir, 'node_modules', 'x', 'package-lock.json'), '{}');
    writeFileSync(join(dir, '.venv', 'requirements.txt'), 'x==1\n');
    writeFileSync(join(dir, '.git', 'requirements.txt'), 'x==1\n');
    const found = discoverLockfiles(['.'], dir).map((f) => f.display);
    assert.deepEqual(found, ['app/package-lock.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('broken files become errors, not crashes', () => {
  for (const [id, text] of [
    ['npm/package-lock', '{"packages": '],
    ['pypi/poetry-lock', '[[package]\nname = '],
    ['npm/pnpm-lock', 'a: [\n'],
    ['npm/bun-lock', '{"packages": {'],
    ['pypi/pipfile-lock', 'null'],
  ] as const) {
    const e = extractorById(id);
    assert.ok(e !== undefined);
    assert.throws(() => e.extract(text, { file: 'x' }), (err: unknown) => err instanceof Error && 'code' in err && err.code === 'E_TARGET', id);
  }
  // Odd but valid shapes give no packages rather than throwing.
  assert.deepEqual(extractorById('npm/yarn-lock')?.extract('garbage\n  more', { file: 'x' }), []);
  assert.deepEqual(extractorById('pypi/requirements')?.extract('\\\n#x\n--foo\n', { file: 'x' }), []);
});
