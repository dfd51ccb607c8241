/**
 * Refreshes the bundled top-package lists from public sources:
 *  - npm: the registry's download-count API, for the names already on the list (bulk queries of up to
 *    128 unscoped names; scoped names one by one), then re-ranked;
 *  - PyPI: a JSON document of `{ rows: [{ project, download_count }] }` at a configurable URL.
 * Writes `<dir>/<ecosystem>-top.tsv` atomically.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VigilError, describeError } from '../core/errors.js';
import type { Ecosystem } from '../core/types.js';
import { httpGetJson } from '../ecosystems/http.js';
import type { TopPackage } from './lists.js';
import { normaliseName } from './names.js';

export const DEFAULT_NPM_DOWNLOADS_API = 'https://api.npmjs.org';
export const DEFAULT_PYPI_TOP_URL = 'https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json';

export interface UpdateOptions {
  timeoutMs: number;
  retries: number;
  /** Parallel requests (npm). */
  concurrency: number;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

const BULK = 128;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function downloadsOf(v: unknown): number | undefined {
  const d = isRecord(v) ? v.downloads : undefined;
  return typeof d === 'number' && Number.isFinite(d) && d >= 0 ? d : undefined;
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/**
 * New download counts for the names of `current`. Names whose count cannot be fetched keep their old
 * count (reported in `stale`). Returns the list re-ranked by downloads.
 */
export async function refreshNpmList(current: readonly TopPackage[], apiBase: string, options: UpdateOptions): Promise<{ list: TopPackage[]; updated: number; stale: string[] }> {
  const base = apiBase.replace(/\/+$/, '');
  const counts = new Map<string, number>();
  const failures: string[] = [];
  const unscoped = current.filter((p) => !p.name.startsWith('@')).map((p) => p.name);
  const scoped = current.filter((p) => p.name.startsWith('@')).map((p) => p.name);
  const chunks: string[][] = [];
  for (let i = 0; i < unscoped.length; i += BULK) chunks.push(unscoped.slice(i, i + BULK));
  const http = { timeoutMs: options.timeoutMs, retries: options.retries, maxBytes: 4 * 1024 * 1024 };
  let done = 0;
  await pool(chunks, options.concurrency, async (chunk) => {
    try {
      const { json } = await httpGetJson(`${base}/downloads/point/last-month/${chunk.map(encodeURIComponent).join(',')}`, http);
      if (chunk.length === 1) {
        const d = downloadsOf(json);
        if (d !== undefined) counts.set(chunk[0] ?? '', d);
      } else if (isRecord(json)) {
        for (const name of chunk) {
          const d = downloadsOf(json[name]);
          if (d !== undefined) counts.set(name, d);
        }
      }
    } catch (error) {
      failures.push(`${chunk.length} names from ${chunk[0] ?? ''}: ${describeError(error)}`);
    }
    done += chunk.length;
    options.log?.(`npm: ${done}/${current.length}`);
  });
  await pool(scoped, options.concurrency, async (name) => {
    try {
      const { json } = await httpGetJson(`${base}/downloads/point/last-month/${name.replace(/[^@/]+/g, (s) => encodeURIComponent(s))}`, http);
      const d = downloadsOf(json);
      if (d !== undefined) counts.set(name, d);
    } catch (error) {
      failures.push(`${name}: ${describeError(error)}`);
    }
    done++;
    if (done % 100 === 0) options.log?.(`npm: ${done}/${current.length}`);
  });
  if (counts.size === 0) {
    throw new VigilError('E_NETWORK', `no npm download counts could be fetched from ${base}${failures[0] !== undefined ? ` (${failures[0]})` : ''}`);
  }
  const stale = current.filter((p) => !counts.has(p.name)).map((p) => p.name);
  const list = current
    .map((p) => ({ ...p, downloads: counts.get(p.name) ?? p.downloads }))
    .sort((a, b) => b.downloads - a.downloads || (a.name < b.name ? -1 : 1))
    .map((p, i) => ({ ...p, rank: i + 1 }));
  return { list, updated: counts.size, stale };
}

/** Reads `{ rows: [{ project, download_count }] }` (or a bare array of rows) into a ranked list. */
export function parsePypiTop(doc: unknown, limit: number): TopPackage[] {
  const rows = Array.isArray(doc) ? doc : isRecord(doc) && Array.isArray(doc.rows) ? doc.rows : undefined;
  if (rows === undefined) throw new VigilError('E_NETWORK', 'the PyPI top list is not of the form { rows: [{ project, download_count }] }');
  const seen = new Set<string>();
  const out: TopPackage[] = [];
  for (const r of rows) {
    if (!isRecord(r)) continue;
    const name = typeof r.project === 'string' ? r.project.trim() : '';
    const downloads = typeof r.download_count === 'number' && Number.isFinite(r.download_count) ? r.download_count : undefined;
    const key = normaliseName('pypi', name);
    if (key === '' || downloads === undefined || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(name) || seen.has(key)) continue;
    seen.add(key);
    out.push({ name, key, rank: 0, downloads });
  }
  out.sort((a, b) => b.downloads - a.downloads || (a.key < b.key ? -1 : 1));
  return out.slice(0, limit).map((p, i) => ({ ...p, rank: i + 1 }));
}

export async function fetchPypiTop(url: string, limit: number, options: UpdateOptions): Promise<TopPackage[]> {
  const { json } = await httpGetJson(url, { timeoutMs: options.timeoutMs, retries: options.retries, maxBytes: 64 * 1024 * 1024 });
  const list = parsePypiTop(json, limit);
  if (list.length === 0) throw new VigilError('E_NETWORK', `the PyPI top list at ${url} has no usable rows`);
  return list;
}

const HEADERS: Readonly<Record<Ecosystem, string>> = { npm: 'rank\tname\tdownloads_a_month', pypi: 'rank\tname\tdownloads_30d' };

export function formatTopList(ecosystem: Ecosystem, list: readonly TopPackage[]): string {
  const safe = list.filter((p) => !/[\t\r\n]/.test(p.name));
  return `${HEADERS[ecosystem]}\n${safe.map((p) => `${p.rank}\t${p.name}\t${p.downloads}`).join('\n')}\n`;
}

/** Writes `<dir>/<ecosystem>-top.tsv` via a temporary file and a rename. */
export async function writeTopList(dir: string, ecosystem: Ecosystem, list: readonly TopPackage[]): Promise<string> {
  const path = join(dir, `${ecosystem}-top.tsv`);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, formatTopList(ecosystem, list));
  await rename(tmp, path);
  return path;
}
