import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { VigilError } from '../core/errors.js';
import type { Ecosystem } from '../core/types.js';

export type Target =
  | { kind: 'registry'; raw: string; ecosystem: Ecosystem; name: string; version?: string }
  | { kind: 'file'; raw: string; path: string }
  | { kind: 'directory'; raw: string; path: string };

// Names: PyPI allows letters, digits, `.`, `_`, `-`; npm adds a scope. Both bounded, linear patterns.
const PYPI_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,200}[A-Za-z0-9])?$/;
const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]{0,213}\/)?[a-z0-9._~-][a-z0-9._~-]{0,213}$/i;
const VERSION_TEXT = /^[^\s]{1,256}$/;

function registryTarget(raw: string, ecosystem: Ecosystem, name: string, version: string | undefined): Target {
  const valid = ecosystem === 'pypi' ? PYPI_NAME.test(name) : NPM_NAME.test(name);
  if (!valid) throw new VigilError('E_TARGET', `'${raw}': '${name}' is not a valid ${ecosystem} package name`);
  if (version !== undefined && (version === '' || !VERSION_TEXT.test(version))) {
    throw new VigilError('E_TARGET', `'${raw}': empty or invalid version`);
  }
  return version === undefined ? { kind: 'registry', raw, ecosystem, name } : { kind: 'registry', raw, ecosystem, name, version };
}

function parsePypi(raw: string, spec: string): Target {
  const eq = spec.indexOf('==');
  if (eq >= 0) return registryTarget(raw, 'pypi', spec.slice(0, eq).trim(), spec.slice(eq + 2).trim());
  const at = spec.indexOf('@');
  if (at > 0) return registryTarget(raw, 'pypi', spec.slice(0, at).trim(), spec.slice(at + 1).trim());
  if (/[<>=!~]/.test(spec)) {
    throw new VigilError('E_TARGET', `'${raw}': only exact versions (NAME==VERSION) are supported for PyPI targets`);
  }
  return registryTarget(raw, 'pypi', spec.trim(), undefined);
}

function parseNpm(raw: string, spec: string): Target {
  // The version separator is the first '@' after the (optional) scope.
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  if (at < 0) return registryTarget(raw, 'npm', spec, undefined);
  return registryTarget(raw, 'npm', spec.slice(0, at), spec.slice(at + 1));
}

function parsePurl(raw: string): Target {
  // pkg:type/namespace/name@version?qualifiers#subpath
  const body = raw.slice(4).split('#')[0]?.split('?')[0] ?? '';
  const slash = body.indexOf('/');
  if (slash < 0) throw new VigilError('E_TARGET', `'${raw}': a purl needs a type and a name`);
  const type = body.slice(0, slash).toLowerCase();
  const rest = body.slice(slash + 1);
  const at = rest.lastIndexOf('@');
  const namePart = at >= 0 ? rest.slice(0, at) : rest;
  let version: string | undefined;
  let name: string;
  try {
    version = at >= 0 ? decodeURIComponent(rest.slice(at + 1)) : undefined;
    name = namePart.split('/').map((s) => decodeURIComponent(s)).join('/');
  } catch {
    throw new VigilError('E_TARGET', `'${raw}': invalid percent-encoding`);
  }
  if (type === 'pypi') return registryTarget(raw, 'pypi', name, version);
  if (type === 'npm') return registryTarget(raw, 'npm', name, version);
  throw new VigilError('E_TARGET', `'${raw}': purl type '${type}' is not supported (pypi, npm)`);
}

/**
 * Parses one command-line target. Registry forms: `pypi:NAME[==VER]`, `npm:NAME[@VER|@RANGE]`,
 * `npm:@scope/name[@VER]`, purls `pkg:pypi/…` and `pkg:npm/…`; anything else must be an existing local
 * file (artifact, recognised by content) or directory.
 */
export function parseTarget(raw: string, cwd: string = process.cwd()): Target {
  const text = raw.trim();
  if (text === '') throw new VigilError('E_TARGET', 'empty target');
  const lower = text.toLowerCase();
  if (lower.startsWith('pypi:')) return parsePypi(text, text.slice(5));
  if (lower.startsWith('npm:')) return parseNpm(text, text.slice(4));
  if (lower.startsWith('pkg:')) return parsePurl(text);
  const path = resolve(cwd, text);
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new VigilError(
      'E_TARGET',
      `'${raw}' is neither a package (pypi:NAME, npm:NAME, pkg:…) nor an existing file or directory`,
    );
  }
  if (stat.isDirectory()) return { kind: 'directory', raw, path };
  if (stat.isFile()) return { kind: 'file', raw, path };
  throw new VigilError('E_TARGET', `'${raw}' is not a regular file or directory`);
}
