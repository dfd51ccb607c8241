/** Package-level structure: which files run without a call (triggers), entry points, URL dependencies. */
import { parse as parseToml } from 'smol-toml';
import type { Trigger } from '../../core/types.js';
import type { Val } from './values.js';
import type { FileFacts } from './facts.js';
import type { EntryPoint } from './model.js';

export const SHADOWED_COMMANDS = new Set(
  'pip pip3 python python3 py ls cd cat cp mv rm sudo su ssh scp git aws gcloud az kubectl docker npm node npx yarn curl wget bash sh zsh ps top env which make gcc java go cargo rustc conda poetry pipenv virtualenv twine'.split(' '),
);

/** Files inside a nested archive (`outer.zip!/inner/file.py`) never run on install or start-up. */
function inNestedArchive(path: string): boolean {
  return path.includes('!/');
}

/**
 * The project's own setup.py (at the root of the sdist). Other files run at install time only when
 * setup.py imports them (followed separately); `ez_setup.py`-style bootstraps are not install scripts.
 */
export function isSetupPy(path: string): boolean {
  return !inNestedArchive(path) && /^(?:[^/]+\/)?setup\.py$/.test(path);
}

/**
 * Files a developer runs by hand, which installing or importing the package never runs: documentation,
 * tests, examples and tooling folders at the top of the project, and root-level helper scripts
 * (buildout/ez_setup bootstraps, test and task runners). Their findings count as run-on-call.
 */
const DEVELOPER_FILE_RE =
  /^(?:[^/]+\/)?(?:(?:docs?|examples?|tests?|testing|benchmarks?|tools|scripts|ci|\.github|contrib|devtools)\/|(?:bootstrap(?:-py3k)?|ez_setup|distribute_setup|conftest|noxfile|fabfile|runtests|pavement)\.py$)/;

export function isStartupFile(path: string): boolean {
  if (inNestedArchive(path)) return false;
  return /(?:^|\/)(?:sitecustomize|usercustomize)\.py$/.test(path) || path.endsWith('.pth');
}

/** Dotted module name of a file relative to a root directory, or undefined. */
export function moduleNameOf(path: string, root: string): string | undefined {
  if (root !== '' && !path.startsWith(root)) return undefined;
  let rel = path.slice(root.length).replace(/\.py$/, '');
  if (rel.startsWith('src/')) rel = rel.slice(4);
  if (rel.endsWith('/__init__')) rel = rel.slice(0, -'/__init__'.length);
  if (!/^[\w/]+$/.test(rel)) return undefined;
  return rel.replace(/\//g, '.');
}

/** Files that `setup.py` imports from the package itself (they run at install too). */
export function localImports(facts: FileFacts, modules: ReadonlyMap<string, string>): string[] {
  const out = new Set<string>();
  for (const imp of facts.imports) {
    const parts = imp.replace(/^\.+/, '').split('.');
    for (let i = parts.length; i > 0; i--) {
      const p = modules.get(parts.slice(0, i).join('.'));
      if (p !== undefined) {
        out.add(p);
        break;
      }
    }
  }
  return [...out];
}

export interface BuildBackend {
  modules: string[];
}

/** In-tree PEP 517 backends (`backend-path`) and `[project.scripts]` from pyproject.toml. */
export function readPyproject(text: string, path: string): { backendPaths: string[]; backend: string | undefined; entryPoints: EntryPoint[] } {
  const out = { backendPaths: [] as string[], backend: undefined as string | undefined, entryPoints: [] as EntryPoint[] };
  let doc: unknown;
  try {
    doc = parseToml(text.length > 1_000_000 ? '' : text);
  } catch {
    return out;
  }
  if (typeof doc !== 'object' || doc === null) return out;
  const bs = (doc as Record<string, unknown>)['build-system'];
  if (typeof bs === 'object' && bs !== null) {
    const bp = (bs as Record<string, unknown>)['backend-path'];
    if (Array.isArray(bp)) out.backendPaths = bp.filter((x): x is string => typeof x === 'string');
    const be = (bs as Record<string, unknown>)['build-backend'];
    if (typeof be === 'string') out.backend = be;
  }
  const project = (doc as Record<string, unknown>)['project'];
  if (typeof project === 'object' && project !== null) {
    for (const group of ['scripts', 'gui-scripts'] as const) {
      const scripts = (project as Record<string, unknown>)[group];
      if (typeof scripts === 'object' && scripts !== null) {
        for (const [name, target] of Object.entries(scripts)) if (typeof target === 'string') out.entryPoints.push({ group: 'console_scripts', name, target, path, line: lineOf(text, name) });
      }
    }
  }
  return out;
}

function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  return i < 0 ? 0 : text.slice(0, i).split('\n').length;
}

/** `[console_scripts]` sections in setup.cfg / entry_points.txt. */
export function readIniEntryPoints(text: string, path: string): EntryPoint[] {
  const out: EntryPoint[] = [];
  const lines = text.split(/\r?\n/);
  let section = '';
  let key = '';
  lines.forEach((raw, i) => {
    const line = raw.replace(/[#;].*$/, '');
    const sec = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (sec?.[1] !== undefined) {
      section = sec[1].trim();
      key = '';
      return;
    }
    const kv = /^(\S[^=]*?)\s*=\s*(.*)$/.exec(line);
    const inScripts = section === 'console_scripts' || section === 'gui_scripts';
    const inEp = section === 'options.entry_points' || section === 'entry_points';
    if (kv?.[1] !== undefined && !/^\s/.test(line)) {
      key = kv[1].trim();
      if (inScripts && kv[2] !== undefined && kv[2] !== '') out.push({ group: section, name: key, target: kv[2].trim(), path, line: i + 1 });
      else if (inEp && (key === 'console_scripts' || key === 'gui_scripts') && kv[2] !== undefined && kv[2].includes('=')) pushSpec(out, kv[2], path, i + 1);
      return;
    }
    if (/^\s+\S/.test(line) && inEp && (key === 'console_scripts' || key === 'gui_scripts')) pushSpec(out, line, path, i + 1);
  });
  return out;
}

function pushSpec(out: EntryPoint[], spec: string, path: string, line: number): void {
  const m = /^\s*([^=\s]+)\s*=\s*(\S.*?)\s*$/.exec(spec);
  if (m?.[1] !== undefined && m[2] !== undefined) out.push({ group: 'console_scripts', name: m[1], target: m[2], path, line });
}

/** PEP 503 normalized distribution name of a requirement line (`Foo_Bar>=1; extra == "x"` -> `foo-bar`). */
export function requirementName(spec: string): string | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]{0,100}[A-Za-z0-9])?)/.exec(spec);
  return m?.[1]?.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Requirements of every metadata file: egg-info `requires.txt` (before any `[extra]`), `Requires-Dist`, pyproject `[project].dependencies`. */
export function metadataRequirements(path: string, text: string): string[] {
  const out: string[] = [];
  const t = text.length > 1_000_000 ? text.slice(0, 1_000_000) : text;
  if (/(?:^|\/)requires\.txt$/.test(path)) {
    for (const line of t.split(/\r?\n/)) {
      if (/^\s*\[/.test(line)) break;
      const n = requirementName(line);
      if (n !== undefined) out.push(n);
    }
  } else if (/(?:^|\/)(?:PKG-INFO|METADATA)$/.test(path)) {
    for (const m of t.matchAll(/^Requires-Dist:[ \t]*([^\r\n]{1,300})/gm)) {
      if (/\bextra\s*==/.test(m[0])) continue;
      const n = requirementName(m[1] ?? '');
      if (n !== undefined) out.push(n);
    }
  } else if (path.endsWith('pyproject.toml')) {
    let doc: unknown;
    try {
      doc = parseToml(t);
    } catch {
      return out;
    }
    const deps = (doc as { project?: { dependencies?: unknown } } | undefined)?.project?.dependencies;
    if (Array.isArray(deps)) for (const d of deps) if (typeof d === 'string') out.push(...[requirementName(d)].filter((n): n is string => n !== undefined));
  }
  return out;
}

/** Entry points and URL dependencies declared through a `setup(...)` call. */
export function setupCallInfo(facts: FileFacts, path: string): { entryPoints: EntryPoint[]; urlDeps: { path: string; line: number; text: string }[]; requires: string[] } {
  const entryPoints: EntryPoint[] = [];
  const urlDeps: { path: string; line: number; text: string }[] = [];
  const requires: string[] = [];
  for (const c of facts.calls) {
    if (!/(?:^|\.)setup$/.test(c.name)) continue;
    const ep = c.kw['entry_points'];
    const scripts: Val[] = [];
    if (ep?.k === 'dict') {
      for (const [k, v] of ep.entries) if (k.k === 'str' && (k.s === 'console_scripts' || k.s === 'gui_scripts')) scripts.push(...(v.k === 'list' ? v.items : [v]));
    } else if (ep?.k === 'str') entryPoints.push(...readIniEntryPoints(ep.s, path).map((e) => ({ ...e, line: c.line })));
    for (const s of scripts) if (s.k === 'str') pushSpec(entryPoints, s.s, path, c.line);
    for (const key of ['install_requires', 'setup_requires', 'dependency_links']) {
      const v = c.kw[key];
      const items = v?.k === 'list' ? v.items : v !== undefined ? [v] : [];
      for (const it of items) {
        if (it.k !== 'str') continue;
        if (/:\/\//.test(it.s) || /\s@\s/.test(it.s)) urlDeps.push({ path, line: c.line, text: `${key}: ${it.s.slice(0, 160)}` });
        const name = key === 'install_requires' ? requirementName(it.s) : undefined;
        if (name !== undefined) requires.push(name);
      }
    }
  }
  return { entryPoints, urlDeps, requires };
}

export function baseTrigger(path: string, installFiles: ReadonlySet<string>): Trigger {
  if (installFiles.has(path)) return 'install';
  if (isStartupFile(path)) return 'startup';
  if (DEVELOPER_FILE_RE.test(path) && !inNestedArchive(path)) return 'call';
  return 'import';
}
