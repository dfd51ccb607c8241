import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, extractFixture } from './helpers.js';

// Expectations checked by hand against the fixture files (line numbers, pins, dev/direct flags).

test("uv-lock/uv.lock (pypi/uv-lock)", () => {
  const { id, packages } = extractFixture("uv-lock/uv.lock");
  assert.equal(id, "pypi/uv-lock");
  assert.deepEqual(packages.map(brief), [
    "emoji|2.14.0||P|L5|D|prod|registry",
    "protobuf|4.25.5||P|L14|D|prod|registry",
    "uv-lockfiles|0.1.0||u|L28|D|?|workspace",
  ]);
});
