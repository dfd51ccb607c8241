import type { Ecosystem, Severity } from '../core/types.js';
import { VigilError } from '../core/errors.js';
import { ecosystemFromOsv } from './names.js';
import { cvss3BaseScore, maxSeverity, severityFromLabel, severityFromScore } from './severity.js';
import type { AdvisoryKind, AffectedSpec, OsvEvent, OsvRange, OsvRecord } from './types.js';

const MAX_ID = 200;
const MAX_STRING = 1_000;
const MAX_ALIASES = 200;
const MAX_AFFECTED = 2_000;
const MAX_EVENTS = 2_000;
const MAX_VERSIONS = 50_000;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, max = MAX_STRING): string | undefined {
  return typeof v === 'string' && v.length <= max ? v : undefined;
}

function strings(v: unknown, maxItems: number): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const item of v.slice(0, maxItems)) {
    const s = str(item);
    if (s !== undefined && s !== '') out.push(s);
  }
  return out;
}

function parseEvents(v: unknown): OsvEvent[] {
  if (!Array.isArray(v)) return [];
  const out: OsvEvent[] = [];
  for (const e of v.slice(0, MAX_EVENTS)) {
    if (!isObject(e)) continue;
    const introduced = str(e.introduced);
    const fixed = str(e.fixed);
    const lastAffected = str(e.last_affected);
    const limit = str(e.limit);
    if (introduced !== undefined) out.push({ introduced });
    else if (fixed !== undefined) out.push({ fixed });
    else if (lastAffected !== undefined) out.push({ last_affected: lastAffected });
    else if (limit !== undefined) out.push({ limit });
  }
  return out;
}

function parseRanges(v: unknown): OsvRange[] {
  if (!Array.isArray(v)) return [];
  const out: OsvRange[] = [];
  for (const r of v.slice(0, MAX_AFFECTED)) {
    if (!isObject(r)) continue;
    if (r.type !== 'ECOSYSTEM' && r.type !== 'SEMVER') continue;
    const events = parseEvents(r.events);
    if (events.length > 0) out.push({ type: r.type, events });
  }
  return out;
}

/** Whether the record describes a malicious package rather than a vulnerability. */
export function isMaliciousRecord(raw: Json, id: string, aliases: readonly string[], summary: string): boolean {
  if (id.startsWith('MAL-') || aliases.some((a) => a.startsWith('MAL-'))) return true;
  const dbs = raw.database_specific;
  if (isObject(dbs) && dbs['malicious-packages-origins'] !== undefined) return true;
  return /^malicious code in /i.test(summary);
}

/** Highest severity the record states: a computed CVSS v3 score, else a database_specific label. */
export function recordSeverity(raw: Json): { severity: Severity; score?: number } {
  let best: number | undefined;
  if (Array.isArray(raw.severity)) {
    for (const s of raw.severity) {
      if (!isObject(s) || typeof s.score !== 'string') continue;
      if (s.type !== 'CVSS_V3') continue;
      const score = cvss3BaseScore(s.score);
      if (score !== undefined && (best === undefined || score > best)) best = score;
    }
  }
  if (best !== undefined) return { severity: severityFromScore(best), score: best };
  let label: Severity | undefined;
  const consider = (container: unknown): void => {
    if (!isObject(container)) return;
    const s = typeof container.severity === 'string' ? severityFromLabel(container.severity) : undefined;
    if (s !== undefined) label = label === undefined ? s : maxSeverity(label, s);
  };
  consider(raw.database_specific);
  if (Array.isArray(raw.affected)) {
    for (const a of raw.affected) {
      if (isObject(a)) {
        consider(a.ecosystem_specific);
        consider(a.database_specific);
      }
    }
  }
  return { severity: label ?? 'medium' };
}

export interface ParseOptions {
  /** The record came from a malicious-packages feed (e.g. a `malicious/` folder). */
  maliciousSource?: boolean;
}

/**
 * Checks an OSV record (parsed JSON, `unknown`) and keeps what matching needs. Affected entries of
 * other ecosystems are dropped. Throws E_DB for a record without an id or modified time.
 */
export function parseOsvRecord(raw: unknown, options: ParseOptions = {}): OsvRecord {
  if (!isObject(raw)) throw new VigilError('E_DB', 'OSV record is not a JSON object');
  const id = str(raw.id, MAX_ID);
  if (id === undefined || id === '') throw new VigilError('E_DB', 'OSV record has no id');
  const modified = str(raw.modified) ?? '';
  const aliases = [...new Set(strings(raw.aliases, MAX_ALIASES))].filter((a) => a !== id);
  const summary = (str(raw.summary, 10_000) ?? '').slice(0, 500);
  const malicious = options.maliciousSource === true || isMaliciousRecord(raw, id, aliases, summary);
  const kind: AdvisoryKind = malicious ? 'malicious' : 'vulnerability';
  const sev = recordSeverity(raw);
  const affected: OsvRecord['affected'] = [];
  if (Array.isArray(raw.affected)) {
    for (const a of raw.affected.slice(0, MAX_AFFECTED)) {
      if (!isObject(a) || !isObject(a.package)) continue;
      const ecoText = str(a.package.ecosystem);
      const name = str(a.package.name);
      if (ecoText === undefined || name === undefined || name === '') continue;
      const ecosystem: Ecosystem | undefined = ecosystemFromOsv(ecoText);
      if (ecosystem === undefined) continue;
      const spec: AffectedSpec = { ranges: parseRanges(a.ranges), versions: strings(a.versions, MAX_VERSIONS) };
      if (spec.ranges.length === 0 && spec.versions.length === 0) continue;
      affected.push({ ecosystem, name, spec });
    }
  }
  const record: OsvRecord = {
    id,
    modified,
    aliases,
    summary,
    kind,
    severity: malicious ? 'critical' : sev.severity,
    affected,
  };
  const published = str(raw.published);
  if (published !== undefined) record.published = published;
  const withdrawn = str(raw.withdrawn);
  if (withdrawn !== undefined && withdrawn !== '') record.withdrawn = withdrawn;
  if (sev.score !== undefined) record.score = sev.score;
  return record;
}
