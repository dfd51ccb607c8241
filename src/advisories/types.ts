import type { Ecosystem, Severity } from '../core/types.js';

export type AdvisoryKind = 'vulnerability' | 'malicious';

/** One OSV range event, as the record gives it (only one key is set). */
export type OsvEvent =
  | { introduced: string }
  | { fixed: string }
  | { last_affected: string }
  | { limit: string };

export interface OsvRange {
  /** Only ECOSYSTEM and SEMVER ranges are ordered by version; GIT ranges are not kept. */
  type: 'ECOSYSTEM' | 'SEMVER';
  events: OsvEvent[];
}

/** What one `affected[]` entry says about one package, pre-extracted for matching. */
export interface AffectedSpec {
  ranges: OsvRange[];
  /** Explicit `versions` list. */
  versions: string[];
}

/** The parts of an OSV record that Vigil uses, checked from `unknown`. */
export interface OsvRecord {
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases: string[];
  /** `related` ids are NOT merged (they are different vulnerabilities). */
  summary: string;
  kind: AdvisoryKind;
  severity: Severity;
  /** CVSS base score when computed from a vector. */
  score?: number;
  affected: { ecosystem: Ecosystem; name: string; spec: AffectedSpec }[];
}

/** An advisory as a lookup returns it: one package's affected entries plus the record summary. */
export interface AdvisoryEntry {
  id: string;
  aliases: string[];
  kind: AdvisoryKind;
  severity: Severity;
  summary: string;
  modified: string;
  /** The record's affected entries for the looked-up package (a record may list a package twice). */
  specs: AffectedSpec[];
}

export interface PackageKey {
  ecosystem: Ecosystem;
  /** Name as written; sources normalise it themselves. */
  name: string;
  /** Version being audited; the offline store ignores it, the OSV API narrows its answer by it. */
  version?: string;
}

/** Where advisories come from: the local store or the OSV API. */
export interface AdvisorySource {
  /** Advisories per package; the result is keyed by `packageKeyString`. */
  lookup(keys: readonly PackageKey[]): Promise<Map<string, AdvisoryEntry[]>>;
  /** A description for reports (database path or API URL). */
  describe(): string;
}
