import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, extractFixture } from './helpers.js';

// Expectations checked by hand against the fixture files (line numbers, pins, dev/direct flags).

test("bun/insecure/bun.lock (npm/bun-lock)", () => {
  const { id, packages } = extractFixture("bun/insecure/bun.lock");
  assert.equal(id, "npm/bun-lock");
  assert.deepEqual(packages.map(brief), [
    "has-flag|4.0.0||P|L13|D|prod|registry",
    "wrappy|1.0.2||P|L15|D|prod|registry",
  ]);
});

test("bun/shorthash/bun.lock (npm/bun-lock)", () => {
  const { id, packages } = extractFixture("bun/shorthash/bun.lock");
  assert.equal(id, "npm/bun-lock");
  assert.deepEqual(packages.map(brief), [
    "some-git-dep||github:org/repo#bca26e4|u|L12|D|prod|git",
  ]);
});
