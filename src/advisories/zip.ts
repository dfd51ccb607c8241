import { inflateSync } from 'fflate';
import { VigilError } from '../core/errors.js';

export interface ZipLimits {
  maxEntries: number;
  /** Max uncompressed bytes of one entry. */
  maxEntryBytes: number;
  /** Max uncompressed/compressed ratio of one entry. */
  maxRatio: number;
}

export const OSV_ZIP_LIMITS: ZipLimits = { maxEntries: 3_000_000, maxEntryBytes: 32 * 1024 * 1024, maxRatio: 1_000 };

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

function corrupt(message: string): VigilError {
  return new VigilError('E_ARCHIVE', `zip: ${message}`);
}

function findEocd(view: DataView): number {
  const min = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let i = view.byteLength - 22; i >= min; i--) {
    if (view.getUint32(i, true) === SIG_EOCD) return i;
  }
  throw corrupt('end of central directory not found');
}

function u64(view: DataView, offset: number): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt('64-bit field out of range');
  return Number(value);
}

/**
 * Walks the entries of a zip held in memory and hands each regular file's bytes to `onEntry`, one at
 * a time (so a large export is never fully decompressed at once). Supports stored and deflated
 * entries and ZIP64. The entry count of the end record is not trusted: the central directory is
 * walked by signature within its stated bounds. Names are returned as written (callers never use
 * them as paths on disk).
 */
export function forEachZipEntry(
  bytes: Uint8Array,
  onEntry: (name: string, data: Uint8Array) => void,
  limits: ZipLimits = OSV_ZIP_LIMITS,
): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 22) throw corrupt('file too small');
  const eocd = findEocd(view);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  const locator = eocd - 20;
  if (locator >= 0 && view.getUint32(locator, true) === SIG_EOCD64_LOCATOR) {
    const eocd64 = u64(view, locator + 8);
    if (eocd64 + 56 <= bytes.byteLength && view.getUint32(eocd64, true) === SIG_EOCD64) {
      cdSize = u64(view, eocd64 + 40);
      cdOffset = u64(view, eocd64 + 48);
    }
  }
  if (cdOffset + cdSize > bytes.byteLength) throw corrupt('central directory out of bounds');
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let p = cdOffset;
  const end = cdOffset + cdSize;
  let count = 0;
  while (p + 46 <= end && view.getUint32(p, true) === SIG_CENTRAL) {
    if (++count > limits.maxEntries) throw new VigilError('E_LIMIT', `zip: more than ${limits.maxEntries} entries`);
    const method = view.getUint16(p + 10, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let localOffset = view.getUint32(p + 42, true);
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extended information: the fields that are 0xFFFFFFFF in the header, in this order.
    let x = p + 46 + nameLen;
    const extraEnd = x + extraLen;
    while (x + 4 <= extraEnd) {
      const tag = view.getUint16(x, true);
      const len = view.getUint16(x + 2, true);
      if (tag === 0x0001) {
        let q = x + 4;
        if (size === 0xffffffff && q + 8 <= x + 4 + len) {
          size = u64(view, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff && q + 8 <= x + 4 + len) {
          compressedSize = u64(view, q);
          q += 8;
        }
        if (localOffset === 0xffffffff && q + 8 <= x + 4 + len) localOffset = u64(view, q);
      }
      x += 4 + len;
    }
    p = extraEnd + commentLen;
    if (name.endsWith('/')) continue;
    if (localOffset + 30 > bytes.byteLength || view.getUint32(localOffset, true) !== SIG_LOCAL) {
      throw corrupt(`bad local header for ${JSON.stringify(name.slice(0, 100))}`);
    }
    const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (dataStart + compressedSize > bytes.byteLength) throw corrupt('entry data out of bounds');
    if (size > limits.maxEntryBytes) throw new VigilError('E_LIMIT', `zip: entry ${name.slice(0, 100)} is larger than ${limits.maxEntryBytes} bytes`);
    if (compressedSize > 0 && size / compressedSize > limits.maxRatio) {
      throw new VigilError('E_LIMIT', `zip: entry ${name.slice(0, 100)} exceeds the compression ratio limit`);
    }
    const raw = bytes.subarray(dataStart, dataStart + compressedSize);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = inflateSync(raw, { out: new Uint8Array(size) });
      } catch (error) {
        throw corrupt(`cannot inflate ${name.slice(0, 100)}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (data.byteLength !== size) throw corrupt(`size mismatch for ${name.slice(0, 100)}`);
    } else throw corrupt(`unsupported compression method ${method}`);
    onEntry(name, data);
  }
  return count;
}
