import type { ArchiveIssue, Finding, Severity } from '../core/types.js';

const ISSUE_SEVERITY: Record<ArchiveIssue['code'], Severity> = {
  'path-traversal': 'high',
  'absolute-path': 'high',
  link: 'medium',
  device: 'high',
  'too-many-files': 'medium',
  'too-large': 'medium',
  'file-too-large': 'low',
  'compression-ratio': 'high',
  corrupt: 'medium',
  'non-utf8-name': 'low',
  duplicate: 'low',
  'nested-depth': 'low',
};

/** Hostile archive structure is evidence of its own (never a crash). */
export function archiveIssueFindings(issues: readonly ArchiveIssue[], artifact: string): Finding[] {
  return issues.map((issue) => ({
    ruleId: `archive/${issue.code}`,
    severity: ISSUE_SEVERITY[issue.code],
    kind: 'threat',
    category: 'archive',
    confidence: 'high',
    message: issue.message,
    location: { path: issue.path ?? '', line: 0, artifact },
    evidence: issue.path ?? '',
    trigger: 'none',
  }));
}
