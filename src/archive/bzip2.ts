/**
 * A small synchronous bzip2 decoder (for old `.tar.bz2` sdists).
 *
 * Why not a library: the pure-JS decoders on npm are either stream/async only (unbzip2-stream) or pull
 * in a CLI dependency and cannot stop at an output cap without a per-byte callback (seek-bzip). This one
 * is ~250 lines, sync, checks every block CRC, bounds every table index against hostile input, and
 * stops as soon as the output passes `cap`, which is what bomb protection needs.
 *
 * Format: stream header `BZh1`..`BZh9`; blocks (48-bit magic 0x314159265359, block CRC, BWT origin
 * pointer, symbol map, Huffman tables and selectors, MTF/RLE2-coded symbols); end-of-stream marker
 * 0x177245385090 with the combined CRC. Concatenated streams are decoded one after another.
 */
import type { Bounded } from './decompress.js';

class BzError extends Error {}
class CapReached extends Error {}

const MAX_GROUPS = 6;
const MAX_ALPHA = 258;
const MAX_CODE_LEN = 20;
const GROUP_SIZE = 50;
const MAX_SELECTORS = 18002;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

class BitReader {
  private pos = 0;
  private buffer = 0;
  private count = 0;
  constructor(private readonly data: Uint8Array) {}

  /** Reads n bits (n <= 32), most significant first. */
  bits(n: number): number {
    if (n > 24) return ((this.bits(n - 16) * 65536) + this.bits(16)) >>> 0;
    while (this.count < n) {
      if (this.pos >= this.data.length) throw new BzError('unexpected end of bzip2 data');
      this.buffer = ((this.buffer << 8) | (this.data[this.pos++] ?? 0)) >>> 0;
      this.count += 8;
    }
    this.count -= n;
    return (this.buffer >>> this.count) & ((1 << n) - 1);
  }

  bit(): number {
    return this.bits(1);
  }

  /** Drops the bits left in the current byte. */
  alignToByte(): void {
    this.count -= this.count % 8;
  }

  atEnd(): boolean {
    return this.pos >= this.data.length && this.count < 8;
  }
}

class Output {
  buffer: Uint8Array;
  length = 0;
  constructor(private readonly cap: number) {
    this.buffer = new Uint8Array(Math.min(cap, 1 << 20));
  }

  /** Makes room for `n` more bytes and returns the (possibly new) buffer; throws past the cap. */
  grow(n: number): Uint8Array {
    const needed = this.length + n;
    if (needed > this.cap) {
      this.length = Math.min(this.length, this.cap);
      throw new CapReached();
    }
    if (needed > this.buffer.length) {
      const bigger = new Uint8Array(Math.min(Math.max(this.buffer.length * 2, needed), this.cap));
      bigger.set(this.buffer.subarray(0, this.length));
      this.buffer = bigger;
    }
    return this.buffer;
  }
}

interface Huffman {
  limit: Int32Array;
  base: Int32Array;
  perm: Int32Array;
  minLen: number;
}

function buildHuffman(lengths: Uint8Array, alphaSize: number): Huffman {
  let minLen = 32;
  let maxLen = 0;
  for (let i = 0; i < alphaSize; i++) {
    const l = lengths[i] ?? 0;
    if (l > maxLen) maxLen = l;
    if (l < minLen) minLen = l;
  }
  const perm = new Int32Array(MAX_ALPHA);
  let pp = 0;
  for (let l = minLen; l <= maxLen; l++) {
    for (let s = 0; s < alphaSize; s++) if (lengths[s] === l) perm[pp++] = s;
  }
  const count = new Int32Array(MAX_CODE_LEN + 2);
  for (let s = 0; s < alphaSize; s++) count[(lengths[s] ?? 0) + 1]! += 1;
  for (let i = 1; i < count.length; i++) count[i]! += count[i - 1]!;
  const limit = new Int32Array(MAX_CODE_LEN + 2).fill(-1);
  const base = new Int32Array(MAX_CODE_LEN + 2);
  let vec = 0;
  for (let l = minLen; l <= maxLen; l++) {
    vec += count[l + 1]! - count[l]!;
    limit[l] = vec - 1;
    vec <<= 1;
  }
  for (let l = minLen; l <= maxLen; l++) {
    // base[l] maps a code of length l to its index in perm.
    base[l] = (l === minLen ? 0 : (limit[l - 1]! + 1) << 1) - count[l]!;
  }
  return { limit, base, perm, minLen };
}

function decodeSymbol(reader: BitReader, table: Huffman, alphaSize: number): number {
  let length = table.minLen;
  let code = reader.bits(length);
  while (length <= MAX_CODE_LEN) {
    if (code <= table.limit[length]!) {
      const index = code - table.base[length]!;
      if (index < 0 || index >= alphaSize) throw new BzError('bad bzip2 Huffman code');
      return table.perm[index]!;
    }
    length++;
    code = (code << 1) | reader.bit();
  }
  throw new BzError('bad bzip2 Huffman code');
}

/** Decodes one block into `out`; returns the block CRC as computed. */
function decodeBlock(reader: BitReader, blockSizeMax: number, tt: Uint32Array, out: Output): { expected: number; actual: number } {
  const expected = reader.bits(32);
  if (reader.bit()) throw new BzError('randomised bzip2 blocks are not supported');
  const origPtr = reader.bits(24);

  // Symbol map: which byte values occur.
  const seqToUnseq = new Uint8Array(256);
  let inUse = 0;
  const used16 = reader.bits(16);
  for (let i = 0; i < 16; i++) {
    if (used16 & (0x8000 >>> i)) {
      const bits = reader.bits(16);
      for (let j = 0; j < 16; j++) if (bits & (0x8000 >>> j)) seqToUnseq[inUse++] = i * 16 + j;
    }
  }
  if (inUse === 0) throw new BzError('bzip2 block uses no symbols');
  const alphaSize = inUse + 2;

  const groups = reader.bits(3);
  if (groups < 2 || groups > MAX_GROUPS) throw new BzError('bad bzip2 group count');
  const selectorCount = reader.bits(15);
  if (selectorCount < 1) throw new BzError('bad bzip2 selector count');
  const mtfGroups = [0, 1, 2, 3, 4, 5].slice(0, groups);
  const selectors = new Uint8Array(Math.min(selectorCount, MAX_SELECTORS));
  for (let i = 0; i < selectorCount; i++) {
    let j = 0;
    while (reader.bit()) {
      j++;
      if (j >= groups) throw new BzError('bad bzip2 selector');
    }
    const value = mtfGroups[j]!;
    mtfGroups.splice(j, 1);
    mtfGroups.unshift(value);
    if (i < selectors.length) selectors[i] = value;
  }

  const tables: Huffman[] = [];
  const lengths = new Uint8Array(MAX_ALPHA);
  for (let g = 0; g < groups; g++) {
    let current = reader.bits(5);
    for (let s = 0; s < alphaSize; s++) {
      for (;;) {
        if (current < 1 || current > MAX_CODE_LEN) throw new BzError('bad bzip2 code length');
        if (!reader.bit()) break;
        current += reader.bit() ? -1 : 1;
      }
      lengths[s] = current;
    }
    tables.push(buildHuffman(lengths, alphaSize));
  }

  // MTF/RLE2 decoding into tt (low 8 bits = byte), counting bytes for the inverse BWT.
  const counts = new Int32Array(256);
  const mtf = new Uint8Array(256);
  for (let i = 0; i < 256; i++) mtf[i] = i;
  const eob = inUse + 1;
  let count = 0;
  let selector = 0;
  let groupLeft = 0;
  let table = tables[0]!;
  let runLength = 0;
  let runWeight = 1;
  for (;;) {
    if (groupLeft === 0) {
      if (selector >= selectors.length) throw new BzError('bzip2 selectors exhausted');
      table = tables[selectors[selector++]!]!;
      groupLeft = GROUP_SIZE;
    }
    groupLeft--;
    const sym = decodeSymbol(reader, table, alphaSize);
    if (sym <= 1) {
      runLength += (sym + 1) * runWeight;
      runWeight <<= 1;
      if (runLength > blockSizeMax) throw new BzError('bzip2 run too long');
      continue;
    }
    if (runLength > 0) {
      if (count + runLength > blockSizeMax) throw new BzError('bzip2 block too long');
      const byte = seqToUnseq[mtf[0]!]!;
      counts[byte]! += runLength;
      tt.fill(byte, count, count + runLength);
      count += runLength;
      runLength = 0;
      runWeight = 1;
    }
    if (sym === eob) break;
    if (count >= blockSizeMax) throw new BzError('bzip2 block too long');
    const index = sym - 1;
    const value = mtf[index]!;
    for (let k = index; k > 0; k--) mtf[k] = mtf[k - 1]!;
    mtf[0] = value;
    const byte = seqToUnseq[value]!;
    counts[byte]! += 1;
    tt[count++] = byte;
  }
  if (origPtr >= count) throw new BzError('bad bzip2 origin pointer');

  // Inverse BWT.
  const start = new Int32Array(256);
  for (let i = 0, sum = 0; i < 256; i++) {
    start[i] = sum;
    sum += counts[i]!;
  }
  for (let i = 0; i < count; i++) {
    const byte = tt[i]! & 0xff;
    const k = start[byte]!++;
    tt[k] = (tt[k]! | (i << 8)) >>> 0;
  }

  // Undo the initial run-length encoding (4 equal bytes, then a repeat count) while writing out.
  let crc = 0xffffffff;
  let pos = tt[origPtr]! >>> 8;
  let last = -1;
  let same = 0;
  let buffer = out.buffer;
  let length = out.length;
  for (let i = 0; i < count; i++) {
    const entry = tt[pos]!;
    const byte = entry & 0xff;
    pos = entry >>> 8;
    let value = byte;
    let repeat = 1;
    if (same === 4) {
      value = last;
      repeat = byte;
      same = 0;
      last = -1;
    } else if (byte === last) {
      same++;
    } else {
      last = byte;
      same = 1;
    }
    if (length + repeat > buffer.length) {
      out.length = length;
      buffer = out.grow(repeat);
    }
    for (let r = 0; r < repeat; r++) {
      crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ value) & 0xff]!) >>> 0;
      buffer[length++] = value;
    }
  }
  out.length = length;
  return { expected, actual: (crc ^ 0xffffffff) >>> 0 };
}

/** Decodes bzip2 data (one or more concatenated streams) producing at most `cap` bytes. */
export function bunzip2(input: Uint8Array, cap: number): Bounded {
  const out = new Output(cap);
  const reader = new BitReader(input);
  const result = (extra: Partial<Bounded>): Bounded => ({
    data: out.buffer.subarray(0, Math.min(out.length, cap)),
    capped: false,
    ...extra,
  });
  try {
    let streams = 0;
    while (!reader.atEnd()) {
      if (reader.bits(8) !== 0x42 || reader.bits(8) !== 0x5a || reader.bits(8) !== 0x68) {
        if (streams > 0) break; // trailing garbage after a complete stream
        throw new BzError('not bzip2 data');
      }
      const level = reader.bits(8) - 0x30;
      if (level < 1 || level > 9) throw new BzError('bad bzip2 block size');
      const blockSizeMax = level * 100_000;
      const tt = new Uint32Array(blockSizeMax);
      let combined = 0;
      for (;;) {
        const magicHigh = reader.bits(24);
        const magicLow = reader.bits(24);
        if (magicHigh === 0x314159 && magicLow === 0x265359) {
          const { expected, actual } = decodeBlock(reader, blockSizeMax, tt, out);
          if (expected !== actual) throw new BzError('bzip2 block CRC mismatch');
          combined = (((combined << 1) | (combined >>> 31)) ^ actual) >>> 0;
        } else if (magicHigh === 0x177245 && magicLow === 0x385090) {
          if (reader.bits(32) !== combined) throw new BzError('bzip2 stream CRC mismatch');
          reader.alignToByte();
          break;
        } else {
          throw new BzError('bad bzip2 block header');
        }
      }
      streams++;
    }
    return result({});
  } catch (error) {
    if (error instanceof CapReached) return result({ capped: true });
    if (error instanceof BzError) return result({ error: error.message });
    throw error;
  }
}
