/**
 * One traversal of a JavaScript AST (acorn, ESTree) that folds constants, decodes strings, tracks
 * sensitive values through variables of one file ("taint" bits from sources.ts) and records events that
 * rules check: sink calls, source reads, decoded strings, hooks, locale gates and notable strings.
 */
import { classifyHost, destinationsIn, isDiscordWebhook, isTelegramBot, type Destination } from './destinations.js';
import { decodeBase64, decodeHex, fromCharCodes, isReadable } from './decode.js';
import { SRC, envSource, stringSource } from './sources.js';
import { analyzeShell, type ShellFact } from './shell.js';
import { findStringArray, type StringArrayDecoder } from './obfuscator.js';
import { child, isNode, kids, type Node } from './ast.js';

export type SinkKind = 'network' | 'dns' | 'exec' | 'eval' | 'fs-write' | 'fs-delete' | 'fs-read' | 'require';

export type EventKind =
  | 'sink'
  | 'decoded' // a readable string recovered by decoding
  | 'hook' // fetch / XMLHttpRequest / wallet provider replaced
  | 'geo-gate' // a branch on locale, time zone or country
  | 'string'; // a notable literal (webhook, oob URL, wallet address, workflow path …)

export interface JsEvent {
  kind: EventKind;
  sink?: SinkKind;
  /** Qualified callee (`child_process.exec`, `https.request`, `fetch`) or a tag for strings/hooks. */
  name: string;
  offset: number;
  line: number;
  column: number;
  evidence: string;
  /** Executed when the module is loaded (not inside an uncalled function). */
  topLevel: boolean;
  /** Union of the sources carried by the arguments. */
  taint: number;
  /** Decoding depth of the most decoded argument (0 = plain). */
  decodedDepth: number;
  /** First argument folded to a string, when possible (bounded). */
  text?: string;
  destinations: Destination[];
  decoded?: string;
  shell?: ShellFact[];
}

export interface StaticRequire {
  spec: string;
  topLevel: boolean;
}

export interface ObfuscationStats {
  /** Identifiers of the `_0x1a2b3c` shape. */
  hexIdentifiers: number;
  /** A large array of strings returned by a function and rotated (obfuscator.io). */
  stringArray: boolean;
  /** String literals written with \x / \u escapes. */
  escapedStrings: number;
  strings: number;
}

export interface JsFileFacts {
  path: string;
  mode: 'ast' | 'tokens';
  bytes: number;
  events: JsEvent[];
  requires: StaticRequire[];
  obfuscation: ObfuscationStats;
  /** Decoded code to re-analyse (bounded by the caller). */
  decodedCode: { code: string; line: number; topLevel: boolean }[];
  parseError?: string;
  /** Static requires were not extracted yet (file not parsed); the analyzer reads them on demand. */
  lazyRequires?: boolean;
}

interface FnSummary {
  ret: number;
  retS?: string;
  net: boolean;
  node: Node;
}

interface Val {
  s?: string;
  num?: number;
  mod?: string;
  taint: number;
  dec: number;
  arr?: Val[];
  obj?: Map<string, Val>;
  fn?: FnSummary;
  netreq?: boolean;
  buf?: boolean;
  /** An obfuscator.io string-array decoder (or an alias of one). */
  decoder?: boolean;
}


const EMPTY: Val = Object.freeze({ taint: 0, dec: 0 });
const MAX_STR = 1 << 20;
const MAX_EVENTS = 2000;
const MAX_DEPTH = 300;

function str(n: Node, key: string): string | undefined {
  const c = n[key];
  return typeof c === 'string' ? c : undefined;
}

const NETWORK_CALLS = new Set([
  'http.request', 'http.get', 'https.request', 'https.get', 'http2.connect', 'fetch', 'node-fetch', 'cross-fetch',
  'axios', 'axios.get', 'axios.post', 'axios.put', 'axios.request', 'axios.patch', 'got', 'got.get', 'got.post',
  'request', 'request.get', 'request.post', 'request-promise', 'needle', 'needle.get', 'needle.post', 'needle.request', 'superagent.get', 'superagent.post',
  'undici.request', 'undici.fetch', 'net.connect', 'net.createConnection', 'net.Socket', 'tls.connect', 'dgram.createSocket', 'WebSocket', 'ws', 'XMLHttpRequest',
  'navigator.sendBeacon', 'phin', 'bent', 'ky', 'ky.get', 'ky.post', 'ofetch', 'discord.js.WebhookClient', 'socket.io-client',
]);
const DNS_CALLS = /^dns(?:\.promises)?\.(?:lookup|resolve\w*|reverse)$/;
const EXEC_CALLS = /^child_process\.(?:exec|execSync|spawn|spawnSync|execFile|execFileSync|fork)$|^(?:execa|cross-spawn|shelljs\.exec)$/;
const EVAL_CALLS = /^(?:eval|Function|vm\.runInThisContext|vm\.runInNewContext|vm\.runInContext|vm\.Script|vm\.compileFunction|vm\.SourceTextModule|node-serialize\.unserialize|serialize-javascript\.unserialize|funcster\.deepDeserialize)$/;
const FS_WRITE = /^(?:fs|graceful-fs|promise-fs|mz\/fs)(?:\.promises)?\.(?:writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|copyFile|copyFileSync|rename|renameSync|symlink|symlinkSync)$|^fs-extra\.(?:outputFile|outputFileSync|writeFile|writeFileSync|copy|copySync)$/;
const FS_DELETE = /^(?:fs|graceful-fs|promise-fs|mz\/fs)(?:\.promises)?\.(?:rm|rmSync|rmdir|rmdirSync|unlink|unlinkSync)$|^(?:rimraf|rimraf\.sync|del|fs-extra\.(?:remove|removeSync|emptyDir))$/;
const FS_READ = /^(?:fs|graceful-fs|promise-fs|mz\/fs|fs-extra)(?:\.promises)?\.(?:readFile|readFileSync|createReadStream|readdir|readdirSync|existsSync|statSync|access|accessSync)$|^fs-extra\.(?:readFile|readFileSync|readJson|readJsonSync)$/;

const STRING_METHODS = new Set(['split', 'reverse', 'join', 'replace', 'replaceAll', 'toString', 'trim', 'slice', 'substr', 'substring', 'concat', 'toLowerCase', 'toUpperCase', 'charAt', 'repeat', 'padStart', 'padEnd', 'trimStart', 'trimEnd', 'normalize']);
const GLOBAL_MODS = new Set(['process', 'Buffer', 'String', 'JSON', 'Object', 'Intl', 'navigator', 'window', 'globalThis', 'global', 'self', 'document', 'XMLHttpRequest', 'fetch', 'WebSocket', 'eval', 'Function', 'atob', 'btoa', 'require', 'module', 'exports', 'setTimeout', 'setInterval', 'decodeURIComponent', 'unescape', 'escape', 'encodeURIComponent', 'parseInt', 'Reflect', 'Math', 'Date', 'Array', 'localStorage', 'chrome', 'location']);

const HEX_IDENT = /^_0x[0-9a-f]{4,}$/i;
const ETH_ADDR = /^0x[a-fA-F0-9]{40}$/;
const BTC_ADDR = /^(?:bc1[a-z0-9]{25,59}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})$/;
const WALLET_REGEX = /0x\[a-fA-F0-9\]\{40\}|0x\[0-9a-fA-F\]\{40\}|\(bc1\||bc1\[|\[13\]\[a-km-zA-HJ-NP-Z1-9\]|T\[A-Za-z1-9\]\{33\}|\[1-9A-HJ-NP-Za-km-z\]\{3[2-9]/;
const GEO_WORDS = /timeZone|resolvedOptions|navigator\.language|\.language\b|\blocale\b|LANG|LC_ALL|country|geo/i;
const GEO_VALUES = /['"`](?:ru|ru-RU|ru_RU|RU|BY|by|be-BY|Russia|Belarus|Europe\/Moscow|Europe\/Minsk|Europe\/Volgograd|Europe\/Samara|Asia\/Yekaterinburg|Asia\/Tehran|IR|fa-IR|uk-UA|UA)['"`]/;

/** Line starts of a source text, for offset → line/column. */
export class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string) {}
  private build(): number[] {
    const s = [0];
    let i = this.text.indexOf('\n');
    while (i >= 0) {
      s.push(i + 1);
      i = this.text.indexOf('\n', i + 1);
    }
    this.starts = s;
    return s;
  }
  position(offset: number): { line: number; column: number } {
    const s = this.starts ?? this.build();
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((s[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (s[lo] ?? 0) + 1 };
  }
  /** The line around `offset`, windowed to ~200 characters for minified code. */
  evidence(offset: number): string {
    const start = this.text.lastIndexOf('\n', offset - 1) + 1;
    let end = this.text.indexOf('\n', offset);
    if (end < 0) end = this.text.length;
    let from = start;
    let to = end;
    if (to - from > 200) {
      from = Math.max(start, offset - 60);
      to = Math.min(end, from + 200);
    }
    return this.text.slice(from, to).trim();
  }
}

export interface WalkOptions {
  maxDecodedBytes: number;
  /** performance.now() after which the walk stops early. */
  deadline: number;
}

export class FactWalker {
  readonly facts: JsFileFacts;
  private readonly scopes: Map<string, Val>[] = [new Map()];
  private readonly fnStack: FnSummary[] = [];
  private fnDepth = 0;
  private recursion = 0;
  private nodes = 0;
  private readonly lines: LineIndex;
  private topCalled = new Set<string>();
  private decodedBytes = 0;

  constructor(
    private readonly src: string,
    path: string,
    private readonly opts: WalkOptions,
  ) {
    this.lines = new LineIndex(src);
    this.facts = {
      path,
      mode: 'ast',
      bytes: src.length,
      events: [],
      requires: [],
      obfuscation: { hexIdentifiers: 0, stringArray: false, escapedStrings: 0, strings: 0 },
      decodedCode: [],
    };
  }

  private stringArray: StringArrayDecoder | undefined;

  run(program: Node): JsFileFacts {
    if (/_0x[0-9a-f]{4}/i.test(this.src.slice(0, 200_000))) {
      this.stringArray = findStringArray(program);
      if (this.stringArray !== undefined) this.facts.obfuscation.stringArray = true;
    }
    for (const st of kids(program, 'body')) {
      if (st.type !== 'ExpressionStatement') continue;
      const e = child(st, 'expression');
      const call = e?.type === 'UnaryExpression' ? child(e, 'argument') : e;
      if (call?.type === 'CallExpression') {
        const callee = child(call, 'callee');
        if (callee?.type === 'Identifier') this.topCalled.add(str(callee, 'name') ?? '');
      }
    }
    this.walk(program);
    return this.facts;
  }

  // ---------------------------------------------------------------- events

  private event(kind: EventKind, name: string, node: Node, extra: Partial<JsEvent> = {}): void {
    if (this.facts.events.length >= MAX_EVENTS) return;
    const pos = this.lines.position(node.start);
    this.facts.events.push({
      kind,
      name,
      offset: node.start,
      line: pos.line,
      column: pos.column,
      evidence: this.lines.evidence(node.start),
      topLevel: this.fnDepth === 0,
      taint: 0,
      decodedDepth: 0,
      destinations: [],
      ...extra,
    });
  }

  // ---------------------------------------------------------------- scopes

  private lookup(name: string): Val | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i]?.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  private declare(name: string, v: Val): void {
    this.scopes[this.scopes.length - 1]?.set(name, v);
  }
  private assign(name: string, v: Val): void {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i];
      const old = scope?.get(name);
      if (scope !== undefined && old !== undefined) {
        // keep what we knew, join the taint (flow-insensitive within a function)
        scope.set(name, v.s !== undefined || v.mod !== undefined || v.fn !== undefined ? { ...v, taint: v.taint | old.taint } : { ...old, taint: old.taint | v.taint, dec: Math.max(old.dec, v.dec) });
        return;
      }
    }
    this.scopes[0]?.set(name, v);
  }

  private bindPattern(p: Node | undefined, v: Val): void {
    if (p === undefined) return;
    switch (p.type) {
      case 'Identifier': {
        const name = str(p, 'name') ?? '';
        if (HEX_IDENT.test(name)) this.facts.obfuscation.hexIdentifiers++;
        this.declare(name, v);
        return;
      }
      case 'ObjectPattern':
        for (const prop of kids(p, 'properties')) {
          if (prop.type === 'RestElement') {
            this.bindPattern(child(prop, 'argument'), v);
            continue;
          }
          const key = this.propName(prop);
          this.bindPattern(child(prop, 'value'), key === undefined ? { taint: v.taint, dec: v.dec } : this.member(v, key));
        }
        return;
      case 'ArrayPattern': {
        let i = 0;
        for (const el of kids(p, 'elements')) this.bindPattern(el, v.arr?.[i++] ?? { taint: v.taint, dec: v.dec });
        return;
      }
      case 'AssignmentPattern': {
        const right = child(p, 'right');
        const dv = right === undefined ? EMPTY : this.ev(right);
        this.bindPattern(child(p, 'left'), v === EMPTY || (v.s === undefined && v.mod === undefined && v.taint === 0) ? dv : v);
        return;
      }
      case 'RestElement':
        this.bindPattern(child(p, 'argument'), v);
        return;
      case 'MemberExpression':
        this.ev(p);
        return;
      default:
        return;
    }
  }

  private propName(prop: Node): string | undefined {
    const key = child(prop, 'key');
    if (key === undefined) return undefined;
    if (prop['computed'] === true) return this.ev(key).s;
    if (key.type === 'Identifier') return str(key, 'name');
    if (key.type === 'Literal') {
      const v = key['value'];
      return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- statements

  private walk(n: Node | undefined): void {
    if (n === undefined) return;
    if (++this.nodes % 4096 === 0 && performance.now() > this.opts.deadline) throw new WalkBudgetError();
    if (++this.recursion > MAX_DEPTH) {
      this.recursion--;
      return;
    }
    try {
      this.walkInner(n);
    } finally {
      this.recursion--;
    }
  }

  private walkInner(n: Node): void {
    switch (n.type) {
      case 'Program':
      case 'BlockStatement':
      case 'StaticBlock':
        for (const s of kids(n, 'body')) this.walk(s);
        return;
      case 'VariableDeclaration':
        for (const d of kids(n, 'declarations')) {
          const init = child(d, 'init');
          this.bindPattern(child(d, 'id'), init === undefined ? EMPTY : this.ev(init));
        }
        return;
      case 'FunctionDeclaration': {
        const id = child(n, 'id');
        const name = id === undefined ? '' : (str(id, 'name') ?? '');
        if (HEX_IDENT.test(name)) this.facts.obfuscation.hexIdentifiers++;
        const summary = this.func(n, this.fnDepth === 0 && this.topCalled.has(name), []);
        if (name !== '') this.declare(name, { taint: 0, dec: 0, fn: summary, ...(summary.retS === undefined ? {} : {}) });
        this.detectStringArray(n, name);
        return;
      }
      case 'ClassDeclaration':
      case 'ClassExpression':
        this.classBody(n);
        return;
      case 'ExpressionStatement': {
        const e = child(n, 'expression');
        if (e !== undefined) this.ev(e);
        return;
      }
      case 'ReturnStatement': {
        const a = child(n, 'argument');
        const v = a === undefined ? EMPTY : this.ev(a);
        const fn = this.fnStack[this.fnStack.length - 1];
        if (fn !== undefined) {
          fn.ret |= v.taint;
          if (v.s !== undefined) fn.retS = v.s;
        }
        return;
      }
      case 'IfStatement':
      case 'ConditionalExpression': {
        const test = child(n, 'test');
        if (test !== undefined) {
          this.ev(test);
          this.geoGate(test);
        }
        this.walkOrEv(child(n, 'consequent'));
        this.walkOrEv(child(n, 'alternate'));
        return;
      }
      case 'ImportDeclaration': {
        const source = child(n, 'source');
        const spec = source === undefined ? '' : String(source['value'] ?? '');
        const mod = normModule(spec);
        this.facts.requires.push({ spec, topLevel: true });
        for (const s of kids(n, 'specifiers')) {
          const local = child(s, 'local');
          const lname = local === undefined ? '' : (str(local, 'name') ?? '');
          if (s.type === 'ImportSpecifier') {
            const imported = child(s, 'imported');
            const iname = imported === undefined ? '' : (str(imported, 'name') ?? String(imported['value'] ?? ''));
            this.declare(lname, { taint: 0, dec: 0, mod: `${mod}.${iname}` });
          } else {
            this.declare(lname, { taint: 0, dec: 0, mod });
          }
        }
        return;
      }
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration': {
        const d = child(n, 'declaration');
        if (d !== undefined) this.walkOrEv(d);
        const source = child(n, 'source');
        if (source !== undefined) this.facts.requires.push({ spec: String(source['value'] ?? ''), topLevel: true });
        return;
      }
      case 'ExportAllDeclaration': {
        const source = child(n, 'source');
        if (source !== undefined) this.facts.requires.push({ spec: String(source['value'] ?? ''), topLevel: true });
        return;
      }
      default:
        this.generic(n);
    }
  }

  private walkOrEv(n: Node | undefined): void {
    if (n === undefined) return;
    if (isStatement(n)) this.walk(n);
    else this.ev(n);
  }

  private generic(n: Node): void {
    for (const key of Object.keys(n)) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'loc' || key === 'range') continue;
      const c = n[key];
      if (Array.isArray(c)) {
        for (const x of c) if (isNode(x)) this.walkOrEv(x);
      } else if (isNode(c)) this.walkOrEv(c);
    }
  }

  private classBody(n: Node): void {
    const sup = child(n, 'superClass');
    if (sup !== undefined) this.ev(sup);
    const body = child(n, 'body');
    if (body === undefined) return;
    for (const m of kids(body, 'body')) {
      const value = child(m, 'value');
      if (value !== undefined && (value.type === 'FunctionExpression' || value.type === 'ArrowFunctionExpression')) this.func(value, false, []);
      else if (value !== undefined) this.ev(value);
      else if (m.type === 'StaticBlock') this.walk(m);
    }
  }

  private func(n: Node, immediate: boolean, args: readonly Val[]): FnSummary {
    const summary: FnSummary = { ret: 0, net: false, node: n };
    this.scopes.push(new Map());
    this.fnStack.push(summary);
    if (!immediate) this.fnDepth++;
    try {
      let i = 0;
      for (const p of kids(n, 'params')) this.bindPattern(p, args[i++] ?? EMPTY);
      const body = child(n, 'body');
      if (body !== undefined) {
        if (body.type === 'BlockStatement') this.walk(body);
        else {
          const v = this.ev(body);
          summary.ret |= v.taint;
          if (v.s !== undefined) summary.retS = v.s;
        }
      }
    } finally {
      if (!immediate) this.fnDepth--;
      this.fnStack.pop();
      this.scopes.pop();
    }
    return summary;
  }

  // ---------------------------------------------------------------- expressions

  private ev(n: Node): Val {
    if (++this.recursion > MAX_DEPTH) {
      this.recursion--;
      return EMPTY;
    }
    if (++this.nodes % 4096 === 0 && performance.now() > this.opts.deadline) throw new WalkBudgetError();
    try {
      return this.evInner(n);
    } finally {
      this.recursion--;
    }
  }

  private evInner(n: Node): Val {
    switch (n.type) {
      case 'Literal': {
        const v = n['value'];
        if (typeof v === 'string') return this.literal(n, v);
        if (typeof v === 'number') return { taint: 0, dec: 0, num: v };
        const regex = n['regex'];
        if (typeof regex === 'object' && regex !== null) {
          const pattern = String((regex as { pattern?: unknown }).pattern ?? '');
          if (WALLET_REGEX.test(pattern)) this.event('string', 'wallet-regex', n, { text: pattern.slice(0, 200) });
        }
        return EMPTY;
      }
      case 'TemplateLiteral': {
        const quasis = kids(n, 'quasis');
        const exprs = kids(n, 'expressions');
        let s: string | undefined = '';
        let taint = 0;
        let dec = 0;
        for (let i = 0; i < quasis.length; i++) {
          const q = quasis[i];
          const cooked = q === undefined ? undefined : (q['value'] as { cooked?: unknown } | undefined)?.cooked;
          if (s !== undefined) s = typeof cooked === 'string' ? s + cooked : undefined;
          const e = exprs[i];
          if (e !== undefined) {
            const v = this.ev(e);
            taint |= v.taint;
            dec = Math.max(dec, v.dec);
            if (s !== undefined) s = v.s !== undefined ? s + v.s : v.num !== undefined ? s + String(v.num) : undefined;
          }
        }
        if (s !== undefined) {
          if (s.length > MAX_STR) s = undefined;
          else taint |= stringSource(s);
        }
        if (s !== undefined && exprs.length > 0) this.notableString(n, s, dec);
        return s === undefined ? { taint, dec } : { s, taint, dec };
      }
      case 'Identifier': {
        const name = str(n, 'name') ?? '';
        if (this.stringArray?.decoders.has(name) === true) return { taint: 0, dec: 0, decoder: true };
        const v = this.lookup(name);
        if (v !== undefined) return v;
        if (name === 'undefined') return EMPTY;
        if (GLOBAL_MODS.has(name)) return { taint: 0, dec: 0, mod: name === 'globalThis' || name === 'global' || name === 'self' ? 'window' : name };
        return EMPTY;
      }
      case 'MemberExpression': {
        const objN = child(n, 'object');
        const propN = child(n, 'property');
        const obj = objN === undefined ? EMPTY : this.ev(objN);
        let prop: string | undefined;
        if (propN !== undefined) {
          if (n['computed'] === true) {
            const pv = this.ev(propN);
            prop = pv.s ?? (pv.num !== undefined ? String(pv.num) : undefined);
          } else prop = str(propN, 'name');
        }
        return this.member(obj, prop);
      }
      case 'ChainExpression':
      case 'ParenthesizedExpression':
      case 'AwaitExpression':
      case 'SpreadElement':
      case 'YieldExpression': {
        const a = child(n, 'expression') ?? child(n, 'argument');
        return a === undefined ? EMPTY : this.ev(a);
      }
      case 'CallExpression':
      case 'NewExpression':
        return this.call(n);
      case 'ImportExpression': {
        const source = child(n, 'source');
        const v = source === undefined ? EMPTY : this.ev(source);
        if (v.s !== undefined && v.dec === 0) {
          this.facts.requires.push({ spec: v.s, topLevel: this.fnDepth === 0 });
          return { taint: 0, dec: 0, mod: normModule(v.s) };
        }
        this.event('sink', 'import', n, { sink: 'require', decodedDepth: v.dec, ...(v.s === undefined ? {} : { text: v.s.slice(0, 200) }) });
        return EMPTY;
      }
      case 'BinaryExpression': {
        const l = this.evN(child(n, 'left'));
        const r = this.evN(child(n, 'right'));
        const op = str(n, 'operator');
        const taint = l.taint | r.taint;
        const dec = Math.max(l.dec, r.dec);
        if (op === '+') {
          const ls = l.s ?? (l.num !== undefined ? String(l.num) : undefined);
          const rs = r.s ?? (r.num !== undefined ? String(r.num) : undefined);
          if (l.num !== undefined && r.num !== undefined) return { taint, dec, num: l.num + r.num };
          if (ls !== undefined && rs !== undefined && ls.length + rs.length <= MAX_STR && (l.s !== undefined || r.s !== undefined)) {
            const s = ls + rs;
            return { s, taint: taint | stringSource(s), dec };
          }
        } else if (l.num !== undefined && r.num !== undefined) {
          const num = arith(op, l.num, r.num);
          if (num !== undefined) return { taint, dec, num };
        }
        return { taint, dec };
      }
      case 'LogicalExpression': {
        const l = this.evN(child(n, 'left'));
        const r = this.evN(child(n, 'right'));
        const pick = l.s !== undefined || l.mod !== undefined || l.fn !== undefined ? l : r;
        return { ...pick, taint: l.taint | r.taint, dec: Math.max(l.dec, r.dec) };
      }
      case 'ConditionalExpression': {
        const test = child(n, 'test');
        if (test !== undefined) {
          this.ev(test);
          this.geoGate(test);
        }
        const c = this.evN(child(n, 'consequent'));
        const a = this.evN(child(n, 'alternate'));
        const pick = c.s !== undefined || c.mod !== undefined ? c : a;
        return { ...pick, taint: c.taint | a.taint, dec: Math.max(c.dec, a.dec) };
      }
      case 'AssignmentExpression':
        return this.assignment(n);
      case 'SequenceExpression': {
        let last = EMPTY;
        for (const e of kids(n, 'expressions')) last = this.ev(e);
        return last;
      }
      case 'UnaryExpression': {
        const a = this.evN(child(n, 'argument'));
        const op = str(n, 'operator');
        if (op === '-' && a.num !== undefined) return { taint: 0, dec: 0, num: -a.num };
        if (op === '!' ) return { taint: 0, dec: 0 };
        return { taint: a.taint, dec: a.dec };
      }
      case 'UpdateExpression':
        this.evN(child(n, 'argument'));
        return EMPTY;
      case 'ArrayExpression': {
        const arr: Val[] = [];
        let taint = 0;
        let dec = 0;
        const els = n['elements'];
        if (Array.isArray(els)) {
          for (const e of els) {
            const v = isNode(e) ? this.ev(e) : EMPTY;
            if (arr.length < 20_000) arr.push(v);
            taint |= v.taint;
            dec = Math.max(dec, v.dec);
          }
        }
        return { taint, dec, arr };
      }
      case 'ObjectExpression': {
        const obj = new Map<string, Val>();
        let taint = 0;
        let dec = 0;
        for (const p of kids(n, 'properties')) {
          if (p.type === 'SpreadElement') {
            const v = this.evN(child(p, 'argument'));
            taint |= v.taint;
            if (v.obj !== undefined) for (const [k, x] of v.obj) obj.set(k, x);
            continue;
          }
          const key = this.propName(p);
          const valueN = child(p, 'value');
          let v = EMPTY;
          if (valueN !== undefined) {
            if (valueN.type === 'FunctionExpression' || valueN.type === 'ArrowFunctionExpression') v = { taint: 0, dec: 0, fn: this.func(valueN, false, []) };
            else v = this.ev(valueN);
          }
          taint |= v.taint;
          dec = Math.max(dec, v.dec);
          if (key !== undefined && obj.size < 2000) obj.set(key, v);
        }
        return { taint, dec, obj };
      }
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        return { taint: 0, dec: 0, fn: this.func(n, false, []) };
      case 'ClassExpression':
        this.classBody(n);
        return EMPTY;
      case 'TaggedTemplateExpression': {
        this.evN(child(n, 'tag'));
        return this.evN(child(n, 'quasi'));
      }
      default:
        this.generic(n);
        return EMPTY;
    }
  }

  private evN(n: Node | undefined): Val {
    return n === undefined ? EMPTY : this.ev(n);
  }

  private literal(n: Node, v: string): Val {
    this.facts.obfuscation.strings++;
    const raw = str(n, 'raw') ?? '';
    if (raw.length > 6 && /\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}/.test(raw)) {
      const esc = (raw.match(/\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})/g) ?? []).length;
      if (esc * 4 > raw.length * 0.5 && /[a-zA-Z]/.test(v)) {
        this.facts.obfuscation.escapedStrings++;
        this.notableString(n, v, 1);
        return { s: v, taint: stringSource(v), dec: 1 };
      }
    }
    if (v.length >= 8) this.notableString(n, v, 0);
    return { s: v, taint: stringSource(v), dec: 0 };
  }

  /** Records strings that matter on their own: webhooks, oob services, wallet addresses, worm paths. */
  private notableString(n: Node, s: string, dec: number): void {
    if (s.length > 4096) return;
    if (s.includes('://')) {
      if (isDiscordWebhook(s) || isTelegramBot(s)) this.event('string', 'webhook-url', n, { text: s.slice(0, 200), decodedDepth: dec, destinations: destinationsIn(s) });
      else {
        const d = destinationsIn(s, 2);
        if (d.some((x) => x.cls === 'oob')) this.event('string', 'oob-url', n, { text: s.slice(0, 200), decodedDepth: dec, destinations: d });
      }
    } else if (ETH_ADDR.test(s) || BTC_ADDR.test(s)) {
      this.event('string', 'wallet-address', n, { text: s });
    } else if (/\.github\/workflows\b/.test(s)) {
      this.event('string', 'workflow-path', n, { text: s.slice(0, 200) });
    } else if (/\bnpm\s+publish\b/.test(s)) {
      this.event('string', 'npm-publish', n, { text: s.slice(0, 200) });
    }
    if (dec > 0 && isReadable(s)) this.event('decoded', 'escaped-string', n, { decoded: s.slice(0, 300), decodedDepth: dec });
  }

  private member(obj: Val, prop: string | undefined): Val {
    if (prop === undefined) return { taint: obj.taint, dec: obj.dec };
    if (obj.mod !== undefined) {
      if (obj.mod === 'process.env') return { taint: envSource(prop), dec: 0 };
      const mod = `${obj.mod}.${prop}`;
      if (mod === 'process.env') return { taint: SRC.envAll, dec: 0, mod };
      if (mod.startsWith('window.') && mod.split('.').length === 2) return { taint: 0, dec: 0, mod: prop };
      return { taint: obj.taint, dec: obj.dec, mod };
    }
    if (obj.obj !== undefined) {
      const v = obj.obj.get(prop);
      if (v !== undefined) return v;
    }
    if (obj.arr !== undefined && /^\d+$/.test(prop)) {
      const v = obj.arr[Number(prop)];
      if (v !== undefined) return v;
    }
    if (obj.s !== undefined && prop === 'length') return { taint: 0, dec: 0, num: obj.s.length };
    return { taint: obj.taint, dec: obj.dec, ...(obj.netreq === true ? { netreq: true } : {}) };
  }

  private assignment(n: Node): Val {
    const left = child(n, 'left');
    const right = child(n, 'right');
    let v = EMPTY;
    if (right !== undefined) {
      if (right.type === 'FunctionExpression' || right.type === 'ArrowFunctionExpression') v = { taint: 0, dec: 0, fn: this.func(right, false, []) };
      else v = this.ev(right);
    }
    if (left === undefined) return v;
    if (left.type === 'Identifier') {
      const name = str(left, 'name') ?? '';
      const op = str(n, 'operator');
      if (op === '+=') {
        const old = this.lookup(name) ?? EMPTY;
        const s = old.s !== undefined && v.s !== undefined && old.s.length + v.s.length <= MAX_STR ? old.s + v.s : undefined;
        v = { ...(s === undefined ? {} : { s }), taint: old.taint | v.taint, dec: Math.max(old.dec, v.dec) };
      }
      this.assign(name, v);
      return v;
    }
    if (left.type === 'MemberExpression') {
      const target = this.memberPath(left);
      if (target !== undefined) this.hookCheck(left, target, v);
      const objN = child(left, 'object');
      if (objN?.type === 'Identifier') {
        const base = this.lookup(str(objN, 'name') ?? '');
        const propN = child(left, 'property');
        const prop = propN === undefined ? undefined : left['computed'] === true ? this.ev(propN).s : str(propN, 'name');
        if (base !== undefined && prop !== undefined) {
          if (base.obj !== undefined && base.obj.size < 2000) base.obj.set(prop, v);
          else if (base.arr !== undefined && /^\d+$/.test(prop)) base.arr[Number(prop)] = v;
          else if (base.obj === undefined && base.arr === undefined && (v.taint & ~base.taint) !== 0) this.assign(str(objN, 'name') ?? '', { ...base, taint: base.taint | v.taint });
        }
      } else if (objN !== undefined) this.ev(objN);
      return v;
    }
    this.bindPattern(left, v);
    return v;
  }

  /** Dotted path of a member expression made of identifiers (`XMLHttpRequest.prototype.open`). */
  private memberPath(n: Node): string | undefined {
    const parts: string[] = [];
    let cur: Node | undefined = n;
    for (let i = 0; i < 8 && cur !== undefined; i++) {
      if (cur.type === 'Identifier') {
        parts.unshift(str(cur, 'name') ?? '');
        return parts.join('.');
      }
      if (cur.type === 'ThisExpression') {
        parts.unshift('this');
        return parts.join('.');
      }
      if (cur.type !== 'MemberExpression') return undefined;
      const p = child(cur, 'property');
      if (p === undefined) return undefined;
      const name = cur['computed'] === true ? (p.type === 'Literal' ? String(p['value']) : undefined) : str(p, 'name');
      if (name === undefined) return undefined;
      parts.unshift(name);
      cur = child(cur, 'object');
    }
    return undefined;
  }

  private hookCheck(node: Node, target: string, v: Val): void {
    const t = target.replace(/^(?:window|globalThis|global|self)\./, '');
    if (/^(?:fetch|XMLHttpRequest\.prototype\.(?:open|send|setRequestHeader)|ethereum\.request|ethereum\.send|ethereum\.sendAsync|solana\.signTransaction|solana\.signAndSendTransaction)$/.test(t)) {
      this.event('hook', t, node, { taint: v.taint });
    }
  }

  private geoGate(test: Node): void {
    if (test.end - test.start > 600) return;
    const text = this.src.slice(test.start, test.end);
    if (GEO_VALUES.test(text) && (GEO_WORDS.test(text) || this.facts.events.some((e) => e.name === 'geo-source'))) this.event('geo-gate', 'locale', test, { text: text.slice(0, 200) });
  }

  private argVals(n: Node, cbParam: Val = EMPTY): Val[] {
    const out: Val[] = [];
    for (const a of kids(n, 'arguments')) {
      if (a.type === 'FunctionExpression' || a.type === 'ArrowFunctionExpression') {
        const params = kids(a, 'params').map(() => cbParam);
        out.push({ taint: 0, dec: 0, fn: this.func(a, false, params) });
        continue;
      }
      if (a.type === 'SpreadElement') {
        const v = this.evN(child(a, 'argument'));
        if (v.arr !== undefined) out.push(...v.arr.slice(0, 20_000));
        else out.push(v);
        continue;
      }
      out.push(this.ev(a));
    }
    return out;
  }

  private call(n: Node): Val {
    const callee = child(n, 'callee');
    if (callee === undefined) return EMPTY;
    // IIFE: (function(){…})(), (() => {…})(), (function(){}).call(this)
    if (callee.type === 'FunctionExpression' || callee.type === 'ArrowFunctionExpression') {
      const args = this.argVals(n);
      const s = this.func(callee, true, args);
      return { taint: s.ret, dec: 0, ...(s.retS === undefined ? {} : { s: s.retS }) };
    }
    let objVal: Val | undefined;
    let prop: string | undefined;
    let calleeVal: Val;
    if (callee.type === 'MemberExpression') {
      const objN = child(callee, 'object');
      const propN = child(callee, 'property');
      if (objN !== undefined && (objN.type === 'FunctionExpression' || objN.type === 'ArrowFunctionExpression') && propN !== undefined && /^(?:call|apply)$/.test(str(propN, 'name') ?? '')) {
        const args = this.argVals(n);
        const s = this.func(objN, true, args.slice(1));
        return { taint: s.ret, dec: 0 };
      }
      objVal = objN === undefined ? EMPTY : this.ev(objN);
      if (propN !== undefined) prop = callee['computed'] === true ? this.ev(propN).s : str(propN, 'name');
      calleeVal = this.member(objVal, prop);
    } else {
      calleeVal = this.ev(callee);
    }
    let cbParam: Val = EMPTY;
    const cq = calleeVal.mod?.replace(/^(?:window|globalThis|global|self)\./, '');
    if (cq !== undefined && (NETWORK_CALLS.has(cq) || /^(?:axios|got|needle|superagent|undici|node-fetch)\.\w+$/.test(cq))) cbParam = { taint: SRC.netdata, dec: 0, netreq: true };
    else if (objVal !== undefined && (objVal.taint !== 0 || objVal.netreq === true)) cbParam = { taint: objVal.taint, dec: objVal.dec, ...(objVal.netreq === true ? { netreq: true } : {}) };
    const args = this.argVals(n, cbParam);
    let taint = 0;
    let dec = 0;
    for (const a of args) {
      taint |= a.taint | objTaint(a);
      dec = Math.max(dec, a.dec);
    }
    const a0 = args[0];
    // --- string / array folding on constant receivers
    if (objVal !== undefined && prop !== undefined && calleeVal.mod === undefined) {
      const folded = foldMethod(objVal, prop, args);
      if (folded !== undefined) return folded;
      if (objVal.netreq === true && /^(?:write|end|send)$/.test(prop)) {
        this.sinkEvent(n, 'network', `request.${prop}`, args, taint, dec);
        return EMPTY;
      }
    }
    if (objVal?.mod === 'Module' || (objVal?.mod === 'module' && prop === '_compile')) {
      if (prop === undefined || prop === '_compile') this.sinkEvent(n, 'eval', 'module._compile', args, taint, Math.max(dec, prop === undefined ? 1 : 0));
      return EMPTY;
    }
    if (n.type === 'NewExpression' && calleeVal.mod === 'module.constructor') return { taint: 0, dec: 0, mod: 'Module' };
    if (calleeVal.decoder === true && this.stringArray !== undefined) {
      const idx = args[0]?.num;
      const str0 = idx === undefined ? undefined : this.stringArray.strings[idx - this.stringArray.offset];
      if (str0 !== undefined) {
        this.notableString(n, str0, 1);
        return { s: str0, taint: stringSource(str0), dec: 1 };
      }
      return { taint: 0, dec: 1 };
    }
    const q = calleeVal.mod;
    if (calleeVal.fn !== undefined && q === undefined) {
      const f = calleeVal.fn;
      const inlined = this.inline(f, args);
      if (inlined !== undefined && (inlined.s !== undefined || inlined.mod !== undefined)) return inlined;
      if (f.net && ((taint & ~SRC.netdata) !== 0 || dec > 0)) this.sinkEvent(n, 'network', 'local-network-wrapper', args, taint, dec);
      if (f.retS !== undefined && args.length === 0) return { s: f.retS, taint: f.ret, dec: 0 };
      return { taint: f.ret | taint, dec };
    }
    if (q === undefined) return { taint: taint | (objVal?.taint ?? 0), dec: Math.max(dec, objVal?.dec ?? 0) };
    return this.knownCall(n, q, args, a0, taint, dec);
  }

  private knownCall(n: Node, q: string, args: Val[], a0: Val | undefined, taint: number, dec: number): Val {
    const max = this.opts.maxDecodedBytes;
    switch (q) {
      case 'require': {
        if (a0?.s !== undefined && a0.dec === 0) {
          this.facts.requires.push({ spec: a0.s, topLevel: this.fnDepth === 0 });
          return { taint: 0, dec: 0, mod: normModule(a0.s) };
        }
        this.sinkEvent(n, 'require', 'require', args, taint, dec);
        return a0?.s !== undefined ? { taint: 0, dec: 0, mod: normModule(a0.s) } : EMPTY;
      }
      case 'atob':
        return this.decoded(n, a0?.s === undefined ? undefined : decodeBase64(a0.s, max), a0, 'atob');
      case 'Buffer.from':
      case 'Buffer': {
        const enc = args[1]?.s?.toLowerCase();
        if (a0?.s !== undefined) {
          if (enc === 'base64' || enc === 'base64url') return { ...this.decoded(n, decodeBase64(a0.s, max), a0, 'base64'), buf: true };
          if (enc === 'hex') return { ...this.decoded(n, decodeHex(a0.s, max), a0, 'hex'), buf: true };
          return { s: a0.s, taint: a0.taint, dec: a0.dec, buf: true };
        }
        if (a0?.arr !== undefined && a0.arr.every((x) => x.num !== undefined)) {
          return { ...this.decoded(n, fromCharCodes(a0.arr.map((x) => x.num ?? 0), max), a0, 'bytes'), buf: true };
        }
        return { taint, dec, buf: true };
      }
      case 'String.fromCharCode':
      case 'String.fromCodePoint': {
        const nums = args.map((x) => x.num);
        if (nums.every((x): x is number => x !== undefined)) return this.decoded(n, fromCharCodes(nums, max), { taint: 0, dec: 0 }, 'charcodes');
        return { taint, dec: dec + 1 };
      }
      case 'decodeURIComponent':
      case 'decodeURI':
      case 'unescape': {
        if (a0?.s !== undefined && /%[0-9a-fA-F]{2}/.test(a0.s)) {
          let out: string | undefined;
          try {
            out = q === 'unescape' ? a0.s.replace(/%u([0-9a-fA-F]{4})|%([0-9a-fA-F]{2})/g, (_m, u: string | undefined, h: string | undefined) => String.fromCharCode(parseInt(u ?? h ?? '0', 16))) : decodeURIComponent(a0.s);
          } catch {
            out = undefined;
          }
          const pct = (a0.s.match(/%/g) ?? []).length;
          if (pct * 3 > a0.s.length * 0.6) return this.decoded(n, out, a0, 'uri');
          return out === undefined ? { taint, dec } : { s: out, taint, dec: a0.dec };
        }
        return a0 ?? EMPTY;
      }
      case 'path.join':
      case 'path.resolve':
      case 'path.posix.join':
      case 'path.win32.join': {
        if (args.length > 0 && args.every((x) => x.s !== undefined)) {
          const s = args.map((x) => x.s ?? '').join('/').replace(/\/+/g, '/');
          return { s, taint: taint | stringSource(s), dec };
        }
        const parts = args.map((x) => x.s ?? '*').join('/');
        return { taint: taint | stringSource(parts), dec, ...(args.some((x) => x.s !== undefined) ? { s: parts } : {}) };
      }
      case 'os.homedir':
        return { s: '~', taint: 0, dec: 0 };
      case 'os.hostname':
      case 'os.userInfo':
      case 'os.networkInterfaces':
        this.event('sink', 'host-info', n, { sink: 'fs-read', name: q, taint: SRC.hostinfo });
        return { taint: SRC.hostinfo, dec: 0 };
      case 'JSON.stringify':
      case 'JSON.parse':
      case 'Object.keys':
      case 'Object.entries':
      case 'Object.values':
      case 'Object.assign':
      case 'String':
        return { taint, dec };
      case 'setTimeout':
      case 'setInterval':
        if (a0?.s !== undefined) this.sinkEvent(n, 'eval', q, [a0], a0.taint, a0.dec);
        return EMPTY;
      case 'Intl.DateTimeFormat':
        this.event('string', 'geo-source', n);
        return { taint: 0, dec: 0, mod: 'Intl.DateTimeFormat' };
      default:
        break;
    }
    const mod = q.replace(/^(?:window|globalThis|global|self)\./, '');
    if (NETWORK_CALLS.has(mod) || /^(?:axios|got|needle|superagent|undici|node-fetch)\.\w+$/.test(mod)) {
      this.sinkEvent(n, 'network', mod, args, taint, dec);
      return { taint: SRC.netdata, dec: 0, netreq: true };
    }
    if (/^(?:ws|WebSocket|socket\.io-client)$/.test(mod) || mod.endsWith('.WebhookClient')) {
      this.sinkEvent(n, 'network', mod, args, taint, dec);
      return { taint: SRC.netdata, dec: 0, netreq: true };
    }
    if (DNS_CALLS.test(mod)) {
      this.sinkEvent(n, 'dns', mod, args, taint, dec);
      return EMPTY;
    }
    if (EXEC_CALLS.test(mod)) {
      this.sinkEvent(n, 'exec', mod, args, taint, dec);
      const cmd = a0?.s ?? '';
      return { taint: /^\s*(?:hostname|whoami|id|uname)\b/.test(cmd) ? SRC.hostinfo : 0, dec: 0 };
    }
    if (EVAL_CALLS.test(mod)) {
      this.sinkEvent(n, 'eval', mod, args, taint, dec);
      return EMPTY;
    }
    if (FS_WRITE.test(mod)) {
      this.sinkEvent(n, 'fs-write', mod, args, taint, dec);
      return EMPTY;
    }
    if (FS_DELETE.test(mod)) {
      this.sinkEvent(n, 'fs-delete', mod, args, taint, dec);
      return EMPTY;
    }
    if (FS_READ.test(mod)) {
      const t = a0?.taint ?? 0;
      if ((t & ~SRC.netdata) !== 0 || a0?.s === undefined) this.sinkEvent(n, 'fs-read', mod, args, taint, dec);
      return { taint: t, dec: 0 };
    }
    return { taint, dec };
  }

  private inlineDepth = 0;

  /** Evaluates a one-expression function (`function d(s){return Buffer.from(s,'hex').toString()}`) with constant arguments. */
  private inline(f: FnSummary, args: readonly Val[]): Val | undefined {
    if (this.inlineDepth >= 3 || args.length === 0 || !args.some((a) => a.s !== undefined || a.num !== undefined || a.arr !== undefined)) return undefined;
    const body = child(f.node, 'body');
    if (body === undefined) return undefined;
    let expr: Node | undefined = body;
    if (body.type === 'BlockStatement') {
      const stmts = kids(body, 'body');
      const only = stmts.length === 1 ? stmts[0] : undefined;
      expr = only?.type === 'ReturnStatement' ? child(only, 'argument') : undefined;
    }
    if (expr === undefined || expr.end - expr.start > 2000) return undefined;
    this.inlineDepth++;
    this.scopes.push(new Map());
    try {
      let i = 0;
      for (const p of kids(f.node, 'params')) if (p.type === 'Identifier') this.declare(str(p, 'name') ?? '', args[i++] ?? EMPTY);
      return this.ev(expr);
    } finally {
      this.scopes.pop();
      this.inlineDepth--;
    }
  }

  private decoded(n: Node, out: string | undefined, input: Val | undefined, how: string): Val {
    const inDec = input?.dec ?? 0;
    if (out === undefined) return { taint: input?.taint ?? 0, dec: inDec + 1 };
    const readable = isReadable(out);
    if (readable && out.length >= 4 && this.decodedBytes < this.opts.maxDecodedBytes) {
      this.decodedBytes += out.length;
      this.event('decoded', how, n, { decoded: out.slice(0, 300), decodedDepth: inDec + 1 });
      this.notableString(n, out, inDec + 1);
    }
    return { s: out, taint: (input?.taint ?? 0) | stringSource(out), dec: inDec + 1 };
  }

  private sinkEvent(n: Node, sink: SinkKind, name: string, args: readonly Val[], taint: number, dec: number): void {
    // Enclosing functions become network wrappers too (the sink often sits in a Promise executor).
    if (sink === 'network' || sink === 'dns') for (const fn of this.fnStack) fn.net = true;
    const texts: string[] = [];
    for (const a of args.slice(0, 3)) {
      if (a.s !== undefined) texts.push(a.s);
      if (a.obj !== undefined) {
        for (const k of ['url', 'uri', 'host', 'hostname', 'baseURL', 'path']) {
          const s = a.obj.get(k)?.s;
          if (s !== undefined) texts.push(k === 'host' || k === 'hostname' ? `https://${s}` : s);
        }
      }
    }
    const text = texts.join(' ').slice(0, 2000);
    const destinations = sink === 'network' ? destinationsIn(text, 4) : sink === 'dns' && texts[0] !== undefined ? [{ host: texts[0], cls: classifyHost(texts[0]) }] : [];
    const extra: Partial<JsEvent> = { sink, taint, decodedDepth: dec, destinations };
    if (text !== '') extra.text = text.slice(0, 400);
    if (sink === 'exec' && args[0]?.s !== undefined) {
      const cmd = [args[0].s, ...(args[1]?.arr?.map((x) => x.s ?? '') ?? [])].join(' ');
      extra.shell = analyzeShell(cmd);
      extra.text = cmd.slice(0, 400);
    }
    if (sink === 'eval' && args[0]?.s !== undefined && args[0].dec > 0 && args[0].s.length > 8) {
      const pos = this.lines.position(n.start);
      this.facts.decodedCode.push({ code: args[0].s.slice(0, this.opts.maxDecodedBytes), line: pos.line, topLevel: this.fnDepth === 0 });
      extra.decoded = args[0].s.slice(0, 300);
    }
    this.event('sink', name, n, extra);
  }

  /** obfuscator.io: `function _0xabc(){const a=['…',…];_0xabc=function(){return a;};return _0xabc();}`. */
  private detectStringArray(n: Node, name: string): void {
    if (!HEX_IDENT.test(name) || this.facts.obfuscation.stringArray) return;
    const body = child(n, 'body');
    const first = body === undefined ? undefined : kids(body, 'body')[0];
    const decl = first?.type === 'VariableDeclaration' ? kids(first, 'declarations')[0] : undefined;
    const init = decl === undefined ? undefined : child(decl, 'init');
    if (init?.type === 'ArrayExpression' && kids(init, 'elements').length >= 5) {
      this.facts.obfuscation.stringArray = true;
      // The array's strings are often encoded; surface readable ones as decoded text.
      for (const el of kids(init, 'elements').slice(0, 5000)) {
        const v = el['value'];
        if (typeof v !== 'string') continue;
        const b = /^[A-Za-z0-9+/=]{8,}$/.test(v) ? decodeBase64(v, 4096) : undefined;
        const text = b !== undefined && isReadable(b) ? b : v;
        this.notableString(el, text, 1);
      }
    }
  }
}

export class WalkBudgetError extends Error {
  constructor() {
    super('analysis time budget exhausted');
    this.name = 'WalkBudgetError';
  }
}

function isStatement(n: Node): boolean {
  return /Statement$|Declaration$|^(?:Program|SwitchCase|CatchClause|StaticBlock)$/.test(n.type);
}

function objTaint(v: Val): number {
  if (v.obj === undefined) return 0;
  let t = 0;
  for (const x of v.obj.values()) t |= x.taint;
  return t;
}

function arith(op: string | undefined, a: number, b: number): number | undefined {
  switch (op) {
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? undefined : a / b;
    case '%':
      return b === 0 ? undefined : a % b;
    case '^':
      return a ^ b;
    case '|':
      return a | b;
    case '&':
      return a & b;
    default:
      return undefined;
  }
}

export function normModule(spec: string): string {
  const s = spec.startsWith('node:') ? spec.slice(5) : spec;
  if (s === 'fs/promises') return 'fs.promises';
  if (s === 'dns/promises') return 'dns.promises';
  return s;
}

function foldMethod(obj: Val, prop: string, args: readonly Val[]): Val | undefined {
  const a0 = args[0];
  if (obj.s !== undefined && STRING_METHODS.has(prop)) {
    const s = obj.s;
    let out: string | string[] | undefined;
    switch (prop) {
      case 'split':
        if (a0?.s !== undefined && s.length <= 200_000) out = s.split(a0.s);
        break;
      case 'toString':
        if (obj.buf === true && a0?.s !== undefined) {
          const enc = a0.s.toLowerCase();
          if (enc === 'base64') out = Buffer.from(s).toString('base64');
          else if (enc === 'hex') out = Buffer.from(s).toString('hex');
          else out = s;
        } else out = s;
        break;
      case 'replace':
      case 'replaceAll':
        if (a0?.s !== undefined && args[1]?.s !== undefined) out = prop === 'replace' ? s.replace(a0.s, args[1].s) : s.split(a0.s).join(args[1].s);
        break;
      case 'trim':
      case 'trimStart':
      case 'trimEnd':
        out = s.trim();
        break;
      case 'toLowerCase':
        out = s.toLowerCase();
        break;
      case 'toUpperCase':
        out = s.toUpperCase();
        break;
      case 'slice':
      case 'substring':
        if (a0?.num !== undefined) out = s.slice(a0.num, args[1]?.num);
        break;
      case 'substr':
        if (a0?.num !== undefined) out = s.substr(a0.num, args[1]?.num);
        break;
      case 'concat':
        if (args.every((x) => x.s !== undefined)) out = s + args.map((x) => x.s ?? '').join('');
        break;
      case 'charAt':
        if (a0?.num !== undefined) out = s.charAt(a0.num);
        break;
      case 'normalize':
        out = s;
        break;
      default:
        break;
    }
    if (out === undefined) return { taint: obj.taint, dec: obj.dec };
    if (Array.isArray(out)) return { taint: obj.taint, dec: obj.dec, arr: out.slice(0, 200_000).map((x) => ({ s: x, taint: 0, dec: obj.dec })) };
    return { s: out, taint: obj.taint | stringSource(out), dec: obj.dec };
  }
  if (obj.arr !== undefined) {
    if (prop === 'reverse') return { taint: obj.taint, dec: obj.dec + 1, arr: [...obj.arr].reverse() };
    if (prop === 'join') {
      const sep = a0?.s ?? ',';
      if (obj.arr.every((x) => x.s !== undefined || x.num !== undefined)) {
        const s = obj.arr.map((x) => x.s ?? String(x.num)).join(sep);
        if (s.length <= MAX_STR) return { s, taint: obj.taint | stringSource(s), dec: obj.dec };
      }
      return { taint: obj.taint, dec: obj.dec };
    }
    if (prop === 'map' || prop === 'filter' || prop === 'forEach' || prop === 'concat' || prop === 'slice') return { taint: obj.taint, dec: obj.dec };
  }
  return undefined;
}
