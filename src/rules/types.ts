import type { Category, Confidence, Ecosystem, RuleKind, Severity } from '../core/types.js';

/**
 * A fixture for a rule: a tiny in-memory package. Keys are paths relative to the package root.
 * Fixtures that imitate malware must be inert (`.invalid` hosts, no working payload).
 */
export interface RuleExample {
  files: Readonly<Record<string, string>>;
  /** Why this example should (not) fire. */
  note?: string;
}

export interface RuleMeta {
  /** `<family>/<name>`, e.g. `py/exec-decoded-payload`; equals the file name of the rule. */
  id: string;
  kind: RuleKind;
  category: Category;
  /** Severity when reached from the strongest trigger; analyzers may lower it for `call`-only code. */
  severity: Severity;
  confidence: Confidence;
  ecosystems: readonly Ecosystem[];
  /** One line, shown by `vigil rules` and in docs/rules. */
  description: string;
  /** Longer explanation for docs (optional). */
  details?: string;
  examples: {
    positive: readonly RuleExample[];
    negative: readonly RuleExample[];
  };
}

/**
 * A rule checks facts prepared by one traversal of each file (the analyzer's context type `TContext`)
 * and reports through `report`. Rules are pure: no I/O, no environment, no network.
 */
export interface RuleDefinition<TContext, TReport = unknown> {
  meta: RuleMeta;
  check(context: TContext, report: (finding: TReport) => void): void;
}

/** Identity helper that keeps rule literals typed. */
export function defineRule<TContext, TReport>(rule: RuleDefinition<TContext, TReport>): RuleDefinition<TContext, TReport> {
  return rule;
}

/** What every rule registry exposes for listing, docs and meta-tests. */
export interface RuleListing {
  meta: RuleMeta;
}
