/**
 * obfuscator.io string arrays: `function A(){const a=['…',…];A=function(){return a;};return A();}`, a
 * decoder `function D(i){i=i-0x1e0;return A()[i];}` and a rotation IIFE that shifts the array until an
 * arithmetic checksum of parseInt(D(k)) terms equals a target. We find the rotation by trying every
 * shift (bounded), then calls `D(0x1e5)` (also through aliases) fold to their strings.
 */

import { child, isNode, kids, type Node } from './ast.js';


function name(n: Node | undefined): string | undefined {
  return n?.type === 'Identifier' && typeof n['name'] === 'string' ? n['name'] : undefined;
}

export interface StringArrayDecoder {
  /** Names of decoder functions. */
  decoders: Set<string>;
  offset: number;
  strings: string[];
}

const MAX_ARRAY = 20_000;
const MAX_NODES = 200_000;

function numberLiteral(n: Node | undefined): number | undefined {
  if (n === undefined) return undefined;
  if (n.type === 'Literal' && typeof n['value'] === 'number') return n['value'];
  if (n.type === 'UnaryExpression' && n['operator'] === '-') {
    const v = numberLiteral(child(n, 'argument'));
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

/** Finds the first node (pre-order, bounded) that satisfies `pred`. */
function find(root: Node, pred: (n: Node) => boolean): Node | undefined {
  const stack: Node[] = [root];
  let seen = 0;
  while (stack.length > 0 && seen++ < MAX_NODES) {
    const n = stack.pop();
    if (n === undefined) break;
    if (pred(n)) return n;
    for (const key of Object.keys(n)) {
      const c = n[key];
      if (Array.isArray(c)) for (let i = c.length - 1; i >= 0; i--) { const x: unknown = c[i]; if (isNode(x)) stack.push(x); }
      else if (isNode(c)) stack.push(c);
    }
  }
  return undefined;
}

function evalChecksum(n: Node, lookup: (i: number) => string | undefined): number | undefined {
  switch (n.type) {
    case 'Literal':
      return typeof n['value'] === 'number' ? n['value'] : undefined;
    case 'UnaryExpression': {
      const a = child(n, 'argument');
      const v = a === undefined ? undefined : evalChecksum(a, lookup);
      if (v === undefined) return undefined;
      return n['operator'] === '-' ? -v : n['operator'] === '+' ? v : undefined;
    }
    case 'BinaryExpression': {
      const l = child(n, 'left');
      const r = child(n, 'right');
      const a = l === undefined ? undefined : evalChecksum(l, lookup);
      const b = r === undefined ? undefined : evalChecksum(r, lookup);
      if (a === undefined || b === undefined) return undefined;
      switch (n['operator']) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        default:
          return undefined;
      }
    }
    case 'CallExpression': {
      if (name(child(n, 'callee')) !== 'parseInt') return undefined;
      const inner = kids(n, 'arguments')[0];
      if (inner?.type !== 'CallExpression') return undefined;
      const idx = numberLiteral(kids(inner, 'arguments')[0]);
      const s = idx === undefined ? undefined : lookup(idx);
      return s === undefined ? undefined : parseInt(s);
    }
    default:
      return undefined;
  }
}

/** Recognises the string-array + decoder + rotation triple at the top level of a program. */
export function findStringArray(program: Node): StringArrayDecoder | undefined {
  const body = kids(program, 'body');
  let arrayFn: string | undefined;
  let strings: string[] | undefined;
  for (const st of body) {
    if (st.type !== 'FunctionDeclaration') continue;
    const first = kids(child(st, 'body') ?? st, 'body')[0];
    const init = first?.type === 'VariableDeclaration' ? child(kids(first, 'declarations')[0] ?? first, 'init') : undefined;
    if (init?.type !== 'ArrayExpression') continue;
    const els = kids(init, 'elements');
    if (els.length < 5 || els.length > MAX_ARRAY || !els.every((e) => e.type === 'Literal' && typeof e['value'] === 'string')) continue;
    arrayFn = name(child(st, 'id'));
    strings = els.map((e) => String(e['value']));
    break;
  }
  if (arrayFn === undefined || strings === undefined) return undefined;
  const decoders = new Set<string>();
  let offset: number | undefined;
  for (const st of body) {
    if (st.type !== 'FunctionDeclaration') continue;
    const fname = name(child(st, 'id'));
    if (fname === undefined || fname === arrayFn) continue;
    const usesArray = find(st, (n) => n.type === 'CallExpression' && name(child(n, 'callee')) === arrayFn) !== undefined;
    if (!usesArray) continue;
    const sub = find(st, (n) => n.type === 'AssignmentExpression' && child(n, 'right')?.type === 'BinaryExpression' && child(n, 'right')?.['operator'] === '-');
    const right = sub === undefined ? undefined : child(sub, 'right');
    const off = right === undefined ? undefined : numberLiteral(child(right, 'right'));
    if (off === undefined) continue;
    decoders.add(fname);
    offset = off;
    break;
  }
  if (offset === undefined) return undefined;
  const off = offset;
  // Rotation IIFE: (function(get, target){ … while(!![]){ try { const x = <checksum>; if (x === target) break; … } } }(arrayFn, 0x…))
  let rotated = strings;
  for (const st of body) {
    const call = st.type === 'ExpressionStatement' ? child(st, 'expression') : undefined;
    if (call?.type !== 'CallExpression') continue;
    const args = kids(call, 'arguments');
    if (name(args[0]) !== arrayFn) continue;
    const target = numberLiteral(args[1]);
    const checksum = find(call, (n) => n.type === 'VariableDeclarator' && child(n, 'init')?.type === 'BinaryExpression' && find(n, (m) => m.type === 'CallExpression' && name(child(m, 'callee')) === 'parseInt') !== undefined);
    const expr = checksum === undefined ? undefined : child(checksum, 'init');
    if (target === undefined || expr === undefined) break;
    const arr = strings;
    for (let r = 0; r < arr.length; r++) {
      const shifted = [...arr.slice(r), ...arr.slice(0, r)];
      const v = evalChecksum(expr, (i) => shifted[i - off]);
      if (v === target) {
        rotated = shifted;
        break;
      }
    }
    break;
  }
  return { decoders, offset: off, strings: rotated };
}
