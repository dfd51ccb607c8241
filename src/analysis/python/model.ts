/** What Python rules see: the package's files with their facts and triggers. Rules are pure. */
import type { Category, Confidence, Severity, Trigger } from '../../core/types.js';
import type { RuleDefinition } from '../../rules/types.js';
import type { EventBase, FileFacts, SinkFact } from './facts.js';

export interface PyFile {
  path: string;
  /** What runs the module's top-level code. */
  trigger: Trigger;
  facts: FileFacts;
  /** Source text (possibly truncated for files over the parse limit). */
  text: string;
  /** The file was parsed (false: bounded text scan only). */
  parsed: boolean;
}

export interface EntryPoint {
  group: string;
  name: string;
  target: string;
  path: string;
  line: number;
}

export interface PackageFlow {
  /** File and location of the call that hands data to a function that sends it out. */
  file: PyFile;
  ev: EventBase;
  callee: string;
  sources: string[];
  /** Hosts the data was downloaded from, when the argument carries a download. */
  net?: string[];
  sink: SinkFact;
  sinkFile: string;
  /** Position of the argument that carries the data. */
  arg: number;
}

export interface PyPackage {
  files: PyFile[];
  entryPoints: EntryPoint[];
  /** Cross-function and cross-module flows resolved after all files were walked. */
  flows: PackageFlow[];
  /** `.pyc` files that have no `.py` next to them. */
  orphanPyc: string[];
  /** Dependencies declared with URLs or staged by `pip install` at install time. */
  urlDependencies: { path: string; line: number; text: string }[];
  /** Native executables (PE/ELF/Mach-O) shipped in the artifact. */
  binaries: string[];
  /** Distribution names the package declares it requires (normalized, PEP 503), from any metadata source. */
  dependencies: string[];
}

export interface PyReport {
  path: string;
  line: number;
  col?: number;
  message: string;
  trigger: Trigger;
  /** Overrides the rule's meta severity/confidence (e.g. lowered for call-only code). */
  severity?: Severity;
  confidence?: Confidence;
  category?: Category;
  evidence?: string;
  decoded?: string;
  data?: Record<string, unknown>;
}

export type PyRule = RuleDefinition<PyPackage, PyReport>;

const RANK: Record<Trigger, number> = { install: 0, startup: 1, import: 2, call: 3, none: 4 };

export function strongerTrigger(a: Trigger, b: Trigger): Trigger {
  return RANK[a] <= RANK[b] ? a : b;
}

/** The trigger that reaches an event: top-level code runs with its module, function bodies when called. */
export function triggerOf(file: PyFile, ev: { fn: string | undefined; main: boolean }): Trigger {
  if (file.trigger === 'install' || file.trigger === 'startup') return file.trigger;
  if (ev.main) return 'call';
  if (ev.fn === undefined) return file.trigger;
  const top = ev.fn.split('.')[0] ?? ev.fn;
  if (file.facts.calledAtTop.has(ev.fn) || file.facts.calledAtTop.has(top)) return file.trigger;
  return 'call';
}

/** Lowers a severity one step for code that only runs when called. */
export function bySeverity(trigger: Trigger, sev: Severity): Severity {
  if (trigger !== 'call' && trigger !== 'none') return sev;
  const order: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
  return order[Math.min(order.indexOf(sev) + 1, order.length - 1)] ?? sev;
}

export function locOf(file: PyFile, ev: EventBase): Pick<PyReport, 'path' | 'line' | 'col' | 'decoded'> {
  return { path: file.path, line: ev.line, col: ev.col, ...(ev.decoded !== undefined ? { decoded: ev.decoded } : {}) };
}

export function short(s: string, n = 120): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? one.slice(0, n) + '…' : one;
}
