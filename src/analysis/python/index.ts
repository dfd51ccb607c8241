/**
 * Python analyzer: picks the files that matter (what runs without a call, plus anything a cheap text
 * prefilter finds interesting), walks each once into facts (cached by content hash), resolves flows across
 * functions and modules, runs every Python rule over the facts, and turns reports into findings.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Finding, FileEntry, Severity } from '../../core/types.js';
import type { RuleListing } from '../../rules/types.js';
import { pythonRuleSet } from '../../rules/python/index.js';
import type { AnalysisOutput, PackageAnalyzer } from '../types.js';
import { emptyOutput } from '../types.js';
import type { FileFacts, FuncSummary, PendingCall, SinkFact } from './facts.js';
import { FactExtractor, emptyFacts } from './facts.js';
import { foldIntegerArithmetic } from './prefold.js';
import { importedConstants, moduleConstants } from './imports.js';
import type { StrVal } from './values.js';
import type { EntryPoint, PackageFlow, PyFile, PyPackage, PyReport, PyRule } from './model.js';
import { baseTrigger, isSetupPy, isStartupFile, localImports, metadataRequirements, moduleNameOf, readIniEntryPoints, readPyproject, setupCallInfo } from './package.js';
import { copyTree } from './lnode.js';
import { parsePython, pythonParser } from './parser.js';

/** Capability tokens: files without any of these are not parsed (unless they run without a call). */
const PREFILTER =
  /\bexec\b|\beval\s*\(|\bcompile\s*\(|__import__|marshal|pickle\.loads|b64decode|b32decode|b85decode|a85decode|decodebytes|fromhex|unhexlify|decompress|Fernet|\bsocket\b|urlopen|urlretrieve|\brequests\b|httpx|aiohttp|http\.client|httplib|subprocess|os\.system|popen|startfile|spawn[lv]|environ|getenv|webhook|discord|telegram|getattr\s*\(\s*__builtins__|\bchr\s*\(|\\x[0-9a-fA-F]{2}|[A-Za-z0-9+/=]{160}|pyarmor|stratum|xmrig|winreg|schtasks|crontab|LaunchAgents|Start Menu|autostart|bashrc|rmtree|pynput|pyperclip|clipboard|ImageGrab|screenshot|leveldb|Login Data|wallet|smtplib|ftplib|\bpty\b|dup2|gethostname|getuser|getlogin|\.aws|credentials|\.ssh|pip install|CryptUnprotect|globals\s*\(\s*\)\s*\[|::-1|rot13|access_?key|secret_?key|load-extension/;

/** Bytes of ordinary (call-time) modules parsed per package; the rest get a text scan only. */
const OPTIONAL_PARSE_BUDGET = 384 * 1024;
const PY_FILE_RE = /\.(?:py|pyw|pth)$/i;
const CACHE_MAX = 4000;
const factCache = new Map<string, { facts: FileFacts; parsed: boolean }>();

function cacheGet(key: string): { facts: FileFacts; parsed: boolean } | undefined {
  const v = factCache.get(key);
  if (v !== undefined) {
    factCache.delete(key);
    factCache.set(key, v);
  }
  return v;
}

function cacheSet(key: string, v: { facts: FileFacts; parsed: boolean }): void {
  if (v.facts.timedOut) return;
  factCache.set(key, v);
  if (factCache.size > CACHE_MAX) {
    const first = factCache.keys().next();
    if (first.done !== true) factCache.delete(first.value);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: false });

function textOf(f: FileEntry): string {
  return decoder.decode(f.data);
}

/** `.pth` files: only lines starting with `import` run; others are paths. Keeps line numbers. */
function pthCode(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => (/^import[\s\t]/.test(l) ? l : ''))
    .join('\n');
}

const INTERESTING_LINE = /^\s*(?:import|from)\s|exec|eval|compile|b64decode|decompress|system|Popen|subprocess|urlopen|requests\.|socket|__import__|getattr/;
const BLOCK_HEADER = /^\s*(?:if|elif|else|try|except|finally|with|for|while|def|class|async)\b[^\n]{0,400}:\s*(?:#[^\n]*)?$/;

/** Encoded-data runs (base64, hex, `\xNN` escapes) this long are cut down before parsing. */
const HUGE_RUN = 262144;
const RUN_KEEP = 32768;

function isRunChar(c: number): boolean {
  // A-Z a-z 0-9 + / = and backslash
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61 || c === 92;
}

/**
 * Cuts the middle out of enormous encoded literals (embedded executables), keeping a head and a tail
 * whose lengths are multiples of 4 from each end, so base64 and hex still decode block by block: the
 * code around the blob, and what the decoded payload does before and after its own embedded data,
 * stay visible. A 10 MB `exec(b64decode('…'))` costs what a 64 KB one does.
 */
export function elideHugeLiterals(text: string): string {
  if (text.length < HUGE_RUN) return text;
  // A plain scan (a regular expression with a quantifier this large overflows V8's backtracking stack)
  // that skips ahead: a run of HUGE_RUN characters starting at or after `i` must cover i + HUGE_RUN - 1,
  // so only the characters behind a run character there are looked at.
  const parts: string[] = [];
  let copied = 0;
  const n = text.length;
  let i = 0;
  while (i + HUGE_RUN <= n) {
    const p = i + HUGE_RUN - 1;
    if (!isRunChar(text.charCodeAt(p))) {
      i = p + 1;
      continue;
    }
    let start = p;
    while (start > i && isRunChar(text.charCodeAt(start - 1))) start--;
    if (start > i) {
      i = start;
      continue;
    }
    // i..p are all run characters; `i` follows a non-run character (or the start), so the run starts here.
    let end = p + 1;
    while (end < n && isRunChar(text.charCodeAt(end))) end++;
    const tail = RUN_KEEP + ((end - i) % 4);
    parts.push(text.slice(copied, i + RUN_KEEP));
    copied = end - tail;
    i = end + 1;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

/**
 * Files still over the parse limit: keep only the lines that import or look like they run something,
 * and the block headers around them (blank the rest, so line numbers stay right), within a byte budget.
 * A bounded scan, not a full parse.
 */
function reducedSource(text: string, budget: number): string {
  let used = 0;
  const out = text.split('\n').map((line) => {
    if (used > budget || line.length > budget) return '';
    const head = line.slice(0, 4096);
    if (!INTERESTING_LINE.test(head) && !BLOCK_HEADER.test(head)) return '';
    used += line.length;
    return line;
  });
  return used === 0 ? '' : out.join('\n');
}

function commonRoot(files: readonly FileEntry[]): string {
  let root: string | undefined;
  for (const f of files) {
    const i = f.path.indexOf('/');
    const head = i < 0 ? '' : f.path.slice(0, i + 1);
    if (root === undefined) root = head;
    else if (root !== head) return '';
  }
  return root ?? '';
}

/** A call resolves to the caller's own function of that name when it has one, else to any file's. */
function preferLocal<T extends { file: string }>(targets: readonly T[] | undefined, file: string): readonly T[] {
  if (targets === undefined) return [];
  const local = targets.filter((t) => t.file === file);
  return local.length > 0 ? local : targets;
}

function resolveFlows(files: readonly PyFile[]): PackageFlow[] {
  const byName = new Map<string, { summary: FuncSummary; file: string }[]>();
  for (const f of files) {
    for (const s of f.facts.functions) {
      const list = byName.get(s.name) ?? [];
      list.push({ summary: s, file: f.path });
      byName.set(s.name, list);
    }
  }
  const lastName = (callee: string): string => callee.split('.').pop() ?? callee;
  // Propagate parameter->sink facts through functions that forward their parameters (a few rounds).
  for (let round = 0; round < 3; round++) {
    let changed = false;
    for (const list of byName.values()) {
      for (const { summary, file } of list) {
        for (const fw of summary.forwards) {
          for (const target of preferLocal(byName.get(lastName(fw.callee)), file)) {
            if (target.summary === summary) continue;
            fw.argParams.forEach((params, argIndex) => {
              const sink = target.summary.paramSinks.get(argIndex);
              if (sink === undefined) return;
              for (const p of params) {
                if (!summary.paramSinks.has(p)) {
                  summary.paramSinks.set(p, sink);
                  changed = true;
                }
              }
            });
          }
        }
      }
    }
    if (!changed) break;
  }
  const flows: PackageFlow[] = [];
  for (const f of files) {
    for (const call of f.facts.pending) {
      const targets = preferLocal(byName.get(lastName(call.callee)), f.path);
      if (targets.length === 0) continue;
      call.argSources.forEach((sources, i) => {
        const net = call.argNet?.[i] ?? [];
        if (sources.length === 0 && net.length === 0) return;
        for (const t of targets) {
          const sink: SinkFact | undefined = t.summary.paramSinks.get(i);
          if (sink === undefined) continue;
          flows.push({ file: f, ev: call, callee: call.callee, sources, ...(net.length > 0 ? { net } : {}), sink: sink.fn === t.summary.qual ? withCallerDest(sink, call) : sink, sinkFile: t.file, arg: i });
        }
      });
    }
  }
  return flows;
}

/** A sink whose destination is a parameter of the called function gets the destination this caller passes. */
function withCallerDest(sink: SinkFact, call: PendingCall): SinkFact {
  if (sink.dest !== undefined || sink.destParams === undefined || call.argDests === undefined) return sink;
  for (const p of sink.destParams) {
    const dest = call.argDests[p];
    if (dest !== undefined) return { ...sink, dest };
  }
  return sink;
}

function evidenceLine(file: PyFile, line: number, col: number | undefined, cache: Map<string, string[]>): string {
  let lines = cache.get(file.path);
  if (lines === undefined) {
    lines = file.text.split('\n');
    cache.set(file.path, lines);
  }
  const raw = (lines[line - 1] ?? '').replace(/\r$/, '');
  if (raw.length <= 200) return raw.trim();
  const c = Math.max(0, (col ?? 1) - 1 - 40);
  return (c > 0 ? '…' : '') + raw.slice(c, c + 200).trim() + '…';
}

const SEV_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export const analyzePython: PackageAnalyzer = async (tree, context) => {
  const out: AnalysisOutput = emptyOutput();
  try {
    await analyze(tree.files, context.limits.maxParseBytes, context.limits.maxDecodeDepth, context.limits.maxDecodedBytes, context.deadline, out);
  } catch (error) {
    out.errors.push({ code: 'E_PY_ANALYZER', message: `python analysis failed: ${error instanceof Error ? error.message : String(error)}` });
  }
  return out;
};

async function analyze(entries: readonly FileEntry[], maxParseBytes: number, maxDecodeDepth: number, maxDecodedBytes: number, deadline: number, out: AnalysisOutput): Promise<void> {
  const pyEntries = entries.filter((f) => PY_FILE_RE.test(f.path));
  const pycEntries = entries.filter((f) => /\.pyc$/i.test(f.path));
  const configEntries = entries.filter((f) => /(?:^|\/)(?:setup\.cfg|pyproject\.toml|entry_points\.txt)$/.test(f.path) && f.size < 1_000_000);
  if (pyEntries.length === 0 && pycEntries.length === 0 && configEntries.length === 0) return;
  const parser = await pythonParser();
  const root = commonRoot(entries);
  const modules = new Map<string, string>();
  for (const f of pyEntries) {
    const m = moduleNameOf(f.path, root);
    if (m !== undefined && !modules.has(m)) modules.set(m, f.path);
  }

  const entryPoints: EntryPoint[] = [];
  const installFiles = new Set<string>();
  for (const f of pyEntries) if (isSetupPy(f.path)) installFiles.add(f.path);
  // A lone script uploaded as the artifact (`x_setup.py`) is the setup script.
  const lone = pyEntries.length === 1 ? pyEntries[0] : undefined;
  if (lone !== undefined && !lone.path.includes('/') && /setup\.py$/i.test(lone.path)) installFiles.add(lone.path);
  for (const c of configEntries) {
    const text = textOf(c);
    if (c.path.endsWith('pyproject.toml')) {
      const pp = readPyproject(text, c.path);
      entryPoints.push(...pp.entryPoints);
      if (pp.backend !== undefined && pp.backendPaths.length > 0) {
        const dir = c.path.slice(0, c.path.lastIndexOf('/') + 1);
        const modPath = pp.backend.split(':')[0]?.replace(/\./g, '/') ?? '';
        for (const bp of pp.backendPaths) {
          const base = `${dir}${bp.replace(/^\.\/?/, '').replace(/\/$/, '')}`.replace(/\/$/, '');
          const prefix = base === '' || base === dir.replace(/\/$/, '') ? dir : `${base}/`;
          for (const cand of [`${prefix}${modPath}.py`, `${prefix}${modPath}/__init__.py`]) if (pyEntries.some((e) => e.path === cand)) installFiles.add(cand);
        }
      }
    } else entryPoints.push(...readIniEntryPoints(text, c.path));
  }

  const dependencies = new Set<string>();
  for (const f of entries) {
    if (f.size < 2_000_000 && /(?:^|\/)(?:requires\.txt|PKG-INFO|METADATA|pyproject\.toml)$/.test(f.path)) for (const d of metadataRequirements(f.path, textOf(f))) dependencies.add(d);
  }
  const byPathEntry = new Map(pyEntries.map((f) => [f.path, f] as const));
  const constCache = new Map<string, ReadonlyMap<string, StrVal>>();
  const constantsOf = (path: string): ReadonlyMap<string, StrVal> => {
    let c = constCache.get(path);
    if (c === undefined) {
      const e = byPathEntry.get(path);
      c = e !== undefined && e.size < 2_000_000 ? moduleConstants(textOf(e)) : new Map();
      constCache.set(path, c);
    }
    return c;
  };
  const files: PyFile[] = [];
  const urlDependencies: PyPackage['urlDependencies'] = [];
  const done = new Set<string>();
  let budgetHit = false;
  let optionalParsed = 0;
  const processFile = (f: FileEntry, force: boolean): void => {
    if (done.has(f.path)) return;
    done.add(f.path);
    out.stats.files++;
    if (performance.now() > deadline) {
      budgetHit = true;
      return;
    }
    let text = textOf(f);
    if (f.path.endsWith('.pth')) {
      text = pthCode(text);
      if (text.trim() === '') return;
    }
    const trigger = baseTrigger(f.path, installFiles);
    const mustParse = force || trigger === 'install' || trigger === 'startup';
    if (!mustParse && !PREFILTER.test(text)) return;
    // Beyond the per-package parse budget, ordinary modules only get the bounded text scan.
    const overBudget = !mustParse && optionalParsed > OPTIONAL_PARSE_BUDGET;
    const modName = moduleNameOf(f.path, root);
    const imported = f.path.endsWith('.pth') ? undefined : importedConstants(text, modName, /(?:^|\/)__init__\.py$/.test(f.path), modules, constantsOf);
    const key = createHash('sha256').update(f.path.endsWith('.pth') ? 'pth:' : 'py:').update(imported?.digest ?? '').update(f.data).digest('hex');
    let entry = cacheGet(key);
    if (entry === undefined) {
      const elided = foldIntegerArithmetic(elideHugeLiterals(text));
      const source = elided.length > maxParseBytes && !overBudget ? reducedSource(elided, maxParseBytes) : elided;
      if (overBudget || source === '') entry = { facts: emptyFacts(), parsed: false };
      else {
        const ex = new FactExtractor({ parser, maxDecodeDepth, maxDecodedBytes, deadline, parseBudgetMs: 2000, ...(imported !== undefined ? { imported: imported.map } : {}) }, modName ?? '__main__');
        const treeP = parsePython(parser, source, Math.max(1, Math.min(3000, deadline - performance.now())));
        if (treeP === null) {
          ex.facts.timedOut = true;
          entry = { facts: ex.facts, parsed: false };
        } else {
          try {
            ex.walkModule(copyTree(treeP, source));
          } catch (error) {
            // e.g. pathological nesting: keep the facts gathered so far (partial analysis, never silently clean).
            ex.facts.parseErrors ??= { line: 1, count: 1 };
            out.errors.push({ code: 'E_PY_WALK', message: `partial analysis of ${f.path}: ${error instanceof Error ? error.message : String(error)}`, path: f.path });
          } finally {
            treeP.delete();
          }
          entry = { facts: ex.facts, parsed: true };
          if (!mustParse) optionalParsed += f.size;
        }
      }
      if (!overBudget) cacheSet(key, entry);
    }
    if (entry.parsed) {
      out.stats.parsedFiles++;
      out.stats.parsedBytes += f.size;
    }
    if (entry.facts.timedOut) out.errors.push({ code: 'E_PARSE_TIMEOUT', message: `analysis of ${f.path} stopped at the time budget`, path: f.path });
    const file: PyFile = { path: f.path, trigger, facts: entry.facts, text: f.size > maxParseBytes ? text.slice(0, maxParseBytes * 4) : text, parsed: entry.parsed };
    files.push(file);
    if (trigger === 'install') {
      const info = setupCallInfo(entry.facts, f.path);
      entryPoints.push(...info.entryPoints);
      urlDependencies.push(...info.urlDeps);
      for (const d of info.requires) dependencies.add(d);
      for (const p of localImports(entry.facts, modules)) {
        if (!installFiles.has(p)) installFiles.add(p);
      }
      // `python -c "import pkg.mod"` run from setup.py imports package code at install time too.
      for (const c of entry.facts.commands) {
        const code = /\bpython[\d.]*(?:\.exe)?\s+-c\s+(.{1,400})/.exec(c.cmd)?.[1] ?? '';
        for (const m of code.matchAll(/\b(?:from|import)\s+([\w.]+)/g)) {
          const p = modules.get(m[1] ?? '') ?? modules.get((m[1] ?? '').split('.')[0] ?? '');
          if (p !== undefined) installFiles.add(p);
        }
      }
    }
  };
  // Install-time files first (setup.py pulls in the modules it imports), then startup, then the rest.
  const queue = [...installFiles];
  while (queue.length > 0) {
    const p = queue.shift() as string;
    const f = byPathEntry.get(p);
    if (f === undefined) continue;
    const before = installFiles.size;
    processFile(f, true);
    if (installFiles.size > before) for (const q of installFiles) if (!done.has(q)) queue.push(q);
  }
  for (const f of pyEntries) if (isStartupFile(f.path)) processFile(f, true);
  // Smaller modules first: payloads are small, vendored libraries are big.
  for (const f of [...pyEntries].sort((a, b) => a.size - b.size)) processFile(f, false);
  if (budgetHit) out.errors.push({ code: 'E_ANALYSIS_BUDGET', message: 'python analysis stopped at the time budget; some files were not analysed' });

  const pyPaths = new Set(pyEntries.map((f) => f.path.replace(/\.pyw?$/i, '')));
  const orphanPyc = pycEntries
    .filter((f) => {
      const base = f.path.replace(/\.pyc$/i, '').replace(/__pycache__\/([^/]+?)\.[\w-]+$/, '$1').replace(/__pycache__\//, '');
      return !pyPaths.has(base);
    })
    .map((f) => f.path);

  const binaries = entries
    .filter((f) => f.size > 64 && ((f.data[0] === 0x4d && f.data[1] === 0x5a) || (f.data[0] === 0x7f && f.data[1] === 0x45 && f.data[2] === 0x4c && f.data[3] === 0x46) || (f.data[0] === 0xcf && f.data[1] === 0xfa && f.data[2] === 0xed && f.data[3] === 0xfe)))
    .map((f) => f.path);
  const pkg: PyPackage = { files, entryPoints, flows: resolveFlows(files), orphanPyc, urlDependencies, binaries, dependencies: [...dependencies].sort() };
  runRules(pkg, out);
}

function runRules(pkg: PyPackage, out: AnalysisOutput): void {
  const lineCache = new Map<string, string[]>();
  const byPath = new Map(pkg.files.map((f) => [f.path, f] as const));
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const rule of pythonRuleSet) {
    try {
      rule.check(pkg, (r: PyReport) => {
        const key = `${rule.meta.id}\0${r.path}\0${r.line}`;
        if (seen.has(key)) return;
        seen.add(key);
        findings.push(toFinding(rule, r, byPath, lineCache));
      });
    } catch (error) {
      out.errors.push({ code: 'E_RULE_CRASH', message: `rule ${rule.meta.id} failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  findings.sort((a, b) => a.location.path.localeCompare(b.location.path) || a.location.line - b.location.line || a.ruleId.localeCompare(b.ruleId));
  out.findings.push(...findings);
}

function toFinding(rule: PyRule, r: PyReport, byPath: ReadonlyMap<string, PyFile>, lineCache: Map<string, string[]>): Finding {
  const file = byPath.get(r.path);
  const evidence = r.evidence ?? (file !== undefined && r.line > 0 ? evidenceLine(file, r.line, r.col, lineCache) : '');
  let severity = r.severity ?? rule.meta.severity;
  // Scripts a developer runs by hand (docs, tests, tooling, bootstraps) never run on install or
  // import: what they do is reported, but at most as high.
  if (file?.trigger === 'call' && severity === 'critical') severity = 'high';
  const f: Finding = {
    ruleId: rule.meta.id,
    severity: SEV_ORDER.includes(severity) ? severity : rule.meta.severity,
    kind: rule.meta.kind,
    category: r.category ?? rule.meta.category,
    confidence: r.confidence ?? rule.meta.confidence,
    // U+FFFD marks a part the evaluator could not compute (e.g. a temp directory); show it as "…".
    message: r.message.replace(/\uFFFD+/g, '…'),
    location: { path: r.path, line: r.line, ...(r.col !== undefined && r.col > 0 ? { column: r.col } : {}) },
    evidence: evidence.length > 240 ? evidence.slice(0, 240) + '…' : evidence,
    trigger: r.trigger,
  };
  if (r.decoded !== undefined) f.decoded = r.decoded.length > 400 ? r.decoded.slice(0, 400) + '…' : r.decoded;
  if (r.data !== undefined) f.data = r.data;
  return f;
}

/** Every Python rule's metadata, sorted by id. */
export const pythonRules: readonly RuleListing[] = pythonRuleSet.map((r) => ({ meta: r.meta }));
