import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allRules } from '../../src/rules/index.js';
import { renderRuleDoc, renderRuleIndex, ruleDocFile } from '../../src/rules/docs.js';
import { CATEGORIES, SEVERITIES } from '../../src/core/types.js';

const repo = resolve(new URL('../../..', import.meta.url).pathname);
const docsDir = join(repo, 'docs', 'rules');

test('rule ids are unique, namespaced and sorted; metadata is complete', () => {
  const rules = allRules();
  const ids = rules.map((r) => r.meta.id);
  assert.equal(new Set(ids).size, ids.length, 'duplicate rule id');
  assert.deepEqual([...ids].sort((a, b) => a.localeCompare(b)), ids);
  for (const { meta } of rules) {
    assert.match(meta.id, /^(py|npm|meta|archive)\/[a-z0-9-]+$/, meta.id);
    assert.ok(meta.description.length > 10, `${meta.id}: description`);
    assert.ok((CATEGORIES as readonly string[]).includes(meta.category), `${meta.id}: category`);
    assert.ok((SEVERITIES as readonly string[]).includes(meta.severity), `${meta.id}: severity`);
    assert.ok(meta.examples.positive.length > 0, `${meta.id}: needs a positive example`);
    assert.ok(meta.examples.negative.length > 0, `${meta.id}: needs a negative example`);
  }
});

test('docs/rules is generated from the rule metadata and up to date (npm run docs:rules)', () => {
  const rules = allRules().map((r) => r.meta);
  assert.ok(existsSync(docsDir), 'docs/rules missing: run npm run docs:rules');
  assert.equal(readFileSync(join(docsDir, 'README.md'), 'utf8'), renderRuleIndex(rules), 'docs/rules/README.md is stale');
  for (const meta of rules) {
    const file = join(docsDir, ruleDocFile(meta.id));
    assert.ok(existsSync(file), `${file} missing: run npm run docs:rules`);
    assert.equal(readFileSync(file, 'utf8'), renderRuleDoc(meta), `${file} is stale: run npm run docs:rules`);
  }
  const expected = new Set([...rules.map((m) => ruleDocFile(m.id)), 'README.md']);
  for (const name of readdirSync(docsDir)) assert.ok(expected.has(name), `docs/rules/${name} has no rule`);
});
