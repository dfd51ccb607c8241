import type { Finding, Severity, Trigger, Verdict } from '../core/types.js';

export interface Score {
  verdict: Verdict;
  score: number;
  /** One sentence saying why. */
  reason: string;
}

const SEVERITY_POINTS: Record<Severity, number> = { critical: 100, high: 40, medium: 12, low: 3, info: 0 };
const TRIGGER_FACTOR: Record<Trigger, number> = { install: 1, startup: 1, import: 0.9, call: 0.6, none: 0.5 };
const CONFIDENCE_FACTOR = { high: 1, medium: 0.75, low: 0.4 } as const;

export const MALICIOUS_THRESHOLD = 100;
export const SUSPICIOUS_THRESHOLD = 30;

function points(f: Finding): number {
  const kindFactor = f.kind === 'threat' ? 1 : 0.5;
  return SEVERITY_POINTS[f.severity] * TRIGGER_FACTOR[f.trigger] * CONFIDENCE_FACTOR[f.confidence] * kindFactor;
}

/**
 * Pure: findings in, verdict out. A package is malicious when one high-confidence critical threat is
 * present, or when the weighted evidence adds up; capabilities alone only make it suspicious.
 */
export function scoreFindings(findings: readonly Finding[]): Score {
  if (findings.length === 0) return { verdict: 'clean', score: 0, reason: 'No suspicious behaviour was found.' };
  const ranked = [...findings].sort((a, b) => points(b) - points(a));
  // Repeated findings of one rule count with diminishing weight.
  const perRule = new Map<string, number>();
  let total = 0;
  for (const f of ranked) {
    const seen = perRule.get(f.ruleId) ?? 0;
    perRule.set(f.ruleId, seen + 1);
    total += points(f) / (seen + 1);
  }
  const score = Math.round(total);
  const top = ranked[0];
  const decisive = ranked.find((f) => f.kind === 'threat' && f.severity === 'critical' && f.confidence !== 'low');
  let verdict: Verdict = 'clean';
  if (decisive !== undefined || score >= MALICIOUS_THRESHOLD) verdict = 'malicious';
  else if (score >= SUSPICIOUS_THRESHOLD) verdict = 'suspicious';
  const lead = decisive ?? top;
  const reason =
    verdict === 'clean'
      ? 'Only low-risk capabilities were found.'
      : lead === undefined
        ? 'Weighted evidence crossed the threshold.'
        : `${lead.message} (${lead.location.path}${lead.location.line > 0 ? `:${lead.location.line}` : ''}, runs on ${lead.trigger}).`;
  return { verdict, score, reason };
}
