import type { Ecosystem } from '../core/types.js';
import type { AffectedSpec, OsvEvent, OsvRange } from './types.js';
import { schemeFor } from './versions.js';

type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

interface ParsedEvent {
  kind: EventKind;
  /** undefined means "0" (before every version) or `*` for limit (after every version). */
  version: unknown;
  zero: boolean;
}

export function eventKind(event: OsvEvent): EventKind {
  if ('introduced' in event) return 'introduced';
  if ('fixed' in event) return 'fixed';
  if ('last_affected' in event) return 'last_affected';
  return 'limit';
}

export function eventVersion(event: OsvEvent): string {
  if ('introduced' in event) return event.introduced;
  if ('fixed' in event) return event.fixed;
  if ('last_affected' in event) return event.last_affected;
  return event.limit;
}

const KIND_ORDER: Record<EventKind, number> = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 };

/**
 * Parses and sorts a range's events. Events whose version the scheme cannot order are dropped
 * (an `introduced` we cannot place must not make every later version look affected, and a `fixed`
 * we cannot place cannot end a range); "0" sorts first.
 */
const sortedCache = new WeakMap<OsvRange, ParsedEvent[]>();

function sortedEvents(ecosystem: Ecosystem, range: OsvRange): ParsedEvent[] {
  const cached = sortedCache.get(range);
  if (cached !== undefined) return cached;
  const out = computeSortedEvents(ecosystem, range);
  sortedCache.set(range, out);
  return out;
}

function computeSortedEvents(ecosystem: Ecosystem, range: OsvRange): ParsedEvent[] {
  const scheme = schemeFor(ecosystem);
  const out: ParsedEvent[] = [];
  for (const event of range.events) {
    const kind = eventKind(event);
    const text = eventVersion(event);
    if (kind === 'introduced' && text === '0') {
      out.push({ kind, version: undefined, zero: true });
      continue;
    }
    if (kind === 'limit' && text === '*') continue;
    const parsed = scheme.parse(text);
    if (parsed === undefined) continue;
    out.push({ kind, version: parsed, zero: false });
  }
  out.sort((a, b) => {
    if (a.zero !== b.zero) return a.zero ? -1 : 1;
    const c = a.zero ? 0 : scheme.compare(a.version, b.version);
    return c !== 0 ? c : KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  });
  return out;
}

/** Whether a version (already parsed by the ecosystem's scheme) falls in one OSV range. */
function inRange(ecosystem: Ecosystem, range: OsvRange, version: unknown): boolean {
  const scheme = schemeFor(ecosystem);
  const events = sortedEvents(ecosystem, range);
  let affected = false;
  const limits: unknown[] = [];
  for (const e of events) {
    if (e.kind === 'limit') {
      limits.push(e.version);
      continue;
    }
    const c = e.zero ? 1 : scheme.compare(version, e.version);
    if (e.kind === 'introduced') {
      if (c >= 0) affected = true;
    } else if (e.kind === 'fixed') {
      if (c >= 0) affected = false;
    } else if (c > 0) {
      affected = false;
    }
  }
  if (affected && limits.length > 0 && !limits.some((l) => scheme.compare(version, l) < 0)) affected = false;
  return affected;
}

/** True when a range says "every version" (only introduced "0", no other bounds). */
function coversEverything(range: OsvRange): boolean {
  return range.events.length > 0 && range.events.every((e) => 'introduced' in e && e.introduced === '0');
}

/**
 * Whether `version` is affected according to one affected entry: listed in `versions`, or inside an
 * ECOSYSTEM/SEMVER range. A version the scheme cannot parse matches only an explicit list entry with
 * the same text, or a range that covers every version.
 */
export function isAffected(ecosystem: Ecosystem, spec: AffectedSpec, version: string): boolean {
  const scheme = schemeFor(ecosystem);
  const parsed = scheme.parse(version);
  if (spec.versions.length > 0) {
    const trimmed = version.trim();
    const canonical = parsed === undefined ? undefined : scheme.canonical(parsed);
    for (const listed of spec.versions) {
      if (listed === trimmed) return true;
      if (canonical !== undefined) {
        const p = scheme.parse(listed);
        if (p !== undefined && scheme.canonical(p) === canonical) return true;
      }
    }
  }
  for (const range of spec.ranges) {
    if (parsed === undefined) {
      if (coversEverything(range)) return true;
      continue;
    }
    if (inRange(ecosystem, range, parsed)) return true;
  }
  return false;
}

/** `fixed` versions named by the ranges of an affected entry (in record order, deduplicated). */
export function fixedVersions(spec: AffectedSpec): string[] {
  const out: string[] = [];
  for (const range of spec.ranges) {
    for (const e of range.events) {
      if ('fixed' in e && !out.includes(e.fixed)) out.push(e.fixed);
    }
  }
  return out;
}
