/**
 * Upstream HTTP client for the install guard: whole-body fetches with a timeout, a size limit and
 * retries on network errors and 5xx/429 (the shared `fetchWithRetries`). Bodies are always buffered so
 * nothing partial is ever passed on. Unlike the registry clients, any other status is handed back: the
 * proxy answers 404 itself and refuses the rest.
 */
import { VigilError } from '../core/errors.js';
import { describeFetchFailure, fetchWithRetries, moveCredentials } from '../ecosystems/http.js';
import type { HttpResponse } from '../ecosystems/http.js';

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

export type UpstreamResponse = HttpResponse;

/** Only http(s) upstreams. Credentials in the URL (private indexes) are moved into a Basic auth header. */
function prepare(url: string): { url: string; authorization?: string } {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new VigilError('E_CONFIG', `unsupported upstream URL scheme: ${u.protocol}`);
  return moveCredentials(u);
}

/**
 * Fetches `url` completely. Returns any HTTP status (404 is an answer, not an error); throws VigilError
 * E_NETWORK after the retries are used up, E_LIMIT when the body is too large.
 */
export async function fetchUpstream(url: string, accept: string | undefined, options: UpstreamOptions = DEFAULT_UPSTREAM_OPTIONS): Promise<UpstreamResponse> {
  const target = prepare(url);
  const headers: Record<string, string> = { 'user-agent': 'vigil-guard' };
  if (accept !== undefined) headers.accept = accept;
  if (target.authorization !== undefined) headers.authorization = target.authorization;
  const outcome = await fetchWithRetries(target.url, {
    headers,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    maxBytes: options.maxBytes,
    tooLarge: () => `upstream response is larger than ${options.maxBytes} bytes`,
    retryDelay: (retry) => options.retryDelayMs * 2 ** (retry - 1),
  });
  if (outcome.ok) return outcome.response;
  const { failure } = outcome;
  if (failure.kind === 'status') throw new VigilError('E_NETWORK', `upstream answered HTTP ${failure.status} for ${target.url}`);
  throw new VigilError('E_NETWORK', `upstream request failed for ${target.url}: ${describeFetchFailure(failure, options.timeoutMs)}`, { cause: failure.error });
}
