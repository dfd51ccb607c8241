/** Pure renderers for a ReleaseDiff: text (for people), JSON (documented shape), SARIF 2.1.0. */
import type { Finding, Severity } from '../core/types.js';
import { escapeEvidence } from '../report/escape.js';
import type { ReleaseDiff } from './index.js';

export const DIFF_JSON_SCHEMA_VERSION = 1;

const esc = (s: string, max = 200): string => escapeEvidence(s, max);

export function renderDiffText(diff: ReleaseDiff, options: { maxFiles?: number } = {}): string {
  const maxFiles = options.maxFiles ?? 50;
  const out: string[] = [];
  out.push(`vigil diff ${esc(diff.a.label)} -> ${esc(diff.b.label)}`);
  const f = diff.files;
  out.push(`files: ${f.added.length} added, ${f.removed.length} removed, ${f.changed.length} changed, ${f.unchanged} unchanged`);
  out.push('');
  if (!diff.newBehaviour) out.push('No new behaviour.');
  else out.push('NEW BEHAVIOUR');
  for (const h of diff.installHooks.added) out.push(`  + install hook ${esc(h.hook)} in ${esc(h.file)}: ${esc(h.command)}`);
  for (const h of diff.installHooks.changed) out.push(`  ~ install hook ${esc(h.hook)} in ${esc(h.file)}: ${esc(h.before)} => ${esc(h.command)}`);
  for (const p of diff.installFilesChanged) out.push(`  ~ install-time file changed: ${esc(p)}`);
  for (const d of diff.destinations.added) out.push(`  + network destination ${esc(d.host)} (${d.via}; ${d.files.map((x) => esc(x)).join(', ')})`);
  for (const c of diff.credentialSources.added) out.push(`  + credential source: ${esc(c.source)} (${c.files.map((x) => esc(x)).join(', ')})`);
  for (const b of diff.obfuscatedBlobs.added) out.push(`  + encoded blob of ${b.length} chars in ${esc(b.path)}: ${esc(b.preview, 40)}…`);
  for (const d of diff.dependencies.added) out.push(`  + dependency ${esc(d.name)} ${esc(d.spec)}`);
  for (const d of diff.dependencies.changed) out.push(`  ~ dependency ${esc(d.name)} ${esc(d.from)} => ${esc(d.to)}`);
  for (const d of diff.dependencies.removed) out.push(`  - dependency ${esc(d.name)}`);
  for (const g of diff.findings.grown) out.push(`  ^ rule ${esc(g.ruleId)}: ${g.before} -> ${g.after} findings`);
  if (diff.findings.added.length > 0) {
    out.push('');
    out.push('New findings');
    for (const x of diff.findings.added) out.push(`  [${x.severity}] ${esc(x.ruleId)} ${esc(x.location.path)}:${x.location.line} ${esc(x.message)}\n      ${esc(x.evidence, 160)}`);
  }
  const list = (title: string, xs: readonly string[]): void => {
    if (xs.length === 0) return;
    out.push('');
    out.push(`${title} (${xs.length})`);
    for (const x of xs.slice(0, maxFiles)) out.push(`  ${esc(x)}`);
    if (xs.length > maxFiles) out.push(`  … ${xs.length - maxFiles} more`);
  };
  list('Files added', f.added);
  list('Files removed', f.removed);
  list('Files changed', f.changed);
  return `${out.join('\n')}\n`;
}

export function renderDiffJson(diff: ReleaseDiff): string {
  return `${JSON.stringify({ schemaVersion: DIFF_JSON_SCHEMA_VERSION, ...diff }, null, 2)}\n`;
}

interface SarifResult {
  ruleId: string;
  level: 'error' | 'warning' | 'note';
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[];
  properties?: Record<string, unknown>;
}

const DIFF_RULES: Readonly<Record<string, string>> = {
  'diff/new-install-hook': 'An install-time hook appeared or changed in the newer release.',
  'diff/new-destination': 'A network destination appeared in the newer release.',
  'diff/new-credential-source': 'Code reading a new kind of secret appeared in the newer release.',
  'diff/new-encoded-blob': 'A long encoded blob appeared in the newer release.',
  'diff/new-dependency': 'A dependency was added in the newer release.',
};

function level(s: Severity): SarifResult['level'] {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'note';
}

function loc(path: string, line = 0): SarifResult['locations'] {
  const uri = encodeURI(path === '' ? '.' : path);
  return [{ physicalLocation: { artifactLocation: { uri }, ...(line > 0 ? { region: { startLine: line } } : {}) } }];
}

export function renderDiffSarif(diff: ReleaseDiff, tool: { version: string } = { version: '0.0.0' }): string {
  const results: SarifResult[] = [];
  for (const h of [...diff.installHooks.added, ...diff.installHooks.changed]) {
    results.push({ ruleId: 'diff/new-install-hook', level: 'error', message: { text: `Install hook ${h.hook}: ${h.command}` }, locations: loc(h.file) });
  }
  for (const d of diff.destinations.added) {
    results.push({ ruleId: 'diff/new-destination', level: 'warning', message: { text: `New network destination ${d.host}` }, locations: loc(d.files[0] ?? ''), properties: { host: d.host, via: d.via } });
  }
  for (const c of diff.credentialSources.added) {
    results.push({ ruleId: 'diff/new-credential-source', level: 'warning', message: { text: `New credential source: ${c.source}` }, locations: loc(c.files[0] ?? '') });
  }
  for (const b of diff.obfuscatedBlobs.added) {
    results.push({ ruleId: 'diff/new-encoded-blob', level: 'warning', message: { text: `New encoded blob of ${b.length} characters` }, locations: loc(b.path) });
  }
  for (const d of diff.dependencies.added) {
    results.push({ ruleId: 'diff/new-dependency', level: 'note', message: { text: `New dependency ${d.name} ${d.spec}` }, locations: loc(d.file) });
  }
  const findingRules = new Map<string, Finding>();
  for (const f of diff.findings.added) {
    findingRules.set(f.ruleId, f);
    results.push({ ruleId: f.ruleId, level: level(f.severity), message: { text: f.message }, locations: loc(f.location.path, f.location.line), properties: { newInRelease: true, severity: f.severity, category: f.category } });
  }
  const rules = [
    ...Object.entries(DIFF_RULES).map(([id, text]) => ({ id, shortDescription: { text } })),
    ...[...findingRules.values()].map((f) => ({ id: f.ruleId, shortDescription: { text: f.category } })),
  ];
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'vigil', version: tool.version, informationUri: 'https://github.com/vigil-scan/vigil', rules } },
        properties: { from: diff.a.label, to: diff.b.label },
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
