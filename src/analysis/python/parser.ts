import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Language, Parser } from 'web-tree-sitter';
import type { Tree } from 'web-tree-sitter';
import type { CopyCursor } from './lnode.js';

/**
 * The cursor exports of web-tree-sitter's WebAssembly module. Emscripten attaches its exports to the
 * options object given to `Parser.init`, which is how this module gets them. Each `*_wasm` function
 * reads the cursor from the module's transfer buffer and the moving ones write it back there, so a
 * walk that keeps the cursor in that buffer needs no marshalling per step (web-tree-sitter 0.25 ABI;
 * `directCursor` checks it against the public API and falls back to it on any mismatch).
 */
interface CursorExports {
  HEAP32: Int32Array;
  _ts_init(): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_named_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
}

let ready: Promise<Parser> | undefined;
let exports: CursorExports | undefined;
let transfer = 0;

function hasCursorExports(m: Partial<CursorExports>): m is CursorExports {
  return typeof m._ts_init === 'function' && typeof m._ts_tree_cursor_goto_first_child_wasm === 'function' && m.HEAP32 instanceof Int32Array;
}

async function load(): Promise<Parser> {
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('tree-sitter-python/tree-sitter-python.wasm');
  const module: Partial<CursorExports> = {};
  await Parser.init(module as unknown as Parameters<typeof Parser.init>[0]);
  if (hasCursorExports(module)) {
    exports = module;
    transfer = module._ts_init() >> 2;
  }
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

type CursorWords = Record<0 | 1 | 2 | 3, number>;

/**
 * A cursor over `tree` that calls the module's exports directly, or undefined when they are not
 * available or do not agree with the public API on the root node (then the caller uses the public API).
 */
export function directCursor(tree: Tree): CopyCursor | undefined {
  const m = exports;
  if (m === undefined) return undefined;
  const treePtr = (tree as unknown as CursorWords)[0];
  const cursor = tree.walk();
  const words = cursor as unknown as CursorWords;
  const load = (): void => {
    const heap = m.HEAP32;
    for (let i = 0; i < 4; i++) heap[transfer + i] = words[i as 0];
  };
  const store = (): void => {
    const heap = m.HEAP32;
    for (let i = 0; i < 4; i++) words[i as 0] = heap[transfer + i] as number;
  };
  try {
    const root = tree.rootNode;
    const rootEnd = root.endIndex;
    const rootType = root.typeId;
    load();
    if (m._ts_tree_cursor_end_index_wasm(treePtr) !== rootEnd || m._ts_tree_cursor_current_node_type_id_wasm(treePtr) !== rootType) {
      cursor.delete();
      return undefined;
    }
  } catch {
    cursor.delete();
    return undefined;
  }
  return {
    typeId: () => m._ts_tree_cursor_current_node_type_id_wasm(treePtr),
    isNamed: () => m._ts_tree_cursor_current_node_is_named_wasm(treePtr) === 1,
    isMissing: () => m._ts_tree_cursor_current_node_is_missing_wasm(treePtr) === 1,
    startIndex: () => m._ts_tree_cursor_start_index_wasm(treePtr),
    endIndex: () => m._ts_tree_cursor_end_index_wasm(treePtr),
    fieldId: () => m._ts_tree_cursor_current_field_id_wasm(treePtr),
    firstChild: () => m._ts_tree_cursor_goto_first_child_wasm(treePtr) === 1,
    nextSibling: () => m._ts_tree_cursor_goto_next_sibling_wasm(treePtr) === 1,
    parent: () => m._ts_tree_cursor_goto_parent_wasm(treePtr) === 1,
    done: () => {
      store();
      cursor.delete();
    },
  };
}
