/** Registry metadata fetches shared by the PyPI and npm clients (HTTP options, TTL'd metadata cache). */
import type { RegistryOptions } from './types.js';
import { DEFAULT_MAX_METADATA_BYTES, httpGet } from './http.js';
import type { HttpOptions } from './http.js';
import { MetadataCache } from './cache.js';

export const DEFAULT_METADATA_TTL_MS = 5 * 60 * 1000;

export function httpOptionsFrom(options: RegistryOptions, maxBytes: number, headers?: Record<string, string>): HttpOptions {
  return {
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    maxBytes,
    ...(headers !== undefined ? { headers } : {}),
    ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
  };
}

export interface FetchedDocument {
  /** Final URL (after redirects): relative links resolve against it. */
  url: string;
  contentType: string;
  body: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** GETs an index page / packument, reusing a cached copy younger than the metadata TTL. */
export async function fetchDocument(url: string, accept: string, options: RegistryOptions): Promise<FetchedDocument> {
  const ttl = options.metadataTtlMs ?? DEFAULT_METADATA_TTL_MS;
  const cache = options.cacheDir !== undefined && ttl > 0 ? new MetadataCache(options.cacheDir, ttl) : undefined;
  const key = `${accept}\n${url}`;
  const cached = await cache?.get(key);
  if (cached !== undefined) {
    const separator = cached.body.indexOf('\n');
    return { url: cached.body.slice(0, separator), contentType: cached.contentType, body: encoder.encode(cached.body.slice(separator + 1)) };
  }
  const response = await httpGet(url, httpOptionsFrom(options, DEFAULT_MAX_METADATA_BYTES, { accept }));
  await cache?.put(key, response.contentType, `${response.url}\n${decoder.decode(response.body)}`);
  return { url: response.url, contentType: response.contentType, body: response.body };
}
