import { SEVERITIES } from '../../core/types.js';
import type { AuditFinding, AuditReport } from '../types.js';

/** Drops control characters (terminal escapes) from attacker-controlled text. */
export function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ');
}

function fixText(f: AuditFinding): string {
  if (f.kind === 'malicious') return 'remove it (no safe version)';
  const parts: string[] = [];
  if (f.fixed.length > 0) parts.push(`fixed in ${f.fixed.slice(0, 4).map(clean).join(', ')}${f.fixed.length > 4 ? ', …' : ''}`);
  else parts.push('no fix known');
  if (f.upgrade !== undefined) parts.push(`upgrade to ${clean(f.upgrade)} clears all known advisories`);
  return parts.join('; ');
}

export function summaryLine(report: AuditReport): string {
  const counts = SEVERITIES.map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const malicious = report.findings.filter((f) => f.kind === 'malicious').length;
  const what = report.findings.length === 0 ? 'no known vulnerable or malicious packages' : `${report.findings.length} finding(s) (${counts.map(([s, n]) => `${n} ${s}`).join(', ')}${malicious > 0 ? `; ${malicious} malicious` : ''})`;
  return `${what} in ${report.stats.checked} pinned packages from ${report.stats.files} file(s); ${report.stats.unpinned} entries not checked (unpinned or not from a registry); ${report.ignored.length} ignored`;
}

/** Human-readable report, grouped by file. */
export function renderText(report: AuditReport): string {
  const lines: string[] = [];
  const byFile = new Map<string, AuditFinding[]>();
  for (const f of report.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (const [file, list] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push(clean(file));
    for (const f of list) {
      const tags = [f.direct === true ? 'direct' : f.direct === false ? 'transitive' : '', f.dev === true ? 'dev' : ''].filter((t) => t !== '');
      lines.push(`  ${f.line > 0 ? `line ${f.line}: ` : ''}${clean(f.name)}@${clean(f.version)}  ${f.severity.toUpperCase()}${f.kind === 'malicious' ? ' MALICIOUS' : ''}  ${clean(f.id)}${f.aliases.length > 0 ? ` (${f.aliases.map(clean).join(', ')})` : ''}${tags.length > 0 ? `  [${tags.join(', ')}]` : ''}`);
      if (f.summary !== '') lines.push(`    ${clean(f.summary)}`);
      lines.push(`    ${fixText(f)}`);
    }
    lines.push('');
  }
  if (report.unpinned.length > 0) {
    lines.push(`Not checked (${report.unpinned.length}): entries without an exact registry version`);
    for (const p of report.unpinned.slice(0, 50)) {
      lines.push(`  ${clean(p.file)}:${p.line}  ${clean(p.name)} ${clean(p.requirement ?? p.version ?? '')}${p.source !== undefined && p.source !== 'registry' ? ` (${p.source})` : ''}`);
    }
    if (report.unpinned.length > 50) lines.push(`  … and ${report.unpinned.length - 50} more (use --format json for all)`);
    lines.push('');
  }
  for (const r of report.expiredIgnores) lines.push(`warning: ignore rule for ${clean(r.id)} (${clean(r.origin)}) expired on ${r.expires ?? '?'} and no longer applies`);
  for (const e of report.errors) lines.push(`error: ${clean(e)}`);
  lines.push(summaryLine(report));
  lines.push(`advisories: ${clean(report.source)}`);
  return `${lines.join('\n')}\n`;
}
