import { VigilError } from '../core/errors.js';
import { describeFetchFailure, fetchWithRetries } from '../ecosystems/http.js';

export interface FetchTextOptions {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxBytes?: number;
}

/** Fetches a feed document with a timeout and a size cap (the shared `fetchWithRetries`, one attempt); non-2xx is an error. */
export async function fetchText(url: string, options: FetchTextOptions = {}): Promise<string> {
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const host = new URL(url).host;
  const outcome = await fetchWithRetries(url, {
    ...(options.method !== undefined ? { method: options.method } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    headers: { 'user-agent': 'vigil-feeds', ...(options.headers ?? {}) },
    timeoutMs,
    retries: 0,
    maxBytes,
    tooLarge: () => `feed document larger than ${maxBytes} bytes`,
    retryDelay: () => undefined,
    readBodyOf: (status) => status >= 200 && status < 300,
  });
  if (!outcome.ok) {
    const { failure } = outcome;
    if (failure.kind === 'status' && failure.status === 429) throw new VigilError('E_RATE_LIMITED', `feed ${host}: rate limited`);
    if (failure.kind === 'status') throw new VigilError('E_NETWORK', `feed ${host}: HTTP ${failure.status}`);
    throw new VigilError('E_NETWORK', `feed ${host}: ${describeFetchFailure(failure, timeoutMs)}`, { cause: failure.error });
  }
  const { status, body } = outcome.response;
  if (status < 200 || status >= 300) throw new VigilError('E_NETWORK', `feed ${host}: HTTP ${status}`);
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}
