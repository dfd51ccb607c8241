/** Abstract values of the partial evaluator, taint labels and destination classification. */

export type Taint = ReadonlySet<string>;

export const NO_TAINT: Taint = new Set<string>();

interface Base {
  taint?: Taint;
}

/** A string or bytes value (bytes as a binary string). `dec` marks text recovered by deobfuscation. */
export interface StrVal extends Base {
  k: 'str';
  s: string;
  bytes?: boolean;
  dec?: boolean;
  /** Some parts are unknown (kept as U+FFFD) — usable for pattern checks, not for decoding. */
  partial?: boolean;
  /** Cached: no surrogate pairs, so JS indexing equals Python indexing. */
  bmp?: boolean;
}
export interface NumVal extends Base {
  k: 'num';
  n: number;
}
export interface ListVal extends Base {
  k: 'list';
  items: Val[];
}
export interface DictVal extends Base {
  k: 'dict';
  entries: [Val, Val][];
}
/** A reference to a module, function or method by dotted name (`os.system`, `exec`). */
export interface RefVal extends Base {
  k: 'ref';
  name: string;
  recv?: Val;
  /** `__import__('a.b.c')` evaluates to package `a`: the attribute path (`b`, `c`) that leads back to the module named. */
  rest?: string[];
}
/** A function defined in the analysed code. */
export interface FuncVal extends Base {
  k: 'func';
  name: string;
  params: string[];
  /** An instance method: `self` was dropped from `params`. */
  bound?: boolean;
  lambda?: { param: string; body: unknown };
  /** Small function bodies are kept so calls with constant arguments can be evaluated (inlined). */
  inline?: unknown;
}
/** Anything else; `from` names the call that produced it, `dest` a network destination it is bound to. */
export interface UnknownVal extends Base {
  k: 'unknown';
  from?: string;
  dest?: Dest;
  path?: string;
  /** Key material bound to a cipher object (Fernet). */
  key?: string;
}

export type Val = StrVal | NumVal | ListVal | DictVal | RefVal | FuncVal | UnknownVal;

export const UNKNOWN: UnknownVal = { k: 'unknown' };

export function unionTaint(...parts: (Taint | undefined)[]): Taint | undefined {
  let out: Set<string> | undefined;
  let single: Taint | undefined;
  for (const p of parts) {
    if (p === undefined || p.size === 0) continue;
    if (single === undefined && out === undefined) {
      single = p;
      continue;
    }
    out ??= new Set(single);
    for (const l of p) out.add(l);
  }
  return out ?? single;
}

export function taintOf(v: Val | undefined): Taint | undefined {
  if (v === undefined) return undefined;
  if (v.k === 'list') return unionTaint(v.taint, ...v.items.slice(0, 64).map(taintOf));
  if (v.k === 'dict') return unionTaint(v.taint, ...v.entries.slice(0, 64).map(([a, b]) => unionTaint(taintOf(a), taintOf(b))));
  return v.taint;
}

export function withTaint<T extends Val>(v: T, taint: Taint | undefined): T {
  if (taint === undefined || taint.size === 0) return v;
  return { ...v, taint: unionTaint(v.taint, taint) };
}

export function str(s: string, extra?: Partial<Omit<StrVal, 'k' | 's'>>): StrVal {
  return { k: 'str', s, ...extra };
}

export function isStr(v: Val | undefined): v is StrVal {
  return v !== undefined && v.k === 'str';
}

/** Labels that are real data sources (not function-parameter placeholders). */
export function sourceLabels(t: Taint | undefined): string[] {
  if (t === undefined) return [];
  return [...t].filter((l) => !l.startsWith('param:') && !l.startsWith('param-file:') && !l.startsWith('net:')).sort();
}

// ---------------------------------------------------------------------------------------------------
// Destinations

export type DestClass = 'vendor' | 'unknown' | 'ip' | 'oob' | 'paste' | 'messenger' | 'onion' | 'local' | 'metadata' | 'dynamic';

export interface Dest {
  raw: string;
  host: string;
  cls: DestClass;
  obfuscated: boolean;
  /** Reached through another host's URL with a `Host` header (domain fronting). */
  fronted?: boolean;
}

const OOB_RE =
  /(?:^|\.)(?:oastify\.com|oast\.(?:fun|live|me|online|pro|site)|interact\.sh|interactsh\.com|burpcollaborator\.net|pipedream\.net|m\.pipedream\.net|webhook\.site|typedwebhook\.tools|requestbin\.(?:com|net)|requestcatcher\.com|ngrok\.(?:io|app|dev)|ngrok-free\.app|beeceptor\.com|canarytokens\.com|iplogger\.(?:com|org|ru|co|info)|2no\.co|yip\.su|grabify\.link|iplis\.ru|ps3cfw\.com|dnslog\.cn|ceye\.io|eo\d*\.burpcollaborator|hookbin\.com|requestinspector\.com|trycloudflare\.com|serveo\.net|localtunnel\.me|loca\.lt|herokuapp\.com|repl\.co|glitch\.me|000webhostapp\.com|workers\.dev|free\.beeceptor\.com)$/i;
const PASTE_RE =
  /(?:^|\.)(?:pastebin\.com|paste\.ee|hastebin\.com|ghostbin\.\w+|rentry\.co|transfer\.sh|file\.io|anonfiles\.com|gofile\.io|bashupload\.com|0x0\.st|termbin\.com|catbox\.moe|filebin\.net|temp\.sh|dpaste\.\w+|controlc\.com|paste\.rs|ix\.io|sprunge\.us|mediafire\.com|dropbox\.com|dropboxusercontent\.com|drive\.google\.com|cdn\.discordapp\.com|media\.discordapp\.net|bit\.ly|tinyurl\.com|is\.gd|rebrand\.ly|cutt\.ly)$/i;
const MESSENGER_RE = /(?:^|\.)(?:discord(?:app)?\.com|api\.telegram\.org|hooks\.slack\.com|discord\.gg)$/i;
const VENDOR_RE =
  /(?:^|\.)(?:amazonaws\.com|amazonaws\.com\.cn|aws\.amazon\.com|googleapis\.com|google\.com|googleusercontent\.com|azure\.com|windows\.net|microsoft\.com|microsoftonline\.com|aliyuncs\.com|aliyun\.com|alibabacloud\.com|tencentcloudapi\.com|tencentcloud\.com|qcloud\.com|github\.com|githubusercontent\.com|gitlab\.com|pypi\.org|pythonhosted\.org|python\.org|npmjs\.org|npmjs\.com|digitalocean\.com|cloudflare\.com|heroku\.com|openai\.com|anthropic\.com|huggingface\.co|readthedocs\.io|sourceforge\.net|apache\.org|debian\.org|ubuntu\.com|fedoraproject\.org|mozilla\.org|gnu\.org|kernel\.org|sourceware\.org|freedesktop\.org|gnome\.org|x\.org|openssl\.org|zlib\.net|sqlite\.org|cmake\.org|llvm\.org|isc\.org|netlib\.org|xmlsoft\.org)$/i;
/**
 * Hosts on a vendor's domain that anyone can deploy to (API gateways, function URLs, buckets, app
 * hosting, raw files of any repository): the vendor does not own what answers there, so they are not
 * vendor endpoints.
 */
const USER_HOSTED_RE =
  /\.execute-api\.[a-z0-9-]+\.amazonaws\.com$|\.lambda-url\.[a-z0-9-]+\.on\.aws$|(?:^|\.)s3[.-](?:[a-z0-9-]+\.)?amazonaws\.com$|\.s3\.amazonaws\.com$|\.elasticbeanstalk\.com$|\.cloudfront\.net$|\.azurewebsites\.net$|\.blob\.core\.windows\.net$|\.cloudapp\.azure\.com$|\.azure-api\.net$|\.appspot\.com$|\.cloudfunctions\.net$|\.run\.app$|\.web\.app$|\.firebaseapp\.com$|\.firebaseio\.com$|\.herokuapp\.com$|\.github\.io$|^(?:raw|gist)\.githubusercontent\.com$|\.ondigitalocean\.app$/i;
const IPV4_RE = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** Known public "what is my IP" services: fetching them is host reconnaissance. */
export const IP_LOOKUP_RE = /(?:^|\.)(?:ipify\.org|ipinfo\.io|ifconfig\.me|ifconfig\.co|icanhazip\.com|ipapi\.co|ip-api\.com|checkip\.amazonaws\.com|myexternalip\.com|ident\.me|wtfismyip\.com|ipecho\.net|api\.myip\.com|geolocation-db\.com|httpbin\.org)$/i;

export function hostOf(raw: string): string {
  let s = raw.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(s);
  if (scheme !== null) s = s.slice(scheme[0].length);
  s = s.replace(/^[^@/]*@/, '');
  const end = s.search(/[/?#\s'"]/);
  if (end >= 0) s = s.slice(0, end);
  if (s.startsWith('[')) return s.slice(1, s.indexOf(']') > 0 ? s.indexOf(']') : undefined).toLowerCase();
  return s.replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase();
}

export function classifyHost(host: string): DestClass {
  if (host === '' || host.includes('\uFFFD')) return 'dynamic';
  if (host === '169.254.169.254' || host === 'metadata.google.internal' || host === '100.100.100.200' || host === 'fd00:ec2::254' || host === 'metadata') return 'metadata';
  if (host === 'localhost' || host.startsWith('127.') || host === '0.0.0.0' || host === '::1' || host.endsWith('.invalid.local')) return 'local';
  if (host.endsWith('.onion')) return 'onion';
  if (MESSENGER_RE.test(host)) return 'messenger';
  if (OOB_RE.test(host)) return 'oob';
  if (PASTE_RE.test(host)) return 'paste';
  if (IPV4_RE.test(host)) {
    if (isPrivateAddress(host)) return 'local';
    return 'ip';
  }
  if (USER_HOSTED_RE.test(host)) return 'unknown';
  if (VENDOR_RE.test(host)) return 'vendor';
  if (!host.includes('.')) return 'dynamic';
  return 'unknown';
}

export function makeDest(raw: string, obfuscated: boolean): Dest {
  let host = hostOf(raw);
  // Data in the leading labels (`<data>.probe.example`): classify the fixed suffix.
  if (host.includes('\uFFFD')) {
    const suffix = host.slice(host.lastIndexOf('\uFFFD') + 1).replace(/^[.-]+/, '');
    if (/^[a-z0-9_-]+(?:\.[a-z0-9_-]+)+$/i.test(suffix)) host = suffix.toLowerCase();
  }
  return { raw: raw.slice(0, 200), host, cls: classifyHost(host), obfuscated };
}

/**
 * Classes no legitimate package sends data to or fetches programs from: interaction services, paste and
 * file-drop sites, messengers, bare IP addresses, .onion.
 */
export const HOSTILE_CLASSES: ReadonlySet<DestClass> = new Set(['oob', 'paste', 'messenger', 'onion', 'ip']);

/** A host in one of the hostile classes. */
export function isHostileHost(host: string): boolean {
  return HOSTILE_CLASSES.has(classifyHost(host));
}

/** Destinations that no legitimate package sends host data to at install time (hostile classes, hidden URLs). */
export function isHostileDest(d: Dest | undefined): boolean {
  return d !== undefined && (HOSTILE_CLASSES.has(d.cls) || d.obfuscated);
}

/** An IPv4 address of a private network (10/8, 172.16/12, 192.168/16): another machine, not this one. */
export function isPrivateAddress(host: string): boolean {
  return /^(?:10|192\.168|172\.(?:1[6-9]|2\d|3[01]))\.\d{1,3}\.\d{1,3}(?:\.\d{1,3})?$/.test(host);
}

export const URL_IN_TEXT_RE = /\b(?:https?|ftp|wss?):\/\/[^\s'"<>`)\]}]{3,200}/gi;
