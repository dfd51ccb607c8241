import type { AuditReport } from '../types.js';
import { clean, summaryLine } from './text.js';

function cell(text: string): string {
  return clean(text).replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`);
}

/** Markdown report (for PR comments and job summaries). */
export function renderMarkdown(report: AuditReport): string {
  const lines = ['## Vigil audit', '', cell(summaryLine(report)), ''];
  if (report.findings.length > 0) {
    lines.push('| Severity | Package | Version | Advisory | Fixed in | Upgrade to | File |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const f of report.findings) {
      const advisory = `${cell(f.id)}${f.aliases.length > 0 ? ` (${f.aliases.map(cell).join(', ')})` : ''}`;
      lines.push(
        `| ${f.kind === 'malicious' ? '**critical (malicious)**' : f.severity} | ${cell(f.name)} | ${cell(f.version)} | ${advisory} | ${f.fixed.map(cell).join(', ') || '—'} | ${f.upgrade !== undefined ? cell(f.upgrade) : '—'} | ${cell(f.file)}:${f.line} |`,
      );
    }
    lines.push('');
  }
  if (report.expiredIgnores.length > 0) {
    lines.push('**Expired ignore rules** (no longer applied):', '');
    for (const r of report.expiredIgnores) lines.push(`- ${cell(r.id)} — expired ${r.expires ?? ''} (${cell(r.origin)})`);
    lines.push('');
  }
  if (report.errors.length > 0) {
    lines.push('**Errors**', '');
    for (const e of report.errors) lines.push(`- ${cell(e)}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
