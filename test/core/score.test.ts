import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreFindings } from '../../src/scoring/score.js';
import type { Finding } from '../../src/core/types.js';

const base: Finding = {
  ruleId: 'py/test',
  severity: 'critical',
  kind: 'threat',
  category: 'exfiltration',
  confidence: 'high',
  message: 'Sends AWS keys to an unknown host',
  location: { path: 'setup.py', line: 3 },
  evidence: 'requests.post(...)',
  trigger: 'install',
};

test('no findings is clean', () => {
  assert.equal(scoreFindings([]).verdict, 'clean');
});

test('a high-confidence critical threat is malicious and the reason names it', () => {
  const s = scoreFindings([base]);
  assert.equal(s.verdict, 'malicious');
  assert.match(s.reason, /AWS keys.*setup\.py:3/);
});

test('capabilities alone are at most suspicious', () => {
  const cap: Finding = { ...base, kind: 'capability', severity: 'high', confidence: 'medium' };
  assert.notEqual(scoreFindings([cap, { ...cap, ruleId: 'py/other' }]).verdict, 'malicious');
});

test('many capabilities never add up to malicious', () => {
  const cap: Finding = { ...base, kind: 'capability', severity: 'critical', confidence: 'high' };
  const many = Array.from({ length: 10 }, (_, i) => ({ ...cap, ruleId: `py/cap-${i}` }));
  assert.notEqual(scoreFindings(many).verdict, 'malicious');
});

test('several high threats at install time add up to malicious; the same at call time is suspicious', () => {
  const high: Finding = { ...base, severity: 'high' };
  const three = ['a', 'b', 'c'].map((x) => ({ ...high, ruleId: `py/${x}` }));
  assert.equal(scoreFindings(three).verdict, 'malicious');
  assert.equal(scoreFindings(three.map((f) => ({ ...f, trigger: 'call' as const })).slice(0, 2)).verdict, 'suspicious');
});

test('a low-confidence critical threat alone is not decisive', () => {
  assert.notEqual(scoreFindings([{ ...base, confidence: 'low' }]).verdict, 'malicious');
});
