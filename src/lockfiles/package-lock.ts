import type { Extractor, LockedPackage } from './types.js';
import { npmSourceOf, nameFromNodeModulesPath } from './npm-util.js';
import { LineIndex, asString, baseName, isObject, objectEntries, parseJsonDoc } from './util.js';
import type { Json } from './util.js';
import type { ExtractContext } from './types.js';

function finish(pkg: LockedPackage, version: string | undefined): LockedPackage {
  if (version === undefined || version === '') {
    pkg.requirement = '(no version in lock)';
    return pkg;
  }
  pkg.source = npmSourceOf(version);
  if (pkg.source === 'registry') {
    pkg.version = version;
    pkg.pinned = true;
  } else pkg.requirement = version;
  return pkg;
}

function extractV2(doc: Json, packages: Json, context: ExtractContext, index: LineIndex): LockedPackage[] {
  const out: LockedPackage[] = [];
  const root = isObject(packages['']) ? packages[''] : {};
  const directNames = new Set<string>();
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    for (const [name] of objectEntries(root[field])) directNames.add(name);
  }
  const packagesAt = Math.max(0, index.text.indexOf('"packages"'));
  for (const [path, value] of Object.entries(packages)) {
    if (path === '' || !isObject(value) || value.link === true) continue;
    const installedAs = nameFromNodeModulesPath(path);
    const line = index.findNext(`${JSON.stringify(path)}:`, packagesAt);
    if (installedAs === undefined) {
      // Workspace member folders are the project's own code: kept (for SBOMs), never matched.
      const name = asString(value.name) ?? path;
      const member: LockedPackage = { ecosystem: 'npm', name, pinned: false, file: context.file, line, source: 'workspace', direct: true };
      member.requirement = path;
      const v = asString(value.version);
      if (v !== undefined) member.version = v;
      out.push(member);
      continue;
    }
    const name = asString(value.name) ?? installedAs;
    const pkg: LockedPackage = { ecosystem: 'npm', name, pinned: false, file: context.file, line };
    pkg.direct = path === `node_modules/${installedAs}` && directNames.has(installedAs);
    pkg.dev = value.dev === true || value.devOptional === true;
    finish(pkg, asString(value.version));
    const resolved = asString(value.resolved);
    if (resolved !== undefined && pkg.source === 'registry' && npmSourceOf(resolved) !== 'registry' && !/^https?:/.test(resolved)) {
      // A version resolved from git or a local path is not the registry release of that version.
      pkg.source = npmSourceOf(resolved) === 'git' ? 'git' : 'path';
      pkg.pinned = false;
      pkg.requirement = resolved;
      delete pkg.version;
    }
    out.push(pkg);
  }
  void doc;
  return out;
}

function extractV1(deps: Json, context: ExtractContext, index: LineIndex): LockedPackage[] {
  const out: LockedPackage[] = [];
  let cursor = 0;
  const walk = (tree: Json, depth: number): void => {
    if (depth > 64) return;
    for (const [name, value] of Object.entries(tree)) {
      if (!isObject(value)) continue;
      const at = index.text.indexOf(`${JSON.stringify(name)}:`, cursor);
      if (at >= 0) cursor = at + 1;
      let version = asString(value.version);
      let realName = name;
      // npm aliases: "npm:real-name@1.2.3"
      const alias = version === undefined ? undefined : /^npm:((?:@[^/@]+\/)?[^@]+)@(.+)$/.exec(version);
      if (alias?.[1] !== undefined && alias[2] !== undefined) {
        realName = alias[1];
        version = alias[2];
      }
      const pkg: LockedPackage = { ecosystem: 'npm', name: realName, pinned: false, file: context.file, line: at >= 0 ? index.lineAt(at) : 0 };
      pkg.dev = value.dev === true;
      out.push(finish(pkg, version));
      if (isObject(value.dependencies)) walk(value.dependencies, depth + 1);
    }
  };
  walk(deps, 0);
  return out;
}

/** package-lock.json v1/v2/v3, npm-shrinkwrap.json and the hidden node_modules/.package-lock.json. */
export const packageLockExtractor: Extractor = {
  id: 'npm/package-lock',
  ecosystem: 'npm',
  description: 'package-lock.json (v1, v2, v3), npm-shrinkwrap.json, node_modules/.package-lock.json',
  matches(path) {
    const base = baseName(path);
    return base === 'package-lock.json' || base === 'npm-shrinkwrap.json' || base === '.package-lock.json';
  },
  extract(text, context) {
    const doc = parseJsonDoc(text, context.file);
    const index = new LineIndex(text);
    if (isObject(doc.packages)) return extractV2(doc, doc.packages, context, index);
    if (isObject(doc.dependencies)) return extractV1(doc.dependencies, context, index);
    return [];
  },
};
