import type { AuditReport } from '../types.js';

export const AUDIT_JSON_SCHEMA_VERSION = 1;

/**
 * JSON report. Contract: `findings[]` items always have ecosystem, name, version, id, aliases, kind,
 * severity, fixed, file, line; the other fields are additive.
 */
export function renderJson(report: AuditReport): string {
  const out = {
    schemaVersion: AUDIT_JSON_SCHEMA_VERSION,
    findings: report.findings.map((f) => ({
      ecosystem: f.ecosystem,
      name: f.name,
      version: f.version,
      id: f.id,
      aliases: f.aliases,
      kind: f.kind,
      severity: f.severity,
      fixed: f.fixed,
      file: f.file,
      line: f.line,
      summary: f.summary,
      upgrade: f.upgrade ?? null,
      direct: f.direct ?? null,
      dev: f.dev ?? null,
      origin: f.origin,
    })),
    ignored: report.ignored.map((i) => ({
      ecosystem: i.finding.ecosystem,
      name: i.finding.name,
      version: i.finding.version,
      id: i.finding.id,
      file: i.finding.file,
      line: i.finding.line,
      reason: i.rule.reason,
      expires: i.rule.expires ?? null,
    })),
    expiredIgnores: report.expiredIgnores.map((r) => ({ id: r.id, package: r.package ?? null, expires: r.expires ?? null, origin: r.origin })),
    unpinned: report.unpinned.map((p) => ({
      ecosystem: p.ecosystem,
      name: p.name,
      requirement: p.requirement ?? p.version ?? null,
      source: p.source ?? null,
      file: p.file,
      line: p.line,
    })),
    files: report.files,
    errors: report.errors,
    source: report.source,
    stats: report.stats,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
