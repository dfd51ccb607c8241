import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, extractFixture } from './helpers.js';

// Expectations checked by hand against the fixture files (line numbers, pins, dev/direct flags).

test("pylock/basic/pylock.toml (pypi/pylock)", () => {
  const { id, packages } = extractFixture("pylock/basic/pylock.toml");
  assert.equal(id, "pypi/pylock");
  assert.deepEqual(packages.map(brief), [
    "attrs|25.1.0||P|L7|?|?|registry",
    "cattrs|24.1.2||P|L20|?|?|registry",
    "numpy|2.2.3||P|L29|?|?|registry",
  ]);
});

test("pylock/skipped/pylock.toml (pypi/pylock)", () => {
  const { id, packages } = extractFixture("pylock/skipped/pylock.toml");
  assert.equal(id, "pypi/pylock");
  assert.deepEqual(packages.map(brief), [
    "attrs||(no version in lock)|u|L7|?|?|registry",
  ]);
});
