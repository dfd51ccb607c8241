/**
 * npm / JavaScript analyzer. Per artifact: read package.json and install hooks, decide each file's role
 * (install-time, import-time, library), triage every JavaScript file with one regex pass, parse the
 * interesting ones once with acorn, extract facts in one traversal, re-analyse decoded code, then run
 * every rule over the package's facts. Never throws: failures become `errors`.
 */
import * as acorn from 'acorn';
import type { FileEntry, Finding, ScanError } from '../../core/types.js';
import { describeError } from '../../core/errors.js';
import type { RuleListing } from '../../rules/types.js';
import { javascriptRuleDefinitions } from '../../rules/javascript/index.js';
import type { AnalysisContext, AnalysisOutput, PackageAnalyzer } from '../types.js';
import { emptyOutput } from '../types.js';
import type { FileRole, JsFile, JsPackageContext, JsReport } from './context.js';
import { FactWalker, WalkBudgetError, type JsFileFacts } from './facts.js';
import { dirName, findManifest, installScripts, isJsPath, parseJson, readManifest, resolveModule } from './package.js';
import { needsParse, scanRequires, tokenFacts } from './tokens.js';

export type { JsPackageContext, JsReport, JsRule } from './context.js';

const MAX_JS_FILES = 5000;
/** Library files (not install-time, not entry points) above this size get a token-level scan only. */
const LIBRARY_PARSE_BYTES = 512 * 1024;
const decoder = new TextDecoder('utf-8', { fatal: false });

type AcornNode = Parameters<FactWalker['run']>[0];

/**
 * acorn, minus its regular-expression validator: it re-parses every regex literal of a bundle (a large
 * share of parse time in minified code) and a package's regex syntax is not evidence of anything.
 */
const Parser = acorn.Parser.extend(
  (Base) =>
    class extends Base {
      validateRegExpPattern(): void {}
      validateRegExpFlags(): void {}
    },
);

/** Parses as a module or as a script (whichever the text suggests first). */
export function parseJavaScript(text: string): AcornNode {
  const moduleFirst = /\b(?:import|export)\b/.test(text.slice(0, 200_000));
  const base = { ecmaVersion: 'latest', allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true, allowImportExportEverywhere: true } as const;
  const order: ('module' | 'script')[] = moduleFirst ? ['module', 'script'] : ['script', 'module'];
  let firstError: unknown;
  for (const sourceType of order) {
    try {
      return Parser.parse(text, { ...base, sourceType }) as unknown as AcornNode;
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}

export interface FileAnalysisOptions {
  maxParseBytes: number;
  maxDecodedBytes: number;
  maxDecodeDepth: number;
  deadline: number;
  /** Parse even when the triage regex finds nothing of interest. */
  force?: boolean;
}

/** Facts for one JavaScript text: triage, parse, one traversal, decoded code re-analysed. */
export function analyzeSource(text: string, path: string, opts: FileAnalysisOptions, depth = 0): { facts: JsFileFacts; parsed: boolean; error?: ScanError } {
  if (!opts.force && !needsParse(text)) {
    const facts = tokenFacts('', path, undefined);
    facts.bytes = text.length;
    facts.lazyRequires = true;
    return { facts, parsed: false };
  }
  // Large bundles of library code get the bounded token-level scan; install-time code is parsed up to the limit.
  const parseLimit = opts.force ? opts.maxParseBytes : Math.min(opts.maxParseBytes, LIBRARY_PARSE_BYTES);
  if (text.length > parseLimit || /\.(?:ts|tsx|cts|mts|jsx)$/i.test(path)) {
    return { facts: tokenFacts(text, path, text.length > parseLimit ? 'file too large to parse' : 'not plain JavaScript'), parsed: false };
  }
  let program: AcornNode;
  try {
    program = parseJavaScript(text);
  } catch (error) {
    return { facts: tokenFacts(text, path, describeError(error)), parsed: false };
  }
  const walker = new FactWalker(text, path, { maxDecodedBytes: opts.maxDecodedBytes, deadline: opts.deadline });
  let facts: JsFileFacts;
  let error: ScanError | undefined;
  try {
    facts = walker.run(program);
  } catch (e) {
    facts = walker.facts;
    error = { code: e instanceof WalkBudgetError ? 'E_PARSE_TIMEOUT' : 'E_ANALYSIS', message: `${path}: ${describeError(e)}`, path };
  }
  // Decoded code is analysed as if it were written at the line that decodes and runs it.
  if (depth < opts.maxDecodeDepth) {
    for (const d of facts.decodedCode.slice(0, 8)) {
      const inner = analyzeSource(d.code, path, { ...opts, force: true }, depth + 1);
      for (const e of inner.facts.events) {
        facts.events.push({ ...e, line: d.line, topLevel: d.topLevel && e.topLevel, decodedDepth: Math.max(e.decodedDepth, 1), decoded: e.decoded ?? e.evidence.slice(0, 300), evidence: facts.events.find((x) => x.line === d.line)?.evidence ?? e.evidence });
      }
      facts.obfuscation.hexIdentifiers += inner.facts.obfuscation.hexIdentifiers;
    }
  }
  return error === undefined ? { facts, parsed: true } : { facts, parsed: true, error };
}

function relPath(root: string, path: string): string {
  return root !== '' && path.startsWith(root) ? path.slice(root.length) : path;
}

/** Analyses one unpacked artifact as an npm package. */
export const analyzeJavaScript: PackageAnalyzer = async (tree, context) => {
  const out = emptyOutput();
  try {
    analyzePackage(tree.files, context, out);
  } catch (error) {
    out.errors.push({ code: 'E_ANALYZER_CRASH', message: `javascript analyzer failed: ${describeError(error)}` });
  }
  return out;
};

function analyzePackage(files: readonly FileEntry[], context: AnalysisContext, out: AnalysisOutput): void {
  if (context.ecosystem === 'pypi') return;
  const manifestEntry = findManifest(files);
  if (manifestEntry === undefined && context.ecosystem !== 'npm') return;
  const root = manifestEntry === undefined ? '' : manifestEntry.path.slice(0, manifestEntry.path.length - 'package.json'.length);
  const byRel = new Map<string, FileEntry>();
  for (const f of files) if (root === '' || f.path.startsWith(root)) byRel.set(relPath(root, f.path), f);
  const exists = (p: string): boolean => byRel.has(p);
  const manifest = manifestEntry === undefined ? undefined : readManifest(parseJson(manifestEntry.data));
  const hasBindingGyp = byRel.has('binding.gyp');
  const scripts = installScripts(manifest, hasBindingGyp);
  if (manifestEntry !== undefined) {
    const lines = decoder.decode(manifestEntry.data.subarray(0, 256 * 1024)).split('\n');
    for (const s of scripts) {
      const i = lines.findIndex((l) => l.includes(`"${s.hook}"`));
      s.line = i + 1;
    }
  }

  // Entry points by role
  const installEntries: string[] = [];
  for (const s of scripts) {
    for (const f of s.facts) {
      if ((f.behaviour === 'node-file' || f.behaviour === 'shell-file') && f.target !== undefined) {
        const r = resolveModule(exists, '', f.target);
        if (r !== undefined) installEntries.push(r);
      }
    }
  }
  const importEntries: string[] = [];
  const main = resolveModule(exists, '', manifest?.main ?? 'index.js') ?? resolveModule(exists, '', 'index');
  if (main !== undefined) importEntries.push(main);
  for (const e of manifest?.exportFiles ?? []) {
    const r = resolveModule(exists, '', e);
    if (r !== undefined) importEntries.push(r);
  }
  const binFiles = new Set<string>();
  for (const b of Object.values(manifest?.bin ?? {})) {
    const r = resolveModule(exists, '', b);
    if (r !== undefined) binFiles.add(r);
  }

  // Files to analyse: JavaScript by extension, plus bin and install targets whatever their name.
  const candidates: string[] = [];
  for (const [rel] of byRel) if (isJsPath(rel) || binFiles.has(rel) || installEntries.includes(rel)) candidates.push(rel);
  candidates.sort();
  if (candidates.length > MAX_JS_FILES) {
    out.errors.push({ code: 'E_LIMIT', message: `only the first ${MAX_JS_FILES} of ${candidates.length} JavaScript files were analysed` });
    candidates.length = MAX_JS_FILES;
  }
  const { limits } = context;
  const factsByRel = new Map<string, JsFileFacts>();
  const forced = new Set(installEntries);
  let budgetReported = false;
  for (const rel of candidates) {
    const entry = byRel.get(rel);
    if (entry === undefined) continue;
    out.stats.files++;
    if (performance.now() > context.deadline) {
      if (!budgetReported) out.errors.push({ code: 'E_PARSE_TIMEOUT', message: 'analysis budget exhausted; remaining files got a token-level scan', path: rel });
      budgetReported = true;
      factsByRel.set(rel, tokenFacts(decoder.decode(entry.data.subarray(0, limits.maxParseBytes)), rel, 'budget exhausted'));
      continue;
    }
    const text = decoder.decode(entry.data);
    if (rel.endsWith('.sh')) continue;
    const r = analyzeSource(text, rel, {
      maxParseBytes: limits.maxParseBytes,
      maxDecodedBytes: limits.maxDecodedBytes,
      maxDecodeDepth: limits.maxDecodeDepth,
      deadline: context.deadline,
      force: forced.has(rel),
    });
    if (r.parsed) {
      out.stats.parsedFiles++;
      out.stats.parsedBytes += entry.size;
    }
    if (r.error !== undefined) out.errors.push(r.error);
    factsByRel.set(rel, r.facts);
  }
  // Shell files run by install hooks: their commands count as install scripts.
  for (const s of [...scripts]) {
    for (const f of s.facts) {
      if (f.behaviour !== 'shell-file' || f.target === undefined) continue;
      const r = resolveModule(exists, '', f.target);
      const entry = r === undefined ? undefined : byRel.get(r);
      if (entry !== undefined && entry.size < 256 * 1024) scripts.push({ hook: `${s.hook}:${r ?? ''}`, script: decoder.decode(entry.data), line: 0, path: root + (r ?? ''), facts: [] });
    }
  }
  for (const s of scripts) if (s.facts.length === 0) s.facts = analyzeShellFile(s.script);
  // Inline `node -e` code is install-time JavaScript of its own.
  for (const s of scripts) {
    for (const f of s.facts) {
      if (f.behaviour !== 'node-inline' || f.target === undefined || f.target === '') continue;
      const virtual = `package.json#scripts.${s.hook}`;
      const r = analyzeSource(f.target, virtual, { maxParseBytes: limits.maxParseBytes, maxDecodedBytes: limits.maxDecodedBytes, maxDecodeDepth: limits.maxDecodeDepth, deadline: context.deadline, force: true });
      for (const e of r.facts.events) e.line = 0;
      factsByRel.set(virtual, r.facts);
      installEntries.push(virtual);
    }
  }

  const requiresOf = (rel: string): JsFileFacts['requires'] => {
    const f = factsByRel.get(rel);
    if (f === undefined) return [];
    if (f.lazyRequires === true) {
      const entry = byRel.get(rel);
      f.requires = entry === undefined ? [] : scanRequires(decoder.decode(entry.data)).map((spec) => ({ spec, topLevel: true }));
      f.lazyRequires = false;
    }
    return f.requires;
  };
  const roles = assignRoles(requiresOf, installEntries, importEntries, exists);
  // Shell/batch files started by install-time JavaScript are install scripts too.
  for (const [rel, facts] of factsByRel) {
    if (roles.get(rel) !== 'install') continue;
    for (const e of facts.events) {
      if (e.sink !== 'exec' || e.shell === undefined) continue;
      for (const f of e.shell) {
        const target = f.behaviour === 'shell-file' ? f.target : /\.(?:sh|bat|cmd|ps1)$/i.test(f.command.program) ? f.command.text.split(/\s+/)[0] : undefined;
        if (target === undefined) continue;
        const r = resolveModule(exists, '', target.replace(/^\.\//, '')) ?? resolveModule(exists, dirName(rel), target);
        const entry = r === undefined ? undefined : byRel.get(r);
        if (r === undefined || entry === undefined || entry.size > 256 * 1024 || scripts.some((x) => x.hook.endsWith(`:${r}`))) continue;
        const text = decoder.decode(entry.data);
        scripts.push({ hook: `install:${r}`, script: text, line: 0, path: root + r, facts: analyzeShellFile(text) });
      }
    }
  }
  const jsFiles: JsFile[] = [];
  for (const [rel, facts] of factsByRel) {
    if (facts.events.length === 0 && facts.obfuscation.hexIdentifiers === 0) continue;
    jsFiles.push({ path: root + rel, role: roles.get(rel) ?? 'other', facts });
  }
  const ctx: JsPackageContext = {
    root,
    manifestPath: manifestEntry?.path ?? 'package.json',
    manifest,
    installScripts: scripts,
    hasBindingGyp,
    files: jsFiles,
    ...(context.registry?.versionManifest === undefined ? {} : { registryManifest: context.registry.versionManifest }),
  };
  out.findings.push(...runRules(ctx, context.artifact, out.errors));
}

function analyzeShellFile(text: string): ReturnType<typeof installScripts>[number]['facts'] {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).slice(0, 200);
  return installScripts({ scripts: { install: lines.join('\n') }, bin: {}, dependencies: {}, exportFiles: [] }, false)[0]?.facts ?? [];
}

/** install: reachable from install entries through any require; import: through top-level requires of entries. */
function assignRoles(requiresOf: (rel: string) => JsFileFacts['requires'], installEntries: readonly string[], importEntries: readonly string[], exists: (p: string) => boolean): Map<string, FileRole> {
  const roles = new Map<string, FileRole>();
  const visit = (starts: readonly string[], role: FileRole, topOnly: boolean): void => {
    const queue = [...starts];
    let steps = 0;
    while (queue.length > 0 && steps++ < 5000) {
      const rel = queue.shift();
      if (rel === undefined || roles.has(rel)) continue;
      roles.set(rel, role);
      for (const r of requiresOf(rel)) {
        if (!r.spec.startsWith('.')) continue;
        if (topOnly && !r.topLevel) continue;
        const target = resolveModule(exists, dirName(rel), r.spec);
        if (target !== undefined && !roles.has(target)) queue.push(target);
      }
    }
  };
  visit(installEntries, 'install', false);
  visit(importEntries, 'import', true);
  return roles;
}

function runRules(ctx: JsPackageContext, artifact: string, errors: ScanError[]): Finding[] {
  const findings: Finding[] = [];
  for (const rule of javascriptRuleDefinitions) {
    const { meta } = rule;
    const seen = new Set<string>();
    try {
      rule.check(ctx, (r: JsReport) => {
        const key = `${r.path}:${r.line}:${r.message}`;
        if (seen.has(key) || seen.size > 50) return;
        seen.add(key);
        const finding: Finding = {
          ruleId: meta.id,
          severity: r.severity ?? meta.severity,
          kind: meta.kind,
          category: meta.category,
          confidence: r.confidence ?? meta.confidence,
          message: r.message,
          location: { path: r.path, line: r.line, artifact },
          evidence: r.evidence.length > 200 ? `${r.evidence.slice(0, 200)}…` : r.evidence,
          trigger: r.trigger,
        };
        if (r.decoded !== undefined) finding.decoded = r.decoded.slice(0, 300);
        if (r.data !== undefined) finding.data = r.data;
        findings.push(finding);
      });
    } catch (error) {
      errors.push({ code: 'E_RULE_CRASH', message: `${meta.id}: ${describeError(error)}` });
    }
  }
  return findings;
}

export const javascriptRules: readonly RuleListing[] = javascriptRuleDefinitions;
