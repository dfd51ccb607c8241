import { VigilError, describeError } from '../core/errors.js';
import type { AlertRecord } from '../store/types.js';
import { webhookPayload } from './format.js';
import type { WebhookFormat } from './format.js';
import type { AlertSink } from './types.js';

export interface WebhookOptions {
  format?: WebhookFormat;
  timeoutMs?: number;
  /** Extra attempts after a failure (default 2), with a short backoff. */
  retries?: number;
}

/** POSTs each alert as JSON. Non-2xx answers and timeouts are errors (retried). */
export function webhookSink(url: string, options: WebhookOptions = {}): AlertSink {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VigilError('E_CONFIG', 'invalid webhook URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new VigilError('E_CONFIG', 'webhook URL must be http(s)');
  const format = options.format ?? 'json';
  const retries = options.retries ?? 2;
  return {
    name: `webhook:${format}:${parsed.host}`,
    async send(alert: AlertRecord, evidenceUrl: string): Promise<void> {
      const body = JSON.stringify(webhookPayload(format, alert, evidenceUrl));
      let lastError: unknown;
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
        try {
          const res = await fetch(parsed, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'user-agent': 'vigil-alerts' },
            body,
            redirect: 'error',
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.ok) return;
          lastError = new Error(`HTTP ${res.status}`);
        } catch (error) {
          lastError = error;
        }
      }
      throw new VigilError('E_NETWORK', `webhook ${parsed.host}: ${describeError(lastError)}`, { cause: lastError });
    },
  };
}
