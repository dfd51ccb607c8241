import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { VigilError, describeError } from '../core/errors.js';
import type { ImportStats } from './import.js';
import { importOsv } from './import.js';

export const DEFAULT_OSV_EXPORT_BASE = 'https://osv-vulnerabilities.storage.googleapis.com';
export const OSV_EXPORT_ECOSYSTEMS = ['PyPI', 'npm'] as const;
export type OsvExportEcosystem = (typeof OSV_EXPORT_ECOSYSTEMS)[number];

const MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024 * 1024;

export interface UpdateOptions {
  dbPath: string;
  /** Base URL (`{base}/{ecosystem}/all.zip`) or a template containing `{ecosystem}`. */
  baseUrl?: string;
  ecosystems?: readonly OsvExportEcosystem[];
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
  /** Download progress (bytes so far, total when the server says). */
  onProgress?: (ecosystem: string, received: number, total: number | undefined) => void;
  /** Rebuild even when every export is unchanged. */
  force?: boolean;
}

export interface UpdateResult {
  ecosystems: { ecosystem: string; url: string; status: 'downloaded' | 'not-modified'; bytes: number }[];
  rebuilt: boolean;
  stats?: ImportStats;
}

interface CacheInfo {
  url: string;
  etag?: string;
  lastModified?: string;
  fetchedAt: string;
}

export function exportUrl(base: string, ecosystem: string): string {
  if (base.includes('{ecosystem}')) return base.replaceAll('{ecosystem}', encodeURIComponent(ecosystem));
  return `${base.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}/all.zip`;
}

function readCacheInfo(path: string): CacheInfo | undefined {
  try {
    const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof raw !== 'object' || raw === null) return undefined;
    const r = raw as Record<string, unknown>;
    if (typeof r.url !== 'string' || typeof r.fetchedAt !== 'string') return undefined;
    const info: CacheInfo = { url: r.url, fetchedAt: r.fetchedAt };
    if (typeof r.etag === 'string') info.etag = r.etag;
    if (typeof r.lastModified === 'string') info.lastModified = r.lastModified;
    return info;
  } catch {
    return undefined;
  }
}

async function download(
  ecosystem: string,
  url: string,
  zipPath: string,
  infoPath: string,
  options: UpdateOptions,
): Promise<{ status: 'downloaded' | 'not-modified'; bytes: number }> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const cached = existsSync(zipPath) ? readCacheInfo(infoPath) : undefined;
  const headers: Record<string, string> = { 'user-agent': 'vigil-scan' };
  if (cached !== undefined && cached.url === url) {
    if (cached.etag !== undefined) headers['if-none-match'] = cached.etag;
    if (cached.lastModified !== undefined) headers['if-modified-since'] = cached.lastModified;
  }
  let response: Response;
  try {
    response = await fetchImpl(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 600_000) });
  } catch (error) {
    throw new VigilError('E_NETWORK', `cannot download ${url}: ${describeError(error)}`, { cause: error });
  }
  if (response.status === 304 && cached !== undefined) {
    await response.body?.cancel();
    return { status: 'not-modified', bytes: statSync(zipPath).size };
  }
  if (response.status !== 200 || response.body === null) {
    await response.body?.cancel();
    throw new VigilError('E_NETWORK', `cannot download ${url}: HTTP ${response.status}`);
  }
  const lengthHeader = response.headers.get('content-length');
  const total = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  if (total !== undefined && total > MAX_DOWNLOAD_BYTES) throw new VigilError('E_LIMIT', `${url} is larger than the download limit`);
  const tmp = `${zipPath}.part-${process.pid}`;
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (received > MAX_DOWNLOAD_BYTES) {
        done(new VigilError('E_LIMIT', `${url} is larger than the download limit`));
        return;
      }
      options.onProgress?.(ecosystem, received, total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), counter, createWriteStream(tmp));
    if (total !== undefined && received !== total) throw new Error(`truncated download (${received} of ${total} bytes)`);
  } catch (error) {
    rmSync(tmp, { force: true });
    if (error instanceof VigilError) throw error;
    throw new VigilError('E_NETWORK', `download of ${url} failed: ${describeError(error)}`, { cause: error });
  }
  renameSync(tmp, zipPath);
  const info: CacheInfo = { url, fetchedAt: new Date().toISOString() };
  const etag = response.headers.get('etag');
  const lastModified = response.headers.get('last-modified');
  if (etag !== null) info.etag = etag;
  if (lastModified !== null) info.lastModified = lastModified;
  writeFileSync(infoPath, JSON.stringify(info, null, 2));
  return { status: 'downloaded', bytes: received };
}

/**
 * Downloads the OSV per-ecosystem exports (conditional requests against the cached copies in
 * `<db dir>/osv-cache/`) and, when anything changed, rebuilds the database from the cached exports
 * into a temporary file that replaces the current database only on success.
 */
export async function updateDatabase(options: UpdateOptions): Promise<UpdateResult> {
  const base = options.baseUrl ?? DEFAULT_OSV_EXPORT_BASE;
  const cacheDir = join(dirname(options.dbPath), 'osv-cache');
  mkdirSync(cacheDir, { recursive: true });
  const result: UpdateResult = { ecosystems: [], rebuilt: false };
  const zips: string[] = [];
  for (const ecosystem of options.ecosystems ?? OSV_EXPORT_ECOSYSTEMS) {
    const url = exportUrl(base, ecosystem);
    const zipPath = join(cacheDir, `${ecosystem}-all.zip`);
    const r = await download(ecosystem, url, zipPath, join(cacheDir, `${ecosystem}-all.json`), options);
    result.ecosystems.push({ ecosystem, url, ...r });
    zips.push(zipPath);
  }
  const changed = result.ecosystems.some((e) => e.status === 'downloaded');
  if (!changed && options.force !== true && existsSync(options.dbPath)) return result;
  try {
    result.stats = importOsv(options.dbPath, zips, {
      replace: true,
      sourceLabel: result.ecosystems.map((e) => e.url).join(', '),
    });
  } catch (error) {
    // A bad export must be downloaded again next time, not answered with 304 forever.
    for (const ecosystem of options.ecosystems ?? OSV_EXPORT_ECOSYSTEMS) rmSync(join(cacheDir, `${ecosystem}-all.json`), { force: true });
    throw error;
  }
  result.rebuilt = true;
  return result;
}
