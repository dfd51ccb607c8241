import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { VigilError } from '../core/errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCommandArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  help: boolean;
}

/**
 * Strict option parsing for a command. `--help`/`-h` is always accepted. Unknown options and missing
 * values become usage errors (exit 2) with a pointer to `--help`.
 */
export function parseCommandArgs(command: string, args: readonly string[], options: OptionSpec): ParsedCommandArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    const help = values.help === true;
    return { values: values as ParsedCommandArgs['values'], positionals, help };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new VigilError('E_USAGE', `${message} (see 'vigil ${command} --help')`);
  }
}

export function stringOption(values: ParsedCommandArgs['values'], name: string): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) {
    const last = v[v.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return typeof v === 'string' ? v : undefined;
}

export function listOption(values: ParsedCommandArgs['values'], name: string): string[] {
  const v = values[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

export function intOption(values: ParsedCommandArgs['values'], name: string, fallback: number, min = 0): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new VigilError('E_USAGE', `--${name} expects a whole number >= ${min}, got '${raw}'`);
  return n;
}
