/**
 * A small synchronous xz (LZMA2) decoder for `.tar.xz` sdists and xz data hiding behind a `.tar.gz`
 * name. Same reasons as the bzip2 decoder: no dependency, sync, bounded output (stops as soon as the
 * output passes `cap`), every index and distance checked against hostile input.
 *
 * Supported: single or concatenated-block xz streams whose only filter is LZMA2 (what `xz` writes by
 * default). BCJ/delta filter chains are reported as unsupported. Integrity checks (CRC32/CRC64/SHA-256)
 * are skipped: the decoder validates structure, and artifact bytes were already verified by hash.
 */
import type { Bounded } from './decompress.js';

class XzError extends Error {}
class CapReached extends Error {}

const HEADER_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];
const PROB_INIT = 1024;

/** Output buffer that doubles as the LZMA dictionary (everything is kept in memory anyway). */
class Output {
  buffer: Uint8Array;
  length = 0;
  constructor(private readonly cap: number) {
    this.buffer = new Uint8Array(Math.min(Math.max(cap, 1), 1 << 20));
  }
  ensure(n: number): void {
    const needed = this.length + n;
    if (needed > this.cap) throw new CapReached();
    if (needed > this.buffer.length) {
      const bigger = new Uint8Array(Math.min(Math.max(this.buffer.length * 2, needed), this.cap));
      bigger.set(this.buffer.subarray(0, this.length));
      this.buffer = bigger;
    }
  }
}

class RangeDecoder {
  range = 0xffffffff;
  code = 0;
  pos: number;
  constructor(
    private readonly data: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    if (end - start < 5 || data[start] !== 0) throw new XzError('bad LZMA range coder start');
    this.pos = start + 1;
    for (let i = 0; i < 4; i++) this.code = this.code * 256 + this.next();
    if (this.code === this.range) throw new XzError('bad LZMA range coder start');
  }
  private next(): number {
    if (this.pos >= this.end) throw new XzError('LZMA chunk overrun');
    return this.data[this.pos++] ?? 0;
  }
  bit(probs: Uint16Array, index: number): number {
    const prob = probs[index] ?? PROB_INIT;
    const bound = (this.range >>> 11) * prob;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probs[index] = prob + ((2048 - prob) >>> 5);
      bit = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[index] = prob - (prob >>> 5);
      bit = 1;
    }
    if (this.range < 0x1000000) {
      this.range = this.range * 256;
      this.code = this.code * 256 + this.next();
    }
    return bit;
  }
  direct(count: number): number {
    let result = 0;
    for (let i = 0; i < count; i++) {
      this.range = Math.floor(this.range / 2);
      let bit = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        bit = 1;
      }
      result = result * 2 + bit;
      if (this.range < 0x1000000) {
        this.range = this.range * 256;
        this.code = this.code * 256 + this.next();
      }
    }
    return result;
  }
  tree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(probs, base + m);
    return m - (1 << bits);
  }
  reverseTree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    let result = 0;
    for (let i = 0; i < bits; i++) {
      const bit = this.bit(probs, base + m);
      m = (m << 1) | bit;
      result |= bit << i;
    }
    return result;
  }
}

class LenDecoder {
  probs = new Uint16Array(2 + 16 * 8 + 16 * 8 + 256);
  reset(): void {
    this.probs.fill(PROB_INIT);
  }
  decode(rc: RangeDecoder, posState: number): number {
    if (rc.bit(this.probs, 0) === 0) return 2 + rc.tree(this.probs, 2 + posState * 8, 3);
    if (rc.bit(this.probs, 1) === 0) return 10 + rc.tree(this.probs, 2 + 128 + posState * 8, 3);
    return 18 + rc.tree(this.probs, 2 + 256, 8);
  }
}

class LzmaState {
  lc = 0;
  lp = 0;
  pb = 0;
  literal = new Uint16Array(0x300 << 4);
  isMatch = new Uint16Array(12 * 16);
  isRep = new Uint16Array(12);
  isRepG0 = new Uint16Array(12);
  isRepG1 = new Uint16Array(12);
  isRepG2 = new Uint16Array(12);
  isRep0Long = new Uint16Array(12 * 16);
  distSlot = new Uint16Array(4 * 64);
  distSpecial = new Uint16Array(114);
  distAlign = new Uint16Array(16);
  matchLen = new LenDecoder();
  repLen = new LenDecoder();
  state = 0;
  reps = [0, 0, 0, 0];

  setProps(props: number): void {
    if (props > 224) throw new XzError('bad LZMA properties');
    this.lc = props % 9;
    const rest = Math.floor(props / 9);
    this.lp = rest % 5;
    this.pb = Math.floor(rest / 5);
    if (this.lc + this.lp > 4 || this.pb > 4) throw new XzError('bad LZMA2 properties');
    if (this.literal.length !== 0x300 << (this.lc + this.lp)) this.literal = new Uint16Array(0x300 << (this.lc + this.lp));
  }

  reset(): void {
    for (const probs of [this.literal, this.isMatch, this.isRep, this.isRepG0, this.isRepG1, this.isRepG2, this.isRep0Long, this.distSlot, this.distSpecial, this.distAlign]) {
      probs.fill(PROB_INIT);
    }
    this.matchLen.reset();
    this.repLen.reset();
    this.state = 0;
    this.reps = [0, 0, 0, 0];
  }
}

/** Decodes one LZMA chunk of `unpacked` bytes from data[start, end) into `out`. */
function decodeLzmaChunk(s: LzmaState, data: Uint8Array, start: number, end: number, unpacked: number, out: Output, dictStart: number): void {
  const rc = new RangeDecoder(data, start, end);
  out.ensure(unpacked);
  const buf = out.buffer;
  let pos = out.length;
  const stop = pos + unpacked;
  const pbMask = (1 << s.pb) - 1;
  const lpMask = (1 << s.lp) - 1;
  let [rep0, rep1, rep2, rep3] = s.reps as [number, number, number, number];
  let state = s.state;
  while (pos < stop) {
    const dictPos = pos - dictStart;
    const posState = dictPos & pbMask;
    if (rc.bit(s.isMatch, (state << 4) | posState) === 0) {
      const prev = pos > dictStart ? (buf[pos - 1] ?? 0) : 0;
      const base = 0x300 * (((dictPos & lpMask) << s.lc) + (prev >>> (8 - s.lc)));
      let symbol = 1;
      if (state >= 7) {
        if (rep0 >= dictPos) throw new XzError('LZMA distance out of range');
        let matchByte = buf[pos - rep0 - 1] ?? 0;
        while (symbol < 0x100) {
          const matchBit = (matchByte >>> 7) & 1;
          matchByte = (matchByte << 1) & 0xff;
          const bit = rc.bit(s.literal, base + ((1 + matchBit) << 8) + symbol);
          symbol = (symbol << 1) | bit;
          if (matchBit !== bit) break;
        }
      }
      while (symbol < 0x100) symbol = (symbol << 1) | rc.bit(s.literal, base + symbol);
      buf[pos++] = symbol & 0xff;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len: number;
    if (rc.bit(s.isRep, state) === 0) {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = s.matchLen.decode(rc, posState);
      state = state < 7 ? 7 : 10;
      const lenState = Math.min(len - 2, 3);
      const slot = rc.tree(s.distSlot, lenState * 64, 6);
      if (slot < 4) {
        rep0 = slot;
      } else {
        const direct = (slot >>> 1) - 1;
        let dist = (2 + (slot & 1)) * 2 ** direct;
        if (slot < 14) {
          dist += rc.reverseTree(s.distSpecial, dist - slot - 1, direct);
        } else {
          dist += rc.direct(direct - 4) * 16;
          dist += rc.reverseTree(s.distAlign, 0, 4);
        }
        if (dist >= 0xffffffff) throw new XzError('unexpected LZMA end marker in LZMA2 data');
        rep0 = dist;
      }
    } else {
      if (rc.bit(s.isRepG0, state) === 0) {
        if (rc.bit(s.isRep0Long, (state << 4) | posState) === 0) {
          if (rep0 >= dictPos) throw new XzError('LZMA distance out of range');
          state = state < 7 ? 9 : 11;
          buf[pos] = buf[pos - rep0 - 1] ?? 0;
          pos++;
          continue;
        }
      } else {
        let dist: number;
        if (rc.bit(s.isRepG1, state) === 0) {
          dist = rep1;
        } else {
          if (rc.bit(s.isRepG2, state) === 0) {
            dist = rep2;
          } else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = s.repLen.decode(rc, posState);
      state = state < 7 ? 8 : 11;
    }
    if (rep0 >= dictPos) throw new XzError('LZMA distance out of range');
    if (pos + len > stop) throw new XzError('LZMA match crosses the chunk end');
    let from = pos - rep0 - 1;
    for (let i = 0; i < len; i++) buf[pos++] = buf[from++] ?? 0;
  }
  out.length = pos;
  s.state = state;
  s.reps = [rep0, rep1, rep2, rep3];
}

function readVarint(data: Uint8Array, pos: number, end: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (pos >= end) throw new XzError('truncated xz header');
    const byte = data[pos++] ?? 0;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return [value, pos];
  }
  throw new XzError('bad xz varint');
}

/** Decodes the LZMA2 data of one block starting at `pos`; returns the position after its end marker. */
function decodeLzma2(data: Uint8Array, pos: number, out: Output, s: LzmaState): number {
  let dictStart = -1;
  let needProps = true;
  for (;;) {
    if (pos >= data.length) throw new XzError('truncated LZMA2 data');
    const control = data[pos++] ?? 0;
    if (control === 0x00) return pos;
    if (control === 0x01 || control === 0x02) {
      if (control === 0x01) dictStart = out.length;
      if (dictStart < 0) throw new XzError('LZMA2 data without dictionary reset');
      if (pos + 2 > data.length) throw new XzError('truncated LZMA2 chunk');
      const size = (((data[pos] ?? 0) << 8) | (data[pos + 1] ?? 0)) + 1;
      pos += 2;
      if (pos + size > data.length) throw new XzError('truncated LZMA2 chunk');
      out.ensure(size);
      out.buffer.set(data.subarray(pos, pos + size), out.length);
      out.length += size;
      pos += size;
      continue;
    }
    if (control < 0x80) throw new XzError('bad LZMA2 control byte');
    if (pos + 4 > data.length) throw new XzError('truncated LZMA2 chunk');
    const unpacked = (control & 0x1f) * 65536 + (((data[pos] ?? 0) << 8) | (data[pos + 1] ?? 0)) + 1;
    const packed = (((data[pos + 2] ?? 0) << 8) | (data[pos + 3] ?? 0)) + 1;
    pos += 4;
    const reset = (control >>> 5) & 3;
    if (reset === 3) dictStart = out.length;
    if (dictStart < 0) throw new XzError('LZMA2 data without dictionary reset');
    if (reset >= 2) {
      if (pos >= data.length) throw new XzError('truncated LZMA2 chunk');
      s.setProps(data[pos++] ?? 0);
      needProps = false;
    } else if (needProps) {
      throw new XzError('LZMA2 chunk without properties');
    }
    if (reset >= 1) s.reset();
    if (pos + packed > data.length) throw new XzError('truncated LZMA2 chunk');
    decodeLzmaChunk(s, data, pos, pos + packed, unpacked, out, dictStart);
    pos += packed;
  }
}

/** Decodes xz data producing at most `cap` bytes. */
export function unxz(input: Uint8Array, cap: number): Bounded {
  const out = new Output(cap);
  const result = (extra: Partial<Bounded>): Bounded => ({ data: out.buffer.subarray(0, Math.min(out.length, cap)), capped: false, ...extra });
  try {
    if (input.length < 12 || !HEADER_MAGIC.every((b, i) => input[i] === b)) throw new XzError('not xz data');
    const checkType = (input[7] ?? 0) & 0x0f;
    if (input[6] !== 0 || (input[7] ?? 0) > 0x0f) throw new XzError('unsupported xz stream flags');
    const checkSize = CHECK_SIZES[checkType] ?? 0;
    const s = new LzmaState();
    let pos = 12;
    for (;;) {
      if (pos >= input.length) throw new XzError('truncated xz stream');
      const sizeByte = input[pos] ?? 0;
      if (sizeByte === 0) break; // the index follows: all blocks are done
      const headerStart = pos;
      const headerEnd = headerStart + (sizeByte + 1) * 4;
      if (headerEnd > input.length) throw new XzError('truncated xz block header');
      const flags = input[pos + 1] ?? 0;
      pos += 2;
      if (flags & 0x3c) throw new XzError('unsupported xz block flags');
      if (flags & 0x40) pos = readVarint(input, pos, headerEnd)[1];
      if (flags & 0x80) pos = readVarint(input, pos, headerEnd)[1];
      const filters = (flags & 0x03) + 1;
      let lastFilter = -1;
      for (let i = 0; i < filters; i++) {
        let id: number;
        let propsSize: number;
        [id, pos] = readVarint(input, pos, headerEnd);
        [propsSize, pos] = readVarint(input, pos, headerEnd);
        pos += propsSize;
        lastFilter = id;
        if (filters > 1) throw new XzError(`xz filter chain with filter 0x${id.toString(16)} is not supported`);
      }
      if (lastFilter !== 0x21) throw new XzError('xz block does not use LZMA2');
      if (pos > headerEnd) throw new XzError('bad xz block header');
      const blockStart = headerStart;
      pos = decodeLzma2(input, headerEnd, out, s);
      // Block padding to a multiple of four, then the check.
      while ((pos - blockStart) % 4 !== 0) pos++;
      pos += checkSize;
    }
    return result({});
  } catch (error) {
    if (error instanceof CapReached) return result({ capped: true });
    if (error instanceof XzError) return result({ error: error.message });
    throw error;
  }
}
