import type { Severity } from '../core/types.js';

const WEIGHTS = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

/** CVSS v3.1 "Roundup": the smallest number with one decimal that is >= the input. */
function roundUp(value: number): number {
  const intInput = Math.round(value * 100_000);
  if (intInput % 10_000 === 0) return intInput / 100_000;
  return (Math.floor(intInput / 10_000) + 1) / 10;
}

function pick<T extends Record<string, number>>(table: T, key: string | undefined): number | undefined {
  if (key === undefined || !Object.hasOwn(table, key)) return undefined;
  return table[key as keyof T];
}

/**
 * CVSS v3.0/v3.1 base score of a vector such as `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`.
 * Returns undefined for anything that is not a complete, valid v3 base vector.
 */
export function cvss3BaseScore(vector: string): number | undefined {
  if (vector.length > 200) return undefined;
  const parts = vector.trim().split('/');
  const head = parts.shift();
  if (head !== 'CVSS:3.0' && head !== 'CVSS:3.1') return undefined;
  const metrics = new Map<string, string>();
  for (const part of parts) {
    const [k, v, extra] = part.split(':');
    if (k === undefined || v === undefined || extra !== undefined) return undefined;
    if (metrics.has(k)) return undefined;
    metrics.set(k, v);
  }
  const scope = metrics.get('S');
  if (scope !== 'U' && scope !== 'C') return undefined;
  const av = pick(WEIGHTS.AV, metrics.get('AV'));
  const ac = pick(WEIGHTS.AC, metrics.get('AC'));
  const ui = pick(WEIGHTS.UI, metrics.get('UI'));
  const c = pick(WEIGHTS.CIA, metrics.get('C'));
  const i = pick(WEIGHTS.CIA, metrics.get('I'));
  const a = pick(WEIGHTS.CIA, metrics.get('A'));
  const prTable = scope === 'C' ? { N: 0.85, L: 0.68, H: 0.5 } : { N: 0.85, L: 0.62, H: 0.27 };
  const pr = pick(prTable, metrics.get('PR'));
  if (av === undefined || ac === undefined || ui === undefined || pr === undefined) return undefined;
  if (c === undefined || i === undefined || a === undefined) return undefined;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15);
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  const raw = scope === 'U' ? impact + exploitability : 1.08 * (impact + exploitability);
  return roundUp(Math.min(raw, 10));
}

/** Qualitative rating of a CVSS score (0 is `info`). */
export function severityFromScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}

/** GitHub/OSV database_specific severity words. */
export function severityFromLabel(label: string): Severity | undefined {
  switch (label.trim().toUpperCase()) {
    case 'CRITICAL':
      return 'critical';
    case 'HIGH':
      return 'high';
    case 'MODERATE':
    case 'MEDIUM':
      return 'medium';
    case 'LOW':
      return 'low';
    default:
      return undefined;
  }
}

export const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}
