/**
 * HTTP for every outbound client (registry clients here, the install guard's upstream, registry feeds):
 * `fetchWithRetries` does one buffered exchange with a timeout (AbortSignal), retries on network errors,
 * 5xx and 429, and a response size cap enforced while reading. `httpGet` is the registry clients' GET on
 * top of it: exponential backoff with jitter honouring a bounded Retry-After, credentials from the URL,
 * and failures mapped to VigilError codes (E_NOT_FOUND, E_RATE_LIMITED, E_NETWORK, E_LIMIT).
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

/** Moves `user:password@` out of a parsed URL (which fetch refuses) into a Basic Authorization value. */
export function moveCredentials(parsed: URL): { url: string; authorization?: string } {
  if (parsed.username === '' && parsed.password === '') return { url: parsed.toString() };
  let user = parsed.username;
  let password = parsed.password;
  try {
    user = decodeURIComponent(user);
    password = decodeURIComponent(password);
  } catch {
    // use them as written
  }
  const bare = new URL(parsed.toString());
  bare.username = '';
  bare.password = '';
  return { url: bare.toString(), authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** Credentials of the URL into a header; a URL without them reuses those seen earlier for its origin. */
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
  const moved = moveCredentials(parsed);
  if (moved.authorization !== undefined) originCredentials.set(parsed.origin, moved.authorization);
  return moved;
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

async function readBody(response: Response, maxBytes: number, tooLarge: (declaredBytes: number | undefined) => string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new VigilError('E_LIMIT', tooLarge(declared));
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new VigilError('E_LIMIT', tooLarge(undefined));
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

/** Why the last attempt of `fetchWithRetries` failed. */
export type FetchFailure =
  | { kind: 'unreachable'; error: unknown; timedOut: boolean }
  | { kind: 'status'; status: number; retryAfterMs: number | undefined }
  | { kind: 'read'; error: unknown };

export interface FetchOptions {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  /** Per-attempt limit for the whole exchange (headers and body), in ms. */
  timeoutMs: number;
  /** Extra attempts after the first on network errors, failed body reads, 429 and 5xx (0 = try once). */
  retries: number;
  /** Largest body accepted, in bytes: checked against Content-Length and enforced while reading. */
  maxBytes: number;
  /** Message of the E_LIMIT error; `declaredBytes` is set when Content-Length already says too much. */
  tooLarge: (declaredBytes: number | undefined) => string;
  /** Milliseconds to wait before retry number `retry` (1 = the first retry); undefined gives up. */
  retryDelay: (retry: number, failure: FetchFailure) => number | undefined;
  /** Statuses whose body is read; any other status comes back with an empty body. Default: all. */
  readBodyOf?: (status: number) => boolean;
}

export type FetchOutcome = { ok: true; response: HttpResponse } | { ok: false; failure: FetchFailure };

/**
 * The one HTTP exchange every client here is built on: fetch with a per-attempt timeout, redirects
 * followed, retries on network errors, failed body reads, 429 and 5xx, and the body buffered whole under
 * a size cap (never a partial body). Any other status is an answer, returned for the caller to judge;
 * too large a body throws E_LIMIT at once. When the attempts are used up, the last failure is returned
 * so each caller words its own error.
 */
export async function fetchWithRetries(url: string, options: FetchOptions): Promise<FetchOutcome> {
  let failure: FetchFailure | undefined;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (failure !== undefined) {
      const wait = options.retryDelay(attempt, failure);
      if (wait === undefined) break;
      await sleep(wait);
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method: options.method ?? 'GET',
        ...(options.headers !== undefined ? { headers: options.headers } : {}),
        ...(options.body !== undefined ? { body: options.body } : {}),
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'follow',
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
      failure = { kind: 'unreachable', error, timedOut };
      continue;
    }
    const status = response.status;
    if (status === 429 || status >= 500) {
      await response.body?.cancel().catch(() => undefined);
      failure = { kind: 'status', status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
      continue;
    }
    const answer = { url: response.url || url, status, contentType: response.headers.get('content-type') ?? '' };
    if (options.readBodyOf !== undefined && !options.readBodyOf(status)) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: true, response: { ...answer, body: new Uint8Array(0) } };
    }
    try {
      return { ok: true, response: { ...answer, body: await readBody(response, options.maxBytes, options.tooLarge) } };
    } catch (error) {
      if (error instanceof VigilError) throw error;
      failure = { kind: 'read', error };
    }
  }
  return { ok: false, failure: failure ?? { kind: 'unreachable', error: new Error('no attempt was made'), timedOut: false } };
}

/** A failure in words: `timed out after N ms`, `HTTP 503`, or the underlying network error. */
export function describeFetchFailure(failure: FetchFailure, timeoutMs: number): string {
  if (failure.kind === 'status') return `HTTP ${failure.status}`;
  if (failure.kind === 'unreachable' && failure.timedOut) return `timed out after ${timeoutMs} ms`;
  return describeError((failure.error as { cause?: unknown }).cause ?? failure.error);
}

/** GET with retries. 404/410 -> E_NOT_FOUND; 429 after retries -> E_RATE_LIMITED; others -> E_NETWORK. */
export async function httpGet(rawUrl: string, options: HttpOptions): Promise<HttpResponse> {
  const { url: target, authorization } = splitCredentials(rawUrl);
  const url = redactUrl(rawUrl);
  const base = options.retryBaseMs ?? 500;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;
  const host = hostOf(url);
  const outcome = await fetchWithRetries(target, {
    headers: { 'user-agent': userAgent(), ...(authorization !== undefined ? { authorization } : {}), ...options.headers },
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    maxBytes: options.maxBytes,
    tooLarge: (declared) =>
      declared !== undefined
        ? `response from ${host} is ${declared} bytes, over the ${options.maxBytes}-byte limit`
        : `response from ${host} is over the ${options.maxBytes}-byte limit`,
    retryDelay: (retry, failure) => {
      const wanted = (failure.kind === 'status' ? failure.retryAfterMs : undefined) ?? backoff(retry - 1, base, maxDelay);
      // A registry asking us to wait longer than we are willing to ends the retries.
      return wanted > maxDelay ? undefined : wanted;
    },
    readBodyOf: (status) => status >= 200 && status < 300,
  });
  const attempts = `after ${options.retries + 1} attempts`;
  if (!outcome.ok) {
    const { failure } = outcome;
    if (failure.kind === 'status' && failure.status === 429) throw new VigilError('E_RATE_LIMITED', `rate limited by ${host} (HTTP 429) ${attempts}`);
    const detail = describeFetchFailure(failure, options.timeoutMs);
    if (failure.kind === 'status') throw new VigilError('E_NETWORK', `${host} answered HTTP ${failure.status} for ${url} (${attempts})`);
    if (failure.kind === 'read') throw new VigilError('E_NETWORK', `reading the response from ${host} failed: ${detail} (${attempts})`);
    throw new VigilError('E_NETWORK', `cannot reach ${host}: ${detail} (${attempts})`);
  }
  const { response } = outcome;
  if (response.status === 404 || response.status === 410) {
    throw new VigilError('E_NOT_FOUND', `not found on ${host}: ${url} (HTTP ${response.status})`);
  }
  if (response.status < 200 || response.status >= 300) throw new VigilError('E_NETWORK', `${host} answered HTTP ${response.status} for ${url}`);
  return response;
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
