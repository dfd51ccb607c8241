import { baseName } from './util.js';
import { parseRequirement, pinnedVersion } from './pep508.js';
import type { ExtractContext, Extractor, LockedPackage, PackageSource } from './types.js';

const MAX_INCLUDE_DEPTH = 10;
const OPTION_WITH_VALUE = /^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|--no-binary|--only-binary|--platform|--python-version|--implementation|--abi|--progress-bar|--use-feature)\b/;
/** Project name from a wheel or sdist file name at the end of a URL or path. */
const ARTIFACT_NAME = /(?:^|\/)([A-Za-z0-9][A-Za-z0-9._]*?)-\d[^/-]*(?:-[^/]+\.whl|\.tar\.gz|\.zip|\.tar\.bz2)$/;
const EGG = /#(?:.*&)?egg=([A-Za-z0-9][A-Za-z0-9._-]*)/;

interface Line {
  text: string;
  line: number;
}

/** Joins `\` continuations, drops comments (`#` at the start or after whitespace) and blank lines. */
export function logicalLines(text: string): Line[] {
  const out: Line[] = [];
  const raw = text.split(/\r?\n/);
  let buffer = '';
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    let l = raw[i] ?? '';
    if (buffer === '') start = i + 1;
    const hash = l.search(/(^|\s)#/);
    if (hash >= 0) l = l.slice(0, hash);
    if (l.endsWith('\\')) {
      buffer += `${l.slice(0, -1)} `;
      continue;
    }
    buffer += l;
    if (buffer.trim() !== '') out.push({ text: buffer.trim(), line: start });
    buffer = '';
  }
  if (buffer.trim() !== '') out.push({ text: buffer.trim(), line: start });
  return out;
}

function sourceOfUrl(url: string): PackageSource {
  if (/^(git\+|hg\+|svn\+|bzr\+)/.test(url)) return 'git';
  if (/^(https?|ftp):/i.test(url)) return 'url';
  return 'path';
}

function parseFile(
  text: string,
  context: ExtractContext,
  depth: number,
  seen: Set<string>,
  out: LockedPackage[],
  constraints: Map<string, string>,
  asConstraints: boolean,
): void {
  for (const { text: entry, line } of logicalLines(text)) {
    // Strip hash options wherever they are.
    let cleaned = entry.replace(/\s--hash[=\s]\S+/g, '').trim();
    // Per-requirement options (`--global-option=…`, `--config-settings …`) end the requirement text.
    const perLineOption = cleaned.search(/\s--[A-Za-z]/);
    if (perLineOption > 0 && !/^(-r|--requirement|-c|--constraint|-e|--editable)\b/.test(cleaned)) cleaned = cleaned.slice(0, perLineOption).trim();
    const include = /^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(cleaned);
    if (include) {
      const isConstraint = include[1] === '-c' || include[1] === '--constraint';
      const target = include[2] ?? '';
      if (depth >= MAX_INCLUDE_DEPTH || context.readRelative === undefined) continue;
      const read = context.readRelative(target);
      if (read === undefined || seen.has(read.file)) continue;
      seen.add(read.file);
      const sub: ExtractContext = { file: read.file };
      const parentRead = context.readRelative;
      const dir = target.includes('/') ? target.slice(0, target.lastIndexOf('/') + 1) : '';
      sub.readRelative = (rel) => parentRead(rel.startsWith('/') ? rel : `${dir}${rel}`);
      parseFile(read.text, sub, depth + 1, seen, out, constraints, asConstraints || isConstraint);
      continue;
    }
    if (OPTION_WITH_VALUE.test(cleaned) || /^--?[a-z]/i.test(cleaned) && !/^(-e|--editable)\b/.test(cleaned)) continue;
    const editable = /^(-e|--editable)(?:\s+|=)(.+)$/.exec(cleaned);
    const body = editable ? (editable[2] ?? '').trim() : cleaned;
    if (/^[a-z+]+:\/\//i.test(body) || body.startsWith('.') || body.startsWith('/') || editable) {
      // Bare URL or local path: the name is known only from #egg=; a local path is reported by its path.
      if (asConstraints) continue;
      const egg = EGG.exec(body);
      const location = body.split(/\s+;|\s/)[0] ?? body;
      const artifact = location.split('#')[0] ?? '';
      // Length bound keeps the (lazy) file-name pattern cheap on hostile input.
      const fromFile = artifact.length <= 2048 ? ARTIFACT_NAME.exec(artifact) : null;
      const name = egg?.[1] ?? fromFile?.[1] ?? (sourceOfUrl(location) === 'path' ? location : undefined);
      if (name === undefined) continue;
      out.push({
        ecosystem: 'pypi',
        name,
        requirement: location,
        pinned: false,
        file: context.file,
        line,
        source: sourceOfUrl(body),
      });
      continue;
    }
    const req = parseRequirement(body);
    if (req === undefined) continue;
    if (req.url !== undefined) {
      if (asConstraints) continue;
      out.push({ ecosystem: 'pypi', name: req.name, requirement: req.url, pinned: false, file: context.file, line, source: sourceOfUrl(req.url) });
      continue;
    }
    const version = pinnedVersion(req.specifier);
    if (asConstraints) {
      if (version !== undefined) constraints.set(req.name.toLowerCase().replace(/[-_.]+/g, '-'), version);
      continue;
    }
    const pkg: LockedPackage = { ecosystem: 'pypi', name: req.name, pinned: version !== undefined, file: context.file, line, source: 'registry' };
    if (version !== undefined) pkg.version = version;
    else pkg.requirement = req.specifier === '' ? '*' : req.specifier;
    out.push(pkg);
  }
}

/** pip requirements files: pins, ranges, hashes, markers, extras, URLs, editables, `-r`/`-c` includes. */
export const requirementsExtractor: Extractor = {
  id: 'pypi/requirements',
  ecosystem: 'pypi',
  description: 'pip requirements files (requirements*.txt, *-requirements.txt, requirements/*.txt, *.in)',
  matches(path) {
    const base = baseName(path).toLowerCase();
    if (/(^|[-_.])requirements?([-_.][a-z0-9._-]*)?\.(txt|in)$/.test(base)) return true;
    return /(^|\/)requirements\/[^/]+\.(txt|in)$/i.test(path);
  },
  extract(text, context) {
    const out: LockedPackage[] = [];
    const constraints = new Map<string, string>();
    parseFile(text, context, 0, new Set([context.file]), out, constraints, false);
    // `-c` constraint pins make unpinned entries of the same name exact.
    for (const p of out) {
      if (p.pinned || p.source !== 'registry') continue;
      const v = constraints.get(p.name.toLowerCase().replace(/[-_.]+/g, '-'));
      if (v !== undefined) {
        p.version = v;
        p.pinned = true;
      }
    }
    return out;
  },
};
