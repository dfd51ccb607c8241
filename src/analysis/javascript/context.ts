/** What JavaScript rules see: one npm package, its manifest, install scripts and per-file facts. */
import type { Confidence, Severity, Trigger } from '../../core/types.js';
import type { RuleDefinition } from '../../rules/types.js';
import type { JsEvent, JsFileFacts } from './facts.js';
import type { ShellFact } from './shell.js';

export interface PackageManifest {
  name?: string;
  version?: string;
  main?: string;
  scripts: Record<string, string>;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  /** Entry files named by `exports` (relative, normalised). */
  exportFiles: string[];
  gypfile?: boolean;
}

export type FileRole = 'install' | 'import' | 'other';

export interface JsFile {
  /** Path relative to the artifact root (as in findings). */
  path: string;
  role: FileRole;
  facts: JsFileFacts;
}

export interface InstallScript {
  /** preinstall | install | postinstall (or `binding.gyp` for the implicit node-gyp build). */
  hook: string;
  script: string;
  /** Line of the hook in package.json (0 when implicit). */
  line: number;
  /** File holding the script when it is not package.json (a shell/batch file run at install). */
  path?: string;
  facts: ShellFact[];
}

export interface JsPackageContext {
  /** Prefix of the package inside the artifact (`package/` for npm tarballs, '' otherwise). */
  root: string;
  manifestPath: string;
  manifest: PackageManifest | undefined;
  installScripts: InstallScript[];
  hasBindingGyp: boolean;
  files: JsFile[];
  /** The registry's manifest for this version, when scanning from the registry (unvalidated). */
  registryManifest?: unknown;
}

export interface JsReport {
  path: string;
  line: number;
  evidence: string;
  message: string;
  trigger: Trigger;
  decoded?: string;
  severity?: Severity;
  confidence?: Confidence;
  data?: Record<string, unknown>;
}

export type JsRule = RuleDefinition<JsPackageContext, JsReport>;

/** Trigger of an event in a file: install-time files run all their code; entry files run top level. */
export function eventTrigger(file: JsFile, e: JsEvent): Trigger {
  if (file.role === 'install') return 'install';
  if (file.role === 'import' && e.topLevel) return 'import';
  return 'call';
}

const TRIGGER_RANK: Record<Trigger, number> = { install: 4, startup: 4, import: 3, call: 2, none: 1 };

export function strongerTrigger(a: Trigger, b: Trigger): Trigger {
  return TRIGGER_RANK[a] >= TRIGGER_RANK[b] ? a : b;
}

/** Every event of the package with its file. */
export function* allEvents(ctx: JsPackageContext): Generator<{ file: JsFile; e: JsEvent }> {
  for (const file of ctx.files) for (const e of file.facts.events) yield { file, e };
}

/** A report located at an event. */
export function at(file: JsFile, e: JsEvent, message: string, extra: Partial<JsReport> = {}): JsReport {
  return {
    path: file.path,
    line: e.line,
    evidence: e.evidence,
    message,
    trigger: eventTrigger(file, e),
    ...(e.decoded === undefined ? {} : { decoded: e.decoded }),
    ...extra,
  };
}

/** Lower severity one step for code that only runs when called (library functions). */
export function callSeverity(trigger: Trigger, severity: Severity): Severity {
  if (trigger !== 'call') return severity;
  const order: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
  return order[Math.min(order.indexOf(severity) + 1, order.length - 1)] ?? severity;
}

/** Line of a command inside its script: package.json's hook line, or the line within a shell file. */
export function scriptLine(s: InstallScript, commandText: string): number {
  if (s.path === undefined) return s.line;
  const needle = commandText.slice(0, 40);
  const lines = s.script.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  return i + 1;
}
