/**
 * One traversal per Python file: a small partial evaluator that walks statements in order, folds constant
 * expressions (deobfuscation), tracks variable values and taint labels within a module, and records
 * compact facts (calls, network sinks, exec of data, commands, strings, classes) that every rule reads.
 * Decoded code handed to exec/eval/compile is parsed and walked recursively; its facts keep the location of
 * the original call and carry the decoded text.
 */
import { performance } from 'node:perf_hooks';
import type { Parser } from 'web-tree-sitter';
import type { LNode as Node } from './lnode.js';
import { copyTree } from './lnode.js';
import {
  ascii85Decode,
  base32Decode,
  base64Decode,
  base85Decode,
  bytesToBinary,
  decompress,
  fernetDecrypt,
  hexDecode,
  looksLikeText,
  rot13,
  utf16leDecode,
  utf8Decode,
  utf8Encode,
  decompressOther,
} from './decode.js';
import { importKey } from './imports.js';
import { parsePython } from './parser.js';
import { foldIntegerArithmetic } from './prefold.js';
import type { Dest, DictVal, FuncVal, ListVal, StrVal, Taint, Val } from './values.js';
import { IP_LOOKUP_RE, UNKNOWN, isStr, makeDest, sourceLabels, str, taintOf, unionTaint, withTaint } from './values.js';

export interface EventBase {
  line: number;
  col: number;
  /** Enclosing function (qualified), undefined at module top level. */
  fn: string | undefined;
  /** Inside `if __name__ == '__main__':`. */
  main: boolean;
  /** Decoded text this event was found in, when it came from deobfuscated code. */
  decoded?: string;
}

export interface CallFact extends EventBase {
  name: string;
  args: Val[];
  kw: Record<string, Val>;
}

export type SinkKind = 'http' | 'socket' | 'dns' | 'smtp' | 'ftp' | 'command';

export interface SinkFact extends EventBase {
  /** The call is a statement of its own: its result (the response) is never read. */
  discarded?: boolean;
  /** No constant destination: the enclosing function's parameters it is computed from. */
  destParams?: number[];
  /** An HTTP request that carries a body (data, json or files). */
  body?: boolean;
  kind: SinkKind;
  via: string;
  dest: Dest | undefined;
  /** Real data sources reaching the sink. */
  sources: string[];
  /** Function parameters (indexes) reaching the sink. */
  params: number[];
}

export interface ExecFact extends EventBase {
  via: string;
  /** Folded argument text when known. */
  code: string | undefined;
  /** The argument was produced by decoding/obfuscation. */
  fromDecoded: boolean;
  /** The argument came from the network. */
  fromNetwork: boolean;
  sources: string[];
  netHost?: string;
  /** The argument is embedded data XORed with a key the code does not contain (decrypted at run time). */
  encrypted?: boolean;
}

export interface CommandFact extends EventBase {
  via: string;
  cmd: string;
  partial: boolean;
  fromDecoded: boolean;
  fromNetwork: boolean;
  sources: string[];
}

export interface StringFact {
  s: string;
  line: number;
  col: number;
  dec: boolean;
  fn: string | undefined;
  decoded?: string;
}

export interface WriteFact extends EventBase {
  path: string | undefined;
  fromNetwork: boolean;
  /** `urlretrieve`-like download straight to a file. */
  download: boolean;
  /** Host the written data came from, when known. */
  netHost?: string;
  /** A repository cloned into the folder at `path`. */
  clone?: boolean;
}

export interface ClassFact {
  name: string;
  bases: string[];
  line: number;
  methods: string[];
}

export interface FuncSummary {
  name: string;
  qual: string;
  /** parameter index -> sinks reached by that parameter. */
  paramSinks: Map<number, SinkFact>;
  /** Calls this function makes with its own parameters: forwarded to other summaries. */
  forwards: { callee: string; argParams: number[][]; ev: EventBase }[];
}

export interface PendingCall extends EventBase {
  callee: string;
  /** Per positional argument: real source labels. */
  argSources: string[][];
  /** Per positional argument: parameter indexes of the caller that flow in. */
  argParams: number[][];
  /** Per positional argument: the network destination it names, if a constant URL or host. */
  argDests?: (Dest | undefined)[];
  /** Per positional argument: hosts of downloaded data it carries (`net:` labels without the prefix). */
  argNet?: string[][];
  caller: string | undefined;
}

export interface FileFacts {
  imports: Set<string>;
  calls: CallFact[];
  sinks: SinkFact[];
  execs: ExecFact[];
  commands: CommandFact[];
  strings: StringFact[];
  writes: WriteFact[];
  classes: ClassFact[];
  functions: FuncSummary[];
  pending: PendingCall[];
  /** Functions called from module top level (their bodies run when the module runs). */
  calledAtTop: Set<string>;
  parseErrors: { line: number; count: number } | undefined;
  decodeDepthHit: boolean;
  timedOut: boolean;
  /** Number of decoded payloads that were parsed and analysed. */
  decodedPayloads: number;
}

export function emptyFacts(): FileFacts {
  return {
    imports: new Set(),
    calls: [],
    sinks: [],
    execs: [],
    commands: [],
    strings: [],
    writes: [],
    classes: [],
    functions: [],
    pending: [],
    calledAtTop: new Set(),
    parseErrors: undefined,
    decodeDepthHit: false,
    timedOut: false,
    decodedPayloads: 0,
  };
}

export interface ExtractOptions {
  parser: Parser;
  maxDecodeDepth: number;
  maxDecodedBytes: number;
  deadline: number;
  parseBudgetMs: number;
  /** String constants this file imports from other modules of the package, by `importKey(module as written, name)`. */
  imported?: ReadonlyMap<string, StrVal>;
}

const MAX_CALLS = 20_000;
const MAX_STRINGS = 20_000;
const MAX_ITER = 100_000;
const MAX_UNROLL = 60_000;
/** Methods that add to a container in place. */
const MUTATORS = new Set(['append', 'extend', 'insert', 'add', 'add_field', 'update', 'appendleft', 'extendleft', 'write', 'writelines', 'setdefault']);
const MAX_INLINE_BODY = 3000;
const MAX_INLINE_DEPTH = 3;

const CRED_NAME_RE =
  /(?:AWS_|ALIBABA|ALICLOUD|ALIYUN|TENCENT|AZURE_|GOOGLE_APPLICATION|GCP_|GITHUB_TOKEN|GH_TOKEN|NPM_TOKEN|PYPI|TWINE_|SECRET|TOKEN|PASSW|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|DOCKER_AUTH|SLACK_|DISCORD|KUBECONFIG)/i;
const RECON_ENV_RE = /^(?:USER|USERNAME|LOGNAME|HOSTNAME|COMPUTERNAME|USERDOMAIN|HOME|USERPROFILE|PWD)$/i;
const PRIVATE_KEY_FN_RE = /private_?key|priv_?key|mnemonic|seed_?phrase/i;
const CRED_PARAM_RE = /^(?:private_?key|priv_?key|mnemonic|seed_?phrase|access_?key(?:_?id)?|access_?key_?secret|secret(?:_?access)?_?key|secret_?id|secret|ak|sk|access_?token|api_?key|api_?secret|session_?token|secret_?key_?id|client_?secret|password|passwd|token)$/i;
const CRED_FILE_RE =
  /(?:\.aws[\\/](?:credentials|config)|\.config[\\/]gcloud|application_default_credentials|\.azure[\\/]|\.aliyun[\\/]|\.kube[\\/]config|serviceaccount[\\/]token|\.npmrc|\.pypirc|\.docker[\\/]config\.json|\.netrc|\.git-credentials|\.ssh[\\/]|id_rsa|id_ed25519|\.config[\\/]gh[\\/]hosts|\/etc\/shadow|\.bash_history|\.zsh_history)/i;
const SECRET_FILE_RE =
  /(?:Login Data|Local State|Cookies|Web Data|logins\.json|key[34]\.db|cookies\.sqlite|Local Storage[\\/]leveldb|[\\/]leveldb|discord|tdata|Telegram Desktop|exodus|electrum|atomic[\\/]|Ethereum[\\/]keystore|wallet\.dat|MetaMask|nkbihfbeogaeaoehlefnkodbefgpgknn|Armory|Coinomi|Guarda|Jaxx|\.purple|FileZilla|Steam[\\/]config|Chrome[\\/]User Data|BraveSoftware|Opera Software|Yandex[\\/]YandexBrowser|Microsoft[\\/]Edge[\\/]User Data|\.mozilla[\\/]firefox|Mozilla[\\/]Firefox[\\/]Profiles|\.minecraft[\\/]|launcher_accounts(?:_microsoft_store)?\.json|\.lunarclient[\\/]|microsoft_accounts\.json|\.feather[\\/]accounts|Roblox[\\/]|\.ROBLOSECURITY|loginusers\.vdf)/i;

const BUILTINS = new Set(
  'exec eval compile __import__ getattr setattr globals locals vars chr ord bytes bytearray str int float list tuple dict set map filter zip reversed sorted open print len range input hex oct bin abs min max sum any all isinstance type repr format iter next hasattr delattr id hash callable memoryview frozenset enumerate round divmod pow super object property staticmethod classmethod breakpoint copyright credits license help dir slice ascii exit quit __builtins__ execfile reload unicode unichr basestring long raw_input file apply reduce'.split(' '),
);

/** Calls that return a connected socket (TLS-wrapped or not): methods on it are socket methods. */
const SOCKET_FACTORY_RE = /^(?:ssl\.(?:SSLContext|create_default_context|_create_unverified_context)\.wrap_socket|ssl\.wrap_socket|socket\.create_connection)\./;

function normaliseName(name: string): string {
  let n = name;
  const factory = SOCKET_FACTORY_RE.exec(n);
  if (factory !== null) n = `socket.socket.${n.slice(factory[0].length)}`;
  for (const prefix of ['builtins.', '__builtins__.', '__builtin__.', '__builtins__.__dict__.']) if (n.startsWith(prefix)) n = n.slice(prefix.length);
  if (n.startsWith('importlib.__import__')) n = '__import__';
  return n;
}

function sinkCall(name: string): { kind: 'http' | 'socket' | 'dns' | 'smtp' | 'ftp'; destArg: number | 'recv' } | undefined {
  if (/^(?:requests|httpx|niquests|grequests)(?:\.(?:Session|session|Client|AsyncClient)(?:\.__enter__)?)?\.(?:get|post|put|patch|delete|head|options|request|stream)$/.test(name)) {
    return { kind: 'http', destArg: name.endsWith('.request') || name.endsWith('.stream') ? 1 : 0 };
  }
  if (/^(?:urllib\.request|urllib2|urllib|six\.moves\.urllib\.request)\.(?:urlopen|urlretrieve|build_opener\.open)$/.test(name)) return { kind: 'http', destArg: 0 };
  if (/^aiohttp\.ClientSession\.(?:get|post|put|patch|request)$/.test(name)) return { kind: 'http', destArg: name.endsWith('.request') ? 1 : 0 };
  if (/^(?:urllib3\.PoolManager|urllib3\.poolmanager\.PoolManager)\.(?:request|urlopen)$/.test(name)) return { kind: 'http', destArg: 1 };
  if (/^(?:http\.client|httplib)\.HTTPS?Connection\.(?:request|putrequest|send)$/.test(name)) return { kind: 'http', destArg: 'recv' };
  if (/^(?:pycurl\.Curl\.perform|wget\.download|webbrowser\.open)$/.test(name)) return { kind: 'http', destArg: 0 };
  if (/^socket\.(?:socket\.(?:connect|connect_ex|send|sendall|sendto)|create_connection)$/.test(name)) return { kind: 'socket', destArg: name.endsWith('sendto') ? 1 : name.endsWith('create_connection') || name.includes('connect') ? 0 : 'recv' };
  if (/^(?:socket\.(?:gethostbyname|gethostbyname_ex|getaddrinfo)|dns\.resolver\.(?:resolve|query|Resolver\.resolve|Resolver\.query))$/.test(name)) return { kind: 'dns', destArg: 0 };
  if (/^smtplib\.SMTP(?:_SSL)?\.(?:sendmail|send_message)$/.test(name)) return { kind: 'smtp', destArg: 'recv' };
  if (/^ftplib\.FTP\.(?:storbinary|storlines|login)$/.test(name)) return { kind: 'ftp', destArg: 'recv' };
  if (/^(?:discord_webhook\.DiscordWebhook\.execute|dhooks\.Webhook\.send|telebot\.TeleBot\.send_message|telegram\.Bot\.send_message)$/.test(name)) return { kind: 'http', destArg: 'recv' };
  return undefined;
}

/** What the output of a reconnaissance command reveals (its output is a taint source). */
const RECON_COMMANDS: readonly [RegExp, string][] = [
  [/^\s*(?:whoami|id|logname|net\s+user|query\s+user)\b/i, 'recon:user'],
  [/^\s*(?:hostname|uname|systeminfo|ver|sw_vers|lsb_release|cat\s+\/etc\/(?:os-release|issue))\b/i, 'recon:hostname'],
  [/^\s*(?:ipconfig|ifconfig|ip\s+a(?:ddr)?|curl\s+(?:-s\s+)?(?:ifconfig\.me|ipinfo\.io|api\.ipify\.org))\b/i, 'recon:ip'],
  [/^\s*(?:ls|dir|pwd|cd|find|tree|cat\s+\/etc\/(?:passwd|shadow|hosts))\b/i, 'recon:files'],
  [/^\s*(?:env|printenv|set)\s*$/i, 'env:*'],
];

/** Calls that run a function given as an argument (now or soon): threads, processes, timers, exit hooks. */
const DEFERRED_CALL_RE = /^(?:threading\.(?:Thread|Timer)|multiprocessing\.Process|_thread\.start_new_thread|thread\.start_new_thread|atexit\.register|concurrent\.futures\.(?:ThreadPoolExecutor|ProcessPoolExecutor)(?:\.__enter__)?\.submit)$/;

const WELL_KNOWN_MODULES = new Set(['os', 'sys', 'subprocess', 'socket', 'urllib', 'urllib2', 'requests', 'base64', 'zlib', 'marshal', 'ctypes', 'shutil', 'platform', 'getpass', 'codecs', 'httpx', 'http', 'smtplib', 'winreg']);

const CODE_FLAG_RE = /^(?:-c|-e|-E|\/c|\/C|-Command|-EncodedCommand|-enc)$/;

function strAt(v: Val | undefined): string {
  return v?.k === 'str' ? v.s : '';
}

/** Bytes XORed with a value the code does not hold (a key passed in): decrypted at run time. */
const XOR_FROM = 'decoded.xor';

/** Taint label of anything built from run-time-decrypted data (a command line around it, say). */
const DECRYPTED: Taint = new Set(['decrypted']);

function isXorOutput(v: Val | undefined): boolean {
  return v?.k === 'unknown' && v.from === XOR_FROM;
}

/** A byte of embedded data (0..255): what a key byte is XORed with. */
function isDataByte(v: Val): boolean {
  // (iterating folded bytes yields one-character binary strings)
  return (v.k === 'num' && Number.isInteger(v.n) && v.n >= 0 && v.n <= 255) || (v.k === 'str' && v.bytes === true && v.s.length === 1);
}

/** Output of a decoder whose input was computed (`b64decode(x)`, `b64decode(x).decode()`). */
function isDecodedOutput(from: string | undefined): boolean {
  return from === 'decoded' || (from?.startsWith('decoded.') ?? false);
}

const COMMAND_RE = /^(?:os\.(?:system|popen|popen[234]|spawn[lv]p?e?|exec[lv]p?e?|startfile|posix_spawnp?)|subprocess\.(?:Popen|call|run|check_call|check_output|getoutput|getstatusoutput)|commands\.getoutput|pty\.spawn|asyncio\.create_subprocess_(?:shell|exec)|win32api\.ShellExecute|ctypes\.windll\.shell32\.ShellExecuteW|sh\.Command)$/;
/** The `string` module's alphabets: substitution ciphers (atbash, Caesar) are built from them. */
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const WHITESPACE = ' \t\n\r\x0b\x0c';
const STRING_CONSTANTS: ReadonlyMap<string, string> = new Map([
  ['string.ascii_lowercase', LOWER],
  ['string.ascii_uppercase', UPPER],
  ['string.ascii_letters', LOWER + UPPER],
  ['string.digits', '0123456789'],
  ['string.hexdigits', '0123456789abcdefABCDEF'],
  ['string.octdigits', '01234567'],
  ['string.punctuation', PUNCTUATION],
  ['string.whitespace', WHITESPACE],
  ['string.printable', '0123456789' + LOWER + UPPER + PUNCTUATION + WHITESPACE],
]);
const STEGO_READ_RE = /(?:^|\.)(?:lsb|lsbset|exifHeader|red|steganography|stegano)\.(?:reveal|decode|extract)$/;
const EXEC_RE = /^(?:exec|eval|compile|execfile|types\.FunctionType|runpy\.run_path|code\.InteractiveInterpreter\.runsource|builtins\.exec)$/;

interface Scope {
  vars: Map<string, Val>;
  parent: Scope | undefined;
  fn: string | undefined;
  summary: FuncSummary | undefined;
  params: string[];
  cls: string | undefined;
  selfAttrs: Map<string, Val> | undefined;
  main: boolean;
  classBody?: boolean;
}

interface Origin {
  line: number;
  col: number;
  decoded: string;
}

interface LambdaBody {
  node: Node;
  scope: Scope;
}

function kids(n: Node): Node[] {
  return n.namedChildren.filter((c): c is Node => c !== null);
}

function field(n: Node, name: string): Node | undefined {
  return n.childForFieldName(name) ?? undefined;
}

function asList(v: Val): Val[] | undefined {
  if (v.k === 'list') return v.items;
  if (v.k === 'str' && !v.partial) return [...v.s].map((c) => str(c, v.bytes ? { bytes: true } : {}));
  return undefined;
}

function toNum(v: Val | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v.k === 'num') return v.n;
  return undefined;
}

function pyRepr(v: Val): string {
  if (v.k === 'str') return v.s;
  if (v.k === 'num') return String(v.n);
  return '\uFFFD';
}

function unescapePy(body: string, raw: boolean, bytes: boolean): string {
  if (raw || !body.includes('\\')) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]{1,60}\}|[0-7]{1,3}|\r\n|[\s\S])/g, (_m, e: string) => {
    const c = e[0];
    switch (c) {
      case 'x':
        return String.fromCharCode(parseInt(e.slice(1), 16));
      case 'u':
      case 'U':
        if (bytes) return '\\' + e;
        try {
          return String.fromCodePoint(parseInt(e.slice(1), 16));
        } catch {
          return '\uFFFD';
        }
      case 'N':
        return bytes ? '\\' + e : '\uFFFD';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        return String.fromCharCode(parseInt(e, 8) & (bytes ? 0xff : 0x1ff));
      case '\n':
      case '\r':
        return '';
      case '\\':
        return '\\';
      case "'":
        return "'";
      case '"':
        return '"';
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      default:
        return '\\' + e;
    }
  });
}

function pyFormatPercent(fmt: string, args: Val[]): string | undefined {
  let i = 0;
  let bad = false;
  const out = fmt.replace(/%(?:\([^)]{0,40}\))?[-+ #0]*(?:\d+|\*)?(?:\.\d+)?([diouxXeEfFgGcrsa%])/g, (m, conv: string) => {
    if (conv === '%') return '%';
    const a = args[i++];
    if (a === undefined) {
      bad = true;
      return m;
    }
    if (conv === 'c') return a.k === 'num' ? String.fromCharCode(a.n) : pyRepr(a);
    if (conv === 'x') return a.k === 'num' ? a.n.toString(16) : '\uFFFD';
    if (conv === 'd' || conv === 'i') return a.k === 'num' ? String(Math.trunc(a.n)) : '\uFFFD';
    return pyRepr(a);
  });
  return bad ? undefined : out;
}

function pyFormatMethod(fmt: string, args: Val[], kw: Record<string, Val>): string {
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}]{0,40})\}/g, (m, inner: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const spec = (inner ?? '').split(/[!:]/)[0] ?? '';
    let v: Val | undefined;
    if (spec === '') v = args[auto++];
    else if (/^\d+$/.test(spec)) v = args[Number(spec)];
    else v = kw[spec];
    return v === undefined ? '\uFFFD' : pyRepr(v);
  });
}

/** Python-style slicing with negative indices and steps. */
function pySlice<T>(items: T[], start: number | undefined, stop: number | undefined, step: number): T[] {
  const n = items.length;
  if (step === 0) return [];
  const norm = (i: number, dflt: number, lo: number, hi: number): number => {
    if (Number.isNaN(i)) return dflt;
    let j = i < 0 ? i + n : i;
    if (j < lo) j = lo;
    if (j > hi) j = hi;
    return j;
  };
  const out: T[] = [];
  if (step > 0) {
    const a = start === undefined ? 0 : norm(start, 0, 0, n);
    const b = stop === undefined ? n : norm(stop, n, 0, n);
    for (let i = a; i < b; i += step) out.push(items[i] as T);
  } else {
    const a = start === undefined ? n - 1 : norm(start, n - 1, -1, n - 1);
    const b = stop === undefined ? -1 : norm(stop, -1, -1, n - 1);
    for (let i = a; i > b; i += step) out.push(items[i] as T);
  }
  return out;
}

/** The variables a comprehension's `for` clauses bind (`for k, v in …` binds k and v). */
function loopNames(clauses: readonly Node[]): string[] {
  return clauses.flatMap((k) => (k.type === 'for_in_clause' ? (field(k, 'left')?.text.match(/\w+/g) ?? []) : []));
}

const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'generator_expression', 'dictionary_comprehension']);

/**
 * Whether evaluating `n` reads one of the variables `names` (attribute and keyword names are not
 * reads; a nested comprehension's own loop variables shadow the outer ones, except in its first
 * iterable, which is evaluated outside it).
 */
function readsAny(n: Node, names: readonly string[]): boolean {
  if (names.length === 0) return false;
  if (n.type === 'identifier') return names.includes(n.text);
  if (n.type === 'attribute') {
    const object = field(n, 'object');
    return object !== undefined && readsAny(object, names);
  }
  if (n.type === 'keyword_argument') {
    const value = field(n, 'value');
    return value !== undefined && readsAny(value, names);
  }
  if (COMPREHENSIONS.has(n.type)) {
    const clauses = kids(n).filter((k) => k.type === 'for_in_clause' || k.type === 'if_clause');
    const bound = loopNames(clauses);
    const firstRight = clauses[0] !== undefined ? field(clauses[0], 'right') : undefined;
    if (firstRight !== undefined && readsAny(firstRight, names)) return true;
    const inside = names.filter((x) => !bound.includes(x));
    return kids(n).some((k) => k !== clauses[0] && readsAny(k, inside));
  }
  return kids(n).some((k) => readsAny(k, names));
}

/** Rows of a comprehension's lookup table by key, and how to compute the key an outer item looks for. */
interface JoinIndex {
  rows: Val[];
  index: Map<string | undefined, Val[]>;
  probe: (scope: Scope) => string | undefined;
}

/** One comparison of two constants, or undefined when either side is not a known string or number. */
function compareConstants(op: string, a: Val, b: Val): boolean | undefined {
  if (op === 'in' || op === 'not in') {
    let found: boolean | undefined;
    if (b.k === 'str' && !b.partial && a.k === 'str' && !a.partial) found = b.s.includes(a.s);
    else if (b.k === 'list' && b.items.length <= 256 && (a.k === 'str' || a.k === 'num') && b.items.every((x) => (x.k === 'str' && !x.partial) || x.k === 'num')) {
      found = b.items.some((x) => (x.k === 'str' && a.k === 'str' && x.s === a.s) || (x.k === 'num' && a.k === 'num' && x.n === a.n));
    }
    return found === undefined ? undefined : op === 'in' ? found : !found;
  }
  const av = a.k === 'num' ? a.n : a.k === 'str' && !a.partial ? a.s : undefined;
  const bv = b.k === 'num' ? b.n : b.k === 'str' && !b.partial ? b.s : undefined;
  if (av === undefined || bv === undefined || typeof av !== typeof bv) return op === '==' && av !== undefined && bv !== undefined ? false : op === '!=' && av !== undefined && bv !== undefined ? true : undefined;
  switch (op) {
    case '==':
      return av === bv;
    case '!=':
      return av !== bv;
    case '<':
      return av < bv;
    case '<=':
      return av <= bv;
    case '>':
      return av > bv;
    case '>=':
      return av >= bv;
    default:
      return undefined;
  }
}

/** A constant that names a network destination: a URL or a dotted host name. */
const URLISH_RE = /^\s*(?:[a-z][a-z0-9+.-]{0,15}:\/\/|[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*\.[a-z]{2,24}(?:[:/]|$))/i;

/** A local function's arguments by parameter position: keyword arguments take their parameter's slot. */
function byPosition(fn: FuncVal, args: readonly Val[], kw: Readonly<Record<string, Val>>): Val[] {
  const out = [...args];
  for (const [name, v] of Object.entries(kw)) {
    const i = fn.params.indexOf(name);
    if (i >= out.length) {
      while (out.length < i) out.push(UNKNOWN);
      out.push(v);
    } else if (i >= 0 && out[i] === UNKNOWN) out[i] = v;
  }
  return out;
}

export class FactExtractor {
  readonly facts: FileFacts = emptyFacts();
  private readonly module: Scope;
  private origin: Origin | undefined;
  private depth = 0;
  /** Nesting of conditional branches (if/try/match) around the statement being walked. */
  private condDepth = 0;
  private steps = 0;
  private inlineDepth = 0;
  /** Files written with downloaded data, by function and path ('' when the path is computed): their `net:` labels. */
  private readonly netFiles: { fn: string | undefined; path: string; labels: string[] }[] = [];

  /** `net:` labels of a file that `fn` wrote downloaded data to and now reads (same path, or either path computed). */
  private downloadedFile(fn: string | undefined, path: string): string[] {
    const out: string[] = [];
    for (const w of this.netFiles) if (w.fn === fn && (path === '' || w.path === '' || w.path === path)) out.push(...w.labels);
    return out;
  }
  /** The call node of the expression statement being evaluated (its result is discarded). */
  private discarded: Node | undefined;
  /** > 0 while re-walking unrolled loop iterations: facts are not recorded again. */
  private quiet = 0;

  constructor(
    private readonly opts: ExtractOptions,
    private readonly moduleName: string,
  ) {
    this.module = { vars: new Map(), parent: undefined, fn: undefined, summary: undefined, params: [], cls: undefined, selfAttrs: undefined, main: false };
  }

  /** Walks a parsed module. */
  walkModule(root: Node): void {
    this.countErrors(root);
    this.walkBlock(root, this.module);
    this.closeReachability();
  }

  /** Functions called (transitively) from module top level run with the module. */
  private closeReachability(): void {
    const edges = new Map<string, string[]>();
    const reach = new Set<string>();
    for (const e of this.facts.calledAtTop) {
      const i = e.indexOf('->');
      if (i < 0) reach.add(e);
      else {
        const from = e.slice(0, i);
        const list = edges.get(from) ?? [];
        list.push(e.slice(i + 2));
        edges.set(from, list);
      }
    }
    const queue = [...reach];
    while (queue.length > 0) {
      const f = queue.pop() as string;
      for (const g of edges.get(f) ?? []) {
        if (!reach.has(g)) {
          reach.add(g);
          queue.push(g);
        }
      }
    }
    for (const r of reach) this.facts.calledAtTop.add(r);
  }

  private countErrors(root: Node): void {
    if (!root.hasError) return;
    let count = 0;
    let first = 0;
    const stack: Node[] = [root];
    while (stack.length > 0 && count < 1000) {
      const n = stack.pop() as Node;
      if (!n.hasError) continue;
      if (n.isError || n.isMissing) {
        count++;
        const line = n.startPosition.row + 1;
        if (first === 0 || line < first) first = line;
        continue;
      }
      for (const c of n.children) if (c !== null) stack.push(c);
    }
    if (count > 0 && this.origin === undefined) this.facts.parseErrors = { line: first, count };
  }

  // ---------------------------------------------------------------------------------------- events

  private ev(node: Node, scope: Scope): EventBase {
    if (this.origin !== undefined) return { line: this.origin.line, col: this.origin.col, fn: scope.fn, main: scope.main, decoded: this.decodedSnippet(node) };
    return { line: node.startPosition.row + 1, col: node.startPosition.column + 1, fn: scope.fn, main: scope.main };
  }

  private decodedSnippet(node: Node): string {
    const text = node.text;
    return text.length > 300 ? text.slice(0, 300) + '…' : text;
  }

  private addString(v: StrVal, node: Node, scope: Scope): void {
    if (this.quiet > 0 || this.facts.strings.length >= MAX_STRINGS || v.s.length < 4) return;
    const e = this.ev(node, scope);
    const s = v.bytes && !looksLikeText(v.s) ? '' : v.bytes ? utf8Decode(v.s) : v.s;
    if (s === '') return;
    const fact: StringFact = { s: s.length > 100_000 ? s.slice(0, 100_000) : s, line: e.line, col: e.col, dec: v.dec === true || this.origin !== undefined, fn: scope.fn };
    if (e.decoded !== undefined) fact.decoded = e.decoded;
    this.facts.strings.push(fact);
  }

  private budgetLeft(): boolean {
    if ((++this.steps & 1023) === 0 && performance.now() > this.opts.deadline) this.facts.timedOut = true;
    return !this.facts.timedOut;
  }

  // ---------------------------------------------------------------------------------------- statements

  private walkBlock(block: Node, scope: Scope): void {
    for (const st of kids(block)) {
      if (!this.budgetLeft()) return;
      this.walkStmt(st, scope);
    }
  }

  private walkStmt(st: Node, scope: Scope): void {
    switch (st.type) {
      case 'expression_statement':
        for (const e of kids(st)) {
          // A call whose result nobody reads: a request made only to be seen (a beacon).
          if (e.type === 'call') this.discarded = e;
          this.evalExpr(e, scope);
        }
        return;
      case 'import_statement':
      case 'import_from_statement':
      case 'future_import_statement':
        this.walkImport(st, scope);
        return;
      case 'function_definition':
        this.walkFunction(st, scope);
        return;
      case 'class_definition':
        this.walkClass(st, scope);
        return;
      case 'decorated_definition': {
        for (const c of kids(st)) {
          if (c.type === 'decorator') this.evalExpr(kids(c)[0] ?? c, scope);
          else this.walkStmt(c, scope);
        }
        return;
      }
      case 'if_statement': {
        const cond = field(st, 'condition');
        const isMain = cond !== undefined && /^__name__\s*==\s*['"]__main__['"]$|^['"]__main__['"]\s*==\s*__name__$/.test(cond.text);
        if (cond !== undefined) this.evalExpr(cond, scope);
        this.condDepth++;
        try {
          for (const c of kids(st)) {
            if (cond !== undefined && c.id === cond.id) continue;
            if (c.type === 'block') this.walkBlock(c, isMain ? { ...scope, main: true } : scope);
            else if (c.type === 'elif_clause' || c.type === 'else_clause') {
              const cc = field(c, 'condition');
              if (cc !== undefined) this.evalExpr(cc, scope);
              const body = field(c, 'consequence') ?? field(c, 'body') ?? kids(c).find((k) => k.type === 'block');
              if (body !== undefined) this.walkBlock(body, scope);
            }
          }
        } finally {
          this.condDepth--;
        }
        return;
      }
      case 'for_statement': {
        const right = field(st, 'right');
        const left = field(st, 'left');
        const rv = right !== undefined ? this.evalExpr(right, scope) : UNKNOWN;
        const body = field(st, 'body');
        const items = asList(rv);
        // Small loops over known sequences are unrolled: that is how XOR/chr decoders build payloads.
        if (left !== undefined && body !== undefined && items !== undefined && items.length > 0 && items.length <= MAX_UNROLL && kids(body).length <= 8 && !/\b(?:def|class|while|for)\b/.test(body.text.slice(0, 2000))) {
          this.bindTarget(left, items[0] as Val, scope);
          this.walkBlock(body, scope);
          this.quiet++;
          try {
            for (let i = 1; i < items.length && !this.facts.timedOut; i++) {
              this.bindTarget(left, items[i] as Val, scope);
              this.walkBlock(body, scope);
            }
          } finally {
            this.quiet--;
          }
          return;
        }
        if (left !== undefined) this.bindTarget(left, withTaint({ k: 'unknown' }, taintOf(rv)), scope);
        for (const c of kids(st)) if (c.type === 'block' || c.type === 'else_clause') this.walkBlock(c.type === 'block' ? c : (kids(c)[0] ?? c), scope);
        return;
      }
      case 'while_statement':
      case 'try_statement':
      case 'with_statement':
      case 'match_statement':
      case 'except_clause':
      case 'finally_clause':
      case 'else_clause':
      case 'elif_clause':
      case 'case_clause':
      case 'block':
      case 'except_group_clause': {
        const branching = st.type === 'try_statement' || st.type === 'match_statement';
        if (branching) this.condDepth++;
        try {
          this.walkChildren(st, scope);
        } finally {
          if (branching) this.condDepth--;
        }
        return;
      }
      case 'return_statement': {
        const e = kids(st)[0];
        const v = e !== undefined ? this.evalExpr(e, scope) : UNKNOWN;
        if (scope.summary !== undefined) {
          const prev = scope.vars.get('\0return');
          scope.vars.set('\0return', prev === undefined ? v : withTaint(prev.k === 'str' && v.k !== 'str' ? v : prev, taintOf(v)));
        }
        return;
      }
      case 'print_statement':
      case 'assert_statement':
      case 'delete_statement':
      case 'raise_statement':
        for (const c of kids(st)) this.evalExpr(c, scope);
        return;
      case 'exec_statement': {
        const code = field(st, 'code') ?? kids(st)[0];
        if (code !== undefined) this.handleExec('exec', [this.evalExpr(code, scope)], st, scope);
        return;
      }
      case 'global_statement':
      case 'nonlocal_statement':
      case 'pass_statement':
      case 'break_statement':
      case 'continue_statement':
      case 'comment':
        return;
      default:
        for (const c of kids(st)) if (c.type !== 'comment') this.evalExpr(c, scope);
    }
  }

  private walkImport(st: Node, scope: Scope): void {
    if (st.type === 'import_statement') {
      for (const c of kids(st)) {
        if (c.type === 'dotted_name') {
          const full = c.text;
          this.facts.imports.add(full);
          const head = full.split('.')[0] ?? full;
          scope.vars.set(head, { k: 'ref', name: head });
        } else if (c.type === 'aliased_import') {
          const name = field(c, 'name')?.text ?? '';
          const alias = field(c, 'alias')?.text ?? name;
          this.facts.imports.add(name);
          scope.vars.set(alias, { k: 'ref', name });
        }
      }
      return;
    }
    const modNode = field(st, 'module_name');
    let mod = modNode?.text ?? '';
    if (mod.startsWith('.')) mod = mod.replace(/^\.+/, '');
    if (mod !== '') this.facts.imports.add(modNode?.text ?? mod);
    const written = modNode?.text ?? '';
    for (const c of kids(st)) {
      if (modNode !== undefined && c.id === modNode.id) continue;
      if (c.type === 'dotted_name') {
        const n = c.text;
        this.facts.imports.add(mod === '' ? n : `${mod}.${n}`);
        scope.vars.set(n.split('.')[0] ?? n, this.opts.imported?.get(importKey(written, n)) ?? { k: 'ref', name: mod === '' ? n : `${mod}.${n}` });
      } else if (c.type === 'aliased_import') {
        const n = field(c, 'name')?.text ?? '';
        const alias = field(c, 'alias')?.text ?? n;
        this.facts.imports.add(mod === '' ? n : `${mod}.${n}`);
        scope.vars.set(alias, this.opts.imported?.get(importKey(written, n)) ?? { k: 'ref', name: mod === '' ? n : `${mod}.${n}` });
      }
    }
  }

  private paramNames(params: Node | undefined): string[] {
    if (params === undefined) return [];
    const out: string[] = [];
    for (const p of kids(params)) {
      if (p.type === 'identifier') out.push(p.text);
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter' || p.type === 'typed_parameter') {
        const n = field(p, 'name') ?? kids(p).find((k) => k.type === 'identifier');
        if (n !== undefined) out.push(n.text);
      } else if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern') out.push('*' + (kids(p)[0]?.text ?? ''));
    }
    return out;
  }

  private walkFunction(st: Node, scope: Scope): void {
    const name = field(st, 'name')?.text ?? '<fn>';
    const inClass = scope.classBody === true;
    const qual = inClass && scope.cls !== undefined ? `${scope.cls}.${name}` : scope.fn !== undefined ? `${scope.fn}.${name}` : name;
    let params = this.paramNames(field(st, 'parameters'));
    const bound = inClass && params[0] === 'self';
    if (inClass && (params[0] === 'self' || params[0] === 'cls')) params = params.slice(1);
    const summary: FuncSummary = { name, qual, paramSinks: new Map(), forwards: [] };
    const fn: FuncVal = { k: 'func', name: qual, params, ...(bound ? { bound } : {}) };
    const bodyNode = field(st, 'body');
    if (bodyNode !== undefined && bodyNode.endIndex - bodyNode.startIndex <= MAX_INLINE_BODY) fn.inline = { node: bodyNode, scope } satisfies LambdaBody;
    scope.vars.set(name, fn);
    const local: Scope = { vars: new Map(), parent: inClass ? (scope.parent ?? this.module) : scope, fn: qual, summary, params, cls: scope.cls, selfAttrs: scope.selfAttrs, main: false };
    params.forEach((p, i) => {
      const labels = new Set<string>([`param:${i}`]);
      // A key handed to a function named for private keys is one (`_parsePrivateKey(self, key)`).
      if (CRED_PARAM_RE.test(p.replace(/^\*+/, '')) || (/^(?:key|k|value)$/.test(p) && PRIVATE_KEY_FN_RE.test(name))) labels.add(`cred-param:${p}`);
      local.vars.set(p.replace(/^\*+/, ''), { k: 'unknown', taint: labels });
    });
    if (inClass) local.vars.set('self', { k: 'unknown', from: `self:${scope.cls ?? ''}` });
    const body = field(st, 'body');
    if (body !== undefined) this.walkBlock(body, local);
    const ret = local.vars.get('\0return');
    if (ret !== undefined) this.returns.set(qual, ret);
    this.facts.functions.push(summary);
  }

  private readonly returns = new Map<string, Val>();

  private walkClass(st: Node, scope: Scope): void {
    const name = field(st, 'name')?.text ?? '<class>';
    const bases: string[] = [];
    const sup = field(st, 'superclasses');
    if (sup !== undefined) {
      for (const b of kids(sup)) {
        if (b.type === 'keyword_argument') continue;
        const v = this.evalExpr(b, scope);
        bases.push(v.k === 'ref' ? v.name : b.text);
      }
    }
    const fact: ClassFact = { name, bases, line: st.startPosition.row + 1, methods: [] };
    this.facts.classes.push(fact);
    scope.vars.set(name, { k: 'ref', name: `class:${name}` });
    const inner: Scope = { vars: new Map(), parent: scope, fn: scope.fn, summary: undefined, params: [], cls: name, selfAttrs: new Map(), main: scope.main, classBody: true };
    const body = field(st, 'body');
    if (body === undefined) return;
    for (const c of kids(body)) {
      const def = c.type === 'decorated_definition' ? (field(c, 'definition') ?? kids(c).find((k) => k.type === 'function_definition')) : c;
      if (def?.type === 'function_definition') fact.methods.push(field(def, 'name')?.text ?? '');
      this.walkStmt(c, inner);
    }
    // `Class.method(...)` reaches static and class methods; `Class().method(...)` any method.
    const methods = new Map<string, FuncVal>();
    for (const [n, v] of inner.vars) if (v.k === 'func') methods.set(n, v);
    if (methods.size > 0) this.classMethods.set(name, methods);
  }

  private readonly classMethods = new Map<string, Map<string, FuncVal>>();

  /**
   * `xs.append(v)` / `xs.extend(vs)` / `d.update(m)` on a variable: a known list grows (decoders build
   * payloads with append loops), and in any case the variable takes the taint of what was added.
   */
  private mutateContainer(fnNode: Node, args: Val[], argTaint: Taint | undefined, scope: Scope): void {
    const method = field(fnNode, 'attribute')?.text;
    const objNode = field(fnNode, 'object');
    if (method === undefined || objNode?.type !== 'identifier' || !MUTATORS.has(method)) return;
    const name = objNode.text;
    let holder: Scope | undefined = scope;
    while (holder !== undefined && !holder.vars.has(name)) holder = holder.parent;
    const cur = holder?.vars.get(name);
    if (holder === undefined || cur === undefined) return;
    let next: Val = cur;
    const a0 = args[0];
    if (cur.k === 'list' && cur.items.length < MAX_ITER && a0 !== undefined) {
      if (method === 'append') next = { ...cur, items: [...cur.items, a0] };
      else if (method === 'extend') {
        const more = asList(a0);
        next = more !== undefined && cur.items.length + more.length <= MAX_ITER ? { ...cur, items: [...cur.items, ...more] } : withTaint({ k: 'unknown' }, unionTaint(taintOf(cur), argTaint));
      }
    }
    if (next === cur && (argTaint === undefined || argTaint.size === 0)) return;
    holder.vars.set(name, next === cur ? withTaint(cur, unionTaint(taintOf(cur), argTaint)) : next);
  }

  /** Walks the blocks and clauses of a compound statement (with/try/while/match…) in order. */
  private walkChildren(st: Node, scope: Scope): void {
    for (const c of kids(st)) {
      if (c.type === 'block') this.walkBlock(c, scope);
      else if (c.type === 'with_clause') {
        for (const item of kids(c)) {
          const v = field(item, 'value') ?? kids(item)[0];
          if (v === undefined) continue;
          if (v.type === 'as_pattern') {
            const [inner, target] = [kids(v)[0], field(v, 'alias') ?? kids(v)[1]];
            const val = inner !== undefined ? this.evalExpr(inner, scope) : UNKNOWN;
            const tgt = target?.type === 'as_pattern_target' ? kids(target)[0] : target;
            if (tgt !== undefined) this.bindTarget(tgt, val, scope);
          } else this.evalExpr(v, scope);
        }
      } else if (c.type.endsWith('_clause') || c.type === 'block') this.walkStmt(c, scope);
      else if (st.type === 'while_statement' || st.type === 'match_statement') this.evalExpr(c, scope);
    }
  }

  private lookup(name: string, scope: Scope): Val | undefined {
    for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private bindTarget(target: Node, v: Val, scope: Scope): void {
    switch (target.type) {
      case 'identifier': {
        // Inside a branch, a reassignment keeps the taint of the value it replaces: the other branch
        // may be the one that runs (`try: data = secrets ... except: data = {}` then `send(data)`).
        const old = this.condDepth > 0 ? scope.vars.get(target.text) : undefined;
        const oldTaint = old !== undefined ? taintOf(old) : undefined;
        scope.vars.set(target.text, oldTaint !== undefined && oldTaint.size > 0 ? withTaint(v, unionTaint(oldTaint, taintOf(v))) : v);
        return;
      }
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list':
      case 'expression_list': {
        const items = v.k === 'list' ? v.items : undefined;
        kids(target).forEach((t, i) => this.bindTarget(t, items?.[i] ?? withTaint({ k: 'unknown' }, taintOf(v)), scope));
        return;
      }
      case 'attribute': {
        const obj = field(target, 'object');
        const attr = field(target, 'attribute')?.text ?? '';
        if (obj?.text === 'self' && scope.selfAttrs !== undefined) scope.selfAttrs.set(attr, v);
        else if (obj !== undefined) this.evalExpr(obj, scope);
        return;
      }
      case 'subscript': {
        const base = field(target, 'value');
        if (base === undefined) return;
        const bv = this.evalExpr(base, scope);
        const key = field(target, 'subscript');
        const kv = key !== undefined ? this.evalExpr(key, scope) : UNKNOWN;
        if (bv.k === 'dict') bv.entries.push([kv, v]);
        else if (base.type === 'identifier' && taintOf(v) !== undefined) scope.vars.set(base.text, withTaint(bv, taintOf(v)));
        return;
      }
      default:
        return;
    }
  }

  // ---------------------------------------------------------------------------------------- expressions

  evalExpr(node: Node, scope: Scope): Val {
    if (!this.budgetLeft()) return UNKNOWN;
    switch (node.type) {
      case 'string':
        return this.evalString(node, scope);
      case 'concatenated_string': {
        const parts = kids(node).map((k) => this.evalExpr(k, scope));
        return this.concat(parts);
      }
      case 'integer': {
        const t = node.text.replace(/_/g, '').replace(/[lL]$/, '');
        const n = /^0[xX]/.test(t) ? parseInt(t.slice(2), 16) : /^0[oO]/.test(t) ? parseInt(t.slice(2), 8) : /^0[bB]/.test(t) ? parseInt(t.slice(2), 2) : /^0\d+$/.test(t) ? parseInt(t, 8) : Number(t);
        return { k: 'num', n };
      }
      case 'float':
        return { k: 'num', n: Number(node.text.replace(/_/g, '')) };
      case 'true':
        return { k: 'num', n: 1 };
      case 'false':
        return { k: 'num', n: 0 };
      case 'none':
        return UNKNOWN;
      case 'identifier':
        return this.evalName(node.text, scope);
      case 'parenthesized_expression':
      case 'expression_statement':
      case 'await': {
        const inner = kids(node);
        let last: Val = UNKNOWN;
        for (const k of inner) last = this.evalExpr(k, scope);
        return last;
      }
      case 'attribute':
        return this.evalAttribute(node, scope);
      case 'subscript':
        return this.evalSubscript(node, scope);
      case 'call':
        return this.evalCall(node, scope);
      case 'binary_operator':
        return this.evalBinary(node, scope);
      case 'unary_operator': {
        const arg = field(node, 'argument');
        const v = arg !== undefined ? this.evalExpr(arg, scope) : UNKNOWN;
        const op = field(node, 'operator')?.text ?? node.text[0];
        if (v.k === 'num') {
          if (op === '-') return { k: 'num', n: -v.n };
          if (op === '~') return { k: 'num', n: ~v.n };
          return v;
        }
        return withTaint({ k: 'unknown' }, taintOf(v));
      }
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list': {
        const items: Val[] = [];
        for (const k of kids(node)) {
          if (k.type === 'list_splat') {
            const inner = kids(k)[0];
            const v = inner !== undefined ? this.evalExpr(inner, scope) : UNKNOWN;
            const l = asList(v);
            if (l !== undefined) items.push(...l);
            else items.push(v);
          } else items.push(this.evalExpr(k, scope));
        }
        return { k: 'list', items };
      }
      case 'dictionary': {
        const entries: [Val, Val][] = [];
        let t: Taint | undefined;
        for (const p of kids(node)) {
          if (p.type === 'pair') {
            const kn = field(p, 'key');
            const vn = field(p, 'value');
            entries.push([kn !== undefined ? this.evalExpr(kn, scope) : UNKNOWN, vn !== undefined ? this.evalExpr(vn, scope) : UNKNOWN]);
          } else t = unionTaint(t, taintOf(this.evalExpr(kids(p)[0] ?? p, scope)));
        }
        return { k: 'dict', entries, ...(t !== undefined ? { taint: t } : {}) };
      }
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
        return this.evalComprehension(node, scope);
      case 'dictionary_comprehension': {
        let t: Taint | undefined;
        for (const k of kids(node)) t = unionTaint(t, taintOf(this.evalExpr(k, scope)));
        return withTaint({ k: 'dict', entries: [] }, t);
      }
      case 'conditional_expression': {
        // `a if cond else b`: a condition the evaluator can decide picks its branch (cipher tables are
        // built this way, `t[i] if c in t else c`); otherwise the first branch, with every branch's labels.
        const [thenNode, condNode, elseNode] = kids(node);
        const cond = condNode !== undefined ? this.evalExpr(condNode, scope) : UNKNOWN;
        if (cond.k === 'num' && condNode?.type === 'comparison_operator') {
          const chosen = cond.n !== 0 ? thenNode : elseNode;
          return chosen !== undefined ? this.evalExpr(chosen, scope) : UNKNOWN;
        }
        const parts = [thenNode, elseNode].map((k) => (k !== undefined ? this.evalExpr(k, scope) : UNKNOWN));
        const first = parts[0] ?? UNKNOWN;
        return withTaint(first, unionTaint(taintOf(cond), ...parts.map(taintOf)));
      }
      case 'comparison_operator':
        return this.evalComparison(node, scope);
      case 'boolean_operator': {
        const l = field(node, 'left');
        const r = field(node, 'right');
        const lv = l !== undefined ? this.evalExpr(l, scope) : UNKNOWN;
        const rv = r !== undefined ? this.evalExpr(r, scope) : UNKNOWN;
        if (lv.k === 'unknown' && rv.k !== 'unknown') return withTaint(rv, taintOf(lv));
        return withTaint(lv, taintOf(rv));
      }
      case 'lambda': {
        const params = this.paramNames(field(node, 'parameters') ?? kids(node).find((k) => k.type === 'lambda_parameters'));
        const body = field(node, 'body');
        const fn: FuncVal = { k: 'func', name: '<lambda>', params };
        if (body !== undefined) fn.lambda = { param: params[0] ?? '', body: { node: body, scope } satisfies LambdaBody };
        return fn;
      }
      case 'assignment':
      case 'augmented_assignment': {
        const left = field(node, 'left');
        const right = field(node, 'right');
        let v = right !== undefined ? this.evalExpr(right, scope) : UNKNOWN;
        if (node.type === 'augmented_assignment' && left !== undefined) {
          const cur = this.evalExpr(left, scope);
          const op = field(node, 'operator')?.text ?? '+=';
          v = op === '+=' ? this.add(cur, v) : withTaint({ k: 'unknown' }, unionTaint(taintOf(cur), taintOf(v)));
        }
        if (left !== undefined) this.bindTarget(left, v, scope);
        return v;
      }
      case 'named_expression': {
        const name = field(node, 'name');
        const value = field(node, 'value');
        const v = value !== undefined ? this.evalExpr(value, scope) : UNKNOWN;
        if (name !== undefined) scope.vars.set(name.text, v);
        return v;
      }
      case 'keyword_argument': {
        const value = field(node, 'value');
        return value !== undefined ? this.evalExpr(value, scope) : UNKNOWN;
      }
      case 'comment':
      case 'ellipsis':
        return UNKNOWN;
      default: {
        let t: Taint | undefined;
        for (const k of kids(node)) t = unionTaint(t, taintOf(this.evalExpr(k, scope)));
        return withTaint({ k: 'unknown' }, t);
      }
    }
  }

  private evalName(name: string, scope: Scope): Val {
    const v = this.lookup(name, scope);
    if (v !== undefined) return v;
    if (name === '__builtins__' || name === '__builtin__' || name === 'builtins') return { k: 'ref', name: 'builtins' };
    if (name === '__name__') return str(this.moduleName);
    if (name === '__file__') return { k: 'unknown', from: '__file__' };
    if (BUILTINS.has(name)) return { k: 'ref', name };
    // A well-known module used without an import here (imported by another module of the package, or
    // by mistake): analyse the call as what it names.
    if (WELL_KNOWN_MODULES.has(name)) return { k: 'ref', name };
    return { k: 'ref', name: `name:${name}` };
  }

  private evalString(node: Node, scope: Scope): Val {
    const parts = kids(node);
    const start = parts[0];
    const prefix = (start?.type === 'string_start' ? start.text : node.text.slice(0, 4)).replace(/['"]+$/, '').toLowerCase();
    const raw = prefix.includes('r');
    const bytes = prefix.includes('b');
    const fmt = prefix.includes('f');
    if (!fmt) {
      const text = node.text;
      const startLen = start?.type === 'string_start' ? start.text.length : 0;
      const endNode = parts[parts.length - 1];
      const endLen = endNode?.type === 'string_end' ? endNode.text.length : 0;
      const body = text.slice(startLen, text.length - endLen);
      const v = str(unescapePy(body, raw, bytes), bytes ? { bytes: true } : {});
      this.addString(v, node, scope);
      return v;
    }
    let out = '';
    let partial = false;
    let dec = false;
    let t: Taint | undefined;
    for (const p of parts) {
      if (p.type === 'string_content') out += unescapePy(p.text, raw, bytes);
      else if (p.type === 'interpolation') {
        const e = field(p, 'expression') ?? kids(p)[0];
        const v = e !== undefined ? this.evalExpr(e, scope) : UNKNOWN;
        t = unionTaint(t, taintOf(v));
        if (v.k === 'str' || v.k === 'num') {
          out += pyRepr(v);
          if (v.k === 'str' && v.dec === true) dec = true;
          if (v.k === 'str' && v.partial === true) partial = true;
        } else {
          out += '\uFFFD';
          partial = true;
        }
      }
    }
    const v: StrVal = str(out, { ...(partial ? { partial } : {}), ...(dec ? { dec } : {}), ...(t !== undefined ? { taint: t } : {}) });
    this.addString(v, node, scope);
    return v;
  }

  private concat(parts: Val[]): Val {
    let acc: Val = parts[0] ?? str('');
    for (let i = 1; i < parts.length; i++) acc = this.add(acc, parts[i] ?? UNKNOWN);
    return acc;
  }

  private add(a: Val, b: Val): Val {
    const t = unionTaint(taintOf(a), taintOf(b));
    if (a.k === 'num' && b.k === 'num') return withTaint({ k: 'num', n: a.n + b.n }, t);
    if (a.k === 'str' || b.k === 'str') {
      const as = a.k === 'str' ? a : undefined;
      const bs = b.k === 'str' ? b : undefined;
      const s = (as?.s ?? '\uFFFD') + (bs?.s ?? '\uFFFD');
      if (s.length > this.opts.maxDecodedBytes) return withTaint({ k: 'unknown' }, t);
      const partial = as === undefined || bs === undefined || as.partial === true || bs.partial === true;
      const dec = as?.dec === true || bs?.dec === true;
      const bytes = as?.bytes === true || bs?.bytes === true;
      return str(s, { ...(partial ? { partial } : {}), ...(dec ? { dec } : {}), ...(bytes ? { bytes } : {}), ...(t !== undefined ? { taint: t } : {}) });
    }
    if (a.k === 'list' && b.k === 'list') return withTaint({ k: 'list', items: [...a.items, ...b.items] }, t);
    return withTaint({ k: 'unknown' }, t);
  }

  private evalBinary(node: Node, scope: Scope): Val {
    const l = field(node, 'left');
    const r = field(node, 'right');
    const op = field(node, 'operator')?.text ?? '';
    const a = l !== undefined ? this.evalExpr(l, scope) : UNKNOWN;
    const b = r !== undefined ? this.evalExpr(r, scope) : UNKNOWN;
    const t = unionTaint(taintOf(a), taintOf(b));
    if (op === '+') return this.add(a, b);
    if (op === '%' && a.k === 'str') {
      const args = b.k === 'list' ? b.items : [b];
      const s = a.partial === true ? undefined : pyFormatPercent(a.s, args);
      const dec = a.dec === true || args.some((x) => x.k === 'str' && x.dec === true);
      if (s !== undefined) return str(s, { ...(s.includes('\uFFFD') ? { partial: true } : {}), ...(dec ? { dec } : {}), ...(t !== undefined ? { taint: t } : {}) });
      return withTaint({ k: 'unknown' }, t);
    }
    if (op === '*') {
      const rep = a.k === 'str' && b.k === 'num' ? [a, b.n] : b.k === 'str' && a.k === 'num' ? [b, a.n] : undefined;
      if (rep !== undefined) {
        const [s, n] = rep as [StrVal, number];
        if (n >= 0 && s.s.length * n <= 1_000_000) return { ...s, s: s.s.repeat(n) };
        return withTaint({ k: 'unknown' }, t);
      }
    }
    if (a.k === 'num' && b.k === 'num') {
      const x = a.n;
      const y = b.n;
      let n: number | undefined;
      switch (op) {
        case '-':
          n = x - y;
          break;
        case '*':
          n = x * y;
          break;
        case '/':
          n = y === 0 ? undefined : x / y;
          break;
        case '//':
          n = y === 0 ? undefined : Math.floor(x / y);
          break;
        case '%':
          n = y === 0 ? undefined : ((x % y) + y) % y;
          break;
        case '**':
          n = Math.abs(y) > 64 ? undefined : x ** y;
          break;
        case '<<':
          n = y > 52 || y < 0 ? undefined : x * 2 ** y;
          break;
        case '>>':
          n = y < 0 ? undefined : Math.floor(x / 2 ** Math.min(y, 1000));
          break;
        case '&':
          n = Number(BigInt(Math.trunc(x)) & BigInt(Math.trunc(y)));
          break;
        case '|':
          n = Number(BigInt(Math.trunc(x)) | BigInt(Math.trunc(y)));
          break;
        case '^':
          n = Number(BigInt(Math.trunc(x)) ^ BigInt(Math.trunc(y)));
          break;
        default:
          n = undefined;
      }
      if (n !== undefined && Number.isFinite(n)) return { k: 'num', n };
    }
    // Embedded data XORed with a key that is not in the code: ciphertext being decrypted.
    if (op === '^' && ((isDataByte(a) && b.k === 'unknown') || (isDataByte(b) && a.k === 'unknown'))) return withTaint({ k: 'unknown', from: XOR_FROM }, unionTaint(t, DECRYPTED));
    return withTaint({ k: 'unknown' }, t);
  }

  private evalAttribute(node: Node, scope: Scope): Val {
    const objNode = field(node, 'object');
    const attr = field(node, 'attribute')?.text ?? '';
    if (objNode?.text === 'self' && scope.selfAttrs !== undefined) {
      const v = scope.selfAttrs.get(attr);
      if (v !== undefined) return v;
    }
    const obj = objNode !== undefined ? this.evalExpr(objNode, scope) : UNKNOWN;
    return this.attrOf(obj, attr);
  }

  private attrOf(obj: Val, attr: string): Val {
    if (attr === '__name__' && obj.k === 'ref' && !obj.name.includes(':')) return str(obj.name.split('.').pop() ?? obj.name);
    // On the class, instance methods are not callable as-is (they take `self` first); on an instance
    // (`req = Request()`), every method is, with `self` bound.
    const onClass = obj.k === 'ref' && obj.name.startsWith('class:') ? this.classMethods.get(obj.name.slice(6))?.get(attr) : undefined;
    if (onClass !== undefined && onClass.bound !== true) return onClass;
    const onInstance = obj.k === 'unknown' && obj.from?.startsWith('class:') === true ? this.classMethods.get(obj.from.slice(6))?.get(attr) : undefined;
    if (onInstance !== undefined) return onInstance;
    // `__import__('urllib.request')` is the top package: `.request` walks back down to the imported module.
    if (obj.k === 'ref' && obj.rest !== undefined && obj.rest[0] === attr) return obj.rest.length > 1 ? { ...obj, rest: obj.rest.slice(1) } : { k: 'ref', name: obj.name, ...(obj.taint !== undefined ? { taint: obj.taint } : {}) };
    if (obj.k === 'ref') {
      const name = normaliseName(obj.name === 'builtins' ? attr : `${obj.name}.${attr}`);
      if (name === 'os.environ') return { k: 'ref', name, taint: new Set(['env:*']) };
      const constant = STRING_CONSTANTS.get(name);
      if (constant !== undefined) return str(constant);
      return { k: 'ref', name, ...(obj.taint !== undefined ? { taint: obj.taint } : {}) };
    }
    if (obj.k === 'unknown' && obj.from !== undefined) return { k: 'ref', name: normaliseName(`${obj.from}.${attr}`), recv: obj, ...(obj.taint !== undefined ? { taint: obj.taint } : {}) };
    return { k: 'ref', name: `.${attr}`, recv: obj, ...(taintOf(obj) !== undefined ? { taint: taintOf(obj) as Taint } : {}) };
  }

  private evalSubscript(node: Node, scope: Scope): Val {
    const base = field(node, 'value');
    const subs = node.childrenForFieldName('subscript').filter((c): c is Node => c !== null);
    const bv = base !== undefined ? this.evalExpr(base, scope) : UNKNOWN;
    const sub = subs[0];
    if (sub === undefined) return bv;
    if (sub.type === 'slice') {
      const partsRaw = sub.children.filter((c): c is Node => c !== null);
      const nums: (number | undefined)[] = [undefined, undefined, undefined];
      let idx = 0;
      for (const c of partsRaw) {
        if (c.type === ':') idx++;
        else if (idx < 3) nums[idx] = toNum(this.evalExpr(c, scope));
      }
      const step = nums[2] ?? 1;
      if (bv.k === 'str' && !bv.partial) {
        const chars = [...bv.s];
        const out = pySlice(chars, nums[0], nums[1], step).join('');
        if (step !== 1) this.addString(str(out, { dec: true }), node, scope);
        return str(out, { ...(bv.bytes ? { bytes: true } : {}), ...(step !== 1 || bv.dec ? { dec: true } : {}), ...(bv.taint !== undefined ? { taint: bv.taint } : {}) });
      }
      if (bv.k === 'list') return withTaint({ k: 'list', items: pySlice(bv.items, nums[0], nums[1], step) }, bv.taint);
      return withTaint({ k: 'unknown' }, taintOf(bv));
    }
    const kv = this.evalExpr(sub, scope);
    return this.index(bv, kv);
  }

  private index(bv: Val, kv: Val): Val {
    if (bv.k === 'ref' && (bv.name === 'os.environ' || bv.name === 'os.environ.__getitem__')) return this.envRead(kv);
    if (bv.k === 'unknown' && bv.from === 'globals' && kv.k === 'str') return { k: 'ref', name: normaliseName(kv.s) };
    if (bv.k === 'ref' && (bv.name === 'builtins' || bv.name === 'builtins.__dict__') && kv.k === 'str') return { k: 'ref', name: normaliseName(kv.s) };
    if (bv.k === 'ref' && (bv.name === 'sys.modules' || bv.name === 'builtins.vars') && kv.k === 'str') return { k: 'ref', name: kv.s };
    if (bv.k === 'str' && kv.k === 'num' && !bv.partial) {
      bv.bmp ??= !/[\uD800-\uDFFF]/.test(bv.s);
      const chars = bv.bmp ? bv.s : [...bv.s];
      const i = kv.n < 0 ? chars.length + kv.n : kv.n;
      const c = chars[i];
      if (c !== undefined) return bv.bytes ? { k: 'num', n: c.charCodeAt(0) } : str(c, { ...(bv.dec ? { dec: true } : {}), ...(bv.taint !== undefined ? { taint: bv.taint } : {}) });
    }
    if (bv.k === 'list' && kv.k === 'num') {
      const i = kv.n < 0 ? bv.items.length + kv.n : kv.n;
      const item = bv.items[i];
      if (item !== undefined) return withTaint(item, bv.taint);
    }
    if (bv.k === 'dict') {
      for (let i = bv.entries.length - 1; i >= 0; i--) {
        const [k, v] = bv.entries[i] as [Val, Val];
        if ((k.k === 'str' && kv.k === 'str' && k.s === kv.s) || (k.k === 'num' && kv.k === 'num' && k.n === kv.n)) return withTaint(v, bv.taint);
      }
    }
    return withTaint({ k: 'unknown', ...(bv.k === 'unknown' && bv.from !== undefined ? { from: `${bv.from}[]` } : {}) }, unionTaint(taintOf(bv), taintOf(kv)));
  }

  private envRead(key: Val | undefined): Val {
    if (key === undefined || key.k !== 'str') return { k: 'unknown', taint: new Set(['env:*']) };
    const name = key.s;
    if (CRED_NAME_RE.test(name)) return { k: 'unknown', taint: new Set([`env:${name}`]) };
    if (RECON_ENV_RE.test(name)) return { k: 'unknown', taint: new Set([`recon:env:${name}`]) };
    return { k: 'unknown', from: `env:${name}` };
  }

  /**
   * Unrolls a comprehension with constant iterables: any number of `for` clauses and `if` filters
   * (`chr(x // 2) for x in [...] if a != b`). A filter that does not fold to a number is taken as
   * true: obfuscators use opaque always-true predicates, and keeping an item errs towards analysis.
   */
  private evalComprehension(node: Node, scope: Scope): Val {
    const body = field(node, 'body') ?? kids(node)[0];
    const clauses = kids(node).filter((k) => k.type === 'for_in_clause' || k.type === 'if_clause');
    const first = clauses[0];
    if (body === undefined || first === undefined || first.type !== 'for_in_clause') return UNKNOWN;
    const firstRight = field(first, 'right');
    const src = firstRight !== undefined ? this.evalExpr(firstRight, scope) : UNKNOWN;
    const inner: Scope = { ...scope, vars: new Map(), parent: scope };
    const out: Val[] = [];
    let budget = MAX_ITER;
    const joins = new Map<number, JoinIndex | null>();
    // Returns false when the comprehension cannot be unrolled (unknown iterable, too many items).
    const run = (i: number): boolean => {
      const c = clauses[i];
      if (c === undefined) {
        out.push(this.evalExprQuiet(body, inner));
        return --budget > 0 && !this.facts.timedOut;
      }
      if (c.type === 'if_clause') {
        const cond = kids(c)[0];
        const v = cond !== undefined ? this.evalExpr(cond, inner) : UNKNOWN;
        return v.k === 'num' && v.n === 0 ? true : run(i + 1);
      }
      const left = field(c, 'left');
      const right = field(c, 'right');
      const join = i > 0 ? this.joinIndex(clauses, i, inner, joins) : undefined;
      if (join !== undefined && left !== undefined) {
        // `for y in table if x == y[1]`: only the rows whose key matches, found by lookup.
        // An item whose key is not a known constant is compared with every row, as plain unrolling would.
        const key = join.probe(inner);
        const rows = key === undefined ? join.rows : (join.index.get(key) ?? []);
        for (const it of rows) {
          this.bindTarget(left, it, inner);
          if (!run(i + 2)) return false;
        }
        return --budget > 0;
      }
      const items = i === 0 ? asList(src) : right !== undefined ? asList(this.evalExpr(right, inner)) : undefined;
      if (items === undefined || left === undefined || items.length > budget) return false;
      for (const it of items) {
        this.bindTarget(left, it, inner);
        if (!run(i + 1)) return false;
      }
      return true;
    };
    if (!run(0) || this.facts.timedOut) {
      const left = field(first, 'left');
      if (left !== undefined) this.bindTarget(left, withTaint({ k: 'unknown' }, taintOf(src)), inner);
      for (const c of clauses.slice(1)) this.evalExpr(kids(c)[0] ?? c, inner);
      const bv = this.evalExpr(body, inner);
      return withTaint({ k: 'unknown' }, unionTaint(taintOf(bv), taintOf(src)));
    }
    return withTaint({ k: 'list', items: out }, taintOf(src));
  }

  /**
   * For `… for x in data for y in table if x == y[1]` (lookup-table ciphers): when clause i iterates a
   * table that does not depend on the earlier loop variables and the next clause compares one side that
   * reads only the row with another that does not, the rows are indexed by their key once, so each outer
   * item costs a lookup instead of a scan of the table. undefined when the shape does not apply (the
   * plain unrolling then runs, within its budget).
   */
  private joinIndex(clauses: readonly Node[], i: number, inner: Scope, cache: Map<number, JoinIndex | null>): JoinIndex | undefined {
    const cached = cache.get(i);
    if (cached !== undefined) return cached ?? undefined;
    const none = (): undefined => {
      cache.set(i, null);
      return undefined;
    };
    const c = clauses[i];
    const cond = clauses[i + 1]?.type === 'if_clause' ? kids(clauses[i + 1] as Node)[0] : undefined;
    const left = c !== undefined ? field(c, 'left') : undefined;
    const right = c !== undefined ? field(c, 'right') : undefined;
    if (left?.type !== 'identifier' || right === undefined || cond?.type !== 'comparison_operator') return none();
    const operands = cond.children.filter((k) => k.isNamed);
    const ops = cond.children.filter((k) => !k.isNamed);
    if (operands.length !== 2 || ops.length !== 1 || ops[0]?.type !== '==') return none();
    const row = [left.text];
    const outer = loopNames(clauses.slice(0, i));
    if (readsAny(right, outer)) return none();
    const [a, b] = operands as [Node, Node];
    const keySide = readsAny(a, row) && !readsAny(a, outer) ? a : readsAny(b, row) && !readsAny(b, outer) ? b : undefined;
    const probeSide = keySide === a ? b : a;
    if (keySide === undefined || readsAny(probeSide, row)) return none();
    const items = asList(this.evalExpr(right, inner));
    if (items === undefined || items.length > MAX_ITER) return none();
    const keyOf = (v: Val): string | undefined => (v.k === 'str' && !v.partial ? `s${v.s}` : v.k === 'num' ? `n${v.n}` : undefined);
    const index = new Map<string | undefined, Val[]>();
    // Keys are computed once per row, without recording facts for each (as unrolled iterations are).
    this.quiet++;
    try {
      for (const it of items) {
        this.bindTarget(left, it, inner);
        const k = keyOf(this.evalExpr(keySide, inner));
        if (k === undefined) return none();
        const list = index.get(k) ?? [];
        list.push(it);
        index.set(k, list);
      }
    } finally {
      this.quiet--;
    }
    const join: JoinIndex = { rows: items, index, probe: (scope) => keyOf(this.evalExpr(probeSide, scope)) };
    cache.set(i, join);
    return join;
  }

  /** Evaluates without recording string facts for every iteration. */
  private evalExprQuiet(node: Node, scope: Scope): Val {
    const saved = this.facts.strings.length;
    const v = this.evalExpr(node, scope);
    this.facts.strings.length = Math.min(this.facts.strings.length, saved + 4);
    return v;
  }

  private applyFunc(fn: Val, arg: Val, node: Node): Val {
    if (fn.k === 'ref') return this.applyKnown(fn.name, [arg], {}, node, this.module, undefined) ?? UNKNOWN;
    if (fn.k === 'func' && fn.lambda !== undefined) {
      const lb = fn.lambda.body as LambdaBody;
      const inner: Scope = { ...lb.scope, vars: new Map([[fn.lambda.param, arg]]), parent: lb.scope };
      return this.evalExprQuiet(lb.node, inner);
    }
    return UNKNOWN;
  }

  // ---------------------------------------------------------------------------------------- calls

  private evalCall(node: Node, scope: Scope): Val {
    const fnNode = field(node, 'function');
    const argsNode = field(node, 'arguments');
    const callee = fnNode !== undefined ? this.evalExpr(fnNode, scope) : UNKNOWN;
    const args: Val[] = [];
    const kw: Record<string, Val> = {};
    let splatTaint: Taint | undefined;
    // `f(x for x in y)`: tree-sitter gives the generator itself as the arguments node.
    if (argsNode?.type === 'generator_expression') args.push(this.evalExpr(argsNode, scope));
    else if (argsNode !== undefined) {
      for (const a of kids(argsNode)) {
        if (a.type === 'keyword_argument') {
          const n = field(a, 'name')?.text ?? '';
          const vn = field(a, 'value');
          kw[n] = vn !== undefined ? this.evalExpr(vn, scope) : UNKNOWN;
        } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
          const v = this.evalExpr(kids(a)[0] ?? a, scope);
          if (a.type === 'list_splat' && v.k === 'list') args.push(...v.items);
          else splatTaint = unionTaint(splatTaint, taintOf(v));
        } else if (a.type !== 'comment') args.push(this.evalExpr(a, scope));
      }
    }
    const name = callee.k === 'ref' ? callee.name : callee.k === 'func' ? callee.name : '';
    if (this.quiet === 0 && this.facts.calls.length < MAX_CALLS && name !== '') {
      const e = this.ev(node, scope);
      this.facts.calls.push({ ...e, name, args, kw });
    }
    // Functions handed to a thread, process, timer or exit hook run as if called here.
    const deferred = DEFERRED_CALL_RE.test(name) ? (kw['target'] ?? kw['function'] ?? (name.endsWith('Timer') ? args[1] : /register|submit|start_new_thread/.test(name) ? args[0] : undefined)) : undefined;
    for (const fnVal of deferred !== undefined ? [callee, deferred] : [callee]) {
      const ref = fnVal.k === 'func' ? fnVal.name : fnVal.k === 'ref' && fnVal.name.startsWith('name:') ? fnVal.name.slice(5) : undefined;
      if (ref === undefined) continue;
      if (scope.fn === undefined && !scope.main) this.facts.calledAtTop.add(ref);
      else if (scope.fn !== undefined) this.facts.calledAtTop.add(`${scope.fn}->${ref}`);
    }
    if (callee.k === 'ref' && callee.name.startsWith('class:')) this.facts.calledAtTop.add(scope.fn === undefined && !scope.main ? `${callee.name.slice(6)}.__init__` : `${scope.fn ?? ''}->${callee.name.slice(6)}.__init__`);
    const argTaint = unionTaint(splatTaint, ...args.map(taintOf), ...Object.values(kw).map(taintOf));
    if (fnNode?.type === 'attribute') this.mutateContainer(fnNode, args, argTaint, scope);
    let result: Val | undefined;
    if (callee.k === 'ref') result = this.applyKnown(callee.name, args, kw, node, scope, callee.recv);
    if (callee.k === 'func') {
      if (callee.lambda !== undefined && args[0] !== undefined) result = this.applyFunc(callee, args[0], node);
      else {
        const ret = this.returns.get(callee.name);
        result = this.inlineCall(callee, args, kw) ?? (ret !== undefined ? this.substituteReturn(ret, byPosition(callee, args, kw)) : undefined);
      }
    }
    // Record calls whose arguments carry data, for inter-procedural flows resolved after all files.
    if ((callee.k === 'func' || callee.k === 'ref') && argTaint !== undefined && this.quiet === 0) {
      const calleeName = callee.k === 'func' ? callee.name : callee.name.replace(/^name:/, '');
      const e = this.ev(node, scope);
      const positional = callee.k === 'func' ? byPosition(callee, args, kw) : args;
      const argSources = positional.map((a) => sourceLabels(taintOf(a)));
      const argParams = positional.map((a) => paramIdx(taintOf(a)));
      const argNet = positional.map((a) => [...(taintOf(a) ?? [])].filter((l) => l.startsWith('net:')).map((l) => l.slice(4)));
      const hasNetArg = callee.k === 'func' && argNet.some((n) => n.length > 0);
      if (argSources.some((s) => s.length > 0) || argParams.some((p) => p.length > 0) || hasNetArg) {
        const argDests = positional.map((a) => (a.k === 'str' && a.s.length <= 2048 && URLISH_RE.test(a.s) ? this.destOf(a) : undefined));
        this.facts.pending.push({
          ...e,
          callee: calleeName,
          argSources,
          argParams,
          caller: scope.fn,
          ...(argDests.some((d) => d !== undefined) ? { argDests } : {}),
          ...(hasNetArg ? { argNet } : {}),
        });
        if (scope.summary !== undefined && argParams.some((p) => p.length > 0)) scope.summary.forwards.push({ callee: calleeName, argParams, ev: e });
      }
    }
    if (result !== undefined) {
      if (result.k === 'str' && result.dec === true && name !== 'chr') this.addString(result, node, scope);
      return result;
    }
    const recvTaint = callee.k === 'ref' ? callee.taint : undefined;
    const from = callee.k === 'ref' ? callee.name.replace(/^name:/, '') : callee.k === 'func' ? `call:${callee.name}` : undefined;
    return withTaint({ k: 'unknown', ...(from !== undefined ? { from } : {}) }, unionTaint(argTaint, recvTaint));
  }

  /** Evaluates a small local function called with constant arguments (deobfuscation helpers). */
  private inlineCall(fn: FuncVal, args: Val[], kw: Record<string, Val>): Val | undefined {
    if (fn.inline === undefined || this.inlineDepth >= MAX_INLINE_DEPTH || this.facts.timedOut) return undefined;
    const constant = (v: Val): boolean => v.k === 'str' ? v.partial !== true : v.k === 'num' || (v.k === 'list' && v.items.length < 100_000 && v.items.every((x) => x.k === 'str' || x.k === 'num'));
    if (args.length === 0 || !args.every(constant) || !Object.values(kw).every(constant)) return undefined;
    const body = fn.inline as LambdaBody;
    const vars = new Map<string, Val>();
    fn.params.forEach((p, i) => {
      const v = args[i] ?? kw[p.replace(/^\*+/, '')];
      if (v !== undefined) vars.set(p.replace(/^\*+/, ''), v);
    });
    const summary: FuncSummary = { name: fn.name, qual: fn.name, paramSinks: new Map(), forwards: [] };
    const scope: Scope = { vars, parent: body.scope, fn: fn.name, summary, params: fn.params, cls: undefined, selfAttrs: undefined, main: false };
    this.inlineDepth++;
    this.quiet++;
    try {
      this.walkBlock(body.node, scope);
    } finally {
      this.quiet--;
      this.inlineDepth--;
    }
    const ret = vars.get('\0return');
    return ret !== undefined && (ret.k === 'str' || ret.k === 'num' || ret.k === 'list') ? ret : undefined;
  }

  private substituteReturn(ret: Val, args: Val[]): Val {
    const t = taintOf(ret);
    if (t === undefined) return ret;
    const labels = new Set<string>();
    let extra: Taint | undefined;
    for (const l of t) {
      const m = /^param:(\d+)$/.exec(l);
      const f = /^param-file:(\d+)$/.exec(l);
      if (m !== null) extra = unionTaint(extra, taintOf(args[Number(m[1])]));
      else if (f !== null) {
        // The function returns the contents of the file at this argument's path.
        const a = args[Number(f[1])];
        const path = a !== undefined && isStr(a) ? a.s : '';
        if (CRED_FILE_RE.test(path)) labels.add(`cred-file:${path.slice(0, 80)}`);
        if (SECRET_FILE_RE.test(path)) labels.add(`secret-file:${path.slice(0, 80)}`);
      } else if (!l.startsWith('cred-param:')) labels.add(l);
    }
    const base: Val = ret.k === 'list' || ret.k === 'dict' ? { k: 'unknown' } : { ...ret, taint: labels };
    return withTaint(base, unionTaint(labels, extra));
  }

  private decodedStr(s: string, base: StrVal | undefined, extra?: { bytes?: boolean }): StrVal | undefined {
    if (s.length > this.opts.maxDecodedBytes) return undefined;
    return str(s, { dec: true, ...(extra?.bytes === true ? { bytes: true } : {}), ...(base?.taint !== undefined ? { taint: base.taint } : {}) });
  }

  /** Semantics of well-known functions. Returns undefined when the call has no special meaning. */
  private applyKnown(rawName: string, args: Val[], kw: Record<string, Val>, node: Node, scope: Scope, recv: Val | undefined): Val | undefined {
    const name = normaliseName(rawName);
    const a0 = args[0];
    const s0 = isStr(a0) && !a0.partial ? a0 : undefined;
    const max = this.opts.maxDecodedBytes;
    const method = recv !== undefined ? name.slice(name.lastIndexOf('.') + 1) : undefined;

    // --- method calls on folded values
    if (method !== undefined && recv !== undefined) {
      // Text methods on a decoder's output keep it marked as decoded (`b64decode(x).decode()`).
      if (recv.k === 'unknown' && isDecodedOutput(recv.from) && /^(?:decode|encode|strip|rstrip|lstrip|replace)$/.test(method)) return withTaint({ k: 'unknown', from: recv.from === XOR_FROM ? XOR_FROM : 'decoded' }, taintOf(recv));
      const r = this.applyMethod(method, recv, args, kw, node, scope);
      if (r !== undefined) return r;
    }

    switch (name) {
      case 'chr':
      case 'unichr':
        if (a0?.k === 'num' && a0.n >= 0 && a0.n <= 0x10ffff) return str(String.fromCodePoint(Math.trunc(a0.n)), { dec: true });
        return withTaint({ k: 'unknown', ...(isXorOutput(a0) ? { from: XOR_FROM } : {}) }, isXorOutput(a0) ? unionTaint(taintOf(a0), DECRYPTED) : taintOf(a0));
      case 'len':
        if (a0?.k === 'str' && !a0.partial) {
          a0.bmp ??= !/[\uD800-\uDFFF]/.test(a0.s);
          return { k: 'num', n: a0.bytes === true || a0.bmp ? a0.s.length : [...a0.s].length };
        }
        if (a0?.k === 'list') return { k: 'num', n: a0.items.length };
        return undefined;
      case 'ord':
        if (s0 !== undefined && s0.s.length > 0) return { k: 'num', n: s0.s.codePointAt(0) ?? 0 };
        return undefined;
      case 'int':
        if (s0 !== undefined) {
          const base = toNum(args[1]) ?? toNum(kw['base']) ?? 10;
          const n = parseInt(s0.s.trim().replace(/^0[xob]/i, ''), base);
          return Number.isNaN(n) ? undefined : { k: 'num', n };
        }
        if (a0?.k === 'num') return { k: 'num', n: Math.trunc(a0.n) };
        return undefined;
      case 'str':
      case 'unicode':
        if (a0?.k === 'num') return str(String(a0.n));
        if (a0?.k === 'str') return a0;
        if (a0?.k === 'ref' && BUILTINS.has(a0.name)) return str(`<built-in function ${a0.name}>`);
        return undefined;
      case 'bytes':
      case 'bytearray': {
        if (a0?.k === 'list') {
          const nums = a0.items.map(toNum);
          if (nums.every((n) => n !== undefined)) return this.decodedStr(String.fromCharCode(...(nums as number[]).slice(0, 1_000_000).map((n) => n & 0xff)), undefined, { bytes: true });
          if (a0.items.some(isXorOutput)) return withTaint({ k: 'unknown', from: XOR_FROM }, DECRYPTED);
        }
        if (s0 !== undefined) return { ...s0, bytes: true, s: s0.bytes === true ? s0.s : utf8Encode(s0.s) };
        return undefined;
      }
      case 'bytes.fromhex':
      case 'bytearray.fromhex':
      case 'binascii.unhexlify':
      case 'binascii.a2b_hex':
      case 'codecs.decode:hex': {
        if (s0 === undefined) return this.decodeFail(a0);
        const d = hexDecode(s0.s);
        return d !== undefined ? this.decodedStr(d, s0, { bytes: true }) : this.decodeFail(a0);
      }
      case 'base64.b64decode':
      case 'base64.decodebytes':
      case 'base64.decodestring':
      case 'base64.standard_b64decode':
      case 'base64.urlsafe_b64decode':
      case 'binascii.a2b_base64': {
        if (s0 === undefined) return this.decodeFail(a0);
        const d = base64Decode(s0.bytes === true ? s0.s : s0.s, max);
        return d !== undefined ? this.decodedStr(d, s0, { bytes: true }) : this.decodeFail(a0);
      }
      case 'base64.b32decode': {
        if (s0 === undefined) return this.decodeFail(a0);
        const d = base32Decode(s0.s, max);
        return d !== undefined ? this.decodedStr(d, s0, { bytes: true }) : this.decodeFail(a0);
      }
      case 'base64.b85decode': {
        if (s0 === undefined) return this.decodeFail(a0);
        const d = base85Decode(s0.s, max);
        return d !== undefined ? this.decodedStr(d, s0, { bytes: true }) : this.decodeFail(a0);
      }
      case 'base64.a85decode': {
        if (s0 === undefined) return this.decodeFail(a0);
        const d = ascii85Decode(s0.s, max);
        return d !== undefined ? this.decodedStr(d, s0, { bytes: true }) : this.decodeFail(a0);
      }
      case 'base64.b16decode': {
        if (s0 === undefined) return this.decodeFail(a0);
        const d = hexDecode(s0.s);
        return d !== undefined ? this.decodedStr(d, s0, { bytes: true }) : this.decodeFail(a0);
      }
      case 'zlib.decompress':
      case 'gzip.decompress':
      case 'zlib.decompressobj.decompress': {
        if (s0 === undefined) return this.decodeFail(a0);
        const wbits = toNum(args[1]) ?? toNum(kw['wbits']);
        const kind = name.startsWith('gzip') ? 'gzip' : wbits !== undefined && wbits < 0 ? 'raw' : 'auto';
        const d = decompress(s0.s, kind, max);
        return d !== undefined ? this.decodedStr(d, s0, { bytes: true }) : this.decodeFail(a0);
      }
      case 'lzma.decompress':
      case 'bz2.decompress': {
        if (s0 === undefined) return this.decodeFail(a0, name);
        const d = decompressOther(s0.s, name === 'bz2.decompress' ? 'bzip2' : 'xz', max);
        return d !== undefined ? this.decodedStr(d, s0, { bytes: true }) : this.decodeFail(a0, name);
      }
      case 'codecs.decode':
      case 'codecs.encode': {
        const enc = (isStr(args[1]) ? args[1].s : isStr(kw['encoding']) ? kw['encoding'].s : 'utf-8').toLowerCase().replace(/[-_]/g, '');
        if (s0 === undefined) return this.decodeFail(a0);
        if (enc === 'rot13' || enc === 'rot') return this.decodedStr(rot13(s0.s), s0);
        if (enc === 'hex' || enc === 'hexcodec') return this.applyKnown('binascii.unhexlify', [s0], {}, node, scope, undefined);
        if (enc === 'base64' || enc === 'base64codec') return this.applyKnown('base64.b64decode', [s0], {}, node, scope, undefined);
        if (enc === 'zlib' || enc === 'zlibcodec') return this.applyKnown('zlib.decompress', [s0], {}, node, scope, undefined);
        if (name === 'codecs.decode' && s0.bytes === true) return str(utf8Decode(s0.s), { ...(s0.dec ? { dec: true } : {}) });
        return s0;
      }
      case 'marshal.dumps':
      case 'pickle.dumps':
      case 'dill.dumps':
      case 'cloudpickle.dumps': {
        // Serialising a local object (a response, say) makes bytes this code produced, not downloaded code.
        const kept = [...(taintOf(a0) ?? [])].filter((l) => !l.startsWith('net:'));
        return withTaint({ k: 'unknown', from: name }, kept.length > 0 ? new Set(kept) : undefined);
      }
      case 'marshal.loads':
      case 'pickle.loads':
      case 'dill.loads':
      case 'cloudpickle.loads': {
        this.facts.execs.push({ ...this.ev(node, scope), via: name, code: undefined, fromDecoded: s0?.dec === true, fromNetwork: hasNet(taintOf(a0)), sources: sourceLabels(taintOf(a0)) });
        return { k: 'unknown', from: name, taint: new Set(['code-object']) };
      }
      case 'setattr': {
        // setattr(__builtins__, 'x', exec) makes `x` a global alias of exec for every later lookup.
        const attr = args[1];
        const value = args[2];
        if (a0?.k === 'ref' && a0.name === 'builtins' && isStr(attr) && !attr.partial && value !== undefined) {
          let root = scope;
          while (root.parent !== undefined) root = root.parent;
          root.vars.set(attr.s, value);
        }
        return { k: 'unknown', from: 'setattr()' };
      }
      case 'getattr': {
        const obj = a0;
        const attr = args[1];
        if (obj !== undefined && isStr(attr) && !attr.partial) return this.attrOf(obj, attr.s);
        return undefined;
      }
      case '__import__':
      case 'importlib.import_module':
      case 'importlib.__import__':
        if (s0 !== undefined) {
          this.facts.imports.add(s0.s);
          // Without a fromlist, `__import__('a.b')` returns package `a` (its attribute `b` is the module).
          const fromlist = args[3] ?? kw['fromlist'];
          const top = name === '__import__' && (fromlist === undefined || (fromlist.k === 'list' && fromlist.items.length === 0)) ? s0.s.split('.').slice(1) : [];
          return { k: 'ref', name: s0.s, ...(top.length > 0 ? { rest: top } : {}) };
        }
        return undefined;
      case 'globals':
      case 'locals':
      case 'vars':
        if (name === 'vars' && a0?.k === 'ref' && a0.name === 'builtins') return { k: 'ref', name: 'builtins' };
        return args.length === 0 ? { k: 'unknown', from: 'globals' } : undefined;
      case 'list':
      case 'tuple':
      case 'set':
      case 'sorted':
        if (a0 !== undefined) {
          const l = asList(a0);
          if (l !== undefined) return withTaint({ k: 'list', items: l }, taintOf(a0));
        }
        return undefined;
      case 'reversed':
        if (a0 !== undefined) {
          const l = asList(a0);
          if (l !== undefined) return { k: 'list', items: [...l].reverse().map((x) => (x.k === 'str' ? { ...x, dec: true } : x)) };
        }
        return undefined;
      case 'map': {
        const f = a0;
        const seq = args[1] !== undefined ? asList(args[1]) : undefined;
        if (f !== undefined && seq !== undefined && seq.length <= MAX_ITER && args.length === 2) return { k: 'list', items: seq.map((x) => this.applyFunc(f, x, node)) };
        return withTaint({ k: 'unknown' }, unionTaint(...args.map(taintOf)));
      }
      case 'range': {
        const nums = args.map(toNum);
        if (nums.every((n) => n !== undefined) && nums.length > 0) {
          const [a, b, c] = nums.length === 1 ? [0, nums[0] as number, 1] : [nums[0] as number, nums[1] as number, (nums[2] as number | undefined) ?? 1];
          if (c !== 0 && Math.abs((b - a) / c) <= 10_000) {
            const items: Val[] = [];
            for (let i = a; c > 0 ? i < b : i > b; i += c) items.push({ k: 'num', n: i });
            return { k: 'list', items };
          }
        }
        return undefined;
      }
      case 'zip': {
        const lists = args.map((x) => asList(x));
        if (lists.every((l) => l !== undefined) && lists.length > 0) {
          const n = Math.min(...lists.map((l) => (l as Val[]).length));
          const items: Val[] = [];
          for (let i = 0; i < n && i < MAX_ITER; i++) items.push({ k: 'list', items: lists.map((l) => (l as Val[])[i] as Val) });
          return { k: 'list', items };
        }
        return undefined;
      }
      case 'str.maketrans':
      case 'string.maketrans':
        if (isStr(args[0]) && isStr(args[1])) return { k: 'dict', entries: [...args[0].s].map((c, i) => [{ k: 'num', n: c.charCodeAt(0) }, str((args[1] as StrVal).s[i] ?? '')] as [Val, Val]) };
        return undefined;
      case 'os.getenv':
      case 'os.environ.get':
      case 'os.environ.__getitem__':
      case 'os.environ.setdefault':
        return this.envRead(a0);
      case 'os.environ.copy':
      case 'os.environ.items':
      case 'os.environ.keys':
      case 'os.environ.values':
      case 'dict':
        if (name === 'dict' && !(a0?.k === 'ref' && a0.name === 'os.environ')) return a0 === undefined ? { k: 'dict', entries: Object.entries(kw).map(([k, v]) => [str(k), v]) } : withTaint({ k: 'unknown' }, taintOf(a0));
        return { k: 'unknown', taint: new Set(['env:*']) };
      case 'socket.gethostname':
      case 'platform.node':
      case 'os.uname':
      case 'socket.getfqdn':
        if (name === 'socket.getfqdn' && args.length > 0) break;
        return { k: 'unknown', taint: new Set(['recon:hostname']) };
      case 'getpass.getuser':
      case 'os.getlogin':
      case 'pwd.getpwuid':
        return { k: 'unknown', taint: new Set(['recon:user']) };
      case 'os.getcwd':
      case 'os.getcwdb':
        return { k: 'unknown', taint: new Set(['recon:cwd']) };
      case 'platform.platform':
      case 'platform.system':
      case 'platform.release':
      case 'platform.version':
      case 'platform.uname':
      case 'platform.machine':
      case 'sys.platform':
        return { k: 'unknown', taint: new Set(['recon:platform']) };
      case 'os.listdir':
      case 'os.walk':
      case 'glob.glob':
      case 'os.scandir': {
        const p = isStr(a0) ? a0.s : '';
        const labels = new Set(['recon:files']);
        if (CRED_FILE_RE.test(p)) labels.add(`cred-file:${p.slice(0, 80)}`);
        if (SECRET_FILE_RE.test(p)) labels.add(`secret-file:${p.slice(0, 80)}`);
        return { k: 'unknown', taint: labels };
      }
      case 'pyperclip.paste':
      case 'clipboard.paste':
      case 'win32clipboard.GetClipboardData':
        return { k: 'unknown', taint: new Set(['clipboard']) };
      case 'os.path.expanduser':
      case 'os.path.expandvars':
      case 'os.path.join':
      case 'os.path.abspath':
      case 'os.path.normpath':
      case 'pathlib.Path':
      case 'Path':
      case 'pathlib.Path.home':
      case 'os.path.realpath': {
        const parts = args.map((a) => (isStr(a) ? a.s : a.k === 'unknown' && a.from?.startsWith('env:') === true ? `%${a.from.slice(4)}%` : '\uFFFD'));
        const joined = name === 'pathlib.Path.home' ? '~' : parts.join('/');
        const sep = name.endsWith('expanduser') || name.endsWith('expandvars') ? parts[0] ?? '' : joined;
        return str(sep, { partial: sep.includes('\uFFFD') || name === 'pathlib.Path.home', ...(args.some((a) => isStr(a) && a.dec === true) ? { dec: true } : {}), ...(unionTaint(...args.map(taintOf)) !== undefined ? { taint: unionTaint(...args.map(taintOf)) as Taint } : {}) });
      }
      case 'open':
      case 'io.open':
      case 'codecs.open':
      case 'builtins.open': {
        const p = isStr(a0) ? a0.s : '';
        const mode = isStr(args[1]) ? args[1].s : isStr(kw['mode']) ? kw['mode'].s : 'r';
        const labels = new Set<string>();
        if (CRED_FILE_RE.test(p)) labels.add(`cred-file:${p.slice(0, 80)}`);
        if (SECRET_FILE_RE.test(p)) labels.add(`secret-file:${p.slice(0, 80)}`);
        if (/^\/etc\/(?:passwd|hosts|shadow)$/.test(p)) labels.add(`recon:file:${p}`);
        // The bytes of a local file (an upload's shape; text reads of configuration stay unlabelled).
        if (/b/.test(mode) && !/[wa+x]/.test(mode)) labels.add('file:rb');
        // A file read from a path the caller passes in: the call site decides what it is (see substituteReturn).
        if (!/[wa+x]/.test(mode)) for (const l of taintOf(a0) ?? []) if (/^param:\d+$/.test(l)) labels.add(`param-file:${l.slice(6)}`);
        // A file this function (or module) wrote downloaded data to, read back: still the download.
        if (!/[wa+x]/.test(mode)) for (const l of this.downloadedFile(scope.fn, p)) labels.add(l);
        const out: Val = { k: 'unknown', from: /[wa+x]/.test(mode) ? 'file-w' : 'file-r', ...(p !== '' ? { path: p } : {}) };
        return withTaint(out, labels.size > 0 ? labels : undefined);
      }
      default:
        break;
    }

    // GitPython `Repo.clone_from(url, path)`: a download of a whole repository into a folder.
    if (/(?:^|\.)Repo\.clone_from$/.test(name)) {
      const url = a0 ?? kw['url'];
      const to = args[1] ?? kw['to_path'];
      const dest = this.destOf(url);
      this.facts.writes.push({ ...this.ev(node, scope), path: isStr(to) ? to.s : undefined, fromNetwork: true, download: true, clone: true, ...(dest !== undefined ? { netHost: dest.host } : {}) });
      return { k: 'unknown', from: 'git.Repo' };
    }
    // Steganography readers (stegano / judyb `lsb.reveal(path)`): text hidden in an image file, often one just downloaded.
    if (STEGO_READ_RE.test(name)) {
      const p = isStr(a0) ? a0.s : '';
      const labels = new Set<string>(this.downloadedFile(scope.fn, p));
      return withTaint({ k: 'unknown', from: 'decoded' }, labels.size > 0 ? labels : undefined);
    }
    if (/(?:^|\.)Fernet$/.test(name) && s0 !== undefined) return { k: 'unknown', from: 'fernet.Fernet', key: s0.s };
    if (/(?:^|\.)Fernet\.decrypt$/.test(name)) {
      const key = recv?.k === 'unknown' ? recv.key : undefined;
      const d = key !== undefined && s0 !== undefined ? fernetDecrypt(key, s0.s, max) : undefined;
      return d !== undefined ? this.decodedStr(d, s0, { bytes: true }) : this.decodeFail(a0);
    }
    if (/(?:decrypt|decompress|unhexlify|b\d\ddecode|decodebytes)$/i.test(name) && !name.startsWith('.')) return this.decodeFail(a0);
    if (name.endsWith('.__str__') || name.endsWith('.__repr__')) {
      const base = name.slice(0, name.lastIndexOf('.'));
      if (base === 'copyright') return str('Copyright (c) 2001-2023 Python Software Foundation.\nAll Rights Reserved.');
      if (BUILTINS.has(base)) return str(`<built-in function ${base}>`);
    }
    // urllib.request.Request / http.client connections / smtplib: objects bound to a destination.
    if (/^(?:urllib\.request|urllib2)\.Request$/.test(name)) {
      const url = a0 ?? kw['url'];
      const data = args[1] ?? kw['data'];
      const dest = this.frontedDest(kw['headers'] ?? args[2]) ?? this.destOf(url);
      return withTaint({ k: 'unknown', from: 'urllib.request.Request', ...(dest !== undefined ? { dest } : {}) }, unionTaint(taintOf(data), taintOf(url), taintOf(kw['headers'])));
    }
    if (/^(?:http\.client|httplib)\.HTTPS?Connection$|^smtplib\.SMTP(?:_SSL)?$|^ftplib\.FTP(?:_TLS)?$|^(?:discord_webhook\.DiscordWebhook|dhooks\.Webhook|telebot\.TeleBot|telegram\.Bot)$/.test(name)) {
      const dest = this.destOf(a0 ?? kw['host'] ?? kw['url']);
      const base = name.replace(/^httplib/, 'http.client');
      return withTaint({ k: 'unknown', from: base, ...(dest !== undefined ? { dest } : {}) }, taintOf(kw['content']));
    }
    if (/^(?:requests|httpx)\.(?:Session|session|Client|AsyncClient)$|^aiohttp\.ClientSession$|^urllib3\.PoolManager$|^socket\.socket$/.test(name)) return { k: 'unknown', from: name.replace(/\.session$/, '.Session') };

    const sink = sinkCall(name);
    if (sink !== undefined) return this.recordSink(name, sink, args, kw, node, scope, recv);
    if (COMMAND_RE.test(name)) return this.recordCommand(name, args, kw, node, scope);
    if (EXEC_RE.test(name)) {
      if (a0?.k === 'unknown' && a0.from === 'compile' && a0.key !== undefined) {
        return name === 'eval' && a0.path === 'eval' ? this.evalCodeExpr(a0.key, node, scope) : { k: 'unknown', from: `${name}()` };
      }
      if (name === 'eval' && s0 !== undefined && s0.s.length < 2000 && !s0.s.includes('\n')) {
        const v = this.evalCodeExpr(s0.s, node, scope);
        if (/^[\w.]+$/.test(s0.s.trim())) return v;
        this.handleExec(name, args, node, scope);
        return v;
      }
      // `exec(t=code)` raises in CPython, but says what the author meant to run: read it as the source.
      const code = args.length === 0 ? Object.values(kw)[0] : undefined;
      const r = this.handleExec(name, code !== undefined ? [code] : args, node, scope);
      if (name === 'compile' && s0 !== undefined) {
        const mode = isStr(args[2]) ? args[2].s : isStr(kw['mode']) ? kw['mode'].s : 'exec';
        return { k: 'unknown', from: 'compile', key: s0.s, path: mode };
      }
      return r;
    }
    if (name === 'os.system.__call__') return undefined;
    return undefined;
  }

  private decodeFail(a: Val | undefined, _name?: string): Val {
    return withTaint({ k: 'unknown', from: 'decoded' }, taintOf(a));
  }

  /** Comparisons of constants (`==`, `<`, `in`, `not in`, chained); unknown for anything else. */
  private evalComparison(node: Node, scope: Scope): Val {
    const operands: Val[] = [];
    const ops: string[] = [];
    for (const c of node.children) {
      if (c.isNamed) operands.push(this.evalExpr(c, scope));
      else ops.push(c.type);
    }
    const t = unionTaint(...operands.map(taintOf));
    if (ops.length === 0 || ops.length !== operands.length - 1) return withTaint(UNKNOWN, t);
    let all = true;
    for (const [i, op] of ops.entries()) {
      const r = compareConstants(op, operands[i] as Val, operands[i + 1] as Val);
      if (r === undefined) return withTaint(UNKNOWN, t);
      all &&= r;
    }
    return { k: 'num', n: all ? 1 : 0 };
  }

  private applyMethod(method: string, recv: Val, args: Val[], kw: Record<string, Val>, node: Node, scope: Scope): Val | undefined {
    const a0 = args[0];
    if (recv.k === 'str' && !recv.partial) {
      const s = recv.s;
      const keep = { ...(recv.dec ? { dec: true } : {}), ...(recv.taint !== undefined ? { taint: recv.taint } : {}) };
      switch (method) {
        case 'join': {
          const items = a0 !== undefined ? asList(a0) : undefined;
          if (items === undefined) return withTaint({ k: 'unknown' }, taintOf(a0));
          if (items.some(isXorOutput)) return withTaint({ k: 'unknown', from: XOR_FROM }, unionTaint(taintOf(a0), DECRYPTED));
          const partial = items.some((x) => x.k !== 'str' || x.partial === true);
          const out = items.map((x) => (x.k === 'str' ? x.s : '\uFFFD')).join(s);
          const dec = recv.dec === true || items.some((x) => x.k === 'str' && x.dec === true);
          return str(out, { ...(partial ? { partial } : {}), ...(dec ? { dec } : {}), ...(recv.bytes ? { bytes: true } : {}), ...(taintOf(a0) !== undefined ? { taint: taintOf(a0) as Taint } : {}) });
        }
        case 'decode': {
          const enc = (isStr(a0) ? a0.s : 'utf-8').toLowerCase().replace(/[-_]/g, '');
          if (enc === 'rot13') return str(rot13(s), { ...keep, dec: true });
          if (enc === 'hex') return this.applyKnown('binascii.unhexlify', [recv], {}, node, scope, undefined);
          if (enc === 'base64') return this.applyKnown('base64.b64decode', [recv], {}, node, scope, undefined);
          if (enc === 'zlib') return this.applyKnown('zlib.decompress', [recv], {}, node, scope, undefined);
          if (enc === 'utf16' || enc === 'utf16le') return str(utf16leDecode(s), { ...keep, dec: true });
          return str(recv.bytes === true ? utf8Decode(s) : s, keep);
        }
        case 'encode': {
          const enc = (isStr(a0) ? a0.s : 'utf-8').toLowerCase().replace(/[-_]/g, '');
          if (enc === 'rot13') return str(rot13(s), { ...keep, dec: true });
          return str(recv.bytes === true ? s : utf8Encode(s), { ...keep, bytes: true });
        }
        case 'replace':
          if (isStr(a0) && isStr(args[1]) && !a0.partial && !args[1].partial && a0.s !== '') return str(s.split(a0.s).join(args[1].s), { ...keep, ...(recv.bytes ? { bytes: true } : {}) });
          return undefined;
        case 'format':
          return str(pyFormatMethod(s, args, kw), { ...keep, ...(args.some((x) => x.k !== 'str' && x.k !== 'num') ? { partial: true } : {}), ...(unionTaint(...args.map(taintOf), ...Object.values(kw).map(taintOf)) !== undefined ? { taint: unionTaint(...args.map(taintOf), ...Object.values(kw).map(taintOf)) as Taint } : {}) });
        case 'upper':
          return str(s.toUpperCase(), keep);
        case 'lower':
          return str(s.toLowerCase(), keep);
        case 'strip':
        case 'rstrip':
        case 'lstrip':
          if (args.length === 0) return str(method === 'strip' ? s.trim() : method === 'rstrip' ? s.trimEnd() : s.trimStart(), { ...keep, ...(recv.bytes ? { bytes: true } : {}) });
          return undefined;
        case 'split':
          if (args.length === 0) return { k: 'list', items: s.split(/\s+/).filter((x) => x !== '').map((x) => str(x, keep)) };
          if (isStr(a0) && a0.s !== '') return { k: 'list', items: s.split(a0.s).map((x) => str(x, keep)) };
          return undefined;
        case 'translate': {
          if (a0?.k !== 'dict') return undefined;
          const table = new Map<number, string | null>();
          for (const [k, v] of a0.entries) if (k.k === 'num') table.set(k.n, v.k === 'str' ? v.s : v.k === 'num' ? String.fromCharCode(v.n) : null);
          let out = '';
          for (const ch of s) {
            const m = table.get(ch.charCodeAt(0));
            out += m === undefined ? ch : (m ?? '');
          }
          return str(out, { ...keep, dec: true });
        }
        case 'hex':
          return str(Buffer.from(s, 'latin1').toString('hex'));
        case 'index':
        case 'find':
        case 'rfind':
        case 'count': {
          // Position lookups drive substitution ciphers: `table[alphabet.index(c)]`.
          if (!isStr(a0) || a0.partial === true || args.length > 1) return undefined;
          if (method === 'count') return { k: 'num', n: a0.s === '' ? s.length + 1 : s.split(a0.s).length - 1 };
          const at = method === 'rfind' ? s.lastIndexOf(a0.s) : s.indexOf(a0.s);
          return at < 0 && method === 'index' ? undefined : { k: 'num', n: at };
        }
        default:
          break;
      }
    }
    if (recv.k === 'dict' && args.length === 0 && (method === 'items' || method === 'keys' || method === 'values')) {
      // Translation tables are dict literals walked with `.items()`.
      const items: Val[] = recv.entries.map(([k, v]) => (method === 'items' ? { k: 'list', items: [k, v] } : method === 'keys' ? k : v));
      return withTaint({ k: 'list', items }, recv.taint);
    }
    if (recv.k === 'list' && method === 'index' && args.length === 1 && a0 !== undefined && (a0.k === 'str' || a0.k === 'num')) {
      const at = recv.items.findIndex((x) => (x.k === 'str' && a0.k === 'str' && !x.partial && x.s === a0.s) || (x.k === 'num' && a0.k === 'num' && x.n === a0.n));
      if (at >= 0) return { k: 'num', n: at };
    }
    if (recv.k === 'unknown' && recv.from !== undefined && /^(?:file-r)$/.test(recv.from) && (method === 'read' || method === 'readlines' || method === 'readline')) return withTaint({ k: 'unknown' }, recv.taint);
    if (recv.k === 'unknown' && (recv.from === 'file-w' || recv.from === 'tempfile.NamedTemporaryFile' || recv.from === 'tempfile.TemporaryFile') && (method === 'write' || method === 'writelines')) {
      const data = a0;
      const netHost = netHostOf(taintOf(data));
      this.facts.writes.push({ ...this.ev(node, scope), path: recv.path, fromNetwork: hasNet(taintOf(data)), download: false, ...(netHost !== undefined ? { netHost } : {}) });
      if (hasNet(taintOf(data)) && this.netFiles.length < 64) this.netFiles.push({ fn: scope.fn, path: recv.path ?? '', labels: [...(taintOf(data) ?? [])].filter((l) => l.startsWith('net:')) });
      // Code written to a file is usually run next: analyse it like decoded code.
      if (data?.k === 'str' && !data.partial && data.s.length < 200_000) {
        const text = data.bytes === true ? utf8Decode(data.s) : data.s;
        if (/\bimport\s+\w/.test(text) && /\b(?:exec|eval|urlopen|requests\.|subprocess|os\.system|socket)\b/.test(text)) this.walkDecoded(text, node, scope);
      }
      return UNKNOWN;
    }
    if (method === 'copy' || method === 'items' || method === 'keys' || method === 'values' || method === 'get' || method === 'read' || method === 'json' || method === 'decode' || method === 'encode' || method === 'getvalue') {
      const t = taintOf(recv);
      if (method === 'get' && recv.k === 'dict' && a0 !== undefined) return this.index(recv, a0);
      if (t !== undefined) return withTaint({ k: 'unknown' }, t);
    }
    return undefined;
  }

  /**
   * Domain fronting: a `Host` header naming another host than the URL sends the request to that host
   * through a CDN (`https://pypi.org/...` with `Host: x.fastly.net`). The header's host is the real
   * destination, and hiding it is obfuscation.
   */
  private frontedDest(headers: Val | undefined): Dest | undefined {
    if (headers?.k !== 'dict') return undefined;
    for (const [k, v] of headers.entries) {
      if (k.k === 'str' && k.s.toLowerCase() === 'host' && v.k === 'str' && v.s.trim() !== '') return { ...makeDest(v.s.trim(), true), fronted: true };
    }
    return undefined;
  }

  private destOf(v: Val | undefined): Dest | undefined {
    if (v === undefined) return undefined;
    if (v.k === 'str') {
      const s = v.bytes === true ? utf8Decode(v.s) : v.s;
      if (s.trim() === '') return undefined;
      return makeDest(s, v.dec === true);
    }
    if (v.k === 'list' && v.items[0] !== undefined) return this.destOf(v.items[0]);
    if (v.k === 'unknown' && v.dest !== undefined) return v.dest;
    return undefined;
  }

  private recordSink(
    name: string,
    sink: { kind: 'http' | 'socket' | 'dns' | 'smtp' | 'ftp'; destArg: number | 'recv' },
    args: Val[],
    kw: Record<string, Val>,
    node: Node,
    scope: Scope,
    recv: Val | undefined,
  ): Val {
    let dest: Dest | undefined;
    let destVal: Val | undefined;
    if (sink.destArg === 'recv') dest = recv?.k === 'unknown' ? recv.dest : undefined;
    else {
      destVal = args[sink.destArg] ?? kw['url'] ?? kw['host'] ?? kw['address'];
      dest = (sink.kind === 'http' ? this.frontedDest(kw['headers']) : undefined) ?? this.destOf(destVal);
    }
    if (dest === undefined && (name.endsWith('connect') || name.endsWith('connect_ex') || name.endsWith('create_connection'))) dest = this.destOf(a0host(args[0]));
    if (recv?.k === 'unknown' && dest !== undefined && (name.endsWith('.connect') || name.endsWith('.connect_ex'))) recv.dest = dest;
    if (dest === undefined && recv?.k === 'unknown' && recv.dest !== undefined) dest = recv.dest;
    if (dest === undefined && args[0]?.k === 'unknown') dest = (args[0] as { dest?: Dest }).dest;
    let t = unionTaint(...args.map(taintOf), ...Object.values(kw).map(taintOf));
    // What a socket sends is its arguments; the socket object's own labels (e.g. where it connected) are not data.
    if (recv !== undefined && sink.destArg === 'recv' && sink.kind !== 'socket') t = unionTaint(t, taintOf(recv));
    if (args[0]?.k === 'unknown' && args[0].from === 'urllib.request.Request') t = unionTaint(t, args[0].taint);
    const e = this.ev(node, scope);
    const destParams = dest === undefined && destVal !== undefined ? paramIdx(taintOf(destVal)) : [];
    const fact: SinkFact = {
      ...e,
      kind: sink.kind,
      via: name,
      dest,
      sources: sourceLabels(t),
      params: paramIdx(t),
      // urlretrieve and friends save the answer to a file: read or not, that is a download.
      ...(node === this.discarded && !/urlretrieve|download/i.test(name) ? { discarded: true } : {}),
      ...(destParams.length > 0 ? { destParams } : {}),
      ...(sink.kind === 'http' && (kw['data'] !== undefined || kw['json'] !== undefined || kw['files'] !== undefined || (/\.(?:post|put|patch)$/.test(name) && args[1] !== undefined)) ? { body: true } : {}),
    };
    this.facts.sinks.push(fact);
    this.notifySummary(scope, fact);
    if (name.endsWith('urlretrieve') || name === 'wget.download') this.facts.writes.push({ ...e, path: isStr(args[1]) ? args[1].s : undefined, fromNetwork: true, download: true, ...(dest !== undefined ? { netHost: dest.host } : {}) });
    const host = dest?.host ?? '';
    const labels = new Set<string>([`net:${host}`]);
    if (dest?.cls === 'metadata') labels.add('metadata');
    if (IP_LOOKUP_RE.test(host)) labels.add('recon:ip');
    // A socket from create_connection() keeps its destination for the sends made on it.
    return { k: 'unknown', from: sink.kind === 'http' ? 'http-response' : name, taint: labels, ...(name.endsWith('create_connection') && dest !== undefined ? { dest } : {}) };
  }

  private notifySummary(scope: Scope, fact: SinkFact): void {
    if (scope.summary === undefined) return;
    for (const p of fact.params) if (!scope.summary.paramSinks.has(p)) scope.summary.paramSinks.set(p, fact);
  }

  private commandText(v: Val | undefined): { cmd: string; partial: boolean; dec: boolean } | undefined {
    if (v === undefined) return undefined;
    if (v.k === 'str') return { cmd: v.bytes === true ? utf8Decode(v.s) : v.s, partial: v.partial === true, dec: v.dec === true };
    if (v.k === 'list') {
      const parts = v.items.map((x) => (x.k === 'str' ? x.s : '\uFFFD'));
      // The program, or the code after -c / -e / /c, produced by a decoder we could not fold (its input
      // is computed) is hidden text too; other arguments (tokens, encoded ids) are not.
      const hiddenCode = v.items.some((x, i) => x.k === 'unknown' && isDecodedOutput(x.from) && (i === 0 || CODE_FLAG_RE.test(strAt(v.items[i - 1]))));
      return { cmd: parts.join(' '), partial: parts.some((p) => p.includes('\uFFFD')), dec: hiddenCode || v.items.some((x) => x.k === 'str' && x.dec === true) };
    }
    return undefined;
  }

  private recordCommand(name: string, args: Val[], kw: Record<string, Val>, node: Node, scope: Scope): Val {
    const argv = name.startsWith('os.exec') || name.startsWith('os.spawn') ? { k: 'list' as const, items: args.slice(name.startsWith('os.spawn') ? 1 : 0) } : (args[0] ?? kw['args'] ?? kw['cmd']);
    const t = unionTaint(...args.map(taintOf), ...Object.values(kw).map(taintOf));
    const c = this.commandText(argv);
    const e = this.ev(node, scope);
    const fact: CommandFact = { ...e, via: name, cmd: c?.cmd ?? '\uFFFD', partial: c?.partial ?? true, fromDecoded: c?.dec ?? (argv?.k === 'unknown' && isDecodedOutput(argv.from)), fromNetwork: hasNet(t), sources: sourceLabels(t) };
    this.facts.commands.push(fact);
    // Commands that reach the network carry data out like any other sink.
    const net = /\b(?:curl|wget|nslookup|dig|ping|nc|ncat|Invoke-WebRequest|Invoke-RestMethod|iwr|irm|certutil|bitsadmin)\b/i.exec(fact.cmd);
    if (net !== null) {
      const rest = fact.cmd.slice(net.index + net[0].length);
      const url = /(?:https?|ftp):\/\/[^\s'"`]+/i.exec(fact.cmd)?.[0] ?? /\b\d{1,3}(?:\.\d{1,3}){3}\b/.exec(rest)?.[0] ?? /\b(?:[a-z0-9-]+\.)+(?:[a-z]{2,24})\b/i.exec(rest)?.[0];
      const sinkFact: SinkFact = { ...e, kind: 'command', via: name, dest: url !== undefined ? makeDest(url, c?.dec === true) : undefined, sources: sourceLabels(t), params: paramIdx(t) };
      this.facts.sinks.push(sinkFact);
      this.notifySummary(scope, sinkFact);
    }
    // Decode PowerShell -EncodedCommand and `python -c` payloads.
    const enc = /-e(?:nc(?:odedcommand)?|c)?\s+([A-Za-z0-9+/=]{16,})/i.exec(fact.cmd);
    if (enc?.[1] !== undefined && /powershell|pwsh/i.test(fact.cmd)) {
      const bin = base64Decode(enc[1], this.opts.maxDecodedBytes);
      if (bin !== undefined) {
        const text = utf16leDecode(bin);
        if (looksLikeText(text)) this.recordCommand(name, [str(text, { dec: true })], {}, node, scope);
      }
    }
    const labels = new Set(['net:command']);
    for (const [re, label] of RECON_COMMANDS) if (re.test(fact.cmd)) labels.add(label);
    const py = /\bpython[\d.]*(?:\.exe)?["']?\s+-c\s+(["'])([\s\S]{8,}?)\1/.exec(fact.cmd);
    if (py?.[2] !== undefined) this.walkDecoded(py[2], node, scope);
    else if (argv?.k === 'list') {
      // [sys.executable | 'python3', '-c', code]: the code runs too.
      const i = argv.items.findIndex((x) => x.k === 'str' && x.s === '-c');
      const prog = argv.items[i - 1];
      const code = argv.items[i + 1];
      const isPython = prog !== undefined && ((prog.k === 'str' && /(?:^|[\\/])python[\d.]*(?:\.exe)?$|^py(?:\.exe)?$/i.test(prog.s)) || (prog.k === 'ref' && prog.name === 'sys.executable') || (prog.k === 'unknown' && prog.from === 'sys.executable'));
      if (i > 0 && isPython && code?.k === 'str' && !code.partial) this.walkDecoded(code.bytes === true ? utf8Decode(code.s) : code.s, node, scope);
    }
    return { k: 'unknown', from: `${name}()`, taint: labels };
  }

  private handleExec(name: string, args: Val[], node: Node, scope: Scope): Val {
    const a0 = args[0];
    const t = taintOf(a0);
    let code: string | undefined;
    if (a0?.k === 'str' && !a0.partial) code = a0.bytes === true ? utf8Decode(a0.s) : a0.s;
    const netHost = netHostOf(t);
    const fact: ExecFact = { ...this.ev(node, scope), via: name, code: code?.slice(0, 2000), fromDecoded: a0?.k === 'str' && a0.dec === true, fromNetwork: hasNet(t), sources: sourceLabels(t), ...(netHost !== undefined ? { netHost } : {}) };
    if (a0?.k === 'unknown' && (a0.from === 'decoded' || (a0.taint?.has('code-object') ?? false))) fact.fromDecoded = true;
    if (isXorOutput(a0)) {
      fact.fromDecoded = true;
      fact.encrypted = true;
    }
    this.facts.execs.push(fact);
    // exec(code) without its own globals runs in the caller's namespace: what it defines is visible after.
    if (code !== undefined && code.length > 0 && name !== 'runpy.run_path') this.walkDecoded(code, node, scope, args.length === 1);
    return { k: 'unknown', from: `${name}()` };
  }

  /** Evaluates a short expression given as text (eval of a string) in the current scope. */
  private evalCodeExpr(code: string, node: Node, scope: Scope): Val {
    if (this.depth >= this.opts.maxDecodeDepth) return UNKNOWN;
    const tree = parsePython(this.opts.parser, code.trim(), 200);
    if (tree === null) return UNKNOWN;
    try {
      const root = copyTree(tree, code.trim());
      const stmt = kids(root)[0];
      if (root.hasError || kids(root).length !== 1 || stmt?.type !== 'expression_statement') return UNKNOWN;
      const expr = kids(stmt)[0];
      if (expr === undefined) return UNKNOWN;
      const savedOrigin = this.origin;
      const e = this.ev(node, scope);
      this.origin = { line: e.line, col: e.col, decoded: code.slice(0, 300) };
      this.depth++;
      try {
        return this.evalExpr(expr, scope);
      } finally {
        this.depth--;
        this.origin = savedOrigin;
      }
    } finally {
      tree.delete();
    }
  }

  /** Parses decoded code and walks it with every event mapped to the original location. */
  private walkDecoded(code: string, node: Node, scope: Scope, shareScope = false): void {
    if (this.depth >= this.opts.maxDecodeDepth) {
      this.facts.decodeDepthHit = true;
      return;
    }
    if (performance.now() > this.opts.deadline) return;
    const source = foldIntegerArithmetic(code);
    const tree = parsePython(this.opts.parser, source, Math.min(this.opts.parseBudgetMs, Math.max(1, this.opts.deadline - performance.now())));
    if (tree === null) return;
    const savedOrigin = this.origin;
    const e = this.ev(node, scope);
    this.origin = { line: e.line, col: e.col, decoded: code.slice(0, 300) };
    this.depth++;
    this.facts.decodedPayloads++;
    try {
      const inner: Scope = shareScope ? scope : { ...scope, vars: new Map(), parent: scope };
      this.walkBlock(copyTree(tree, source), inner);
    } finally {
      this.depth--;
      this.origin = savedOrigin;
      tree.delete();
    }
  }
}

function a0host(v: Val | undefined): Val | undefined {
  if (v?.k === 'list') return v.items[0];
  return v;
}

function paramIdx(t: Taint | undefined): number[] {
  if (t === undefined) return [];
  const out: number[] = [];
  for (const l of t) {
    const m = /^param:(\d+)$/.exec(l);
    if (m !== null) out.push(Number(m[1]));
  }
  return out;
}

function netHostOf(t: Taint | undefined): string | undefined {
  if (t === undefined) return undefined;
  for (const l of t) if (l.startsWith('net:') && l !== 'net:command' && l.length > 4) return l.slice(4);
  return undefined;
}

function hasNet(t: Taint | undefined): boolean {
  if (t === undefined) return false;
  for (const l of t) if (l.startsWith('net:') && l !== 'net:command') return true;
  return false;
}

/** Returns `bytesToBinary` for callers that need to feed raw file bytes to the evaluator. */
export const binaryOf = bytesToBinary;

/** Types re-exported for rules. */
export type { Dest, ListVal, DictVal };
