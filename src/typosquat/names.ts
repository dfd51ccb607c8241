/**
 * Name normalisation and string distances used by the typosquatting detector. Pure and dependency-free.
 */
import type { Ecosystem } from '../core/types.js';

/** Longest name we look at; anything longer is not a plausible package name. */
export const MAX_NAME_LENGTH = 214;

/**
 * The name as the registry compares it: PEP 503 for PyPI (lower case, runs of `-`, `_`, `.` become `-`),
 * lower case for npm. Returns '' for something that is not a plausible name.
 */
export function normaliseName(ecosystem: Ecosystem, name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME_LENGTH) return '';
  const lower = trimmed.normalize('NFKC').toLowerCase();
  if (ecosystem === 'pypi') return lower.replace(/[-_.]+/g, '-');
  return lower;
}

/** Separators are dropped: `python-dateutil` and `pythondateutil` have the same bare form. */
export function bareName(key: string): string {
  return key.replace(/[-_.]/g, '');
}

/** Confusable non-Latin letters mapped to the Latin letter they imitate (Cyrillic, Greek). */
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', ɡ: 'g', ı: 'i',
  α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
};

/** Characters that look alike in the fonts a reviewer uses, folded to one representative. */
const GLYPH_CLASS: Readonly<Record<string, string>> = { '0': 'o', '1': 'l', i: 'l', '|': 'l' };

/**
 * Visual skeleton: confusables folded, separators dropped, `rn`→`m`, `vv`→`w`, 0/o, 1/l/i folded.
 * Two different names with the same skeleton look the same at a glance.
 */
export function skeleton(key: string): string {
  let out = '';
  for (const ch of key) {
    const c = CONFUSABLES[ch] ?? ch;
    if (c === '-' || c === '_' || c === '.') continue;
    out += GLYPH_CLASS[c] ?? c;
  }
  return out.replace(/rn/g, 'm').replace(/vv/g, 'w');
}

/** True when the two characters are homoglyphs of each other. */
export function isHomoglyphPair(a: string, b: string): boolean {
  if (a === b) return false;
  const fold = (c: string): string => GLYPH_CLASS[CONFUSABLES[c] ?? c] ?? CONFUSABLES[c] ?? c;
  return fold(a) === fold(b);
}

const KEYBOARD_ROWS = ['1234567890-', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const KEY_POS = new Map<string, [number, number]>();
KEYBOARD_ROWS.forEach((row, r) => {
  [...row].forEach((ch, c) => KEY_POS.set(ch, [r, c]));
});

/** QWERTY neighbours (same row ±1, or the row above/below at the same or next column). */
export function isKeyboardAdjacent(a: string, b: string): boolean {
  const pa = KEY_POS.get(a);
  const pb = KEY_POS.get(b);
  if (pa === undefined || pb === undefined || a === b) return false;
  const dr = pb[0] - pa[0];
  const dc = pb[1] - pa[1];
  if (dr === 0) return Math.abs(dc) === 1;
  // Rows are staggered: the key below-left of `e` is `s`/`d`.
  if (dr === 1) return dc === 0 || dc === -1;
  if (dr === -1) return dc === 0 || dc === 1;
  return false;
}

/**
 * Optimal-string-alignment (restricted Damerau-Levenshtein) distance, giving up early: returns
 * `max + 1` as soon as the distance is known to exceed `max`.
 */
export function osaDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = a.length;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  const d = prev[m] ?? max + 1;
  return d > max ? max + 1 : d;
}

/**
 * Every string obtained by deleting up to `depth` (1 or 2) characters, the symmetric-delete
 * neighbourhood; may repeat a string when the name has repeated letters.
 */
export function deletions(s: string, depth: 1 | 2): string[] {
  const out = [s];
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && s[i] === s[i - 1]) continue; // same string as deleting s[i-1]
    const once = s.slice(0, i) + s.slice(i + 1);
    out.push(once);
    if (depth === 2) {
      for (let j = i; j < once.length; j++) out.push(once.slice(0, j) + once.slice(j + 1));
    }
  }
  return out;
}

/** Name of the single edit that turns `target` into `name` (both at distance 1). */
export function classifyEdit(name: string, target: string): EditKind {
  if (name.length === target.length) {
    let i = 0;
    while (i < name.length && name[i] === target[i]) i++;
    const a = name[i] ?? '';
    const b = target[i] ?? '';
    if (name[i + 1] === b && target[i + 1] === a && name.slice(i + 2) === target.slice(i + 2)) return 'transposition';
    if (isHomoglyphPair(a, b)) return 'homoglyph';
    if (isKeyboardAdjacent(a, b)) return 'keyboard-adjacent';
    return 'substitution';
  }
  if (name.length === target.length + 1) {
    let i = 0;
    while (i < target.length && name[i] === target[i]) i++;
    const inserted = name[i];
    if (inserted !== undefined && (name[i - 1] === inserted || name[i + 1] === inserted)) return 'doubled-letter';
    return 'inserted-letter';
  }
  return 'dropped-letter';
}

export type EditKind =
  | 'transposition'
  | 'homoglyph'
  | 'keyboard-adjacent'
  | 'substitution'
  | 'doubled-letter'
  | 'inserted-letter'
  | 'dropped-letter';
