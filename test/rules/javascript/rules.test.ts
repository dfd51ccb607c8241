import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyzeJavaScript, javascriptRules } from '../../../src/analysis/javascript/index.js';
import { npmContext, treeFromFiles } from '../../analysis/javascript/helpers.js';

/** The registry manifest used for examples: equal to the tarball's, except for manifest-confusion positives. */
function registryFor(ruleId: string, files: Readonly<Record<string, string>>, positive: boolean): unknown {
  const doc = JSON.parse(files['package.json'] ?? '{}') as Record<string, unknown>;
  if (ruleId === 'npm/manifest-confusion' && positive) return { name: doc['name'], version: doc['version'] };
  return doc;
}

describe('npm rule registry', () => {
  it('is sorted by id, unique, and every id names its file', () => {
    const ids = javascriptRules.map((r) => r.meta.id);
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) {
      assert.match(id, /^npm\/[a-z0-9-]+$/);
      const file = fileURLToPath(new URL(`../../../src/rules/javascript/${id.slice(4)}.js`, import.meta.url));
      assert.ok(existsSync(file), `${file} missing`);
    }
  });
  for (const rule of javascriptRules) {
    const { meta } = rule;
    it(`${meta.id} has examples of both kinds`, () => {
      assert.ok(meta.examples.positive.length > 0 && meta.examples.negative.length > 0);
      assert.deepEqual(meta.ecosystems, ['npm']);
    });
    meta.examples.positive.forEach((ex, i) => {
      it(`${meta.id} fires on positive example ${i + 1}`, async () => {
        const out = await analyzeJavaScript(treeFromFiles(ex.files), npmContext({ registry: { versionManifest: registryFor(meta.id, ex.files, true) } }));
        assert.deepEqual(out.errors, []);
        assert.ok(out.findings.some((f) => f.ruleId === meta.id), `no ${meta.id}; got ${out.findings.map((f) => f.ruleId).join(', ')}`);
      });
    });
    meta.examples.negative.forEach((ex, i) => {
      it(`${meta.id} stays quiet on negative example ${i + 1}`, async () => {
        const out = await analyzeJavaScript(treeFromFiles(ex.files), npmContext({ registry: { versionManifest: registryFor(meta.id, ex.files, false) } }));
        const hits = out.findings.filter((f) => f.ruleId === meta.id);
        assert.deepEqual(hits, []);
      });
    });
  }
});
