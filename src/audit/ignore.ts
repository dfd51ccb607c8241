import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { normalizePackageName } from '../advisories/names.js';
import { loadYaml } from '../lockfiles/lazy.js';
import { VigilError } from '../core/errors.js';
import type { Ecosystem } from '../core/types.js';
import type { AuditFinding, IgnoreRule, IgnoredFinding } from './types.js';

export const IGNORE_FILE_NAMES = ['.vigilignore.yaml', '.vigilignore.yml'] as const;
const MAX_IGNORE_BYTES = 1024 * 1024;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function configError(origin: string, message: string): VigilError {
  return new VigilError('E_CONFIG', `${origin}: ${message}`);
}

/**
 * Parses an ignore file:
 * ```yaml
 * ignore:
 *   - id: GHSA-xxxx-xxxx-xxxx     # OSV id or any alias
 *     package: requests           # optional
 *     ecosystem: pypi             # optional
 *     reason: not reachable       # required
 *     expires: 2027-01-31         # optional; the rule stops applying after this day
 * ```
 */
export function parseIgnoreFile(text: string, file: string): IgnoreRule[] {
  const { isMap, isSeq, parseDocument } = loadYaml();
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) throw configError(file, `invalid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
  const lineOf = (node: unknown): number => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (range === undefined) return 0;
    return text.slice(0, range[0]).split('\n').length;
  };
  const root = doc.contents;
  if (root === null) return [];
  if (!isMap(root)) throw configError(file, "expected a mapping with an 'ignore' list");
  const list = root.get('ignore', true);
  if (list === undefined || list === null) return [];
  if (!isSeq(list)) throw configError(file, "'ignore' must be a list");
  const rules: IgnoreRule[] = [];
  for (const item of list.items) {
    const origin = `${file}:${lineOf(item)}`;
    if (!isMap(item)) throw configError(origin, 'each ignore entry must be a mapping');
    const value = (key: string): string | undefined => {
      const v: unknown = item.get(key);
      if (v === undefined || v === null) return undefined;
      if (v instanceof Date) return v.toISOString().slice(0, 10);
      if (typeof v !== 'string' && typeof v !== 'number') throw configError(origin, `'${key}' must be text`);
      return String(v).trim();
    };
    for (const pair of item.items) {
      const k = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
      if (!['id', 'package', 'ecosystem', 'reason', 'expires'].includes(k)) throw configError(origin, `unknown key '${k}'`);
    }
    const id = value('id');
    const reason = value('reason');
    if (id === undefined || id === '') throw configError(origin, "ignore entry needs an 'id'");
    if (reason === undefined || reason === '') throw configError(origin, `ignore entry for ${id} needs a 'reason'`);
    const rule: IgnoreRule = { id, reason, origin };
    const pkg = value('package');
    if (pkg !== undefined && pkg !== '') rule.package = pkg;
    const eco = value('ecosystem')?.toLowerCase();
    if (eco !== undefined) {
      if (eco !== 'pypi' && eco !== 'npm') throw configError(origin, `ecosystem must be pypi or npm, got '${eco}'`);
      rule.ecosystem = eco;
    }
    const expires = value('expires');
    if (expires !== undefined) {
      if (!DATE.test(expires) || Number.isNaN(Date.parse(`${expires}T00:00:00Z`))) throw configError(origin, `expires must be a date YYYY-MM-DD, got '${expires}'`);
      rule.expires = expires;
    }
    rules.push(rule);
  }
  return rules;
}

/** Reads `--ignore-file`, or the first default-named file in `dir`. Returns [] when there is none. */
export function loadIgnoreFile(explicit: string | undefined, dir: string): { file?: string; rules: IgnoreRule[] } {
  const candidates = explicit !== undefined ? [explicit] : IGNORE_FILE_NAMES.map((n) => join(dir, n));
  for (const path of candidates) {
    if (!existsSync(path)) {
      if (explicit !== undefined) throw new VigilError('E_CONFIG', `ignore file ${path} not found`);
      continue;
    }
    if (statSync(path).size > MAX_IGNORE_BYTES) throw new VigilError('E_CONFIG', `ignore file ${path} is too large`);
    return { file: path, rules: parseIgnoreFile(readFileSync(path, 'utf8'), path) };
  }
  return { rules: [] };
}

/** True when the rule's expiry day is over (the rule applies through the whole expiry day, UTC). */
export function isExpired(rule: IgnoreRule, now: Date): boolean {
  return rule.expires !== undefined && now.toISOString().slice(0, 10) > rule.expires;
}

function ruleMatches(rule: IgnoreRule, f: AuditFinding): boolean {
  if (rule.id !== f.id && !f.aliases.includes(rule.id)) return false;
  if (rule.ecosystem !== undefined && rule.ecosystem !== f.ecosystem) return false;
  if (rule.package !== undefined) {
    const eco: Ecosystem = f.ecosystem;
    if (normalizePackageName(eco, rule.package) !== normalizePackageName(eco, f.name)) return false;
  }
  return true;
}

export function applyIgnores(
  findings: readonly AuditFinding[],
  rules: readonly IgnoreRule[],
  now: Date,
): { kept: AuditFinding[]; ignored: IgnoredFinding[]; expired: IgnoreRule[] } {
  const active = rules.filter((r) => !isExpired(r, now));
  const expired = rules.filter((r) => isExpired(r, now));
  const kept: AuditFinding[] = [];
  const ignored: IgnoredFinding[] = [];
  for (const f of findings) {
    const rule = active.find((r) => ruleMatches(r, f));
    if (rule === undefined) kept.push(f);
    else ignored.push({ finding: f, rule });
  }
  return { kept, ignored, expired };
}
