import type { PackageSource } from './types.js';

/** Splits `name@version` (scoped names keep their leading `@`). */
export function splitNameAtVersion(id: string): { name: string; version: string } | undefined {
  const at = id.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: id.slice(0, at), version: id.slice(at + 1) };
}

/** Source of an npm version/resolution string. */
export function npmSourceOf(version: string): PackageSource {
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|git@|ssh:)/.test(version) || /^[\w-]+\/[\w.-]+(#.*)?$/.test(version)) return 'git';
  if (/^https?:.*\.git(#|$)/.test(version)) return 'git';
  if (/^https?:/.test(version)) return 'url';
  if (/^(file:|link:|portal:)/.test(version)) return 'path';
  if (/^workspace:/.test(version)) return 'workspace';
  return 'registry';
}

/** The npm package name from a node_modules path (`node_modules/a/node_modules/@s/b` -> `@s/b`). */
export function nameFromNodeModulesPath(path: string): string | undefined {
  const i = path.lastIndexOf('node_modules/');
  if (i < 0) return undefined;
  const name = path.slice(i + 'node_modules/'.length);
  return name === '' ? undefined : name;
}
