import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, extractFixture } from './helpers.js';

// Expectations checked by hand against the fixture files (line numbers, pins, dev/direct flags).

test("pipfile/Pipfile (pypi/pipfile)", () => {
  const { id, packages } = extractFixture("pipfile/Pipfile");
  assert.equal(id, "pypi/pipfile");
  assert.deepEqual(packages.map(brief), [
    "requests||>=2.32.0|u|L7|D|prod|registry",
    "urllib3||>=2.7.0|u|L8|D|prod|registry",
    "certifi||>=2024.2.2|u|L9|D|prod|registry",
    "idna||>=3.15|u|L10|D|prod|registry",
    "charset-normalizer||>=3.3.2|u|L11|D|prod|registry",
    "pytest||>=7.4.0|u|L14|D|dev|registry",
  ]);
});

test("pipfile-lock/Pipfile.lock (pypi/pipfile-lock)", () => {
  const { id, packages } = extractFixture("pipfile-lock/Pipfile.lock");
  assert.equal(id, "pypi/pipfile-lock");
  assert.deepEqual(packages.map(brief), [
    "certifi|2026.2.25||P|L19|?|prod|registry",
    "charset-normalizer|3.4.6||P|L28|?|prod|registry",
    "idna|3.15||P|L164|?|prod|registry",
    "requests|2.33.0||P|L173|?|prod|registry",
    "urllib3|2.7.0||P|L182|?|prod|registry",
    "iniconfig|2.3.0||P|L193|?|dev|registry",
    "packaging|26.0||P|L201|?|dev|registry",
    "pluggy|1.6.0||P|L209|?|dev|registry",
    "pygments|2.20.0||P|L217|?|dev|registry",
    "pytest|9.0.3||P|L225|?|dev|registry",
  ]);
});
