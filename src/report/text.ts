import type { ScanResult, Severity, Verdict } from '../core/types.js';
import { escapeEvidence } from './escape.js';
import { sortFindings } from './sort.js';

export interface TextOptions {
  color: boolean;
  /** Show at most this many findings per package (the rest are counted). */
  maxFindings?: number;
}

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1, cyan: 36 } as const;
type Style = keyof typeof CODES;

function styler(color: boolean): (style: Style, text: string) => string {
  return (style, text) => (color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);
}

const VERDICT_STYLE: Record<Verdict, Style> = { malicious: 'red', suspicious: 'yellow', clean: 'green' };
const SEVERITY_STYLE: Record<Severity, Style> = { critical: 'red', high: 'red', medium: 'yellow', low: 'cyan', info: 'dim' };

/** Human report, grouped per package, evidence with file:line. */
export function renderText(results: readonly ScanResult[], options: TextOptions): string {
  const s = styler(options.color);
  const out: string[] = [];
  for (const r of results) {
    const label = r.name !== '' ? `${r.ecosystem}:${r.name}${r.version !== '' ? `@${r.version}` : ''}` : r.target;
    const verdict = r.errors.length > 0 && r.artifacts.length === 0 ? s('red', 'ERROR') : s(VERDICT_STYLE[r.verdict], r.verdict.toUpperCase());
    out.push(`${s('bold', escapeEvidence(label, 200))}  ${verdict}  score ${r.score}`);
    if (r.target !== label) out.push(s('dim', `  target: ${escapeEvidence(r.target, 200)}`));
    for (const a of r.artifacts) out.push(s('dim', `  artifact: ${escapeEvidence(a.filename, 200)}  sha256:${a.sha256.slice(0, 16)}…  ${a.size} bytes`));
    if (r.verdict !== 'clean' || r.findings.length > 0) out.push(`  ${escapeEvidence(r.reason, 400)}`);
    const findings = sortFindings(r.findings);
    const max = options.maxFindings ?? 50;
    for (const f of findings.slice(0, max)) {
      const where = `${f.location.path}${f.location.line > 0 ? `:${f.location.line}` : ''}`;
      out.push(`  ${s(SEVERITY_STYLE[f.severity], f.severity.padEnd(8))} ${f.ruleId}  ${s('dim', `[${f.trigger}]`)}  ${escapeEvidence(where, 200)}`);
      out.push(`           ${escapeEvidence(f.message, 300)}`);
      if (f.evidence !== '') out.push(s('dim', `           > ${escapeEvidence(f.evidence)}`));
      if (f.decoded !== undefined) out.push(s('dim', `           decoded: ${escapeEvidence(f.decoded)}`));
    }
    if (findings.length > max) out.push(s('dim', `  … ${findings.length - max} more findings (use --format json for all)`));
    if (r.newInRelease !== undefined && r.newInRelease.length > 0) {
      out.push(`  ${s('bold', 'New in this release:')}`);
      for (const f of sortFindings(r.newInRelease).slice(0, 20)) {
        out.push(`    ${f.ruleId}  ${escapeEvidence(`${f.location.path}:${f.location.line}`, 200)}  ${escapeEvidence(f.message, 200)}`);
      }
    }
    for (const x of r.suppressed ?? []) out.push(s('dim', `  allowed: ${x.ruleId} ${escapeEvidence(x.path, 200)} — ${escapeEvidence(x.reason, 200)} (${escapeEvidence(x.source, 200)})`));
    for (const e of r.errors) out.push(`  ${s('red', 'error')} ${e.code}: ${escapeEvidence(e.message, 400)}`);
    out.push('');
  }
  const counts = { malicious: 0, suspicious: 0, clean: 0 };
  for (const r of results) counts[r.verdict] += 1;
  const failed = results.filter((r) => r.errors.length > 0 && r.artifacts.length === 0).length;
  out.push(
    `${results.length} target${results.length === 1 ? '' : 's'}: ${counts.malicious} malicious, ${counts.suspicious} suspicious, ${counts.clean - failed} clean${failed > 0 ? `, ${failed} not scanned` : ''}`,
  );
  return `${out.join('\n')}\n`;
}
