/**
 * npm's CouchDB-style changes feed on the replication endpoint: `GET {base}/_changes?since=SEQ&limit=N`
 * -> `{results: [{seq, id, changes, deleted?}], last_seq}`. It names packages, not versions: the feed
 * runner resolves each changed package's latest version. A first poll starts at the current
 * `update_seq` of `GET {base}/` (no backlog).
 */
import { VigilError } from '../core/errors.js';
import { fetchText } from './http.js';
import type { FeedAdapter, FeedEvent, FeedPoll } from './types.js';

export interface NpmChangesOptions {
  /** Replication base, e.g. https://replicate.npmjs.com/registry. */
  url: string;
  /** Changes per request (default 500). */
  limit?: number;
  timeoutMs?: number;
}

const NPM_NAME_RE = /^(?:@[a-z0-9][a-z0-9._~-]{0,213}\/)?[a-z0-9._~-][a-z0-9._~-]{0,213}$/i;

function seqString(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.length > 0 && v.length < 200) return v;
  return undefined;
}

function parseJson(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new VigilError('E_ARCHIVE', `${what}: not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new VigilError('E_ARCHIVE', `${what}: expected an object`);
  return v as Record<string, unknown>;
}

export function parseChanges(text: string): { events: FeedEvent[]; lastSeq: string | undefined; count: number } {
  const doc = parseJson(text, '_changes');
  const results = doc.results;
  if (!Array.isArray(results)) throw new VigilError('E_ARCHIVE', '_changes: no results array');
  const names = new Set<string>();
  let lastSeq = seqString(doc.last_seq);
  for (const r of results) {
    if (typeof r !== 'object' || r === null) continue;
    const row = r as Record<string, unknown>;
    lastSeq = lastSeq ?? seqString(row.seq);
    if (row.deleted === true || typeof row.id !== 'string') continue;
    if (row.id.startsWith('_design/') || !NPM_NAME_RE.test(row.id)) continue;
    names.add(row.id);
  }
  if (lastSeq === undefined && results.length > 0) {
    const last = results[results.length - 1] as Record<string, unknown> | null;
    lastSeq = seqString(last?.seq);
  }
  return { events: [...names].map((name) => ({ ecosystem: 'npm' as const, name })), lastSeq, count: results.length };
}

export function npmChangesFeed(options: NpmChangesOptions): FeedAdapter {
  const base = options.url.replace(/\/+$/, '');
  const limit = Math.min(Math.max(options.limit ?? 500, 1), 10_000);
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    id: 'npm-changes',
    ecosystem: 'npm',
    async poll(checkpoint: string | undefined): Promise<FeedPoll> {
      if (checkpoint === undefined) {
        const info = parseJson(await fetchText(`${base}/`, { timeoutMs, maxBytes: 1024 * 1024 }), 'registry info');
        const seq = seqString(info.update_seq);
        if (seq === undefined) throw new VigilError('E_ARCHIVE', 'registry info: no update_seq');
        return { events: [], checkpoint: seq, more: false };
      }
      const url = `${base}/_changes?since=${encodeURIComponent(checkpoint)}&limit=${limit}`;
      const { events, lastSeq, count } = parseChanges(await fetchText(url, { timeoutMs, maxBytes: 64 * 1024 * 1024 }));
      return { events, checkpoint: lastSeq ?? checkpoint, more: count >= limit };
    },
  };
}
