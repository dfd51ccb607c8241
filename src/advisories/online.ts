import { VigilError, describeError } from '../core/errors.js';
import { normalizePackageName, osvEcosystemName } from './names.js';
import { parseOsvRecord } from './osv.js';
import { packageKeyString } from './store.js';
import type { AdvisoryEntry, AdvisorySource, OsvRecord, PackageKey } from './types.js';

export const DEFAULT_OSV_API = 'https://api.osv.dev';

const BATCH_SIZE = 1000;
const MAX_PAGES = 20;
const CONCURRENCY = 8;
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface OnlineOptions {
  /** API base; `/v1/querybatch` and `/v1/vulns/{id}` are appended. */
  apiUrl?: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

interface BatchQuery {
  package: { name: string; ecosystem: string };
  version?: string;
  page_token?: string;
}

/**
 * Advisory source backed by the OSV API: `querybatch` finds the ids affecting each package version,
 * then each record is fetched once and matched locally with the same rules as the offline store.
 */
export class OsvApiSource implements AdvisorySource {
  private readonly api: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly records = new Map<string, Promise<OsvRecord | undefined>>();

  constructor(options: OnlineOptions = {}) {
    this.api = (options.apiUrl ?? DEFAULT_OSV_API).replace(/\/+$/, '');
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  describe(): string {
    return `OSV API ${this.api}`;
  }

  private async getJson(url: string, init?: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new VigilError('E_NETWORK', `OSV API request failed: ${describeError(error)}`, { cause: error });
    }
    if (response.status === 429) throw new VigilError('E_RATE_LIMITED', 'OSV API rate limit reached');
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new VigilError('E_NETWORK', `OSV API answered HTTP ${response.status} for ${url}`);
    }
    const text = await response.text();
    if (text.length > MAX_RESPONSE_BYTES) throw new VigilError('E_LIMIT', 'OSV API response too large');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new VigilError('E_NETWORK', 'OSV API returned invalid JSON');
    }
  }

  private async queryBatch(queries: BatchQuery[]): Promise<{ ids: string[]; next?: string }[]> {
    const body = await this.getJson(`${this.api}/v1/querybatch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ queries }),
    });
    const results = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).results : undefined;
    if (!Array.isArray(results) || results.length !== queries.length) {
      throw new VigilError('E_NETWORK', 'OSV API querybatch answer does not match the query');
    }
    return results.map((r: unknown) => {
      const obj = typeof r === 'object' && r !== null ? (r as Record<string, unknown>) : {};
      const vulns = Array.isArray(obj.vulns) ? obj.vulns : [];
      const ids = vulns
        .map((v: unknown) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>).id : undefined))
        .filter((id): id is string => typeof id === 'string' && id.length > 0 && id.length < 200);
      const out: { ids: string[]; next?: string } = { ids };
      if (typeof obj.next_page_token === 'string' && obj.next_page_token !== '') out.next = obj.next_page_token;
      return out;
    });
  }

  private record(id: string): Promise<OsvRecord | undefined> {
    let p = this.records.get(id);
    if (p === undefined) {
      p = this.getJson(`${this.api}/v1/vulns/${encodeURIComponent(id)}`).then((raw) => (raw === undefined ? undefined : parseOsvRecord(raw)));
      this.records.set(id, p);
    }
    return p;
  }

  async lookup(keys: readonly PackageKey[]): Promise<Map<string, AdvisoryEntry[]>> {
    const idsPerKey = new Map<string, Set<string>>();
    const pending: { key: string; query: BatchQuery }[] = [];
    const seen = new Set<string>();
    for (const k of keys) {
      const key = packageKeyString(k.ecosystem, k.name);
      if (!idsPerKey.has(key)) idsPerKey.set(key, new Set());
      const query: BatchQuery = { package: { name: k.name, ecosystem: osvEcosystemName(k.ecosystem) } };
      if (k.version !== undefined) query.version = k.version;
      const dedupe = `${key}\u0000${k.version ?? ''}`;
      if (seen.has(dedupe)) continue;
      seen.add(dedupe);
      pending.push({ key, query });
    }
    let page = 0;
    let work = pending;
    while (work.length > 0 && page++ < MAX_PAGES) {
      const next: typeof pending = [];
      for (let i = 0; i < work.length; i += BATCH_SIZE) {
        const chunk = work.slice(i, i + BATCH_SIZE);
        const answers = await this.queryBatch(chunk.map((c) => c.query));
        answers.forEach((answer, j) => {
          const item = chunk[j];
          if (item === undefined) return;
          for (const id of answer.ids) idsPerKey.get(item.key)?.add(id);
          if (answer.next !== undefined) next.push({ key: item.key, query: { ...item.query, page_token: answer.next } });
        });
      }
      work = next;
    }
    const allIds = [...new Set([...idsPerKey.values()].flatMap((s) => [...s]))];
    for (let i = 0; i < allIds.length; i += CONCURRENCY) {
      await Promise.all(allIds.slice(i, i + CONCURRENCY).map((id) => this.record(id)));
    }
    const out = new Map<string, AdvisoryEntry[]>();
    for (const k of keys) {
      const key = packageKeyString(k.ecosystem, k.name);
      if (out.has(key)) continue;
      const entries: AdvisoryEntry[] = [];
      const wanted = normalizePackageName(k.ecosystem, k.name);
      for (const id of idsPerKey.get(key) ?? []) {
        const record = await this.record(id);
        if (record === undefined || record.withdrawn !== undefined) continue;
        const specs = record.affected
          .filter((a) => a.ecosystem === k.ecosystem && normalizePackageName(a.ecosystem, a.name) === wanted)
          .map((a) => a.spec);
        if (specs.length === 0) continue;
        entries.push({
          id: record.id,
          aliases: record.aliases,
          kind: record.kind,
          severity: record.severity,
          summary: record.summary,
          modified: record.modified,
          specs,
        });
      }
      out.set(key, entries);
    }
    return out;
  }
}
