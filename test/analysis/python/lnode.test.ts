import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node, Tree } from 'web-tree-sitter';
import { copyTree, publicCursor, type LNode } from '../../../src/analysis/python/lnode.js';
import { directCursor, parsePython, pythonParser } from '../../../src/analysis/python/parser.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/python/', import.meta.url));

function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...pythonFiles(p));
    else if (name.endsWith('.py')) out.push(p);
  }
  return out;
}

/** Hostile shapes: Python 2, broken syntax, CJK and homoglyph names, tabs, CRLF, a long line. */
const SOURCES = [
  'print "hello"\nexec code in ns\n',
  'def f(:\n  return [1, 2\nclass X(\n',
  '变量 = "值"\nаррle = 1\nif 变量:\n\tprint(аррle)\n        print(2)\n',
  'import os\r\nos.system("echo hi")\r\n',
  `x = ${'"a" + '.repeat(2000)}"b"\n`,
  '',
  'lambda: (yield)\nasync def g():\n    await x\n    return f"{a!r:>{w}}"\n',
];

/** One line per node in document order, with its depth: deep trees would overflow a recursive compare. */
function serialise(root: LNode): string[] {
  const out: string[] = [];
  const stack: [LNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [n, depth] = stack.pop() as [LNode, number];
    out.push(JSON.stringify([depth, n.type, n.isNamed, n.isMissing, n.hasError, n.startIndex, n.endIndex, n.fields]));
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i] as LNode, depth + 1]);
  }
  return out;
}

const PUNCTUATION = ['(', ')', ',', '[', ']', '{', '}', '.', ';'];

/** Positions from the public API, of the nodes a copy keeps (it leaves punctuation out). */
function positions(root: Node): string[] {
  const out: string[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    if (!n.isNamed && !n.isMissing && PUNCTUATION.includes(n.type)) continue;
    out.push(`${n.startIndex}:${n.startPosition.row}:${n.startPosition.column}`);
    for (let i = n.childCount - 1; i >= 0; i--) stack.push(n.child(i) as Node);
  }
  return out;
}

function lnodePositions(root: LNode): string[] {
  const out: string[] = [];
  const stack: LNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as LNode;
    out.push(`${n.startIndex}:${n.startPosition.row}:${n.startPosition.column}`);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i] as LNode);
  }
  return out;
}

test('the direct cursor copy equals the public-API copy, rows and columns included', async () => {
  const parser = await pythonParser();
  const sources = [...SOURCES, ...pythonFiles(FIXTURES).map((p) => readFileSync(p, 'utf8'))];
  assert.ok(sources.length > SOURCES.length);
  for (const src of sources) {
    const tree = parsePython(parser, src, 5_000) as Tree;
    const direct = directCursor(tree);
    assert.ok(direct !== undefined, 'the module exports are reachable');
    const fast = copyTree(tree, src, undefined, direct);
    const slow = copyTree(tree, src, undefined, publicCursor(tree));
    assert.deepEqual(serialise(fast), serialise(slow));
    assert.deepEqual(lnodePositions(fast), positions(tree.rootNode));
    tree.delete();
  }
});

test('a copy leaves punctuation out but keeps a MISSING token', async () => {
  const parser = await pythonParser();
  const src = 'def f(:\n  pass\n';
  const tree = parsePython(parser, src, 5_000) as Tree;
  const root = copyTree(tree, src);
  const types: string[] = [];
  const stack: LNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as LNode;
    types.push(n.isMissing ? `MISSING ${n.type}` : n.type);
    stack.push(...n.children);
  }
  assert.ok(!types.includes('('));
  assert.ok(types.includes('MISSING )'));
  assert.ok(root.hasError);
  tree.delete();
});

test('a copy bounded by maxNodes stops early and still returns the root', async () => {
  const parser = await pythonParser();
  const src = 'a = 1\n'.repeat(500);
  const tree = parsePython(parser, src, 5_000) as Tree;
  const root = copyTree(tree, src, 50);
  const count = (n: LNode): number => 1 + n.children.reduce((a, c) => a + count(c), 0);
  assert.equal(count(root), 50);
  assert.equal(root.type, 'module');
  tree.delete();
});
