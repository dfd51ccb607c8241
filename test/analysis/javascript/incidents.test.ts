import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeJavaScript } from '../../../src/analysis/javascript/index.js';
import { scoreFindings } from '../../../src/scoring/score.js';
import { FIXTURES, npmContext, treeFromDir } from './helpers.js';

const MALICIOUS: Record<string, string[]> = {
  'flatmap-stream': ['npm/dynamic-require', 'npm/eval-decoded'],
  'ua-parser-js': ['npm/install-script-download'],
  'eslint-scope': ['npm/remote-code-execution'],
  'chalk-clipper': ['npm/crypto-clipper'],
  'shai-hulud': ['npm/credential-exfiltration', 'npm/worm-propagation'],
  'dependency-confusion': ['npm/host-fingerprinting', 'npm/suspicious-destination'],
  'obfuscator-io': ['npm/credential-exfiltration', 'npm/obfuscated-destination', 'npm/obfuscated-code'],
};
const BENIGN = ['benign-esbuild-like', 'benign-native', 'benign-banner'];

describe('npm incident imitations', () => {
  for (const [name, rules] of Object.entries(MALICIOUS)) {
    it(`${name} is malicious with ${rules.join(', ')}`, async () => {
      const out = await analyzeJavaScript(treeFromDir(join(FIXTURES, name)), npmContext());
      const ids = new Set(out.findings.map((f) => f.ruleId));
      for (const r of rules) assert.ok(ids.has(r), `${r} missing; got ${[...ids].join(', ')}`);
      assert.equal(scoreFindings(out.findings).verdict, 'malicious');
      for (const f of out.findings) {
        assert.ok(f.location.path.startsWith('package/'), f.location.path);
        assert.ok(f.evidence.length <= 201);
      }
    });
  }
  for (const name of BENIGN) {
    it(`${name} is clean`, async () => {
      const out = await analyzeJavaScript(treeFromDir(join(FIXTURES, name)), npmContext());
      const score = scoreFindings(out.findings);
      assert.equal(score.verdict, 'clean', JSON.stringify(out.findings.map((f) => [f.ruleId, f.severity, f.message])));
    });
  }
  it('skips PyPI artifacts quickly', async () => {
    const out = await analyzeJavaScript(treeFromDir(join(FIXTURES, 'shai-hulud')), npmContext({ ecosystem: 'pypi' }));
    assert.equal(out.findings.length, 0);
  });
});
