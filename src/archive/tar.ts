/**
 * Tar reader over an in-memory buffer: ustar, GNU (long names, base-256 sizes) and pax headers.
 * File data is returned as views into the buffer (no copy). Links, devices and fifos are dropped and
 * reported; a bad checksum or a short entry ends reading with a `corrupt` issue.
 */
import { StopReading, decodeName } from './tree.js';
import type { TreeBuilder } from './tree.js';

const BLOCK = 512;
/** Pax and GNU long-name payloads larger than this are treated as corrupt. */
const MAX_META_BYTES = 1024 * 1024;

const latin1 = new TextDecoder('latin1');

function field(block: Uint8Array, offset: number, length: number): Uint8Array {
  const raw = block.subarray(offset, offset + length);
  const nul = raw.indexOf(0);
  return nul >= 0 ? raw.subarray(0, nul) : raw;
}

/** Octal (NUL/space padded) or GNU base-256 number; NaN when malformed. */
function numeric(block: Uint8Array, offset: number, length: number): number {
  const first = block[offset] ?? 0;
  if (first & 0x80) {
    if (first === 0xff) return Number.NaN; // negative
    let value = first & 0x7f;
    for (let i = 1; i < length; i++) {
      value = value * 256 + (block[offset + i] ?? 0);
      if (value > Number.MAX_SAFE_INTEGER) return Number.NaN;
    }
    return value;
  }
  const text = latin1.decode(field(block, offset, length)).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return Number.NaN;
  return parseInt(text, 8);
}

function isZeroBlock(block: Uint8Array): boolean {
  for (const b of block) if (b !== 0) return false;
  return true;
}

/** Whether the block's checksum field matches (unsigned or signed sum, as old tars wrote either). */
export function validTarHeader(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false;
  const stored = numeric(block, 148, 8);
  if (Number.isNaN(stored)) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/** Parses pax records `LEN key=value\n`; malformed input returns undefined. */
function parsePax(data: Uint8Array): Map<string, Uint8Array> | undefined {
  const out = new Map<string, Uint8Array>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // padding
    const space = data.indexOf(0x20, pos);
    if (space < 0 || space - pos > 12) return undefined;
    const length = parseInt(latin1.decode(data.subarray(pos, space)), 10);
    if (!Number.isInteger(length) || length <= space - pos || pos + length > data.length) return undefined;
    const record = data.subarray(space + 1, pos + length - 1); // without the trailing newline
    const eq = record.indexOf(0x3d);
    if (eq < 0) return undefined;
    out.set(latin1.decode(record.subarray(0, eq)), record.subarray(eq + 1));
    pos += length;
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '6': 'fifo',
};

/**
 * Reads tar entries from `data` into `tree`. `truncatedByUs` says the buffer was cut short by a limit
 * (then a short final entry is not the archive's fault).
 */
export function readTar(data: Uint8Array, tree: TreeBuilder, truncatedByUs: boolean): void {
  let pos = 0;
  let longName: Uint8Array | undefined;
  let longLink: Uint8Array | undefined;
  let pax: Map<string, Uint8Array> | undefined;
  let globalPax: Map<string, Uint8Array> | undefined;
  const corrupt = (message: string): void => {
    if (!truncatedByUs) tree.issue('corrupt', message);
  };
  try {
    while (pos + BLOCK <= data.length) {
      const header = data.subarray(pos, pos + BLOCK);
      if (isZeroBlock(header)) return; // end of archive
      if (!validTarHeader(header)) {
        corrupt(`bad tar header checksum at offset ${pos}; the rest was not read`);
        return;
      }
      const size = numeric(header, 124, 12);
      if (Number.isNaN(size)) {
        corrupt(`bad tar size field at offset ${pos}; the rest was not read`);
        return;
      }
      const typeflag = String.fromCharCode(header[156] ?? 0);
      const dataStart = pos + BLOCK;
      const dataEnd = dataStart + size;
      const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      const body = (): Uint8Array | undefined => (dataEnd <= data.length ? data.subarray(dataStart, dataEnd) : undefined);

      // Meta entries that describe the next header.
      if (typeflag === 'L' || typeflag === 'K' || typeflag === 'x' || typeflag === 'g') {
        const payload = size <= MAX_META_BYTES ? body() : undefined;
        if (payload === undefined) {
          corrupt(`oversized or truncated tar extended header at offset ${pos}`);
          return;
        }
        if (typeflag === 'L') longName = field(payload, 0, payload.length);
        else if (typeflag === 'K') longLink = field(payload, 0, payload.length);
        else {
          const parsed = parsePax(payload);
          if (parsed === undefined) {
            corrupt(`malformed pax header at offset ${pos}; the rest was not read`);
            return;
          }
          if (typeflag === 'x') pax = parsed;
          else globalPax = parsed;
        }
        pos = next;
        continue;
      }

      tree.countEntry();
      const magic = latin1.decode(header.subarray(257, 263));
      let nameBytes = field(header, 0, 100);
      if (magic === 'ustar\0') {
        const prefix = field(header, 345, 155);
        if (prefix.length > 0) {
          const joined = new Uint8Array(prefix.length + 1 + nameBytes.length);
          joined.set(prefix);
          joined[prefix.length] = 0x2f;
          joined.set(nameBytes, prefix.length + 1);
          nameBytes = joined;
        }
      }
      const paxPath = pax?.get('path') ?? globalPax?.get('path');
      if (longName !== undefined) nameBytes = longName;
      if (paxPath !== undefined) nameBytes = paxPath;
      let entrySize = size;
      const paxSize = pax?.get('size');
      if (paxSize !== undefined) {
        const parsed = Number(latin1.decode(paxSize));
        if (Number.isSafeInteger(parsed) && parsed >= 0) entrySize = parsed;
      }
      const linkBytes = pax?.get('linkpath') ?? longLink ?? field(header, 157, 100);
      longName = undefined;
      longLink = undefined;
      pax = undefined;

      const { name, lossy } = decodeName(nameBytes);
      const entryEnd = dataStart + entrySize;
      const entryNext = dataStart + Math.ceil(entrySize / BLOCK) * BLOCK;

      const kind = TYPE_NAMES[typeflag];
      if (kind !== undefined) {
        const target = decodeName(linkBytes).name;
        const code = typeflag === '1' || typeflag === '2' ? 'link' : 'device';
        const shown = name.replace(/^\/+/, '');
        tree.issue(code, `${kind} entry dropped: ${shown}${target !== '' && code === 'link' ? ` -> ${target}` : ''}`, shown);
        pos = entryNext;
        continue;
      }
      if (typeflag === '5' || typeflag === 'V' || typeflag === 'M' || typeflag === 'N') {
        pos = entryNext;
        continue;
      }
      if (typeflag === 'S') {
        tree.issue('corrupt', `GNU sparse entry not supported, dropped: ${name}`, name);
        pos = entryNext;
        continue;
      }
      // '0', '\0', '7' and unknown types are regular files (as POSIX and Python's tarfile say).
      const path = tree.checkPath(name, lossy);
      if (path !== undefined && tree.admit(path, entrySize) === 'ok') {
        if (entryEnd > data.length) {
          corrupt(`tar entry ${path} is truncated`);
          return;
        }
        tree.add(path, data.subarray(dataStart, entryEnd));
      } else if (entryEnd > data.length) {
        corrupt('tar archive is truncated');
        return;
      }
      pos = entryNext;
    }
    // A missing end-of-archive marker exactly at an entry boundary is tolerated (as tar and Python do).
    if (pos < data.length) corrupt('tar archive is truncated (partial header)');
  } catch (error) {
    if (!(error instanceof StopReading)) throw error;
  }
}
