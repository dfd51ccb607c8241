/**
 * String constants that one module of a package imports from another (`from ._conf import URL`).
 * Files are walked one at a time (and cached by content), so a constant defined elsewhere would be
 * unknown where it is used; these helpers find such constants with a bounded line scan of the defining
 * module, not a parse, and hand them to the importing file's walk.
 */
import { createHash } from 'node:crypto';
import type { StrVal } from './values.js';

/** `NAME = 'literal'` at module level: a plain literal without escapes (so its value is its text). */
const CONST_LINE_RE = /^([A-Za-z_]\w{0,80})[ \t]*=[ \t]*([rRbBuU]{0,2})(?:'([^'\\\r\n]{0,4096})'|"([^"\\\r\n]{0,4096})")[ \t]*(?:#[^\r\n]*)?$/gm;
/** `from MOD import a, b as c` or `from MOD import (\n a,\n b,\n)` at the start of a line. */
const FROM_IMPORT_RE = /^[ \t]*from[ \t]+(\.{0,5}[\w.]{0,200})[ \t]+import[ \t]+(\([^)]{0,4000}\)|[^\r\n]{0,2000})/gm;
const MAX_CONSTANTS = 256;

/** Module-level string constants of a module's source; a name assigned twice is left out. */
export function moduleConstants(text: string): Map<string, StrVal> {
  const out = new Map<string, StrVal>();
  const twice = new Set<string>();
  for (const m of text.matchAll(CONST_LINE_RE)) {
    const name = m[1] as string;
    if (out.has(name)) twice.add(name);
    const bytes = /b/i.test(m[2] ?? '');
    out.set(name, { k: 'str', s: m[3] ?? m[4] ?? '', ...(bytes ? { bytes } : {}) });
    if (out.size >= MAX_CONSTANTS) break;
  }
  for (const n of twice) out.delete(n);
  return out;
}

/** Absolute module name of `from MOD import` written in module `fromModule` (a package's `__init__` is the package). */
export function resolveModule(written: string, fromModule: string, isPackage: boolean): string {
  const level = /^\.*/.exec(written)?.[0].length ?? 0;
  const rest = written.slice(level);
  if (level === 0) return rest;
  const parts = fromModule.split('.');
  if (!isPackage) parts.pop();
  for (let i = 1; i < level; i++) parts.pop();
  if (rest !== '') parts.push(rest);
  return parts.join('.');
}

/** One name imported from a module, as written: `MOD\0NAME`. */
export function importKey(written: string, name: string): string {
  return `${written}\0${name}`;
}

/**
 * Constants a file imports from other modules of the package, keyed by `importKey`, and a digest of
 * them (part of the file's cache key). `constantsOf` returns a module's constants (cached by the caller).
 */
export function importedConstants(
  text: string,
  fromModule: string | undefined,
  isPackage: boolean,
  modules: ReadonlyMap<string, string>,
  constantsOf: (path: string) => ReadonlyMap<string, StrVal>,
): { map: Map<string, StrVal>; digest: string } | undefined {
  if (!text.includes('import')) return undefined;
  let map: Map<string, StrVal> | undefined;
  for (const m of text.matchAll(FROM_IMPORT_RE)) {
    const written = m[1] as string;
    if (written === '' || (written.startsWith('.') && fromModule === undefined)) continue;
    const path = modules.get(resolveModule(written, fromModule ?? '', isPackage));
    if (path === undefined) continue;
    const consts = constantsOf(path);
    if (consts.size === 0) continue;
    for (const item of (m[2] as string).replace(/[()]/g, '').split(',')) {
      const name = /^\s*(\w+)/.exec(item)?.[1];
      const v = name !== undefined ? consts.get(name) : undefined;
      if (name === undefined || v === undefined) continue;
      map ??= new Map();
      map.set(importKey(written, name), v);
    }
  }
  if (map === undefined) return undefined;
  const h = createHash('sha256');
  for (const [k, v] of [...map].sort((a, b) => (a[0] < b[0] ? -1 : 1))) h.update(k).update('\0').update(v.bytes === true ? 'b' : 's').update(v.s).update('\0');
  return { map, digest: h.digest('hex').slice(0, 16) };
}
