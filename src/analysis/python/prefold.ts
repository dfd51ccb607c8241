/**
 * Folds integer arithmetic written out of literals — `(((1 << 4) - 1) << 3) - 1` — into its value before
 * the source is parsed. Obfuscators encode every character code this way: one sample family in the
 * corpus spends 50,000 syntax nodes on a 64 KB setup.py that holds 8,000 nodes of actual code, and the
 * parse, the tree copy and the evaluator all pay per node.
 *
 * The folded text has the same length and the same line breaks as the original (the value is padded with
 * spaces), so every offset, line and column the analysis reports still points at the original source.
 * Only spans that are certainly whole expressions are replaced: a run of integer literals, arithmetic
 * operators and parentheses whose neighbours bind more loosely than any arithmetic (brackets, commas,
 * `=`, `:`, comparisons, keywords, line ends), or the contents of a parenthesised group. Strings and
 * comments are skipped; float, complex and old-style octal literals, `/`, `@` and line continuations
 * end a run. Evaluation follows Python's integer semantics (floor division and modulo round towards
 * negative infinity) in exact double arithmetic, and gives up on anything that would raise, produce a
 * float or leave the safe-integer range (bitwise operators: the 32-bit range); a value longer than the
 * text it replaces is left alone.
 */

/** Files with fewer arithmetic-looking pairs than this are returned untouched (normal code). */
const MIN_ARITH_PAIRS = 64;
/** Deeper parentheses (or chains of unary signs) are left as written: hostile input must not exhaust the stack. */
const MAX_NESTING = 200;
const ARITH_PAIR_RE = /\d\s*(?:<<|>>|[-+*%&|^])\s*[(\d~-]/g;

// Token kinds. EDGE: binds more loosely than arithmetic (a foldable run may start or end next to it);
// OTHER: names, strings, other operators (a run cannot extend over it or start after it).
const NUM = 1;
const OP = 2;
const OPEN = 3;
const CLOSE = 4;
const EDGE = 5;
const OTHER = 6;

// Arithmetic operators.
const ADD = 1;
const SUB = 2;
const MUL = 3;
const FLOORDIV = 4;
const MOD = 5;
const POW = 6;
const SHL = 7;
const SHR = 8;
const AND = 9;
const OR = 10;
const XOR = 11;
const INVERT = 12;

const EDGE_WORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'elif', 'return', 'yield', 'for', 'while', 'assert', 'del', 'lambda']);

/** The tokens of one source: parallel arrays (a file of this kind has tens of thousands of them). */
class Tokens {
  n = 0;
  readonly kind: Uint8Array;
  readonly op: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly value: Float64Array;
  constructor(capacity: number) {
    this.kind = new Uint8Array(capacity);
    this.op = new Uint8Array(capacity);
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.value = new Float64Array(capacity);
  }
  push(kind: number, start: number, end: number, op = 0, value = 0): void {
    const i = this.n++;
    this.kind[i] = kind;
    this.op[i] = op;
    this.start[i] = start;
    this.end[i] = end;
    this.value[i] = value;
  }
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

/** End index of the string literal whose opening quote is at `q`. */
function stringEnd(src: string, q: number): number {
  const quote = src[q] as string;
  const three = quote.repeat(3);
  const triple = src.startsWith(three, q);
  let i = q + (triple ? 3 : 1);
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') i += 2;
    else if (c === quote && (!triple || src.startsWith(three, i))) return i + (triple ? 3 : 1);
    else if (!triple && c === '\n') return i;
    else i++;
  }
  return src.length;
}

/** The value of an integer literal (decimal, 0x, 0o, 0b, with underscores), or NaN (floats, `017`, `1j`, too large). */
function intLiteral(src: string, s: number, e: number): number {
  let v = 0;
  let base = 10;
  let i = s;
  if (e - s > 2 && src.charCodeAt(s) === 48) {
    const p = src.charCodeAt(s + 1) | 32;
    base = p === 120 ? 16 : p === 111 ? 8 : p === 98 ? 2 : 0;
    if (base === 0) return NaN;
    i += 2;
  } else if (e - s > 1 && src.charCodeAt(s) === 48) return NaN; // `00`, `017` (Python 2 octal)
  let digits = 0;
  for (; i < e; i++) {
    const c = src.charCodeAt(i);
    if (c === 95) continue;
    const d = c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 102 ? (c | 32) - 87 : 99;
    if (d >= base) return NaN;
    v = v * base + d;
    digits++;
  }
  return digits > 0 && Number.isSafeInteger(v) ? v : NaN;
}

/** The operator or punctuation at `i`: [kind, length, arithmetic operator]. */
function operatorAt(src: string, i: number): [number, number, number] {
  const c = src[i];
  const n = src[i + 1];
  switch (c) {
    case '+':
      return n === '=' ? [EDGE, 2, 0] : [OP, 1, ADD];
    case '%':
      return n === '=' ? [EDGE, 2, 0] : [OP, 1, MOD];
    case '&':
      return n === '=' ? [EDGE, 2, 0] : [OP, 1, AND];
    case '|':
      return n === '=' ? [EDGE, 2, 0] : [OP, 1, OR];
    case '^':
      return n === '=' ? [EDGE, 2, 0] : [OP, 1, XOR];
    case '~':
      return [OP, 1, INVERT];
    case '-':
      return n === '=' || n === '>' ? [EDGE, 2, 0] : [OP, 1, SUB];
    case '*':
    case '/':
    case '<':
    case '>': {
      if (n === c) {
        // `**` `//` `<<` `>>`, or their augmented forms (assignments bind loosest of all)
        if (src[i + 2] === '=') return [EDGE, 3, 0];
        return [OP, 2, c === '*' ? POW : c === '/' ? FLOORDIV : c === '<' ? SHL : SHR];
      }
      if (n === '=') return [EDGE, 2, 0];
      if (c === '*') return [OP, 1, MUL];
      return c === '/' ? [OTHER, 1, 0] : [EDGE, 1, 0];
    }
    case '=':
      return [EDGE, n === '=' ? 2 : 1, 0];
    case '!':
      return n === '=' ? [EDGE, 2, 0] : [OTHER, 1, 0];
    case ',':
    case ':':
    case ';':
    case '[':
    case ']':
    case '{':
    case '}':
      return [EDGE, 1, 0];
    default:
      return [OTHER, 1, 0]; // `.`, `/`, `@`, `\\`, ...
  }
}

function tokenize(src: string): Tokens {
  const toks = new Tokens(src.length + 1);
  let i = 0;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9 || c === 12 || c === 13) {
      i++;
      continue;
    }
    const s = i;
    if (c === 10) toks.push(EDGE, s, ++i);
    else if (c === 35) {
      // a comment runs to the end of the line
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? src.length : nl;
      toks.push(EDGE, s, i);
    } else if (c === 34 || c === 39) {
      i = stringEnd(src, i);
      toks.push(OTHER, s, i);
    } else if (c >= 48 && c <= 57) {
      while (i < src.length && (isIdentPart(src.charCodeAt(i)) || src.charCodeAt(i) === 46)) i++;
      const v = intLiteral(src, s, i);
      if (Number.isNaN(v)) toks.push(OTHER, s, i);
      else toks.push(NUM, s, i, 0, v);
    } else if (isIdentStart(c)) {
      while (i < src.length && isIdentPart(src.charCodeAt(i))) i++;
      if (i < src.length && (src[i] === '"' || src[i] === "'") && i - s <= 3) {
        i = stringEnd(src, i); // a prefixed string literal (r'', b"", f'', rb'', ...)
        toks.push(OTHER, s, i);
      } else toks.push(i - s <= 6 && EDGE_WORDS.has(src.slice(s, i)) ? EDGE : OTHER, s, i);
    } else if (c === 40 || c === 41) toks.push(c === 40 ? OPEN : CLOSE, s, ++i);
    else {
      const [kind, len, op] = operatorAt(src, i);
      toks.push(kind, s, (i += len), op);
    }
  }
  return toks;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function isInt32(v: number): boolean {
  return v >= INT32_MIN && v <= INT32_MAX;
}

/** Python integer semantics, exact in doubles; NaN where Python would raise or the result leaves the safe range. */
function apply(op: number, a: number, b: number): number {
  let r: number;
  switch (op) {
    case ADD:
      r = a + b;
      break;
    case SUB:
      r = a - b;
      break;
    case MUL:
      r = a * b;
      break;
    case FLOORDIV:
    case MOD: {
      if (b === 0 || !isInt32(a) || !isInt32(b)) return NaN;
      let m = a % b; // exact for 32-bit operands
      if (m !== 0 && m < 0 !== b < 0) m += b;
      r = op === MOD ? m : (a - m) / b;
      break;
    }
    case POW:
      if (b < 0 || b > 64) return NaN;
      r = a ** b;
      break;
    case SHL:
      if (b < 0 || b > 53) return NaN;
      r = a * 2 ** b;
      break;
    case SHR:
      if (b < 0) return NaN;
      r = b > 60 ? (a < 0 ? -1 : 0) : Math.floor(a / 2 ** b);
      break;
    case AND:
    case OR:
    case XOR:
      if (!isInt32(a) || !isInt32(b)) return NaN;
      r = op === AND ? a & b : op === OR ? a | b : a ^ b;
      break;
    default:
      return NaN;
  }
  return Number.isSafeInteger(r) ? r + 0 : NaN; // `+ 0` turns -0 into 0
}

/** Binary operators by precedence level, loosest first. */
const LEVELS: readonly (readonly number[])[] = [[OR], [XOR], [AND], [SHL, SHR], [ADD, SUB], [MUL, FLOORDIV, MOD]];

/** Evaluates toks[from, to) as exactly one arithmetic expression; NaN otherwise. */
class Evaluator {
  private p = 0;
  private to = 0;
  constructor(private readonly toks: Tokens) {}

  private depth = 0;

  run(from: number, to: number): number {
    this.p = from;
    this.to = to;
    this.depth = 0;
    const v = this.binary(0);
    return this.p === to ? v : NaN;
  }

  private binary(level: number): number {
    if (level === LEVELS.length) return this.unary();
    const ops = LEVELS[level] as readonly number[];
    let left = this.binary(level + 1);
    const { kind, op } = this.toks;
    while (!Number.isNaN(left) && this.p < this.to && kind[this.p] === OP && ops.includes(op[this.p] as number)) {
      const o = op[this.p++] as number;
      const right = this.binary(level + 1);
      left = Number.isNaN(right) ? NaN : apply(o, left, right);
    }
    return left;
  }

  private unary(): number {
    const p = this.p;
    const o = this.toks.op[p];
    if (p < this.to && this.toks.kind[p] === OP && (o === SUB || o === ADD || o === INVERT)) {
      if (++this.depth > MAX_NESTING) return NaN;
      this.p++;
      const v = this.unary();
      this.depth--;
      return o === SUB ? 0 - v : o === INVERT ? -v - 1 : v;
    }
    const base = this.atom();
    if (Number.isNaN(base) || this.p >= this.to || this.toks.kind[this.p] !== OP || this.toks.op[this.p] !== POW) return base;
    this.p++;
    return apply(POW, base, this.unary()); // right-associative; the exponent may carry a sign
  }

  private atom(): number {
    const p = this.p;
    if (p >= this.to) return NaN;
    const k = this.toks.kind[p];
    if (k === NUM) {
      this.p++;
      return this.toks.value[p] as number;
    }
    if (k !== OPEN || ++this.depth > MAX_NESTING) return NaN;
    this.p++;
    const v = this.binary(0);
    this.depth--;
    if (Number.isNaN(v) || this.p >= this.to || this.toks.kind[this.p] !== CLOSE) return NaN;
    this.p++;
    return v;
  }
}

/**
 * The folded source, the same length as `src` with the same line breaks; `src` itself when the file does
 * not look like arithmetic-encoded code or nothing could be folded.
 */
export function foldIntegerArithmetic(src: string): string {
  try {
    return fold(src);
  } catch {
    // Never the reason a file goes unanalysed: on any surprise the text is parsed as written.
    return src;
  }
}

function fold(src: string): string {
  let pairs = 0;
  ARITH_PAIR_RE.lastIndex = 0;
  while (pairs < MIN_ARITH_PAIRS && ARITH_PAIR_RE.exec(src) !== null) pairs++;
  if (pairs < MIN_ARITH_PAIRS) return src;
  const toks = tokenize(src);
  const { kind, start, end } = toks;
  const evaluator = new Evaluator(toks);
  const out: string[] = [];
  let copied = 0;
  const glued = (at: number): boolean => at >= 0 && at < src.length && /[\w.'"\u0080-\uffff]/.test(src[at] as string);
  const replace = (s: number, e: number, v: number): boolean => {
    // `return(1+2)` must not become `return3`: a value that touches a name keeps a space on that side.
    const text = (glued(s - 1) ? ' ' : '') + String(v);
    const room = e - s - text.length;
    if (room < 0 || (room === 0 && glued(e))) return false;
    const original = src.slice(s, e);
    if (original.includes('\n') || original.trim() === text.trim()) return false;
    out.push(src.slice(copied, s), text, ' '.repeat(room));
    copied = e;
    return true;
  };
  // Tries toks[from, to) whole (when `whole`), else each parenthesised group inside it by its contents.
  const foldRun = (from: number, to: number, whole: boolean, nesting = 0): void => {
    if (nesting > MAX_NESTING) return;
    if (to - from > 1 && whole) {
      const v = evaluator.run(from, to);
      if (!Number.isNaN(v) && replace(start[from] as number, end[to - 1] as number, v)) return;
    }
    for (let i = from; i < to; i++) {
      if (kind[i] !== OPEN) continue;
      let depth = 0;
      let j = i;
      for (; j < to; j++) {
        if (kind[j] === OPEN) depth++;
        else if (kind[j] === CLOSE && --depth === 0) break;
      }
      if (j >= to) return;
      foldRun(i + 1, j, true, nesting + 1);
      i = j;
    }
  };
  let i = 0;
  while (i < toks.n) {
    if ((kind[i] as number) > CLOSE) {
      i++;
      continue;
    }
    // A run: arithmetic tokens with balanced parentheses. A ')' that closes an outer group, or a '('
    // right after a value (a call), ends it.
    let j = i;
    let depth = 0;
    for (; j < toks.n; j++) {
      const k = kind[j] as number;
      if (k > CLOSE) break;
      if (k === OPEN) {
        if (j > i && (kind[j - 1] === NUM || kind[j - 1] === CLOSE)) break;
        depth++;
      } else if (k === CLOSE) {
        if (depth === 0) break;
        depth--;
      }
    }
    if (depth !== 0) {
      // unbalanced (a call's opening parenthesis, or a group that ends in a name): its groups still fold
      i++;
      continue;
    }
    const openBefore = i === 0 || kind[i - 1] === EDGE || kind[i - 1] === OPEN;
    const closeAfter = j >= toks.n || kind[j] === EDGE || kind[j] === CLOSE;
    foldRun(i, j, openBefore && closeAfter);
    i = j === i ? i + 1 : j;
  }
  if (copied === 0) return src;
  out.push(src.slice(copied));
  return out.join('');
}
