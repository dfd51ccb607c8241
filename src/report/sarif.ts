import { createHash } from 'node:crypto';
import type { Finding, ScanResult, Severity } from '../core/types.js';
import type { RuleMeta } from '../rules/types.js';
import { sortFindings } from './sort.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/** A fingerprint that survives line moves: rule, package, file and the normalised evidence. */
export function findingFingerprint(packageKey: string, f: Finding): string {
  const evidence = f.evidence.replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(`${f.ruleId}\u0000${packageKey}\u0000${f.location.path}\u0000${evidence}`).digest('hex').slice(0, 32);
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  helpUri?: string;
  defaultConfiguration: { level: string };
  properties: Record<string, unknown>;
}

function ruleName(id: string): string {
  return id
    .split(/[/-]/)
    .map((w) => (w.length > 0 ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join('');
}

/** SARIF 2.1.0: one run, rules in tool.driver.rules, locations relative to each artifact's root. */
export function renderSarif(results: readonly ScanResult[], rules: readonly RuleMeta[], tool: { version: string }): string {
  const known = new Map(rules.map((r) => [r.id, r]));
  const used = new Map<string, SarifRule>();
  const ruleFor = (f: Finding): SarifRule => {
    let rule = used.get(f.ruleId);
    if (rule === undefined) {
      const meta = known.get(f.ruleId);
      rule = {
        id: f.ruleId,
        name: ruleName(f.ruleId),
        shortDescription: { text: meta?.description ?? f.message },
        ...(meta?.details !== undefined ? { fullDescription: { text: meta.details } } : {}),
        helpUri: `https://github.com/vigil-scan/vigil/blob/main/docs/rules/${f.ruleId.replace('/', '-')}.md`,
        defaultConfiguration: { level: LEVEL[meta?.severity ?? f.severity] },
        properties: {
          kind: meta?.kind ?? f.kind,
          category: meta?.category ?? f.category,
          'security-severity': SECURITY_SEVERITY[meta?.severity ?? f.severity],
          tags: ['security', 'supply-chain', meta?.category ?? f.category],
        },
      };
      used.set(f.ruleId, rule);
    }
    return rule;
  };

  const sarifResults: unknown[] = [];
  for (const r of results) {
    const packageKey = `${r.ecosystem}:${r.name}@${r.version}`;
    for (const f of sortFindings(r.findings)) {
      ruleFor(f);
      const region = f.location.line > 0 ? { region: { startLine: f.location.line, ...(f.location.column !== undefined ? { startColumn: f.location.column } : {}), snippet: { text: f.evidence } } } : {};
      sarifResults.push({
        ruleId: f.ruleId,
        ruleIndex: [...used.keys()].indexOf(f.ruleId),
        level: LEVEL[f.severity],
        message: { text: `${f.message} [${packageKey}]` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: encodeURI(f.location.path === '' ? '.' : f.location.path), uriBaseId: 'ARTIFACTROOT' },
              ...region,
            },
            logicalLocations: [{ name: packageKey, kind: 'package' }],
          },
        ],
        partialFingerprints: { 'vigil/v1': findingFingerprint(packageKey, f) },
        properties: {
          target: r.target,
          package: packageKey,
          artifact: f.location.artifact,
          trigger: f.trigger,
          confidence: f.confidence,
          verdict: r.verdict,
          ...(f.decoded !== undefined ? { decoded: f.decoded } : {}),
        },
      });
    }
  }
  const doc = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'vigil',
            version: tool.version,
            informationUri: 'https://github.com/vigil-scan/vigil',
            rules: [...used.values()],
          },
        },
        originalUriBaseIds: { ARTIFACTROOT: { description: { text: 'Root of the scanned package artifact' } } },
        results: sarifResults,
        invocations: [
          {
            executionSuccessful: results.every((r) => r.errors.length === 0),
            toolExecutionNotifications: results.flatMap((r) =>
              r.errors.map((e) => ({ level: 'error', message: { text: `${r.target}: ${e.code}: ${e.message}` } })),
            ),
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
