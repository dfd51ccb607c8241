import type { Finding } from '../core/types.js';
import { SEVERITIES } from '../core/types.js';

/** Deterministic order: severity, then artifact, file, line, rule. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      (a.location.artifact ?? '').localeCompare(b.location.artifact ?? '') ||
      a.location.path.localeCompare(b.location.path) ||
      a.location.line - b.location.line ||
      a.ruleId.localeCompare(b.ruleId),
  );
}
