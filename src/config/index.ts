/**
 * User and project configuration: allowlists (each entry with a reason), internal package names
 * (dependency confusion), thresholds. Read from the project the user runs Vigil in — never from a
 * package being scanned — and validated strictly.
 *
 * Files, in order (later layers override thresholds; lists are concatenated):
 *   1. user:    $XDG_CONFIG_HOME/vigil/config.json (default ~/.config/vigil/config.json)
 *   2. project: <cwd>/vigil.config.json, or [tool.vigil] in <cwd>/pyproject.toml (not both)
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { VigilError, describeError } from '../core/errors.js';
import type { Ecosystem, Finding } from '../core/types.js';
import { ECOSYSTEMS } from '../core/types.js';

export const FAIL_ON = ['malicious', 'suspicious', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface AllowEntry {
  ecosystem?: Ecosystem;
  /** Package name (compared after registry normalisation). */
  name?: string;
  /** Exact version; needs `name`. */
  version?: string;
  /** sha256 of an artifact (hex). */
  sha256?: string;
  /** Rule id, or a prefix ending in `*` (`py/*`). */
  rule?: string;
  /** File path inside the package, or a prefix ending in `*`. */
  path?: string;
  /** Why this is acceptable; mandatory. */
  reason: string;
  /** File the entry came from. */
  source: string;
}

export interface VigilConfig {
  allow: AllowEntry[];
  /** Internal package names or prefixes (`acme-*`, `@acme/*`) per ecosystem. */
  internal: Record<Ecosystem, string[]>;
  failOn?: FailOn;
  minAgeHours?: number;
  /** Files that were read, in order. */
  sources: string[];
}

export interface Suppression {
  finding: Finding;
  reason: string;
  source: string;
}

export interface PackageIdentity {
  ecosystem: Ecosystem | 'unknown';
  name: string;
  version: string;
  /** sha256 of the scanned artifacts. */
  sha256?: readonly string[];
}

const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_ENTRIES = 10_000;
const TOP_KEYS: Readonly<Record<string, 'allow' | 'internal' | 'failOn' | 'minAgeHours' | '$schema'>> = {
  allow: 'allow',
  internal: 'internal',
  failOn: 'failOn',
  'fail-on': 'failOn',
  minAgeHours: 'minAgeHours',
  'min-age-hours': 'minAgeHours',
  $schema: '$schema',
};
const ALLOW_KEYS = new Set(['ecosystem', 'name', 'version', 'sha256', 'rule', 'path', 'reason']);

export function emptyConfig(): VigilConfig {
  return { allow: [], internal: { pypi: [], npm: [] }, sources: [] };
}

function fail(source: string, key: string, message: string): never {
  throw new VigilError('E_CONFIG', `${source}: ${key}: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(source: string, key: string, v: unknown, max = 500): string {
  if (typeof v !== 'string' || v.trim() === '') fail(source, key, 'expected a non-empty string');
  if (v.length > max) fail(source, key, `longer than ${max} characters`);
  return v.trim();
}

/** Validates one configuration document (already parsed) into a layer. */
export function parseConfig(doc: unknown, source: string): VigilConfig {
  if (!isRecord(doc)) fail(source, '(top level)', 'expected an object');
  const out = emptyConfig();
  out.sources.push(source);
  for (const [rawKey, value] of Object.entries(doc)) {
    const key = TOP_KEYS[rawKey];
    if (key === undefined) fail(source, rawKey, `unknown key (expected one of: allow, internal, failOn, minAgeHours)`);
    if (key === '$schema') continue;
    if (key === 'failOn') {
      if (typeof value !== 'string' || !(FAIL_ON as readonly string[]).includes(value)) fail(source, rawKey, `expected one of ${FAIL_ON.join(', ')}`);
      out.failOn = value as FailOn;
    } else if (key === 'minAgeHours') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 24 * 365 * 10) fail(source, rawKey, 'expected a number of hours between 0 and 87600');
      out.minAgeHours = value;
    } else if (key === 'internal') {
      out.internal = parseInternal(source, rawKey, value);
    } else {
      out.allow = parseAllow(source, rawKey, value);
    }
  }
  return out;
}

function parseInternal(source: string, key: string, value: unknown): Record<Ecosystem, string[]> {
  if (!isRecord(value)) fail(source, key, 'expected an object like { "npm": ["@acme/*"], "pypi": ["acme-*"] }');
  const out: Record<Ecosystem, string[]> = { pypi: [], npm: [] };
  for (const [eco, list] of Object.entries(value)) {
    if (!(ECOSYSTEMS as readonly string[]).includes(eco)) fail(source, `${key}.${eco}`, `unknown ecosystem (expected ${ECOSYSTEMS.join(' or ')})`);
    if (!Array.isArray(list)) fail(source, `${key}.${eco}`, 'expected a list of names or prefixes');
    if (list.length > MAX_ENTRIES) fail(source, `${key}.${eco}`, `more than ${MAX_ENTRIES} entries`);
    out[eco as Ecosystem] = list.map((x, i) => {
      const s = str(source, `${key}.${eco}[${i}]`, x, 214);
      if (s.indexOf('*') >= 0 && s.indexOf('*') !== s.length - 1) fail(source, `${key}.${eco}[${i}]`, "'*' is only allowed at the end (a prefix)");
      return s;
    });
  }
  return out;
}

function parseAllow(source: string, key: string, value: unknown): AllowEntry[] {
  if (!Array.isArray(value)) fail(source, key, 'expected a list of entries');
  if (value.length > MAX_ENTRIES) fail(source, key, `more than ${MAX_ENTRIES} entries`);
  return value.map((raw, i) => {
    const at = `${key}[${i}]`;
    if (!isRecord(raw)) fail(source, at, 'expected an object');
    for (const k of Object.keys(raw)) if (!ALLOW_KEYS.has(k)) fail(source, `${at}.${k}`, `unknown key (expected ${[...ALLOW_KEYS].join(', ')})`);
    if (raw.reason === undefined) fail(source, `${at}.reason`, 'every allowlist entry needs a reason');
    const entry: AllowEntry = { reason: str(source, `${at}.reason`, raw.reason, 2000), source };
    if (raw.ecosystem !== undefined) {
      if (typeof raw.ecosystem !== 'string' || !(ECOSYSTEMS as readonly string[]).includes(raw.ecosystem)) fail(source, `${at}.ecosystem`, `expected ${ECOSYSTEMS.join(' or ')}`);
      entry.ecosystem = raw.ecosystem as Ecosystem;
    }
    if (raw.name !== undefined) entry.name = str(source, `${at}.name`, raw.name, 214);
    if (raw.version !== undefined) {
      entry.version = str(source, `${at}.version`, raw.version, 256);
      if (entry.name === undefined) fail(source, `${at}.version`, 'a version needs a name');
    }
    if (raw.sha256 !== undefined) {
      const h = str(source, `${at}.sha256`, raw.sha256, 64).toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(h)) fail(source, `${at}.sha256`, 'expected 64 hex digits');
      entry.sha256 = h;
    }
    if (raw.rule !== undefined) entry.rule = str(source, `${at}.rule`, raw.rule, 200);
    if (raw.path !== undefined) entry.path = str(source, `${at}.path`, raw.path, 1000);
    if (entry.name === undefined && entry.sha256 === undefined && entry.rule === undefined) {
      fail(source, at, 'an entry needs at least one of name, sha256 or rule');
    }
    return entry;
  });
}

/** Later layers override thresholds; lists are concatenated. */
export function mergeConfigs(layers: readonly VigilConfig[]): VigilConfig {
  const out = emptyConfig();
  for (const l of layers) {
    out.allow.push(...l.allow);
    out.internal.pypi.push(...l.internal.pypi);
    out.internal.npm.push(...l.internal.npm);
    if (l.failOn !== undefined) out.failOn = l.failOn;
    if (l.minAgeHours !== undefined) out.minAgeHours = l.minAgeHours;
    out.sources.push(...l.sources);
  }
  return out;
}

async function readSmall(path: string): Promise<string | undefined> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    const code = isRecord(error) ? error.code : undefined;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new VigilError('E_CONFIG', `${path}: cannot read: ${describeError(error)}`);
  }
  if (data.byteLength > MAX_CONFIG_BYTES) throw new VigilError('E_CONFIG', `${path}: larger than ${MAX_CONFIG_BYTES} bytes`);
  return data.toString('utf8');
}

async function jsonLayer(path: string): Promise<VigilConfig | undefined> {
  const text = await readSmall(path);
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new VigilError('E_CONFIG', `${path}: not valid JSON: ${describeError(error)}`);
  }
  return parseConfig(doc, path);
}

async function pyprojectLayer(path: string): Promise<VigilConfig | undefined> {
  const text = await readSmall(path);
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch (error) {
    throw new VigilError('E_CONFIG', `${path}: not valid TOML: ${describeError(error)}`);
  }
  const tool = isRecord(doc) ? doc.tool : undefined;
  const section = isRecord(tool) ? tool.vigil : undefined;
  if (section === undefined) return undefined;
  return parseConfig(section, `${path} [tool.vigil]`);
}

export function userConfigPath(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(env.HOME ?? homedir(), '.config'), 'vigil', 'config.json');
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Read the user configuration too (default true). */
  user?: boolean;
  /** An explicit file (e.g. `--config`), read instead of the project files. */
  file?: string;
}

/**
 * Loads the configuration for a run started in `cwd` (the user's project, never a scanned package).
 * Throws E_CONFIG naming the file and key on any invalid entry.
 */
export async function loadConfig(cwd: string, options: LoadConfigOptions = {}): Promise<VigilConfig> {
  const env = options.env ?? process.env;
  const layers: VigilConfig[] = [];
  if (options.user !== false) {
    const user = await jsonLayer(userConfigPath(env));
    if (user !== undefined) layers.push(user);
  }
  if (options.file !== undefined) {
    const explicit = options.file.endsWith('.toml') ? await pyprojectLayer(join(cwd, options.file)) : await jsonLayer(join(cwd, options.file));
    if (explicit === undefined) throw new VigilError('E_CONFIG', `${options.file}: not found (or no [tool.vigil] section)`);
    layers.push(explicit);
  } else {
    const json = await jsonLayer(join(cwd, 'vigil.config.json'));
    const toml = await pyprojectLayer(join(cwd, 'pyproject.toml'));
    if (json !== undefined && toml !== undefined) {
      throw new VigilError('E_CONFIG', `${join(cwd, 'vigil.config.json')}: configuration is also given in pyproject.toml [tool.vigil]; keep one`);
    }
    const project = json ?? toml;
    if (project !== undefined) layers.push(project);
  }
  return mergeConfigs(layers);
}

function normalise(ecosystem: Ecosystem | 'unknown', name: string): string {
  const lower = name.trim().toLowerCase();
  return ecosystem === 'pypi' ? lower.replace(/[-_.]+/g, '-') : lower;
}

function globMatch(pattern: string, value: string): boolean {
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : pattern === value;
}

function entryMatches(entry: AllowEntry, f: Finding, pkg: PackageIdentity): boolean {
  if (entry.ecosystem !== undefined && entry.ecosystem !== pkg.ecosystem) return false;
  if (entry.name !== undefined) {
    const eco = entry.ecosystem ?? pkg.ecosystem;
    if (normalise(eco, entry.name) !== normalise(eco, pkg.name)) return false;
  }
  if (entry.version !== undefined && entry.version !== pkg.version) return false;
  if (entry.sha256 !== undefined && !(pkg.sha256 ?? []).some((h) => h.toLowerCase() === entry.sha256)) return false;
  if (entry.rule !== undefined && !globMatch(entry.rule, f.ruleId)) return false;
  if (entry.path !== undefined && !globMatch(entry.path, f.location.path)) return false;
  return true;
}

/** Removes allowlisted findings; each suppression keeps its reason and the file that allowed it. */
export function applyAllowlist(findings: readonly Finding[], config: VigilConfig, pkg: PackageIdentity): { findings: Finding[]; suppressions: Suppression[] } {
  const kept: Finding[] = [];
  const suppressions: Suppression[] = [];
  for (const f of findings) {
    const entry = config.allow.find((e) => entryMatches(e, f, pkg));
    if (entry === undefined) kept.push(f);
    else suppressions.push({ finding: f, reason: entry.reason, source: entry.source });
  }
  return { findings: kept, suppressions };
}

/** True when `name` is one of the internal names or starts with an internal prefix (`acme-*`). */
export function matchesInternal(ecosystem: Ecosystem, name: string, internal: readonly string[]): string | undefined {
  const n = normalise(ecosystem, name);
  for (const pattern of internal) {
    const p = pattern.endsWith('*') ? `${normalise(ecosystem, pattern.slice(0, -1))}*` : normalise(ecosystem, pattern);
    if (globMatch(p, n)) return pattern;
  }
  return undefined;
}

/**
 * Dependency confusion: a name the organisation uses internally also exists on the public registry,
 * so a resolver that consults both may install the public (attacker's) one.
 */
export function dependencyConfusionFindings(ecosystem: Ecosystem, name: string, internal: readonly string[], existsOnPublicRegistry: boolean): Finding[] {
  const pattern = matchesInternal(ecosystem, name, internal);
  if (pattern === undefined || !existsOnPublicRegistry) return [];
  return [
    {
      ruleId: 'meta/dependency-confusion',
      severity: 'medium',
      kind: 'threat',
      category: 'metadata',
      confidence: 'medium',
      message: `'${name}' is configured as an internal ${ecosystem} name (${pattern}) but a package of that name exists on the public registry; pin the internal index for it.`,
      location: { path: '(registry)', line: 0 },
      evidence: `${ecosystem}:${name} matches internal '${pattern}'`,
      trigger: 'none',
      data: { name, pattern, ecosystem },
    },
  ];
}
