import { normalizePypiName } from '../advisories/names.js';
import { parseRequirement, pinnedVersion } from './pep508.js';
import type { ExtractContext, LockedPackage, PackageSource } from './types.js';
import { asString, isObject, objectEntries, reachability } from './util.js';
import type { LineIndex } from './util.js';
import type { Json } from './util.js';

/**
 * Finds the line of each `[[<table>]]` entry's `name = "…"` key, in order, so the k-th array entry
 * maps to the k-th header.
 */
export function arrayTableNameLines(text: string, table: string): number[] {
  const lines = text.split(/\r?\n/);
  const out: number[] = [];
  let inEntry = false;
  let headerLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = (lines[i] ?? '').trim();
    if (l === `[[${table}]]`) {
      if (inEntry) out.push(headerLine);
      inEntry = true;
      headerLine = i + 1;
      continue;
    }
    if (inEntry && /^name\s*=/.test(l)) {
      out.push(i + 1);
      inEntry = false;
    }
  }
  if (inEntry) out.push(headerLine);
  return out;
}

/** A package from a PEP 508 string in a manifest (pyproject, Pipfile-style lists). */
export function manifestRequirement(
  raw: string,
  context: ExtractContext,
  index: LineIndex,
  dev: boolean,
): LockedPackage | undefined {
  const req = parseRequirement(raw);
  if (req === undefined) return undefined;
  const line = index.find(`"${raw}"`) || index.find(`'${raw}'`) || index.find(raw) || index.find(`"${req.name}`) || index.find(`'${req.name}`) || index.find(req.name);
  const pkg: LockedPackage = { ecosystem: 'pypi', name: req.name, pinned: false, file: context.file, line, direct: true, dev };
  if (req.url !== undefined) {
    pkg.requirement = req.url;
    pkg.source = req.url.startsWith('git+') ? 'git' : /^https?:/.test(req.url) ? 'url' : 'path';
    return pkg;
  }
  pkg.source = 'registry';
  const v = pinnedVersion(req.specifier);
  if (v !== undefined) {
    pkg.version = v;
    pkg.pinned = true;
  } else pkg.requirement = req.specifier === '' ? '*' : req.specifier;
  return pkg;
}

/**
 * A Poetry/Pipfile table dependency (`name = "^1.2"` or `name = { version = "…", git = "…" }`).
 * Poetry treats a bare version (`"1.2.3"`) as exact; Pipfile uses `==1.2.3`.
 */
export function tableDependency(
  name: string,
  value: unknown,
  context: ExtractContext,
  index: LineIndex,
  sectionOffset: number,
  dev: boolean,
  bareIsExact: boolean,
): LockedPackage {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^[ \\t]*["']?${escaped}["']?[ \\t]*=`, 'm');
  const sub = index.text.slice(sectionOffset);
  const m = re.exec(sub);
  const line = m ? index.lineAt(sectionOffset + m.index + (m[0].length - m[0].trimStart().length)) : 0;
  const pkg: LockedPackage = { ecosystem: 'pypi', name, pinned: false, file: context.file, line, direct: true, dev };
  let spec: string | undefined;
  let source: PackageSource = 'registry';
  if (typeof value === 'string') spec = value;
  else if (Array.isArray(value)) spec = value.map((v) => (isObject(v) ? asString(v.version) : undefined)).find((v) => v !== undefined);
  else if (isObject(value)) {
    spec = asString(value.version);
    if (value.git !== undefined) source = 'git';
    else if (value.path !== undefined || value.file !== undefined) source = 'path';
    else if (value.url !== undefined) source = 'url';
  }
  pkg.source = source;
  const text = (spec ?? '*').trim();
  const exact = pinnedVersion(text) ?? (bareIsExact && /^\d[A-Za-z0-9.+!-]*$/.test(text) ? text : undefined);
  if (exact !== undefined && source === 'registry') {
    pkg.version = exact;
    pkg.pinned = true;
  } else pkg.requirement = source === 'registry' ? text : asString(isObject(value) ? (value.git ?? value.path ?? value.url) : undefined) ?? text;
  return pkg;
}

/** Offset just after a `[section]` header line, or -1. */
export function sectionOffset(text: string, header: string): number {
  const escaped = header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^\\[${escaped}\\][ \\t]*$`, 'm').exec(text);
  return m ? m.index + m[0].length : -1;
}

/** Sets `direct`/`dev` on lockfile packages from root dependency names and the dependency graph. */
export function classifyByGraph(
  packages: LockedPackage[],
  prodRoots: string[],
  devRoots: string[],
  edges: Map<string, string[]>,
): void {
  const { prod, dev } = reachability(prodRoots, devRoots, (n) => edges.get(n) ?? []);
  const direct = new Set([...prodRoots, ...devRoots]);
  for (const p of packages) {
    const key = normalizePypiName(p.name);
    if (p.source === 'workspace') continue;
    p.direct = direct.has(key);
    if (prod.has(key)) p.dev = false;
    else if (dev.has(key)) p.dev = true;
  }
}

export function dependencyNames(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((d) => (isObject(d) ? asString(d.name) : typeof d === 'string' ? parseRequirement(d)?.name : undefined))
    .filter((n): n is string => n !== undefined)
    .map(normalizePypiName);
}

export function tableNames(value: unknown): Json {
  return isObject(value) ? value : {};
}

export { objectEntries };
