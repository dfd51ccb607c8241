/**
 * Bundled lists of the most-used packages (data/pypi-top.tsv, data/npm-top.tsv), loaded once, lazily.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ecosystem } from '../core/types.js';
import { VigilError } from '../core/errors.js';
import { normaliseName } from './names.js';

export interface TopPackage {
  /** Name as listed. */
  name: string;
  /** Registry-normalised name (see normaliseName). */
  key: string;
  /** 1 = most downloaded. */
  rank: number;
  /** Downloads in the list's period (30 days); 0 when unknown. */
  downloads: number;
}

/** `data/` of the package: compiled code lives in dist/src/typosquat/, sources in src/typosquat/. */
export function dataDirectory(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const fromDist = new URL('../../../data/', import.meta.url);
  const fromSrc = new URL('../../data/', import.meta.url);
  return fileURLToPath(here.includes('/dist/') ? fromDist : fromSrc);
}

/**
 * The list file used: `$VIGIL_DATA_DIR/<ecosystem>-top.tsv` when that variable is set (lists refreshed
 * with `vigil data update --out DIR`), else the bundled one.
 */
export function topListFile(ecosystem: Ecosystem, env: NodeJS.ProcessEnv = process.env): string {
  const override = env.VIGIL_DATA_DIR;
  if (override !== undefined && override !== '') return join(override, `${ecosystem}-top.tsv`);
  return join(dataDirectory(), `${ecosystem}-top.tsv`);
}

/**
 * Parses a top list: a header line, then `rank<TAB>name<TAB>…<TAB>downloads` (downloads is the last
 * column). Bad lines are skipped; ranks are re-derived from the order when missing.
 */
export function parseTopList(ecosystem: Ecosystem, text: string): TopPackage[] {
  const out: TopPackage[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.length === 0 || line.length > 1000) continue;
    const cols = line.split('\t');
    if (i === 0 && cols[0] === 'rank') continue;
    const name = cols[1]?.trim() ?? '';
    const key = normaliseName(ecosystem, name);
    if (key === '' || seen.has(key)) continue;
    const rank = Number(cols[0]);
    const downloads = Number(cols[cols.length - 1]);
    seen.add(key);
    out.push({
      name,
      key,
      rank: Number.isInteger(rank) && rank > 0 ? rank : out.length + 1,
      downloads: Number.isFinite(downloads) && downloads >= 0 && cols.length > 2 ? downloads : 0,
    });
  }
  out.sort((a, b) => a.rank - b.rank);
  return out;
}

const cache = new Map<Ecosystem, TopPackage[]>();

/** The bundled list for an ecosystem (read on first use). */
export function loadTopList(ecosystem: Ecosystem): readonly TopPackage[] {
  const hit = cache.get(ecosystem);
  if (hit !== undefined) return hit;
  let text: string;
  try {
    text = readFileSync(topListFile(ecosystem), 'utf8');
  } catch (error) {
    throw new VigilError('E_INTERNAL', `cannot read the ${ecosystem} top-package list ${topListFile(ecosystem)}`, { cause: error });
  }
  const list = parseTopList(ecosystem, text);
  cache.set(ecosystem, list);
  return list;
}

/** Drops cached lists (after `vigil data update`, or in tests). */
export function clearTopListCache(): void {
  cache.clear();
}
