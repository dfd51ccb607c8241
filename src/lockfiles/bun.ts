import type { Extractor, LockedPackage } from './types.js';
import { npmSourceOf, splitNameAtVersion } from './npm-util.js';
import { LineIndex, badFile, baseName, isObject, objectEntries, reachability } from './util.js';
import type { Json } from './util.js';

/** Index of the next character that is not whitespace or inside a comment. */
function skipBlank(text: string, from: number): number {
  let j = from;
  for (;;) {
    while (j < text.length && /\s/.test(text[j] ?? '')) j++;
    if (text.startsWith('//', j)) {
      const nl = text.indexOf('\n', j);
      j = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith('/*', j)) {
      const end = text.indexOf('*/', j + 2);
      j = end < 0 ? text.length : end + 2;
    } else return j;
  }
}

/** Converts JSONC (comments, trailing commas) to JSON, leaving string contents untouched. Linear time. */
export function jsoncToJson(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] ?? '';
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === ',') {
      const j = skipBlank(text, i + 1);
      if (text[j] === '}' || text[j] === ']') i++;
      else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** bun.lock (text lockfile, JSON with trailing commas). The binary bun.lockb is not read. */
export const bunLockExtractor: Extractor = {
  id: 'npm/bun-lock',
  ecosystem: 'npm',
  description: 'bun.lock (text format)',
  matches: (path) => baseName(path) === 'bun.lock',
  extract(text, context) {
    let doc: Json;
    try {
      const parsed: unknown = JSON.parse(jsoncToJson(text));
      if (!isObject(parsed)) throw new Error('not an object');
      doc = parsed;
    } catch (error) {
      throw badFile(context.file, 'invalid bun.lock', error);
    }
    const index = new LineIndex(text);
    const packagesAt = Math.max(0, text.indexOf('"packages"'));
    const prodRoots: string[] = [];
    const devRoots: string[] = [];
    for (const [, ws] of objectEntries(doc.workspaces)) {
      if (!isObject(ws)) continue;
      for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) prodRoots.push(...objectEntries(ws[field]).map(([k]) => k));
      devRoots.push(...objectEntries(ws.devDependencies).map(([k]) => k));
    }
    const packages = isObject(doc.packages) ? doc.packages : {};
    const edges = (key: string): string[] => {
      const v = packages[key];
      if (!Array.isArray(v)) return [];
      const info: unknown = v.find((x, i) => i > 0 && isObject(x));
      if (!isObject(info)) return [];
      const deps = [...objectEntries(info.dependencies), ...objectEntries(info.optionalDependencies)].map(([k]) => k);
      // Nested resolution: "parent/child" wins over the hoisted "child".
      return deps.map((d) => (packages[`${key}/${d}`] !== undefined ? `${key}/${d}` : d));
    };
    const { prod, dev } = reachability(prodRoots, devRoots, edges);
    const direct = new Set([...prodRoots, ...devRoots]);
    const out: LockedPackage[] = [];
    const seen = new Set<string>();
    for (const [key, value] of Object.entries(packages)) {
      if (!Array.isArray(value) || typeof value[0] !== 'string') continue;
      const id = splitNameAtVersion(value[0]);
      if (id === undefined) continue;
      const source = npmSourceOf(id.version);
      if (source === 'workspace') continue;
      if (seen.has(value[0])) continue;
      seen.add(value[0]);
      const line = index.findNext(`${JSON.stringify(key)}:`, packagesAt);
      const pkg: LockedPackage = { ecosystem: 'npm', name: id.name, pinned: source === 'registry', file: context.file, line, source };
      if (source === 'registry') pkg.version = id.version;
      else pkg.requirement = id.version;
      if (prodRoots.length + devRoots.length > 0) {
        pkg.direct = direct.has(key);
        if (prod.has(key)) pkg.dev = false;
        else if (dev.has(key)) pkg.dev = true;
      }
      out.push(pkg);
    }
    return out;
  },
};
