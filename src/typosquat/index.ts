/**
 * Typosquatting: does a package name imitate one of the most-used packages of its ecosystem?
 *
 * Candidates come from precomputed indexes (no scan over the list per lookup):
 *  - visual skeleton (separators, case, homoglyphs 0/o 1/l/i rn/m vv/w, Cyrillic/Greek look-alikes);
 *  - symmetric-delete neighbourhoods for Damerau edits (1, or 2 for long names), classified as
 *    transposition / keyboard-adjacent / homoglyph / doubled / dropped / inserted letter;
 *  - `py`/`python`/`-python` (npm: `node`/`js`) affix cores;
 *  - combosquats `<popular>-sdk` … `py-<popular>` (also with one typo in `<popular>`);
 *  - npm scope confusion (`babel-core` for `@babel/core`, `types-node` for `@types/node`).
 * Then legitimate families are removed (`lodash.pick`, `types-requests`, shared family prefixes such as
 * `google-cloud-`, names that are popular themselves unless the target is far more popular, packages of
 * the same maintainers).
 */
import type { Ecosystem, Finding } from '../core/types.js';
import { loadTopList } from './lists.js';
import type { TopPackage } from './lists.js';
import type { EditKind } from './names.js';
import { bareName, classifyEdit, deletions, normaliseName, osaDistance, skeleton } from './names.js';

export { normaliseName, skeleton, osaDistance } from './names.js';
export { loadTopList, parseTopList, clearTopListCache, dataDirectory, topListFile } from './lists.js';
export type { TopPackage } from './lists.js';

export type SquatTechnique = EditKind | 'separator' | 'edit-distance' | 'affix' | 'combosquat' | 'scope-confusion';

export interface Imitation {
  /** The popular package imitated, as listed. */
  target: string;
  technique: SquatTechnique;
  targetRank: number;
  targetDownloads: number;
  /** Edit distance between the names (0 for skeleton, affix and scope matches). */
  distance: number;
  /** For combosquats: the added words (e.g. `sdk`). */
  added?: string[];
}

export interface FindOptions {
  /** Maintainers/publishers of the package being checked (lower-cased comparison). */
  maintainers?: readonly string[];
  /** Maintainers of a listed package, when the caller can tell; a shared maintainer clears the match. */
  maintainersOf?: (target: string) => readonly string[] | undefined;
}

export interface IndexOptions {
  /** Only packages up to this rank are imitation targets (all listed names count as "known"). */
  maxTargetRank?: number;
  /** A listed name is reported only when the target has this many times more downloads. */
  popularityRatio?: number;
}

export const DEFAULT_MAX_TARGET_RANK = 5000;
export const DEFAULT_POPULARITY_RATIO = 1000;

/** Shortest target (without its separators) that edits are measured against. */
const MIN_EDIT_TARGET = 4;
/** Target length (normalised) from which two edits are allowed. */
const LONG_NAME = 8;

const COMBO_SUFFIXES = new Set([
  'sdk', 'client', 'clients', 'utils', 'util', 'utility', 'core', 'api', 'apis', 'dev', 'lib', 'libs', 'tool',
  'tools', 'toolkit', 'helper', 'helpers', 'wrapper', 'py', 'python', 'python3', 'js', 'node', 'plus', 'pro',
  'official', 'secure', 'latest', 'update', 'new', 'fix', 'fixed', 'patch', 'master', 'free',
]);
const COMBO_PREFIXES = new Set([
  'py', 'python', 'python3', 'node', 'js', 'get', 'the', 'lib', 'official', 'real', 'secure', 'new', 'my', 'free',
  'fast', 'super',
]);
const AFFIXES: Readonly<Record<Ecosystem, { prefixes: readonly string[]; suffixes: readonly string[] }>> = {
  pypi: { prefixes: ['python3-', 'python-', 'py-', 'python', 'py'], suffixes: ['-python3', '-python', '-py', 'python', 'py'] },
  npm: { prefixes: ['node-', 'js-', 'node'], suffixes: ['-js', '.js', '-node', 'js', 'node'] },
};

interface Candidate {
  id: number;
  technique: SquatTechnique;
  distance: number;
  /** Lower is stronger evidence. */
  strength: number;
  added?: string[];
}

function tokens(key: string): string[] {
  return key.split(/[-_./@]+/).filter((t) => t.length > 0);
}

/** Target text left after removing leading and trailing tokens the two names share. */
function differingPart(name: string, target: string): string {
  const a = tokens(name);
  const b = tokens(target);
  let lead = 0;
  while (lead < a.length - 1 && lead < b.length - 1 && a[lead] === b[lead]) lead++;
  let trail = 0;
  while (trail < a.length - lead - 1 && trail < b.length - lead - 1 && a[a.length - 1 - trail] === b[b.length - 1 - trail]) trail++;
  return b.slice(lead, b.length - trail).join('');
}

/** Names that extend a popular package by the ecosystem's own conventions. */
function isLegitFamily(ecosystem: Ecosystem, name: string, target: string): boolean {
  if (ecosystem === 'npm') {
    if ((name.startsWith(`${target}.`) && name !== `${target}.js`) || name.startsWith(`${target}/`)) return true; // lodash.pick
    if (name === `@types/${target.replace(/^@([^/]+)\//, '$1__')}`) return true;
    if (target.startsWith('@') && name.startsWith(`${target.slice(0, target.indexOf('/') + 1)}`)) return true; // same scope
    return false;
  }
  return name === `types-${target}` || name === `${target}-stubs` || name.startsWith(`types-${target}-`);
}

export class TyposquatIndex {
  readonly ecosystem: Ecosystem;
  private readonly known = new Map<string, TopPackage>();
  private readonly targets: TopPackage[];
  private readonly targetIdByKey = new Map<string, number>();
  private readonly bySkeleton = new Map<string, number[]>();
  /** One-deletion neighbourhood -> target id, or several ids (most keys have exactly one). */
  private readonly byDeletion = new Map<string, number | number[]>();
  /** Long targets by length, with letter histograms, for the two-edit search. */
  private readonly longByLength = new Map<number, { id: number; mask: number; hist: Uint8Array }[]>();
  private readonly byCore = new Map<string, number[]>();
  private readonly byScopeJoin = new Map<string, number[]>();
  private readonly popularityRatio: number;

  constructor(ecosystem: Ecosystem, list: readonly TopPackage[], options: IndexOptions = {}) {
    this.ecosystem = ecosystem;
    this.popularityRatio = options.popularityRatio ?? DEFAULT_POPULARITY_RATIO;
    const maxRank = options.maxTargetRank ?? DEFAULT_MAX_TARGET_RANK;
    for (const p of list) if (!this.known.has(p.key)) this.known.set(p.key, p);
    this.targets = [...this.known.values()].filter((p) => p.rank <= maxRank);
    this.targets.forEach((t, id) => {
      this.targetIdByKey.set(t.key, id);
      push(this.bySkeleton, skeleton(t.key), id);
      if (bareName(t.key).length >= MIN_EDIT_TARGET) {
        for (const d of deletions(t.key, 1)) pushCompact(this.byDeletion, d, id);
        // Scoped names are left out: a two-edit copy inside the same scope is owned by the same people.
        if (t.key.length >= LONG_NAME && !t.key.startsWith('@')) {
          const bucket = this.longByLength.get(t.key.length) ?? [];
          const hist = histogram(t.key);
          bucket.push({ id, mask: presence(hist), hist });
          this.longByLength.set(t.key.length, bucket);
        }
      }
      for (const c of this.cores(t.key)) if (c !== t.key) push(this.byCore, c, id);
      const scoped = /^@([^/]+)\/(.+)$/.exec(t.key);
      if (scoped !== null) {
        const [, scope = '', rest = ''] = scoped;
        for (const j of new Set([`${scope}-${rest}`, `${scope}${rest}`, `${scope}.${rest}`, `${scope}_${rest}`, `${scope}__${rest}`])) {
          push(this.byScopeJoin, j, id);
        }
        if (scope === 'types') push(this.byScopeJoin, `types-${rest}`, id);
      }
    });
  }

  /** Number of names that can be imitated. */
  get targetCount(): number {
    return this.targets.length;
  }

  /** The listed entry for a name, if it is on the list. */
  lookup(name: string): TopPackage | undefined {
    return this.known.get(normaliseName(this.ecosystem, name));
  }

  /** The most likely imitated package, or undefined. */
  find(name: string, options: FindOptions = {}): Imitation | undefined {
    return this.findAll(name, options)[0];
  }

  /** All plausible imitated packages, strongest first. */
  findAll(name: string, options: FindOptions = {}): Imitation[] {
    const key = normaliseName(this.ecosystem, name);
    if (key === '') return [];
    const self = this.known.get(key);
    const cands: Candidate[] = [];
    this.collect(key, cands);
    const seen = new Set<number>();
    const out: Imitation[] = [];
    cands.sort((a, b) => a.strength - b.strength || (this.targets[a.id]?.rank ?? 0) - (this.targets[b.id]?.rank ?? 0));
    for (const c of cands) {
      const t = this.targets[c.id];
      if (t === undefined || seen.has(c.id) || t.key === key) continue;
      seen.add(c.id);
      if (isLegitFamily(this.ecosystem, key, t.key)) continue;
      if (self !== undefined && !(self.downloads > 0 && t.downloads >= self.downloads * this.popularityRatio)) continue;
      if (sharesMaintainer(t.name, options)) continue;
      out.push({
        target: t.name,
        technique: c.technique,
        targetRank: t.rank,
        targetDownloads: t.downloads,
        distance: c.distance,
        ...(c.added !== undefined ? { added: c.added } : {}),
      });
    }
    return out;
  }

  private collect(key: string, cands: Candidate[]): void {
    for (const id of this.bySkeleton.get(skeleton(key)) ?? []) {
      const t = this.targets[id];
      if (t === undefined || t.key === key) continue;
      const technique: SquatTechnique = bareName(t.key) === bareName(key) ? 'separator' : 'homoglyph';
      cands.push({ id, technique, distance: 0, strength: 0 });
    }
    for (const e of this.edits(key)) cands.push({ ...e, strength: e.distance === 1 ? 1 : 3 });
    for (const c of this.cores(key)) {
      for (const id of this.byCore.get(c) ?? []) cands.push({ id, technique: 'affix', distance: 0, strength: 2 });
      const direct = this.targetIdByKey.get(c);
      if (direct !== undefined && c !== key) cands.push({ id: direct, technique: 'affix', distance: 0, strength: 2 });
    }
    const unscoped = key.startsWith('@') && !key.includes('/') ? key.slice(1) : key;
    if (!unscoped.startsWith('@')) {
      for (const id of this.byScopeJoin.get(unscoped) ?? []) cands.push({ id, technique: 'scope-confusion', distance: 0, strength: 1 });
    }
    this.combos(key, cands);
  }

  /** Targets within 1 edit (2 for long names), verified with the OSA distance. */
  private edits(key: string): { id: number; technique: SquatTechnique; distance: number }[] {
    const out: { id: number; technique: SquatTechnique; distance: number }[] = [];
    if (bareName(key).length < MIN_EDIT_TARGET - 1) return out;
    const ids = new Set<number>();
    for (const d of deletions(key, 1)) {
      const hit = this.byDeletion.get(d);
      if (typeof hit === 'number') ids.add(hit);
      else if (hit !== undefined) for (const id of hit) ids.add(id);
    }
    if (key.length >= LONG_NAME - 2) {
      // Two edits change a character histogram by at most 4 (L1); only those targets get the full distance.
      const qh = histogram(key);
      const qm = presence(qh);
      for (let len = Math.max(LONG_NAME, key.length - 2); len <= key.length + 2; len++) {
        for (const t of this.longByLength.get(len) ?? []) {
          if (popcount(qm ^ t.mask) <= 4 && !ids.has(t.id) && histogramDistance(qh, t.hist, 4) <= 4) ids.add(t.id);
        }
      }
    }
    for (const id of ids) {
      const t = this.targets[id];
      if (t === undefined || t.key === key) continue;
      const max = t.key.length >= LONG_NAME ? 2 : 1;
      const d = osaDistance(key, t.key, max);
      if (d < 1 || d > max) continue;
      if (d === 2 && key[0] !== t.key[0]) continue; // two-edit squats keep the first letter
      if (differingPart(key, t.key).length < 2) continue;
      const technique: SquatTechnique = d === 1 ? classifyEdit(key, t.key) : 'edit-distance';
      if (technique === 'substitution' && isDigitSwap(key, t.key)) continue; // pyside2 / pyside6
      out.push({ id, technique, distance: d });
    }
    return out;
  }

  /** The name with one known affix removed at each end (and the name itself). */
  private cores(key: string): Set<string> {
    const { prefixes, suffixes } = AFFIXES[this.ecosystem];
    const out = new Set<string>([key]);
    const starts = [key, ...prefixes.filter((p) => key.startsWith(p)).map((p) => key.slice(p.length))];
    for (const s of starts) {
      out.add(s);
      for (const suf of suffixes) if (s.endsWith(suf)) out.add(s.slice(0, s.length - suf.length));
    }
    for (const c of [...out]) if (bareName(c).length < 4) out.delete(c);
    return out;
  }

  /** `<target>-sdk`, `py-<target>`, also with one typo in `<target>`. */
  private combos(key: string, cands: Candidate[]): void {
    const name = key.startsWith('@') ? key.slice(key.indexOf('/') + 1) : key;
    const parts = name.split(/([-_.])/); // tokens at even indexes, separators at odd
    const words = parts.filter((_, i) => i % 2 === 0);
    if (words.length < 2 || words.some((w) => w.length === 0)) return;
    for (let s = 1; s < words.length; s++) {
      const head = parts.slice(0, 2 * s - 1).join('');
      const tail = parts.slice(2 * s).join('');
      const headWords = words.slice(0, s);
      const tailWords = words.slice(s);
      if (tailWords.every((w) => COMBO_SUFFIXES.has(w))) this.comboBase(head, tailWords, cands);
      if (headWords.every((w) => COMBO_PREFIXES.has(w))) this.comboBase(tail, headWords, cands);
    }
  }

  private comboBase(base: string, added: string[], cands: Candidate[]): void {
    if (bareName(base).length < 4) return;
    const direct = this.targetIdByKey.get(base);
    if (direct !== undefined) {
      cands.push({ id: direct, technique: 'combosquat', distance: 0, strength: 4, added });
      return;
    }
    for (const id of this.bySkeleton.get(skeleton(base)) ?? []) cands.push({ id, technique: 'combosquat', distance: 0, strength: 4, added });
    if (bareName(base).length >= 5) {
      for (const e of this.edits(base)) if (e.distance === 1) cands.push({ id: e.id, technique: 'combosquat', distance: 1, strength: 5, added });
    }
  }
}

const HIST_SIZE = 40;

function histogram(key: string): Uint8Array {
  const h = new Uint8Array(HIST_SIZE);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const slot = c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? c - 22 : c === 45 ? 36 : c === 95 ? 37 : c === 46 ? 38 : 39;
    h[slot] = Math.min(255, (h[slot] ?? 0) + 1);
  }
  return h;
}

/** Which of the first 32 character slots occur (letters and a-f digits are enough for a filter). */
function presence(h: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < 32; i++) if ((h[i] ?? 0) > 0) m |= 1 << i;
  return m;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function histogramDistance(a: Uint8Array, b: Uint8Array, max: number): number {
  let d = 0;
  for (let i = 0; i < HIST_SIZE; i++) {
    d += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
    if (d > max) return d;
  }
  return d;
}

function isDigitSwap(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return /\d/.test(a[i] ?? '') && /\d/.test(b[i] ?? '');
  }
  return false;
}

function sharesMaintainer(target: string, options: FindOptions): boolean {
  if (options.maintainers === undefined || options.maintainersOf === undefined) return false;
  const theirs = options.maintainersOf(target);
  if (theirs === undefined) return false;
  const mine = new Set(options.maintainers.map((m) => m.toLowerCase()));
  return theirs.some((m) => mine.has(m.toLowerCase()));
}

function push(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [id]);
  else if (list[list.length - 1] !== id) list.push(id);
}

function pushCompact(map: Map<string, number | number[]>, key: string, id: number): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, id);
  else if (typeof cur === 'number') {
    if (cur !== id) map.set(key, [cur, id]);
  } else if (cur[cur.length - 1] !== id) cur.push(id);
}

const indexes = new Map<Ecosystem, TyposquatIndex>();

/** The index over the bundled list of an ecosystem, built on first use. */
export function defaultIndex(ecosystem: Ecosystem): TyposquatIndex {
  let index = indexes.get(ecosystem);
  if (index === undefined) {
    index = new TyposquatIndex(ecosystem, loadTopList(ecosystem));
    indexes.set(ecosystem, index);
  }
  return index;
}

/** Drops built indexes (after the lists were refreshed). */
export function clearTyposquatIndexes(): void {
  indexes.clear();
}

/** The popular package `name` imitates, and how; undefined when it imitates none. */
export function findImitated(
  ecosystem: Ecosystem,
  name: string,
  options: FindOptions = {},
): { target: string; technique: SquatTechnique } | undefined {
  const hit = defaultIndex(ecosystem).find(name, options);
  return hit === undefined ? undefined : { target: hit.target, technique: hit.technique };
}

export interface TyposquatFindingOptions extends FindOptions {
  /** Use this index instead of the bundled lists. */
  index?: TyposquatIndex;
}

const TOP_TIER = 1000;

const TECHNIQUE_TEXT: Readonly<Record<SquatTechnique, string>> = {
  transposition: 'two swapped letters',
  homoglyph: 'look-alike characters',
  'keyboard-adjacent': 'a neighbouring key',
  substitution: 'one changed letter',
  'doubled-letter': 'a doubled letter',
  'inserted-letter': 'one added letter',
  'dropped-letter': 'one missing letter',
  separator: 'different separators',
  'edit-distance': 'two small edits',
  affix: 'a py/python/node/js affix',
  combosquat: 'extra words',
  'scope-confusion': 'the npm scope folded into the name',
};

/** Findings for a package name that imitates a popular one (at most one finding). */
export function typosquatFindings(ecosystem: Ecosystem, name: string, options: TyposquatFindingOptions = {}): Finding[] {
  const index = options.index ?? defaultIndex(ecosystem);
  const hit = index.find(name, options);
  if (hit === undefined) return [];
  const combo = hit.technique === 'combosquat';
  const strong = !combo && hit.technique !== 'affix' && hit.targetRank <= TOP_TIER;
  const finding: Finding = {
    ruleId: combo ? 'meta/combosquat' : 'meta/typosquat',
    severity: strong ? 'high' : 'medium',
    kind: 'threat',
    category: 'typosquatting',
    confidence: strong ? 'medium' : 'low',
    message: combo
      ? `The name '${name}' combines the popular ${ecosystem} package '${hit.target}' (rank ${hit.targetRank}) with ${(hit.added ?? []).map((w) => `'${w}'`).join(', ')}; check that it is published by the same project.`
      : `The name '${name}' imitates the popular ${ecosystem} package '${hit.target}' (rank ${hit.targetRank}) by ${TECHNIQUE_TEXT[hit.technique]}; make sure '${hit.target}' was not meant.`,
    location: { path: '(package name)', line: 0 },
    evidence: `${name} ~ ${hit.target}`,
    trigger: 'none',
    data: {
      name,
      target: hit.target,
      technique: hit.technique,
      targetRank: hit.targetRank,
      targetDownloads: hit.targetDownloads,
      distance: hit.distance,
      ...(hit.added !== undefined ? { added: hit.added } : {}),
    },
  };
  return [finding];
}
