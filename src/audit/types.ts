import type { AdvisoryKind } from '../advisories/types.js';
import type { Ecosystem, PackageRef, ScanResult, Severity } from '../core/types.js';
import type { LockedPackage } from '../lockfiles/types.js';

/** One advisory (or group of aliased advisories) affecting one package entry of one file. */
export interface AuditFinding {
  ecosystem: Ecosystem;
  /** Name as written in the lockfile. */
  name: string;
  version: string;
  /** OSV id of the reported advisory (preferred id of an alias group). */
  id: string;
  /** Every other id of the group (CVE, GHSA, PYSEC, MAL…), sorted. */
  aliases: string[];
  kind: AdvisoryKind;
  severity: Severity;
  /** Versions that fix it (above the installed one when there are such), ascending. */
  fixed: string[];
  file: string;
  line: number;
  summary: string;
  /** Smallest version that clears every known advisory of this package, when one exists. */
  upgrade?: string;
  direct?: boolean;
  dev?: boolean;
  /** `advisory` (OSV data) or `deep` (Vigil's own analysis of the artifact). */
  origin: 'advisory' | 'deep';
}

export interface IgnoreRule {
  id: string;
  /** Limits the rule to one package (ecosystem-normalised name). */
  package?: string;
  ecosystem?: Ecosystem;
  reason: string;
  /** ISO date (YYYY-MM-DD) after which the rule no longer applies. */
  expires?: string;
  /** Where the rule was read from (`file:line`). */
  origin: string;
}

export interface IgnoredFinding {
  finding: AuditFinding;
  rule: IgnoreRule;
}

export interface AuditedFile {
  file: string;
  extractor: string;
  packages: number;
  error?: string;
}

export interface AuditReport {
  findings: AuditFinding[];
  ignored: IgnoredFinding[];
  expiredIgnores: IgnoreRule[];
  /** Entries that name no exact version: reported, not matched. */
  unpinned: LockedPackage[];
  files: AuditedFile[];
  errors: string[];
  source: string;
  stats: { files: number; packages: number; checked: number; unpinned: number; durationMs: number };
}

/**
 * Deep scan hook: scans the given resolved packages with Vigil's analysis (the lead provides
 * `scanPackages`). Results whose verdict is `malicious` become findings with origin `deep`.
 */
export type ScanPackagesFn = (refs: readonly PackageRef[]) => Promise<readonly ScanResult[]>;
