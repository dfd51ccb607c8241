/** Small helpers shared by the Python rules. */
import type { RuleMeta } from '../types.js';
import type { PyFile, PyReport } from '../../analysis/python/model.js';
import { locOf, triggerOf } from '../../analysis/python/model.js';
import type { EventBase } from '../../analysis/python/facts.js';
import type { Trigger } from '../../core/types.js';

export type Examples = RuleMeta['examples'];

/** Runs without a call: install, startup or import time. */
export function isAuto(t: Trigger): boolean {
  return t === 'install' || t === 'startup' || t === 'import';
}

export function at(file: PyFile, ev: EventBase): Pick<PyReport, 'path' | 'line' | 'col' | 'decoded' | 'trigger'> {
  return { ...locOf(file, ev), trigger: triggerOf(file, ev) };
}

const TRIGGER_WORDS: Record<Trigger, string> = {
  install: 'at install time',
  startup: 'at every interpreter start',
  import: 'when the package is imported',
  call: 'when called',
  none: '',
};

export function when(t: Trigger): string {
  return TRIGGER_WORDS[t];
}

/** Text matches in a file's source and in its decoded strings, with a line for each. */
export function textHits(file: PyFile, re: RegExp, max = 5): { line: number; col: number; match: string; decoded?: string }[] {
  const out: { line: number; col: number; match: string; decoded?: string }[] = [];
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  for (const m of file.text.matchAll(g)) {
    const idx = m.index;
    const before = file.text.slice(0, idx);
    const line = before.split('\n').length;
    out.push({ line, col: idx - before.lastIndexOf('\n'), match: m[0] });
    if (out.length >= max) return out;
  }
  for (const s of file.facts.strings) {
    if (!s.dec) continue;
    const m = new RegExp(re.source, re.flags.replace('g', '')).exec(s.s);
    if (m !== null) {
      out.push({ line: s.line, col: s.col, match: m[0], decoded: s.decoded ?? s.s.slice(0, 300) });
      if (out.length >= max) return out;
    }
  }
  return out;
}

/** Where a function-level trigger comes from for a text hit: the strongest event on that line, else the file's. */
export function lineTrigger(file: PyFile, line: number): Trigger {
  for (const c of file.facts.calls) if (c.line === line) return triggerOf(file, c);
  for (const s of file.facts.strings) if (s.line === line) return triggerOf(file, { fn: s.fn, main: false });
  if (file.trigger !== 'import') return file.trigger;
  // No event on that line: unindented lines are module level (comments, banners, data).
  let start = 0;
  for (let i = 1; i < line && start >= 0; i++) start = file.text.indexOf('\n', start) + 1;
  return start >= 0 && /^\S/.test(file.text.slice(start, start + 1)) ? 'import' : 'call';
}
