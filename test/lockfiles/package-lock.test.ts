import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, extractFixture } from './helpers.js';

// Expectations checked by hand against the fixture files (line numbers, pins, dev/direct flags).

test("package-lock/v1/package-lock.json (npm/package-lock)", () => {
  const { id, packages } = extractFixture("package-lock/v1/package-lock.json");
  assert.equal(id, "npm/package-lock");
  assert.deepEqual(packages.map(brief), [
    "@fake-registry/a|1.2.3||P|L7|?|prod|registry",
    "@fake-registry/b|1.0.1||P|L12|?|prod|registry",
    "@fake-registry/c|1.1.1||P|L20|?|dev|registry",
    "@fake-registry/d|2.2.2||P|L26|?|dev|registry",
    "@fake-registry/a|2.3.4||P|L32|?|dev|registry",
    "@fake-registry/b|2.0.0||P|L38|?|dev|registry",
  ]);
});

test("package-lock/v2/package-lock.json (npm/package-lock)", () => {
  const { id, packages } = extractFixture("package-lock/v2/package-lock.json");
  assert.equal(id, "npm/package-lock");
  assert.deepEqual(packages.map(brief), [
    "vscode-jsonrpc|8.2.0||P|L19|T|prod|registry",
    "vscode-languageserver|9.0.1||P|L27|D|prod|registry",
    "vscode-languageserver-protocol|3.17.5||P|L38|T|prod|registry",
    "vscode-languageserver-textdocument|1.0.11||P|L47|D|prod|registry",
    "vscode-languageserver-types|3.17.5||P|L52|T|prod|registry",
  ]);
});

test("package-lock/v3/package-lock.json (npm/package-lock)", () => {
  const { id, packages } = extractFixture("package-lock/v3/package-lock.json");
  assert.equal(id, "npm/package-lock");
  assert.deepEqual(packages.map(brief), [
    "lodash|4.17.20||P|L23|D|prod|registry",
    "minimist|1.2.5||P|L27|D|dev|registry",
    "ms|2.0.0||P|L31|T|dev|registry",
    "string-width|4.2.3||P|L35|D|prod|registry",
    "gitdep||git+ssh://git@github.com/example/gitdep.git#abc|u|L39|T|prod|git",
    "@fixture/util|0.1.0|packages/util|u|L43|D|?|workspace",
  ]);
});

test("shrinkwrap/npm-shrinkwrap.json (npm/package-lock)", () => {
  const { id, packages } = extractFixture("shrinkwrap/npm-shrinkwrap.json");
  assert.equal(id, "npm/package-lock");
  assert.deepEqual(packages.map(brief), [
    "wrappy|1.0.2||P|L13|D|prod|registry",
    "supports-color|5.5.0||P|L18|D|prod|registry",
  ]);
});
