import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, extractFixture } from './helpers.js';

// Expectations checked by hand against the fixture files (line numbers, pins, dev/direct flags).

test("pdm-lock/pdm.lock (pypi/pdm-lock)", () => {
  const { id, packages } = extractFixture("pdm-lock/pdm.lock");
  assert.equal(id, "pypi/pdm-lock");
  assert.deepEqual(packages.map(brief), [
    "certifi|2021.10.8||P|L11|?|prod|registry",
    "charset-normalizer|2.0.7||P|L21|?|prod|registry",
    "idna|3.3||P|L33|?|prod|registry",
    "requests|2.26.0||P|L45|?|prod|registry",
    "urllib3|1.26.7||P|L77|?|prod|registry",
  ]);
});
