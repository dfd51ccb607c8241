/** Untyped acorn (ESTree) nodes and safe accessors: every node comes from attacker-written code. */
export type Node = { type: string; start: number; end: number } & Record<string, unknown>;

export function isNode(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && typeof (x as { type?: unknown }).type === 'string';
}

/** The child node under `key`, if it is one. */
export function child(n: Node, key: string): Node | undefined {
  const c = n[key];
  return isNode(c) ? c : undefined;
}

/** The child nodes in the array under `key` (non-nodes such as holes are skipped). */
export function kids(n: Node, key: string): Node[] {
  const c = n[key];
  return Array.isArray(c) ? c.filter(isNode) : [];
}
