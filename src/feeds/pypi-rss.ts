/**
 * PyPI RSS feeds: `/rss/updates.xml` (latest releases: "name version") and `/rss/packages.xml` (newest
 * projects: "name added to PyPI"). RSS has no cursor: the checkpoint keeps the newest pubDate seen and
 * the keys seen at that instant, so a re-poll emits only items that are newer.
 */
import { VigilError } from '../core/errors.js';
import { fetchText } from './http.js';
import type { FeedAdapter, FeedEvent, FeedPoll } from './types.js';
import { childElements, firstChild, parseXml, textOf } from './xml.js';

export interface PypiRssOptions {
  /** Feed URL, e.g. https://pypi.org/rss/updates.xml. */
  url: string;
  kind: 'updates' | 'packages';
  timeoutMs?: number;
}

interface RssCheckpoint {
  t: number;
  seen: string[];
}

// Project names: PEP 508 letters/digits/._- ; versions: PEP 440 characters.
const NAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,200}[A-Za-z0-9])?$/;
const VERSION_RE = /^[A-Za-z0-9.!+_-]{1,100}$/;

function parseCheckpoint(raw: string | undefined): RssCheckpoint {
  if (raw === undefined) return { t: 0, seen: [] };
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      if (typeof o.t === 'number' && Array.isArray(o.seen)) return { t: o.t, seen: o.seen.filter((s): s is string => typeof s === 'string') };
    }
  } catch {
    // fall through
  }
  throw new VigilError('E_CONFIG', 'invalid RSS checkpoint');
}

/** Name and version from an item: the link `/project/<name>/<version>/` first, then the title. */
export function parseRssItem(title: string, link: string, kind: PypiRssOptions['kind']): { name: string; version?: string } | undefined {
  const m = /\/project\/([^/?#]{1,214})\/(?:([^/?#]{1,100})\/?)?(?:[?#]|$)/.exec(link.trim());
  let name = m?.[1] !== undefined ? decodeURIComponent(m[1]) : undefined;
  let version = m?.[2] !== undefined ? decodeURIComponent(m[2]) : undefined;
  if (name === undefined) {
    // A link that is not a project URL is suspicious: trust the title only when there is no link.
    if (link.trim() !== '') return undefined;
    const parts = title.trim().split(/\s+/);
    name = parts[0];
    if (kind === 'updates') version = parts[1];
  }
  if (kind === 'packages') version = undefined;
  if (name === undefined || !NAME_RE.test(name)) return undefined;
  if (version !== undefined && !VERSION_RE.test(version)) return undefined;
  return version === undefined ? { name } : { name, version };
}

export function parseRss(text: string, kind: PypiRssOptions['kind']): { event: FeedEvent; t: number }[] {
  const root = parseXml(text);
  const channel = root.name === 'rss' ? firstChild(root, 'channel') : undefined;
  if (channel === undefined) throw new VigilError('E_ARCHIVE', 'not an RSS 2.0 document');
  const out: { event: FeedEvent; t: number }[] = [];
  for (const item of childElements(channel, 'item')) {
    const parsed = parseRssItem(textOf(firstChild(item, 'title')), textOf(firstChild(item, 'link')), kind);
    if (parsed === undefined) continue;
    const t = Date.parse(textOf(firstChild(item, 'pubDate')).trim());
    const time = Number.isFinite(t) ? new Date(t).toISOString() : undefined;
    out.push({ event: { ecosystem: 'pypi', ...parsed, ...(time !== undefined ? { time } : {}) }, t: Number.isFinite(t) ? t : 0 });
  }
  return out;
}

const itemKey = (e: FeedEvent): string => `${e.name}@${e.version ?? ''}`;

export function pypiRssFeed(options: PypiRssOptions): FeedAdapter {
  return {
    id: options.kind === 'updates' ? 'pypi-rss' : 'pypi-packages',
    ecosystem: 'pypi',
    async poll(checkpoint: string | undefined): Promise<FeedPoll> {
      const cp = parseCheckpoint(checkpoint);
      const items = parseRss(await fetchText(options.url, { timeoutMs: options.timeoutMs ?? 30_000, maxBytes: 8 * 1024 * 1024 }), options.kind);
      const seen = new Set(cp.seen);
      const fresh = items.filter(({ event, t }) => t > cp.t || (t === cp.t && !seen.has(itemKey(event))));
      // Oldest first, so alerts come out in publication order.
      fresh.sort((a, b) => a.t - b.t);
      const maxT = Math.max(cp.t, ...items.map((i) => i.t));
      const atMax = items.filter((i) => i.t === maxT).map((i) => itemKey(i.event));
      const next: RssCheckpoint = { t: maxT, seen: maxT === cp.t ? [...new Set([...cp.seen, ...atMax])] : atMax };
      return { events: fresh.map((f) => f.event), checkpoint: JSON.stringify(next), more: false };
    },
  };
}
