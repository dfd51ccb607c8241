import type { ScanResult } from '../core/types.js';
import { sortFindings } from './sort.js';

export const JSON_SCHEMA_VERSION = 1;

/** `vigil scan --format json`; the schema is documented in docs/OUTPUT.md. */
export function renderJson(results: readonly ScanResult[], tool: { version: string }): string {
  const doc = {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: 'vigil', version: tool.version },
    results: results.map((r) => ({
      target: r.target,
      ecosystem: r.ecosystem,
      name: r.name,
      version: r.version,
      verdict: r.verdict,
      score: r.score,
      reason: r.reason,
      artifacts: r.artifacts.map((a) => ({ filename: a.filename, sha256: a.sha256, size: a.size })),
      findings: sortFindings(r.findings).map((f) => ({
        ruleId: f.ruleId,
        severity: f.severity,
        kind: f.kind,
        category: f.category,
        confidence: f.confidence,
        trigger: f.trigger,
        message: f.message,
        location: {
          path: f.location.path,
          line: f.location.line,
          ...(f.location.artifact !== undefined ? { artifact: f.location.artifact } : {}),
        },
        evidence: f.evidence,
        ...(f.decoded !== undefined ? { decoded: f.decoded } : {}),
      })),
      ...(r.newInRelease !== undefined
        ? { newInRelease: sortFindings(r.newInRelease).map((f) => ({ ruleId: f.ruleId, message: f.message, location: f.location })) }
        : {}),
      ...(r.suppressed !== undefined ? { suppressed: r.suppressed } : {}),
      errors: r.errors.map((e) => ({ code: e.code, message: e.message, ...(e.path !== undefined ? { path: e.path } : {}) })),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
