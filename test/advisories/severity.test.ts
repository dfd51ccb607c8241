import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cvss3BaseScore, severityFromScore } from '../../src/advisories/severity.js';

test('CVSS v3 base scores match the FIRST calculator', () => {
  const cases: [string, number][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', 5.9],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N', 6.5],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10],
    ['CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 1.6],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
  ];
  for (const [vector, score] of cases) assert.equal(cvss3BaseScore(vector), score, vector);
  for (const bad of ['CVSS:2.0/AV:N', 'CVSS:3.1/AV:N/AC:L', 'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H']) {
    assert.equal(cvss3BaseScore(bad), undefined, bad);
  }
  assert.equal(severityFromScore(9.8), 'critical');
  assert.equal(severityFromScore(7.0), 'high');
  assert.equal(severityFromScore(6.9), 'medium');
  assert.equal(severityFromScore(0.1), 'low');
  assert.equal(severityFromScore(0), 'info');
});
