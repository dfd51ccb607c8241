/**
 * Behaviour facts read straight from an unpacked release (independent of the analysis rules, so the
 * diff still says something when a rule misses): install hooks, network destinations, credential
 * sources, encoded blobs and declared dependencies. All input is hostile: files are size-capped and
 * every regex is linear.
 */
import { createHash } from 'node:crypto';
import { parse as parseToml } from 'smol-toml';
import type { FileEntry, FileTree } from '../core/types.js';

/** Bytes of one file that the extractors read. */
const MAX_SCAN_BYTES = 1024 * 1024;
/** Total bytes read per tree. */
const MAX_TREE_SCAN_BYTES = 64 * 1024 * 1024;

const CODE_EXT = /\.(?:js|mjs|cjs|jsx|ts|py|pyw|pth|sh|bash|bat|cmd|ps1|rb|pl)$/i;
const decoder = new TextDecoder('utf-8', { fatal: false });

export interface InstallHook {
  /** File that declares the hook (package.json, setup.py, x.pth, …). */
  file: string;
  /** Hook name: npm script name, `cmdclass:install`, `setup.py`, `pth`, `build-backend`. */
  hook: string;
  /** The command or code it runs (capped). */
  command: string;
}

export interface Dependency {
  name: string;
  spec: string;
  /** Where it is declared. */
  file: string;
}

export interface ReleaseFacts {
  /** Path (root folder stripped) -> sha256 */
  files: Map<string, string>;
  hooks: InstallHook[];
  /** Host -> files that mention it. */
  hosts: Map<string, Set<string>>;
  /** Credential source label -> files. */
  credentials: Map<string, Set<string>>;
  /** Blob hash -> where and how long. */
  blobs: Map<string, { path: string; length: number; preview: string }>;
  dependencies: Dependency[];
  /** Files that run at install time (setup.py, files named by npm install scripts). */
  installFiles: Set<string>;
}

/**
 * A release's files sit under a folder that names the version (`pkg-1.0/`, npm's `package/`, wheels'
 * `pkg-1.0.dist-info/`); strip it so two versions line up.
 */
export function pathMapper(tree: FileTree): (path: string) => string {
  const first = new Set<string>();
  let allNested = tree.files.length > 0;
  for (const f of tree.files) {
    const i = f.path.indexOf('/');
    if (i < 0) allNested = false;
    else first.add(f.path.slice(0, i));
  }
  const root = allNested && first.size === 1 ? `${[...first][0] ?? ''}/` : '';
  return (path: string): string => {
    const p = root !== '' && path.startsWith(root) ? path.slice(root.length) : path;
    return p.replace(/^([^/]+)-[^/-]+\.(dist-info|data)\//, '$1.$2/');
  };
}

function text(file: FileEntry): string {
  return decoder.decode(file.data.byteLength > MAX_SCAN_BYTES ? file.data.subarray(0, MAX_SCAN_BYTES) : file.data);
}

const NPM_INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare', 'preuninstall', 'uninstall', 'postuninstall'];
const URL_RE = /\b(?:https?|wss?|ftp):\/\/(?:[^\s/@'"`]{1,128}@)?(\[[0-9a-f:.]{2,45}\]|[a-z0-9_.-]{1,253})/gi;
const HOST_RE = /\bhost(?:name)?['"]?\s{0,4}[:=]\s{0,4}['"]([a-z0-9_.-]{1,253})['"]/gi;
const IP_RE = /['"(/@]((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?::\d{1,5})?['"/)]/g;
const BLOB_RE = /[A-Za-z0-9+/=_-]{200,}/g;
/** Hosts that show up in licence headers and schemas rather than as destinations. */
const IGNORED_HOSTS = new Set([
  'www.apache.org', 'apache.org', 'www.gnu.org', 'gnu.org', 'opensource.org', 'www.opensource.org', 'www.w3.org', 'w3.org',
  'json-schema.org', 'creativecommons.org', 'mozilla.org', 'www.mozilla.org', 'example.com', 'www.example.com', 'example.org',
  'schemas.xmlsoap.org', 'schemas.microsoft.com', 'xmlns.com', 'purl.org', 'semver.org', 'spdx.org', 'img.shields.io',
]);

/** Things that hold secrets, and the literal text that reveals code reading them. */
const CREDENTIAL_PATTERNS: readonly [string, RegExp][] = [
  ['environment (whole)', /\bprocess\.env\b(?!\.)|\bos\.environ\b(?!\s*[.[]\s*(?:get\b|\[))|\bos\.environ\.copy\(|\bJSON\.stringify\(\s*process\.env\s*\)/],
  ['npm token', /\bNPM_TOKEN\b|_authToken|\.npmrc\b/],
  ['PyPI token', /\.pypirc\b|\bPYPI_TOKEN\b|\bTWINE_PASSWORD\b/],
  ['GitHub token', /\bGITHUB_TOKEN\b|\bGH_TOKEN\b|\.git-credentials\b/],
  ['AWS credentials', /\bAWS_SECRET_ACCESS_KEY\b|\.aws[/\\]credentials|169\.254\.169\.254/],
  ['cloud credentials', /\bGOOGLE_APPLICATION_CREDENTIALS\b|\bAZURE_CLIENT_SECRET\b|\.kube[/\\]config|\.docker[/\\]config\.json/],
  ['SSH keys', /\.ssh[/\\](?:id_|authorized_keys|known_hosts)/],
  ['browser data', /Login Data|Local State|\bCookies\b.{0,40}(?:Chrome|Edge|Brave)|(?:Chrome|Edge|Brave).{0,80}\bCookies\b/],
  ['Discord tokens', /discord(?:app)?[/\\]Local Storage|Local Storage[/\\]leveldb/i],
  ['crypto wallets', /\bwallet\.dat\b|\bMetaMask\b|\bExodus\b[/\\]|\bElectrum\b[/\\]/],
  ['system accounts', /\/etc\/(?:passwd|shadow)\b/],
  ['host identity', /\bos\.(?:hostname|userInfo|networkInterfaces)\(|\bsocket\.gethostname\(|\bgetpass\.getuser\(|\bplatform\.node\(/],
];

function addTo(map: Map<string, Set<string>>, key: string, path: string): void {
  let s = map.get(key);
  if (s === undefined) map.set(key, (s = new Set()));
  s.add(path);
}

/** Hostnames and IP literals in a text. */
export function hostsIn(source: string): Set<string> {
  const out = new Set<string>();
  for (const m of source.matchAll(URL_RE)) addHost(out, m[1] ?? '');
  for (const m of source.matchAll(HOST_RE)) addHost(out, m[1] ?? '');
  for (const m of source.matchAll(IP_RE)) addHost(out, m[1] ?? '');
  return out;
}

function addHost(out: Set<string>, raw: string): void {
  const host = raw.toLowerCase().replace(/\.+$/, '');
  if (host.length < 3 || IGNORED_HOSTS.has(host)) return;
  if (!/^\[|^\d{1,3}(?:\.\d{1,3}){3}$|\.[a-z][a-z0-9-]{1,62}$|^localhost$/.test(host)) return; // needs a TLD
  out.add(host);
}

function packageJsonFacts(path: string, source: string, facts: ReleaseFacts, mapped: (p: string) => string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(source);
  } catch {
    return;
  }
  if (!isRecord(doc)) return;
  const scripts = doc.scripts;
  if (isRecord(scripts)) {
    for (const name of NPM_INSTALL_SCRIPTS) {
      const cmd = scripts[name];
      if (typeof cmd !== 'string') continue;
      facts.hooks.push({ file: path, hook: `scripts.${name}`, command: cmd.slice(0, 500) });
      for (const m of cmd.matchAll(/\b(?:node|python3?|sh|bash)\s+(?:-[a-z]\s+)?([\w./-]{1,200})/g)) {
        const target = m[1] ?? '';
        // `node .` runs the package's main file.
        const file = target === '.' || target === './' ? (typeof doc.main === 'string' ? doc.main : 'index.js') : target;
        facts.installFiles.add(mapped(file).replace(/^\.\//, ''));
      }
    }
  }
  for (const field of ['dependencies', 'optionalDependencies']) {
    const deps = doc[field];
    if (!isRecord(deps)) continue;
    for (const [name, spec] of Object.entries(deps)) {
      if (typeof spec === 'string') facts.dependencies.push({ name: name.toLowerCase(), spec, file: path });
    }
  }
}

/** Requirement name + spec from a PEP 508 string. */
function pep508(req: string): { name: string; spec: string } | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]{0,200})\s*(.{0,300})$/.exec(req);
  if (m === null) return undefined;
  return { name: (m[1] ?? '').toLowerCase().replace(/[-_.]+/g, '-'), spec: (m[2] ?? '').trim() };
}

function pythonFacts(path: string, base: string, source: string, facts: ReleaseFacts): void {
  if (base === 'setup.py') {
    facts.hooks.push({ file: path, hook: 'setup.py', command: '(runs at install from source)' });
    facts.installFiles.add(path);
    const cmd = /cmdclass\s{0,4}=\s{0,4}\{([^}]{0,2000})\}/.exec(source);
    if (cmd !== null) {
      for (const m of (cmd[1] ?? '').matchAll(/['"]([\w-]{1,40})['"]\s{0,4}:\s{0,4}([\w.]{1,100})/g)) {
        facts.hooks.push({ file: path, hook: `cmdclass:${m[1] ?? ''}`, command: m[2] ?? '' });
      }
    }
    const req = /install_requires\s{0,4}=\s{0,4}\[([^\]]{0,20000})\]/.exec(source);
    if (req !== null) {
      for (const m of (req[1] ?? '').matchAll(/['"]([^'"\n]{1,300})['"]/g)) {
        const d = pep508(m[1] ?? '');
        if (d !== undefined) facts.dependencies.push({ ...d, file: path });
      }
    }
  } else if (base === 'PKG-INFO' || base === 'METADATA') {
    for (const m of source.matchAll(/^Requires-Dist:[ \t]*([^\n;]{1,300})/gm)) {
      const d = pep508(m[1] ?? '');
      if (d !== undefined) facts.dependencies.push({ ...d, file: path });
    }
  } else if (base === 'pyproject.toml') {
    let doc: unknown;
    try {
      doc = parseToml(source);
    } catch {
      return;
    }
    if (!isRecord(doc)) return;
    const bs = doc['build-system'];
    if (isRecord(bs) && typeof bs['build-backend'] === 'string' && bs['backend-path'] !== undefined) {
      facts.hooks.push({ file: path, hook: 'in-tree build-backend', command: bs['build-backend'] });
    }
    const project = doc.project;
    if (isRecord(project) && Array.isArray(project.dependencies)) {
      for (const r of project.dependencies) {
        const d = typeof r === 'string' ? pep508(r) : undefined;
        if (d !== undefined) facts.dependencies.push({ ...d, file: path });
      }
    }
  } else if (path.endsWith('.pth')) {
    const lines = source.split('\n').filter((l) => /^\s*import\s/.test(l));
    if (lines.length > 0) facts.hooks.push({ file: path, hook: 'pth (runs at every interpreter start)', command: (lines[0] ?? '').slice(0, 300) });
  }
}

/** Reads the facts of one release. */
export function extractFacts(tree: FileTree): ReleaseFacts {
  const mapped = pathMapper(tree);
  const facts: ReleaseFacts = {
    files: new Map(),
    hooks: [],
    hosts: new Map(),
    credentials: new Map(),
    blobs: new Map(),
    dependencies: [],
    installFiles: new Set(),
  };
  let budget = MAX_TREE_SCAN_BYTES;
  const files = [...tree.files].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  for (const f of files) {
    const path = mapped(f.path);
    facts.files.set(path, createHash('sha256').update(f.data).digest('hex'));
    const base = path.slice(path.lastIndexOf('/') + 1);
    const isManifest = base === 'package.json' && !path.includes('node_modules/');
    const isPyMeta = ['setup.py', 'PKG-INFO', 'METADATA', 'pyproject.toml'].includes(base) || path.endsWith('.pth');
    const isCode = CODE_EXT.test(path);
    if (!isManifest && !isPyMeta && !isCode) continue;
    if (budget <= 0) continue;
    budget -= Math.min(f.data.byteLength, MAX_SCAN_BYTES);
    const source = text(f);
    // Only the top-level manifest and metadata describe the release itself.
    const depth = path.split('/').length;
    if (isManifest && depth === 1) packageJsonFacts(path, source, facts, (p) => p);
    if (isPyMeta && (depth <= 2 || path.endsWith('.pth'))) pythonFacts(path, base, source, facts);
    if (!isCode && !isManifest) continue;
    for (const h of hostsIn(source)) addTo(facts.hosts, h, path);
    for (const [label, re] of CREDENTIAL_PATTERNS) if (re.test(source)) addTo(facts.credentials, label, path);
    for (const m of source.matchAll(BLOB_RE)) {
      const blob = m[0];
      if (/^[a-z_-]+$/i.test(blob) || /^[0-9]+$/.test(blob)) continue; // identifiers, digit runs
      const hash = createHash('sha256').update(blob).digest('hex').slice(0, 16);
      if (!facts.blobs.has(hash)) facts.blobs.set(hash, { path, length: blob.length, preview: blob.slice(0, 40) });
    }
  }
  return facts;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
