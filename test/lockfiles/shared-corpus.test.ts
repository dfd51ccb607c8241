import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractorById, findExtractor } from '../../src/lockfiles/index.js';
import { HAVE_SHARED, SHARED_LOCKFILES } from './helpers.js';

const FORMAT_TO_EXTRACTOR: Record<string, string> = {
  requirements: 'pypi/requirements',
  pyproject: 'pypi/pyproject',
  pipfile: 'pypi/pipfile',
  'poetry.lock': 'pypi/poetry-lock',
  'uv.lock': 'pypi/uv-lock',
  'Pipfile.lock': 'pypi/pipfile-lock',
  'pdm.lock': 'pypi/pdm-lock',
  'pylock.toml': 'pypi/pylock',
  'package-lock': 'npm/package-lock',
  'npm-shrinkwrap': 'npm/package-lock',
  'yarn-v1': 'npm/yarn-lock',
  'yarn-berry': 'npm/yarn-lock',
  'pnpm-v6': 'npm/pnpm-lock',
  'pnpm-v9': 'npm/pnpm-lock',
  'bun.lock': 'npm/bun-lock',
};

/**
 * Where Vigil's count differs from INDEX.tsv's `n_packages` on purpose, checked by hand:
 * INDEX counts raw entries; Vigil skips `link: true` aliases of workspace folders, deduplicates
 * yarn `patch:` entries and identical name@version entries that bun and pdm repeat, and
 * the phylum requirements file's 16 is a miscount (15 requirement lines).
 */
const EXPECTED_DIFFERENCES: Record<string, { count: number; why: string }> = {
  'requirements/phylum-dev__cli__tests--fixtures--requirements-locked.txt': { count: 15, why: '15 requirement lines (checked by hand)' },
  'package-lock/phylum-dev__cli__tests--fixtures--package-lock.json': { count: 59, why: '2 link entries skipped' },
  'npm-shrinkwrap/AikidoSec__safe-chain__npm-shrinkwrap.json': { count: 244, why: '2 link entries skipped' },
  'yarn-berry/reduxjs__reselect__yarn.lock': { count: 564, why: '4 patch: entries repeat npm entries' },
  'bun.lock/elysiajs__elysia__bun.lock': { count: 287, why: '4 nested entries repeat a name@version' },
  'bun.lock/honojs__hono__benchmarks--routers--bun.lock': { count: 137, why: '1 nested entry repeats a name@version' },
  'pdm.lock/pdm-project__pdm__pdm.lock': { count: 96, why: '4 entries repeat a package for another extras set' },
  'pdm.lock/pdm-project__pdm__tests--fixtures--projects--demo-package-has-dep-with-extras--pdm.lock': { count: 5, why: 'requests repeated for extras' },
};

test('every lockfile in ../shared/lockfiles extracts the expected number of packages', (t) => {
  if (!HAVE_SHARED) {
    t.skip('../shared/lockfiles is not present');
    return;
  }
  const rows = readFileSync(join(SHARED_LOCKFILES, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1);
  assert.ok(rows.length > 80);
  for (const row of rows) {
    const cols = row.split('\t');
    const format = cols[0] ?? '';
    const expected = Number(cols[4]);
    const local = cols[10] ?? '';
    const id = FORMAT_TO_EXTRACTOR[format];
    assert.ok(id !== undefined, `unknown format ${format}`);
    const extractor = extractorById(id);
    assert.ok(extractor !== undefined);
    const packages = extractor.extract(readFileSync(join(SHARED_LOCKFILES, local), 'utf8'), { file: local });
    const want = EXPECTED_DIFFERENCES[local]?.count ?? expected;
    assert.equal(packages.length, want, `${local}: ${packages.length} packages, expected ${want}`);
    for (const p of packages) {
      assert.ok(p.name.length > 0, `${local}: empty name`);
      assert.ok(p.line >= 1, `${local}: ${p.name} has no line`);
      assert.equal(p.pinned, p.version !== undefined && p.pinned, `${local}: ${p.name} pinned without version`);
    }
  }
});

test('file names select the right extractor', () => {
  const cases: [string, string | undefined][] = [
    ['requirements.txt', 'pypi/requirements'],
    ['dev-requirements.txt', 'pypi/requirements'],
    ['requirements-dev-lock.txt', 'pypi/requirements'],
    ['requirements/test.txt', 'pypi/requirements'],
    ['docker/requirements.in', 'pypi/requirements'],
    ['constraints.txt', undefined],
    ['pyproject.toml', 'pypi/pyproject'],
    ['Pipfile', 'pypi/pipfile'],
    ['Pipfile.lock', 'pypi/pipfile-lock'],
    ['poetry.lock', 'pypi/poetry-lock'],
    ['uv.lock', 'pypi/uv-lock'],
    ['pdm.lock', 'pypi/pdm-lock'],
    ['pylock.toml', 'pypi/pylock'],
    ['pylock.dev.toml', 'pypi/pylock'],
    ['package-lock.json', 'npm/package-lock'],
    ['npm-shrinkwrap.json', 'npm/package-lock'],
    ['node_modules/.package-lock.json', 'npm/package-lock'],
    ['yarn.lock', 'npm/yarn-lock'],
    ['pnpm-lock.yaml', 'npm/pnpm-lock'],
    ['bun.lock', 'npm/bun-lock'],
    ['bun.lockb', undefined],
    ['package.json', undefined],
    ['README.md', undefined],
  ];
  for (const [path, id] of cases) assert.equal(findExtractor(path)?.id, id, path);
  assert.equal(findExtractor('node_modules/lodash/package.json')?.id, undefined);
  assert.equal(findExtractor('node_modules/lodash/package.json', true)?.id, 'npm/installed');
  assert.equal(findExtractor('lib/site-packages/requests-2.0.dist-info/METADATA', true)?.id, 'pypi/installed');
});
