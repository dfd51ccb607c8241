import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython, pythonRules } from '../../../src/analysis/python/index.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import type { FileTree } from '../../../src/core/types.js';
import type { RuleExample } from '../../../src/rules/types.js';

function treeOf(example: RuleExample): FileTree {
  const files = Object.entries(example.files).map(([path, text]) => {
    const data = new TextEncoder().encode(text);
    return { path, data, size: data.byteLength };
  });
  return { format: 'directory', files, issues: [], totalBytes: files.reduce((a, f) => a + f.size, 0) };
}

async function ruleIds(example: RuleExample): Promise<string[]> {
  const out = await analyzePython(treeOf(example), { ecosystem: 'pypi', artifact: 'test', limits: DEFAULT_LIMITS, deadline: performance.now() + 10_000 });
  assert.deepEqual(out.errors, []);
  return out.findings.map((f) => f.ruleId);
}

test('the registry is sorted by id and ids are unique py/<name>', () => {
  const ids = pythonRules.map((r) => r.meta.id);
  assert.deepEqual([...ids].sort((a, b) => a.localeCompare(b)), ids);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^py\/[a-z0-9-]+$/);
});

for (const rule of pythonRules) {
  const { id, examples } = rule.meta;
  test(`${id}: has positive and negative examples`, () => {
    assert.ok(examples.positive.length > 0);
    assert.ok(examples.negative.length > 0);
  });
  examples.positive.forEach((ex, i) => {
    test(`${id}: positive example ${i + 1} fires`, async () => {
      assert.ok((await ruleIds(ex)).includes(id), `expected ${id}`);
    });
  });
  examples.negative.forEach((ex, i) => {
    test(`${id}: negative example ${i + 1} does not fire`, async () => {
      assert.ok(!(await ruleIds(ex)).includes(id), `did not expect ${id}`);
    });
  });
}
