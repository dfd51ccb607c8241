/**
 * Install-guard policy: what the proxy blocks and what it hides from listings. Loaded from a JSON or YAML
 * file (see docs/GUARD.md); every field is optional and validated.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { VigilError, describeError } from '../core/errors.js';
import type { Ecosystem, Verdict } from '../core/types.js';

export interface PackageRule {
  ecosystem?: Ecosystem;
  /** Normalised name; `*` matches any run of characters. */
  name: string;
  /** Exact version; undefined matches every version. */
  version?: string;
}

export interface Policy {
  /** Lowest verdict that is refused. */
  blockAt: Exclude<Verdict, 'clean'>;
  /** Never refused by the scan or the release age (hashes are still verified, advisories still apply). */
  allow: PackageRule[];
  /** Always refused and hidden from listings. */
  deny: PackageRule[];
  /** Versions published less than this many ms ago are hidden from listings; 0 disables. */
  minReleaseAgeMs: number;
  /** Refuse when the scan fails (unreadable archive, analyzer crash). */
  failClosedOnScanError: boolean;
  /** Refuse PyPI files whose index entry carries no usable hash. */
  requireHash: boolean;
}

export const DEFAULT_POLICY: Policy = {
  blockAt: 'malicious',
  allow: [],
  deny: [],
  minReleaseAgeMs: 0,
  failClosedOnScanError: true,
  requireHash: true,
};

/**
 * Answers whether a published version is known malicious (e.g. an OSV `MAL-` advisory): `false`, `true`,
 * or the advisory id.
 */
export type KnownMaliciousCheck = (ecosystem: Ecosystem, name: string, version: string) => boolean | string;

export function normalizePackageName(ecosystem: Ecosystem, name: string): string {
  return ecosystem === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name.toLowerCase();
}

const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "72h", "3d", "90m", "1w", or a number of days. */
export function parseDuration(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value * DURATION_UNITS.d!);
  if (typeof value === 'string') {
    const m = /^\s*(\d{1,6}(?:\.\d{1,3})?)\s*([smhdw])\s*$/.exec(value);
    if (m !== null) return Math.round(Number(m[1]) * DURATION_UNITS[m[2]!]!);
  }
  throw new VigilError('E_CONFIG', `${field} must be a duration like "72h", "3d" or a number of days`);
}

/** Parses "npm:@scope/name@1.0.0", "pypi:requests==2.31.0", "requests", "npm:@types/*". */
export function parsePackageRule(raw: unknown, field: string): PackageRule {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name === '') throw new VigilError('E_CONFIG', `${field}: an entry has no "name"`);
    const eco = o.ecosystem;
    if (eco !== undefined && eco !== 'npm' && eco !== 'pypi') throw new VigilError('E_CONFIG', `${field}: ecosystem must be "npm" or "pypi"`);
    if (o.version !== undefined && typeof o.version !== 'string') throw new VigilError('E_CONFIG', `${field}: version must be a string`);
    const rule: PackageRule = { name: eco === undefined ? o.name.toLowerCase() : normalizePackageName(eco, o.name) };
    if (eco !== undefined) rule.ecosystem = eco;
    if (typeof o.version === 'string') rule.version = o.version;
    return rule;
  }
  if (typeof raw !== 'string' || raw.trim() === '' || raw.length > 300) throw new VigilError('E_CONFIG', `${field}: entries are strings like "npm:left-pad" or objects {ecosystem, name, version}`);
  let text = raw.trim();
  let ecosystem: Ecosystem | undefined;
  const colon = /^(npm|pypi):/.exec(text);
  if (colon !== null) {
    ecosystem = colon[1] as Ecosystem;
    text = text.slice(colon[0].length);
  }
  let version: string | undefined;
  const eq = text.indexOf('==');
  if (eq > 0) {
    version = text.slice(eq + 2);
    text = text.slice(0, eq);
  } else {
    const at = text.lastIndexOf('@');
    if (at > 0) {
      version = text.slice(at + 1);
      text = text.slice(0, at);
    }
  }
  if (text === '' || version === '') throw new VigilError('E_CONFIG', `${field}: cannot read entry '${raw}'`);
  const rule: PackageRule = { name: ecosystem === undefined ? text.toLowerCase() : normalizePackageName(ecosystem, text) };
  if (ecosystem !== undefined) rule.ecosystem = ecosystem;
  if (version !== undefined) rule.version = version;
  return rule;
}

/** Glob with `*` only, matched without regexes (no backtracking blow-up). */
function globMatch(pattern: string, text: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === text;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (!text.startsWith(first) || text.length < first.length + last.length || !text.endsWith(last)) return false;
  let pos = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const idx = text.indexOf(parts[i]!, pos);
    if (idx < 0 || idx + parts[i]!.length > end) return false;
    pos = idx + parts[i]!.length;
  }
  return true;
}

export function matchesRule(rules: readonly PackageRule[], ecosystem: Ecosystem, name: string, version: string | undefined): boolean {
  const normalized = normalizePackageName(ecosystem, name);
  return rules.some((r) => {
    if (r.ecosystem !== undefined && r.ecosystem !== ecosystem) return false;
    const ruleName = r.ecosystem === undefined ? normalizePackageName(ecosystem, r.name) : r.name;
    if (!globMatch(ruleName, normalized)) return false;
    return r.version === undefined || (version !== undefined && r.version === version);
  });
}

function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new VigilError('E_CONFIG', `${field} must be true or false`);
  return value;
}

function list(value: unknown, field: string): PackageRule[] {
  if (!Array.isArray(value)) throw new VigilError('E_CONFIG', `${field} must be a list`);
  if (value.length > 10_000) throw new VigilError('E_CONFIG', `${field} has too many entries`);
  return value.map((v, i) => parsePackageRule(v, `${field}[${i}]`));
}

const KNOWN_KEYS = new Set(['block-at', 'allow', 'deny', 'min-release-age', 'fail-closed', 'require-hash']);

/** Validates a parsed policy document (kebab-case keys). */
export function policyFromDocument(doc: unknown, source = 'policy'): Policy {
  if (doc === null || doc === undefined) return { ...DEFAULT_POLICY };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new VigilError('E_CONFIG', `${source}: expected a mapping at the top level`);
  const o = doc as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN_KEYS.has(key)) throw new VigilError('E_CONFIG', `${source}: unknown key '${key}' (known: ${[...KNOWN_KEYS].join(', ')})`);
  }
  const policy: Policy = { ...DEFAULT_POLICY, allow: [], deny: [] };
  if (o['block-at'] !== undefined) {
    if (o['block-at'] !== 'malicious' && o['block-at'] !== 'suspicious') throw new VigilError('E_CONFIG', `${source}: block-at must be "malicious" or "suspicious"`);
    policy.blockAt = o['block-at'];
  }
  if (o.allow !== undefined) policy.allow = list(o.allow, `${source}: allow`);
  if (o.deny !== undefined) policy.deny = list(o.deny, `${source}: deny`);
  if (o['min-release-age'] !== undefined) policy.minReleaseAgeMs = parseDuration(o['min-release-age'], `${source}: min-release-age`);
  const fc = o['fail-closed'];
  if (typeof fc === 'boolean') {
    policy.failClosedOnScanError = fc;
  } else if (typeof fc === 'object' && fc !== null && !Array.isArray(fc)) {
    const f = fc as Record<string, unknown>;
    for (const key of Object.keys(f)) {
      if (key !== 'scan') throw new VigilError('E_CONFIG', `${source}: fail-closed accepts only "scan" (upstream failures always refuse)`);
    }
    if (f.scan !== undefined) policy.failClosedOnScanError = bool(f.scan, `${source}: fail-closed.scan`);
  } else if (fc !== undefined) {
    throw new VigilError('E_CONFIG', `${source}: fail-closed must be true, false or {scan}`);
  }
  if (o['require-hash'] !== undefined) policy.requireHash = bool(o['require-hash'], `${source}: require-hash`);
  return policy;
}

/** Reads a policy file: `.json` as JSON, anything else as YAML (a superset of JSON). */
export async function loadPolicy(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new VigilError('E_CONFIG', `cannot read policy file ${path}: ${describeError(error)}`);
  }
  if (text.length > 4 * 1024 * 1024) throw new VigilError('E_CONFIG', `policy file ${path} is too large`);
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 50 });
  } catch (error) {
    throw new VigilError('E_CONFIG', `policy file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${describeError(error)}`);
  }
  return policyFromDocument(doc, path);
}
