/**
 * Minimal upstream HTTP client for the install guard: whole-body fetches with a timeout, a size limit and
 * retries on network errors and 5xx/429. Bodies are always buffered so nothing partial is ever passed on.
 */
import { VigilError, describeError } from '../core/errors.js';

export interface UpstreamOptions {
  /** Per-attempt timeout for the whole response (headers + body), in ms. */
  timeoutMs: number;
  /** Extra attempts after the first on network errors, 5xx and 429. */
  retries: number;
  /** Max body size; larger responses fail with E_LIMIT. */
  maxBytes: number;
  /** Base delay between attempts, in ms (doubled each retry). */
  retryDelayMs: number;
}

export const DEFAULT_UPSTREAM_OPTIONS: UpstreamOptions = {
  timeoutMs: 30_000,
  retries: 2,
  maxBytes: 200 * 1024 * 1024,
  retryDelayMs: 200,
};

export interface UpstreamResponse {
  status: number;
  /** Final URL after redirects. */
  url: string;
  contentType: string;
  body: Uint8Array;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function readLimited(res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw new VigilError('E_LIMIT', `upstream response is larger than ${maxBytes} bytes`);
  }
  if (res.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new VigilError('E_LIMIT', `upstream response is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** Only http(s) upstreams. Credentials in the URL (private indexes) are moved into a Basic auth header. */
function prepare(url: string): { url: string; authorization?: string } {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new VigilError('E_CONFIG', `unsupported upstream URL scheme: ${u.protocol}`);
  if (u.username === '' && u.password === '') return { url: u.toString() };
  const auth = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${auth}` };
}

/**
 * Fetches `url` completely. Returns any HTTP status (404 is an answer, not an error); throws VigilError
 * E_NETWORK after the retries are used up, E_LIMIT when the body is too large.
 */
export async function fetchUpstream(url: string, accept: string | undefined, options: UpstreamOptions = DEFAULT_UPSTREAM_OPTIONS): Promise<UpstreamResponse> {
  const target = prepare(url);
  let lastError: unknown;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) await sleep(options.retryDelayMs * 2 ** (attempt - 1));
    try {
      const headers: Record<string, string> = { 'user-agent': 'vigil-guard' };
      if (accept !== undefined) headers.accept = accept;
      if (target.authorization !== undefined) headers.authorization = target.authorization;
      const signal = AbortSignal.timeout(options.timeoutMs);
      const res = await fetch(target.url, { headers, signal, redirect: 'follow' });
      if (res.status >= 500 || res.status === 429) {
        await res.body?.cancel();
        lastError = new VigilError('E_NETWORK', `upstream answered HTTP ${res.status} for ${target.url}`);
        continue;
      }
      const body = await readLimited(res, options.maxBytes);
      return { status: res.status, url: res.url || target.url, contentType: res.headers.get('content-type') ?? '', body };
    } catch (error) {
      if (error instanceof VigilError && error.code === 'E_LIMIT') throw error;
      lastError = error;
    }
  }
  if (lastError instanceof VigilError) throw lastError;
  throw new VigilError('E_NETWORK', `upstream request failed for ${target.url}: ${describeError(lastError)}`, { cause: lastError });
}
