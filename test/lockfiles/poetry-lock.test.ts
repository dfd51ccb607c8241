import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, extractFixture } from './helpers.js';

// Expectations checked by hand against the fixture files (line numbers, pins, dev/direct flags).

test("poetry-lock/v1/poetry.lock (pypi/poetry-lock)", () => {
  const { id, packages } = extractFixture("poetry-lock/v1/poetry.lock");
  assert.equal(id, "pypi/poetry-lock");
  assert.deepEqual(packages.map(brief), [
    "alabaster|0.7.12||P|L2|?|dev|registry",
    "atomicwrites|1.4.0||P|L10|?|dev|registry",
    "attrs|21.4.0||P|L18|?|prod|registry",
    "babel|2.9.1||P|L32|?|dev|registry",
  ]);
});

test("poetry-lock/v2/poetry.lock (pypi/poetry-lock)", () => {
  const { id, packages } = extractFixture("poetry-lock/v2/poetry.lock");
  assert.equal(id, "pypi/poetry-lock");
  assert.deepEqual(packages.map(brief), [
    "astroid|4.0.4||P|L4|?|dev|registry",
    "attrs|26.1.0||P|L16|?|prod|registry",
    "certifi|2026.7.22||P|L28|?|prod|registry",
    "cffi|2.1.1||P|L40|?|prod|registry",
  ]);
});
