import type { Finding, Severity, Trigger, Verdict } from '../core/types.js';

export interface Score {
  verdict: Verdict;
  score: number;
  /** One sentence saying why. */
  reason: string;
}

const SEVERITY_POINTS: Record<Severity, number> = { critical: 100, high: 40, medium: 12, low: 3, info: 0 };
/** What makes code run matters: install/start-up code runs on every victim, call-only code may never run. */
const TRIGGER_FACTOR: Record<Trigger, number> = { install: 1, startup: 1, import: 0.9, call: 0.6, none: 0.5 };
const CONFIDENCE_FACTOR = { high: 1, medium: 0.75, low: 0.4 } as const;

export const MALICIOUS_THRESHOLD = 100;
export const SUSPICIOUS_THRESHOLD = 30;

function points(f: Finding): number {
  const kindFactor = f.kind === 'threat' ? 1 : 0.5;
  return SEVERITY_POINTS[f.severity] * TRIGGER_FACTOR[f.trigger] * CONFIDENCE_FACTOR[f.confidence] * kindFactor;
}

function where(f: Finding): string {
  return `${f.location.path}${f.location.line > 0 ? `:${f.location.line}` : ''}`;
}

function sentence(message: string): string {
  return message.replace(/[.\s]+$/, '');
}

/**
 * Pure: findings in, verdict out.
 * - malicious: one critical threat with at least medium confidence (e.g. install-time exfiltration,
 *   download-and-execute, exec of a decoded payload), or threats whose weighted evidence adds up to the
 *   malicious threshold by themselves;
 * - suspicious: weighted evidence (threats and capabilities) over the suspicious threshold;
 * - capabilities alone (network, subprocess, reading the environment) are never malicious.
 * Repeated findings of one rule count with diminishing weight.
 */
export function scoreFindings(findings: readonly Finding[]): Score {
  if (findings.length === 0) return { verdict: 'clean', score: 0, reason: 'No suspicious behaviour was found.' };
  const ranked = [...findings].sort((a, b) => points(b) - points(a));
  const perRule = new Map<string, number>();
  let total = 0;
  let threatTotal = 0;
  for (const f of ranked) {
    const seen = perRule.get(f.ruleId) ?? 0;
    perRule.set(f.ruleId, seen + 1);
    const p = points(f) / (seen + 1);
    total += p;
    if (f.kind === 'threat') threatTotal += p;
  }
  const score = Math.round(total);
  const top = ranked[0];
  const decisive = ranked.find((f) => f.kind === 'threat' && f.severity === 'critical' && f.confidence !== 'low');
  let verdict: Verdict = 'clean';
  if (decisive !== undefined || threatTotal >= MALICIOUS_THRESHOLD) verdict = 'malicious';
  else if (score >= SUSPICIOUS_THRESHOLD) verdict = 'suspicious';
  const lead = decisive ?? top;
  let reason: string;
  if (verdict === 'clean') reason = 'Only low-risk capabilities were found.';
  else if (lead === undefined) reason = 'Weighted evidence crossed the threshold.';
  else {
    const others = new Set(ranked.filter((f) => f !== lead && f.kind === 'threat').map((f) => f.ruleId)).size;
    const tail = decisive === undefined && verdict === 'malicious' ? `, together with ${others} other threat signal(s)` : '';
    reason = `${sentence(lead.message)} (${where(lead)}, runs on ${lead.trigger})${tail}.`;
  }
  return { verdict, score, reason };
}
