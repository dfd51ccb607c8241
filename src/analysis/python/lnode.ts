/**
 * A plain-JavaScript copy of a tree-sitter syntax tree, built with one TreeCursor pass. Walking the
 * web-tree-sitter Node API crosses into WebAssembly on every property access; the evaluator visits
 * nodes many times, so it works on this copy instead (measured ~3x faster on real packages).
 */
import type { Tree } from 'web-tree-sitter';

export interface Point {
  row: number;
  column: number;
}

export class LNode {
  readonly children: LNode[] = [];
  readonly fields: (string | null)[] = [];
  hasError = false;
  private named: LNode[] | undefined;

  constructor(
    private readonly src: string,
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly startPosition: Point,
  ) {}

  get isError(): boolean {
    return this.type === 'ERROR';
  }

  get text(): string {
    return this.src.slice(this.startIndex, this.endIndex);
  }

  get namedChildren(): LNode[] {
    this.named ??= this.children.filter((c) => c.isNamed);
    return this.named;
  }

  childForFieldName(name: string): LNode | null {
    const i = this.fields.indexOf(name);
    return i < 0 ? null : (this.children[i] ?? null);
  }

  childrenForFieldName(name: string): LNode[] {
    const out: LNode[] = [];
    this.fields.forEach((f, i) => {
      const c = this.children[i];
      if (f === name && c !== undefined) out.push(c);
    });
    return out;
  }
}

/** Copies a tree; `maxNodes` bounds memory for pathological inputs (the rest is dropped). */
export function copyTree(tree: Tree, src: string, maxNodes = 2_000_000): LNode {
  const cursor = tree.walk();
  let count = 0;
  const make = (): LNode => {
    const sp = cursor.startPosition;
    const n = new LNode(src, count++, cursor.nodeType, cursor.nodeIsNamed, cursor.nodeIsMissing, cursor.startIndex, cursor.endIndex, { row: sp.row, column: sp.column });
    if (n.isMissing || n.type === 'ERROR') n.hasError = true;
    return n;
  };
  const root = make();
  const stack: LNode[] = [root];
  try {
    if (!cursor.gotoFirstChild()) return root;
    for (;;) {
      const parent = stack[stack.length - 1] as LNode;
      const node = make();
      parent.children.push(node);
      parent.fields.push(cursor.currentFieldName);
      if (node.hasError) for (const a of stack) a.hasError = true;
      if (count < maxNodes && cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return root;
        stack.pop();
        if (stack.length === 0) return root;
      }
    }
  } finally {
    cursor.delete();
  }
}
