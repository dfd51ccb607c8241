import type { Bounded } from './decompress.js';

/** Placeholder until the bzip2 decoder lands. */
export function bunzip2(_input: Uint8Array, _cap: number): Bounded {
  return { data: new Uint8Array(0), capped: false, error: 'bzip2 is not supported yet' };
}
