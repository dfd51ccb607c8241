import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Language, Parser } from 'web-tree-sitter';
import type { Tree } from 'web-tree-sitter';

let ready: Promise<Parser> | undefined;

async function load(): Promise<Parser> {
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('tree-sitter-python/tree-sitter-python.wasm');
  await Parser.init();
  const language = await Language.load(wasm);
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

/** The Python parser, initialised once per thread on first use. */
export function pythonParser(): Promise<Parser> {
  ready ??= load();
  return ready;
}

/** Parses Python source; returns null when the time budget runs out. Never throws on bad syntax. */
export function parsePython(parser: Parser, source: string, budgetMs: number): Tree | null {
  const stop = performance.now() + Math.max(1, budgetMs);
  return parser.parse(source, null, { progressCallback: () => performance.now() > stop });
}
