import { existsSync, lstatSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { VigilError, describeError } from '../core/errors.js';
import { findExtractor } from './registry.js';
import type { Extractor, LockedPackage } from './types.js';
import { MAX_LOCKFILE_BYTES } from './util.js';

export interface DiscoverOptions {
  /** Also read installed environments (node_modules, virtualenvs, site-packages). */
  installed?: boolean;
  /** Max files returned (default 10,000). */
  maxFiles?: number;
  /** Max directory depth (default 24). */
  maxDepth?: number;
}

export interface DiscoveredFile {
  /** Absolute path. */
  path: string;
  /** Path shown in reports: relative to the working directory when inside it. */
  display: string;
  extractor: Extractor;
}

const SKIPPED_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '.venv', 'venv', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', 'site-packages', 'dist-packages']);
const INSTALLED_DIRS = new Set(['node_modules', '.venv', 'venv', 'site-packages', 'dist-packages']);

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') ? path : rel.split('\\').join('/');
}

/**
 * Finds lockfiles and manifests under the given paths. A file path is used as given (any supported
 * name); folders are walked without following symlinks, skipping VCS folders and, unless
 * `installed`, node_modules and virtualenvs. Inside an installed tree only installed-package
 * metadata is read (a hidden node_modules/.package-lock.json replaces walking that tree).
 */
export function discoverLockfiles(paths: readonly string[], cwd: string, options: DiscoverOptions = {}): DiscoveredFile[] {
  const maxFiles = options.maxFiles ?? 10_000;
  const maxDepth = options.maxDepth ?? 24;
  const out: DiscoveredFile[] = [];
  const seen = new Set<string>();
  const add = (path: string, extractor: Extractor): void => {
    if (seen.has(path)) return;
    if (out.length >= maxFiles) throw new VigilError('E_LIMIT', `more than ${maxFiles} lockfiles found; narrow the paths`);
    seen.add(path);
    out.push({ path, display: displayPath(path, cwd), extractor });
  };
  const walk = (dir: string, depth: number, inInstalled: boolean): void => {
    if (depth > maxDepth) return;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    if (inInstalled && dir.endsWith('node_modules') && names.includes('.package-lock.json')) {
      const hidden = join(dir, '.package-lock.json');
      const e = findExtractor(hidden, true);
      if (e !== undefined) add(hidden, e);
      return;
    }
    for (const name of names) {
      const full = join(dir, name);
      let st;
      try {
        st = lstatSync(full);
      } catch {
        continue;
      }
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) {
        if (name === '.git' || name === '.hg' || name === '.svn') continue;
        if (SKIPPED_DIRS.has(name) && !options.installed) continue;
        walk(full, depth + 1, inInstalled || INSTALLED_DIRS.has(name));
      } else if (st.isFile()) {
        const rel = full.split('\\').join('/');
        const e = findExtractor(rel, inInstalled);
        if (e === undefined) continue;
        if (inInstalled && e.id !== 'npm/installed' && e.id !== 'pypi/installed' && e.id !== 'npm/package-lock') continue;
        add(full, e);
      }
    }
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch (error) {
      throw new VigilError('E_NOT_FOUND', `cannot read ${p}: ${describeError(error)}`);
    }
    if (st.isDirectory()) {
      const installedRoot = /(^|[\\/])(node_modules|site-packages|dist-packages)$/.test(abs);
      walk(abs, 0, installedRoot && options.installed !== false);
    } else {
      const e = findExtractor(abs.split('\\').join('/'), true);
      if (e === undefined) throw new VigilError('E_USAGE', `${p}: not a supported lockfile or manifest name`);
      add(abs, e);
    }
  }
  return out;
}

export interface ExtractOutcome {
  file: DiscoveredFile;
  packages: LockedPackage[];
  error?: string;
}

function readLimited(path: string): string {
  const st = statSync(path);
  if (st.size > MAX_LOCKFILE_BYTES) throw new VigilError('E_LIMIT', `${path} is larger than ${MAX_LOCKFILE_BYTES} bytes`);
  return readFileSync(path, 'utf8');
}

/** Reads and extracts one discovered file. Never throws: problems are returned in `error`. */
export function extractFile(file: DiscoveredFile): ExtractOutcome {
  try {
    const text = readLimited(file.path);
    const baseDir = dirname(file.path);
    const displayDir = dirname(file.display);
    const packages = file.extractor.extract(text, {
      file: file.display,
      readRelative(rel) {
        const target = resolve(baseDir, rel);
        if (!existsSync(target) || !statSync(target).isFile()) return undefined;
        try {
          return { file: displayDir === '.' ? rel : join(displayDir, rel).split('\\').join('/'), text: readLimited(target) };
        } catch {
          return undefined;
        }
      },
    });
    return { file, packages };
  } catch (error) {
    return { file, packages: [], error: describeError(error) };
  }
}

export function extractAll(files: readonly DiscoveredFile[]): ExtractOutcome[] {
  return files.map(extractFile);
}
