/**
 * HTTP GET for registry clients: timeout (AbortSignal), retries with exponential backoff and jitter
 * on network errors, 5xx and 429 (honouring a bounded Retry-After), a response size cap enforced while
 * reading, and failures mapped to VigilError codes (E_NOT_FOUND, E_RATE_LIMITED, E_NETWORK, E_LIMIT).
 */
import { VigilError, describeError } from '../core/errors.js';
import { vigilVersion } from '../core/version.js';

export interface HttpOptions {
  timeoutMs: number;
  /** Extra attempts after the first (0 = try once). */
  retries: number;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  headers?: Record<string, string>;
  /** First backoff delay; doubles per attempt (default 500 ms). */
  retryBaseMs?: number;
  /** Longest wait honoured from Retry-After or backoff (default 30 s). */
  maxRetryDelayMs?: number;
}

export interface HttpResponse {
  /** Final URL after redirects. */
  url: string;
  status: number;
  contentType: string;
  body: Uint8Array;
}

export const DEFAULT_MAX_METADATA_BYTES = 64 * 1024 * 1024;

export function userAgent(): string {
  return `vigil/${vigilVersion()}`;
}

/** The URL without user:password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Basic credentials seen in a URL, per origin, reused for later URLs of that origin (like pip). */
const originCredentials = new Map<string, string>();

/** Moves `user:password@` from the URL (which fetch refuses) into a Basic Authorization header. */
function splitCredentials(url: string): { url: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  if (parsed.username === '' && parsed.password === '') {
    const known = originCredentials.get(parsed.origin);
    return known !== undefined ? { url, authorization: known } : { url };
  }
  let user = parsed.username;
  let password = parsed.password;
  try {
    user = decodeURIComponent(user);
    password = decodeURIComponent(password);
  } catch {
    // use them as written
  }
  parsed.username = '';
  parsed.password = '';
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  originCredentials.set(parsed.origin, authorization);
  return { url: parsed.toString(), authorization };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Retry-After as milliseconds (delta-seconds or HTTP date); undefined when absent or unparsable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,10}$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function backoff(attempt: number, base: number, max: number): number {
  const exp = base * 2 ** attempt;
  // Full jitter in [exp/2, exp).
  return Math.min(max, exp / 2 + Math.random() * (exp / 2));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new VigilError('E_LIMIT', `response from ${hostOf(url)} is ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new VigilError('E_LIMIT', `response from ${hostOf(url)} is over the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

class Retryable extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

/** GET with retries. 404/410 -> E_NOT_FOUND; 429 after retries -> E_RATE_LIMITED; others -> E_NETWORK. */
export async function httpGet(rawUrl: string, options: HttpOptions): Promise<HttpResponse> {
  const { url: target, authorization } = splitCredentials(rawUrl);
  const url = redactUrl(rawUrl);
  const base = options.retryBaseMs ?? 500;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;
  const host = hostOf(url);
  let last: Retryable | undefined;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0 && last !== undefined) {
      const wanted = last.retryAfterMs ?? backoff(attempt - 1, base, maxDelay);
      if (wanted > maxDelay) break; // the registry asks us to wait longer than we are willing to
      await sleep(wanted);
    }
    let response: Response;
    try {
      response = await fetch(target, {
        headers: { 'user-agent': userAgent(), ...(authorization !== undefined ? { authorization } : {}), ...options.headers },
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'follow',
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const cause = (error as { cause?: unknown }).cause;
      const detail = timedOut ? `timed out after ${options.timeoutMs} ms` : describeError(cause ?? error);
      last = new Retryable(`cannot reach ${host}: ${detail}`, undefined, undefined);
      continue;
    }
    const status = response.status;
    if (status === 429 || status >= 500) {
      await response.body?.cancel().catch(() => undefined);
      last = new Retryable(`${host} answered HTTP ${status} for ${url}`, status, parseRetryAfter(response.headers.get('retry-after')));
      continue;
    }
    if (status === 404 || status === 410) {
      await response.body?.cancel().catch(() => undefined);
      throw new VigilError('E_NOT_FOUND', `not found on ${host}: ${url} (HTTP ${status})`);
    }
    if (status < 200 || status >= 300) {
      await response.body?.cancel().catch(() => undefined);
      throw new VigilError('E_NETWORK', `${host} answered HTTP ${status} for ${url}`);
    }
    try {
      const body = await readBody(response, options.maxBytes, url);
      return { url: response.url || target, status, contentType: response.headers.get('content-type') ?? '', body };
    } catch (error) {
      if (error instanceof VigilError) throw error;
      last = new Retryable(`reading the response from ${host} failed: ${describeError((error as { cause?: unknown }).cause ?? error)}`, undefined, undefined);
    }
  }
  if (last?.status === 429) throw new VigilError('E_RATE_LIMITED', `rate limited by ${host} (HTTP 429) after ${options.retries + 1} attempts`);
  throw new VigilError('E_NETWORK', `${last?.message ?? `cannot reach ${host}`} (after ${options.retries + 1} attempts)`);
}

const utf8 = new TextDecoder('utf-8');

/** GET and parse JSON; the result is `unknown` until the caller checks it. */
export async function httpGetJson(url: string, options: HttpOptions): Promise<{ response: HttpResponse; json: unknown }> {
  const response = await httpGet(url, options);
  try {
    return { response, json: JSON.parse(utf8.decode(response.body)) as unknown };
  } catch (error) {
    throw new VigilError('E_NETWORK', `${hostOf(url)} sent invalid JSON for ${redactUrl(url)}: ${describeError(error)}`);
  }
}

export function decodeText(body: Uint8Array): string {
  return utf8.decode(body);
}
