import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldIntegerArithmetic } from '../../../src/analysis/python/prefold.js';

/** Enough arithmetic-encoded lines that the pass engages (ordinary code is returned untouched). */
const DENSE = '\n' + 'k = [(3 << 2) + 1, (7 << 4) - (1 << 1)]\n'.repeat(40);

function fold(line: string): string {
  const out = foldIntegerArithmetic(line + DENSE);
  assert.equal(out.length, line.length + DENSE.length, 'same length');
  return out.slice(0, line.length);
}

test('integer arithmetic folds with Python semantics (values checked against CPython)', () => {
  const cases: [string, number][] = [
    ['(((1 << 4) - 1) << 3) - 1', 119],
    ['7 // -2', -4],
    ['-7 // 2', -4],
    ['7 % -2', -1],
    ['-7 % 3', 2],
    ['-2**2', -4],
    ['2**10', 1024],
    ['~5 & 0xff', 250],
    ['(3 ^ 5) | 8', 14],
    ['0b101 << 3', 40],
    ['0o17 + 1_000', 1015],
    ['-(1 << 1) >> 1', -1],
    ['-9 >> 2', -3],
  ];
  for (const [expr, value] of cases) assert.equal(fold(`x = ${expr}`).trim(), `x = ${value}`, expr);
});

test('folding keeps every offset and line break and never touches strings, comments or calls', () => {
  const src = ["s = '1 + 2' # (3 << 1)", 'f(1 + 2)', 'return(1+2)', 'z = (1+2).bit_length()', 'y = x - (2 * 3)', 'w = [(1 << 2) + 1, 5]'].join('\n');
  const out = foldIntegerArithmetic(src + DENSE).slice(0, src.length);
  assert.deepEqual(out.split('\n'), ["s = '1 + 2' # (3 << 1)", 'f(3    )', 'return 3   ', 'z = (3  ).bit_length()', 'y = x - (6    )', 'w = [5           , 5]']);
});

test('what Python would not compute as an integer is left alone', () => {
  for (const src of ['x = 2 ** -1', 'x = 1 / 2', 'x = 1.5 + 2', 'x = 1 // 0', 'x = 1 << -1', 'x = 017 + 1', 'x = 3j + 1', 'x = a + 1 + 2', 'x = 1 + 2 * a']) {
    assert.equal(fold(src), src, src);
  }
  // A value longer than the text it would replace stays as written.
  assert.equal(fold('x = 9**9'), 'x = 9**9');
});

test('ordinary code is returned as the same string', () => {
  const src = 'import os\nx = (1 << 4) - 1\nprint(x + 2)\n';
  assert.equal(foldIntegerArithmetic(src), src);
});

test('hostile nesting is left as written instead of exhausting the stack', () => {
  const deep = `x = ${'('.repeat(100_000)}1 + 2${')'.repeat(100_000)}`;
  const signs = `y = ${'-'.repeat(100_000)}1`;
  for (const src of [deep, signs]) {
    const out = foldIntegerArithmetic(src + DENSE);
    assert.equal(out.length, src.length + DENSE.length);
  }
});
