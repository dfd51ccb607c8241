import { VigilError, describeError } from '../core/errors.js';
import { parse as parseToml } from 'smol-toml';

/** Maps text offsets to 1-based lines and finds needles in order. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Line of the first occurrence of `needle` at or after `from` (0 when absent). */
  find(needle: string, from = 0): number {
    const at = this.text.indexOf(needle, from);
    return at < 0 ? 0 : this.lineAt(at);
  }

  private cursor = 0;

  /**
   * Like `find`, but first searches after the previous sequential match: entries are usually
   * written in the order they are parsed, which keeps extraction linear on large lockfiles.
   */
  findNext(needle: string, floor = 0): number {
    let at = this.text.indexOf(needle, Math.max(floor, this.cursor));
    if (at < 0) at = this.text.indexOf(needle, floor);
    if (at < 0) return 0;
    this.cursor = at + needle.length;
    return this.lineAt(at);
  }

  /** Offset of the start of a 1-based line. */
  offsetOf(line: number): number {
    return this.starts[Math.max(0, line - 1)] ?? this.text.length;
  }
}

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function objectEntries(v: unknown): [string, unknown][] {
  return isObject(v) ? Object.entries(v) : [];
}

export const MAX_LOCKFILE_BYTES = 64 * 1024 * 1024;

export function badFile(file: string, what: string, error?: unknown): VigilError {
  const detail = error === undefined ? '' : `: ${describeError(error)}`;
  return new VigilError('E_TARGET', `${file}: ${what}${detail}`);
}

export function parseTomlDoc(text: string, file: string): Json {
  try {
    const doc: unknown = parseToml(text);
    if (!isObject(doc)) throw new Error('not a table');
    return doc;
  } catch (error) {
    throw badFile(file, 'invalid TOML', error);
  }
}

export function parseJsonDoc(text: string, file: string): Json {
  try {
    const doc: unknown = JSON.parse(text);
    if (!isObject(doc)) throw new Error('not an object');
    return doc;
  } catch (error) {
    throw badFile(file, 'invalid JSON', error);
  }
}

/** Basename of a forward- or back-slash path. */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? path : path.slice(i + 1);
}

/**
 * Marks packages as direct/dev from a dependency graph: packages reachable from `prodRoots` are prod,
 * those reachable only from `devRoots` are dev. Keys are whatever the caller uses for graph nodes.
 */
export function reachability(
  prodRoots: Iterable<string>,
  devRoots: Iterable<string>,
  edges: (node: string) => Iterable<string>,
): { prod: Set<string>; dev: Set<string> } {
  const walk = (roots: Iterable<string>, seen: Set<string>): void => {
    const stack = [...roots];
    while (stack.length > 0) {
      const n = stack.pop();
      if (n === undefined || seen.has(n)) continue;
      seen.add(n);
      for (const m of edges(n)) if (!seen.has(m)) stack.push(m);
    }
  };
  const prod = new Set<string>();
  walk(prodRoots, prod);
  const devAll = new Set<string>();
  walk(devRoots, devAll);
  const dev = new Set([...devAll].filter((n) => !prod.has(n)));
  return { prod, dev };
}
