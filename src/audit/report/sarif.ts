import type { Severity } from '../../core/types.js';
import type { AuditFinding, AuditReport } from '../types.js';

function level(s: Severity): 'error' | 'warning' | 'note' {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'note';
}

const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', info: '0.0' };

function message(f: AuditFinding): string {
  const head = `${f.name}@${f.version} is ${f.kind === 'malicious' ? 'a known MALICIOUS package' : `affected by ${f.id}`}`;
  const fix = f.kind === 'malicious' ? 'Remove it and rotate any secrets on machines that installed it.' : f.upgrade !== undefined ? `Upgrade to ${f.upgrade}.` : f.fixed.length > 0 ? `Fixed in ${f.fixed.join(', ')}.` : 'No fixed version is known.';
  return `${head}${f.summary !== '' ? `: ${f.summary}` : ''}. ${fix}`;
}

/** SARIF 2.1.0 log: one rule per advisory id, one result per finding. */
export function renderSarif(report: AuditReport): string {
  const rules = new Map<string, AuditFinding>();
  for (const f of report.findings) if (!rules.has(f.id)) rules.set(f.id, f);
  const ruleIds = [...rules.keys()].sort();
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'vigil-audit',
            informationUri: 'https://osv.dev',
            rules: ruleIds.map((id) => {
              const f = rules.get(id) as AuditFinding;
              return {
                id,
                name: id.replace(/[^A-Za-z0-9]/g, ''),
                shortDescription: { text: f.summary !== '' ? f.summary : id },
                helpUri: f.origin === 'advisory' ? `https://osv.dev/vulnerability/${encodeURIComponent(id)}` : undefined,
                defaultConfiguration: { level: level(f.severity) },
                properties: { tags: ['security', f.kind], 'security-severity': SECURITY_SEVERITY[f.severity], aliases: f.aliases },
              };
            }),
          },
        },
        results: report.findings.map((f) => ({
          ruleId: f.id,
          ruleIndex: ruleIds.indexOf(f.id),
          level: level(f.severity),
          message: { text: message(f) },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file.split('\\').join('/') },
                region: { startLine: Math.max(1, f.line) },
              },
            },
          ],
          partialFingerprints: { 'vigil/package': `${f.ecosystem}/${f.name}@${f.version}/${f.id}` },
          properties: { ecosystem: f.ecosystem, package: f.name, version: f.version, severity: f.severity, kind: f.kind, fixed: f.fixed },
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
