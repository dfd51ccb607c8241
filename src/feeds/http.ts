import { VigilError, describeError } from '../core/errors.js';

export interface FetchTextOptions {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxBytes?: number;
}

/** Fetches a feed document with a timeout and a size cap; non-2xx is an error. */
export async function fetchText(url: string, options: FetchTextOptions = {}): Promise<string> {
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  let res: Response;
  try {
    res = await fetch(url, {
      method: options.method ?? 'GET',
      headers: { 'user-agent': 'vigil-feeds', ...(options.headers ?? {}) },
      ...(options.body !== undefined ? { body: options.body } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new VigilError('E_NETWORK', `feed ${new URL(url).host}: ${describeError(error)}`, { cause: error });
  }
  if (res.status === 429) throw new VigilError('E_RATE_LIMITED', `feed ${new URL(url).host}: rate limited`);
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new VigilError('E_NETWORK', `feed ${new URL(url).host}: HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new VigilError('E_LIMIT', `feed document larger than ${maxBytes} bytes`);
  }
  const reader = res.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new VigilError('E_LIMIT', `feed document larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
