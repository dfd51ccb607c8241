/** Reading an npm package's layout: package.json, install hooks, entry points and file roles. */
import type { FileEntry } from '../../core/types.js';
import type { InstallScript, PackageManifest } from './context.js';
import { analyzeShell } from './shell.js';

export const INSTALL_HOOKS = ['preinstall', 'install', 'postinstall'] as const;

export const JS_EXTENSIONS = /\.(?:js|cjs|mjs|jsx|ts|cts|mts|tsx)$/i;
const DECL = /\.d\.(?:ts|cts|mts)$/i;

export function isJsPath(path: string): boolean {
  return JS_EXTENSIONS.test(path) && !DECL.test(path);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function stringMap(x: unknown, limit = 2000): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(x)) return out;
  let n = 0;
  for (const [k, v] of Object.entries(x)) {
    if (typeof v === 'string' && n++ < limit) out[k] = v;
  }
  return out;
}

function collectExportFiles(x: unknown, out: string[], depth = 0): void {
  if (depth > 6 || out.length > 50) return;
  if (typeof x === 'string') {
    if (x.startsWith('./') && !x.includes('*')) out.push(x);
    return;
  }
  if (Array.isArray(x)) {
    for (const v of x) collectExportFiles(v, out, depth + 1);
    return;
  }
  if (isRecord(x)) for (const v of Object.values(x)) collectExportFiles(v, out, depth + 1);
}

/** Checks an untrusted package.json document. */
export function readManifest(doc: unknown): PackageManifest | undefined {
  if (!isRecord(doc)) return undefined;
  const m: PackageManifest = {
    scripts: stringMap(doc['scripts']),
    bin: {},
    dependencies: { ...stringMap(doc['dependencies']), ...stringMap(doc['optionalDependencies']) },
    exportFiles: [],
  };
  if (typeof doc['name'] === 'string') m.name = doc['name'];
  if (typeof doc['version'] === 'string') m.version = doc['version'];
  if (typeof doc['main'] === 'string') m.main = doc['main'];
  if (typeof doc['gypfile'] === 'boolean') m.gypfile = doc['gypfile'];
  const bin = doc['bin'];
  if (typeof bin === 'string') {
    if (m.name !== undefined) m.bin[m.name.replace(/^@[^/]+\//, '')] = bin;
  } else m.bin = stringMap(bin);
  collectExportFiles(doc['exports'], m.exportFiles);
  return m;
}

export function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: false }).decode(data)) as unknown;
  } catch {
    return undefined;
  }
}

/** Finds the package root: the shallowest package.json (npm tarballs put it under `package/`). */
export function findManifest(files: readonly FileEntry[]): FileEntry | undefined {
  let best: FileEntry | undefined;
  let bestDepth = Infinity;
  for (const f of files) {
    if (!f.path.endsWith('package.json') || !(f.path === 'package.json' || f.path.endsWith('/package.json'))) continue;
    const depth = f.path.split('/').length;
    if (depth < bestDepth && depth <= 2) {
      best = f;
      bestDepth = depth;
    }
  }
  return best;
}

export function installScripts(m: PackageManifest | undefined, hasBindingGyp: boolean): InstallScript[] {
  const out: InstallScript[] = [];
  if (m !== undefined) {
    for (const hook of INSTALL_HOOKS) {
      const script = m.scripts[hook];
      if (script !== undefined && script.trim() !== '') out.push({ hook, script, line: 0, facts: analyzeShell(script) });
    }
  }
  // npm runs `node-gyp rebuild` when binding.gyp exists and no install/preinstall script is given
  if (hasBindingGyp && m?.scripts['install'] === undefined && m?.scripts['preinstall'] === undefined && m?.gypfile !== false) {
    out.push({ hook: 'binding.gyp', script: 'node-gyp rebuild', line: 0, facts: analyzeShell('node-gyp rebuild') });
  }
  return out;
}

/** Normalises `./a/../b.js` style paths relative to a directory inside the package. Never escapes it. */
export function joinPath(dir: string, rel: string): string | undefined {
  if (rel.startsWith('/') || /^[a-zA-Z]:/.test(rel)) return undefined;
  const parts = dir === '' ? [] : dir.split('/');
  for (const p of rel.replace(/\\/g, '/').split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(p);
  }
  return parts.join('/');
}

/** Resolves a relative module path the way Node would, against the files that exist. */
export function resolveModule(exists: (p: string) => boolean, fromDir: string, spec: string): string | undefined {
  const base = joinPath(fromDir, spec);
  if (base === undefined) return undefined;
  const candidates = [base, `${base}.js`, `${base}.cjs`, `${base}.mjs`, `${base}.json`, `${base}/index.js`, `${base}/index.cjs`, `${base}/index.mjs`];
  for (const c of candidates) if (exists(c)) return c;
  return undefined;
}

export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}
