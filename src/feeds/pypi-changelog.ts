/**
 * PyPI's changelog serial API (what mirrors such as bandersnatch follow): XML-RPC
 * `changelog_last_serial()` and `changelog_since_serial(serial)` on https://pypi.org/pypi, returning
 * `[name, version, timestamp, action, serial]` rows. The checkpoint is the last serial processed; a
 * first poll starts at the current serial (no backlog of the whole history).
 */
import { VigilError } from '../core/errors.js';
import { fetchText } from './http.js';
import type { FeedAdapter, FeedEvent, FeedPoll } from './types.js';
import { decodeResponse, encodeCall } from './xmlrpc.js';
import type { XmlRpcValue } from './xmlrpc.js';

export interface PypiChangelogOptions {
  /** XML-RPC endpoint, e.g. https://pypi.org/pypi. */
  url: string;
  timeoutMs?: number;
}

/** Actions that mean "this release has (new) files to scan". */
function isReleaseAction(action: string): boolean {
  return action === 'new release' || /^add \S{1,40} file /.test(action);
}

async function call(options: PypiChangelogOptions, method: string, params: (string | number)[]): Promise<XmlRpcValue> {
  const body = await fetchText(options.url, {
    method: 'POST',
    body: encodeCall(method, params),
    headers: { 'content-type': 'text/xml' },
    timeoutMs: options.timeoutMs ?? 30_000,
    maxBytes: 32 * 1024 * 1024,
  });
  return decodeResponse(body);
}

export function parseChangelogRows(rows: XmlRpcValue): { events: FeedEvent[]; maxSerial: number } {
  if (!Array.isArray(rows)) throw new VigilError('E_ARCHIVE', 'changelog_since_serial: expected an array');
  const events = new Map<string, FeedEvent>();
  let maxSerial = -1;
  for (const row of rows) {
    if (!Array.isArray(row) || row.length < 5) continue;
    const [name, version, ts, action, serial] = row;
    if (typeof serial === 'number' && serial > maxSerial) maxSerial = serial;
    if (typeof name !== 'string' || typeof version !== 'string' || typeof action !== 'string') continue;
    if (version === '' || !isReleaseAction(action)) continue;
    if (!/^[A-Za-z0-9._-]{1,214}$/.test(name) || !/^[A-Za-z0-9.!+_-]{1,100}$/.test(version)) continue;
    const key = `${name.toLowerCase()}@${version}`;
    if (!events.has(key)) {
      events.set(key, {
        ecosystem: 'pypi', name, version,
        ...(typeof ts === 'number' ? { time: new Date(ts * 1000).toISOString() } : {}),
      });
    }
  }
  return { events: [...events.values()], maxSerial };
}

export function pypiChangelogFeed(options: PypiChangelogOptions): FeedAdapter {
  return {
    id: 'pypi-changelog',
    ecosystem: 'pypi',
    async poll(checkpoint: string | undefined): Promise<FeedPoll> {
      if (checkpoint === undefined) {
        const last = await call(options, 'changelog_last_serial', []);
        if (typeof last !== 'number') throw new VigilError('E_ARCHIVE', 'changelog_last_serial: expected an integer');
        return { events: [], checkpoint: String(last), more: false };
      }
      const since = Number(checkpoint);
      if (!Number.isInteger(since) || since < 0) throw new VigilError('E_CONFIG', 'invalid changelog checkpoint');
      const { events, maxSerial } = parseChangelogRows(await call(options, 'changelog_since_serial', [since]));
      return { events, checkpoint: String(Math.max(since, maxSerial)), more: false };
    },
  };
}
