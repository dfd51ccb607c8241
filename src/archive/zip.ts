/**
 * Zip reader over an in-memory buffer (wheels, eggs, zip sdists). Reads the central directory (zip64
 * aware, tolerant of prepended data) and falls back to walking local headers when it is missing.
 * Each deflated entry is inflated in bounded steps, so per-file size, total size and per-entry ratio
 * are enforced while inflating.
 */
import { crc32 } from 'node:zlib';
import { inflateBounded } from './decompress.js';
import { RATIO_FLOOR_BYTES, StopReading, decodeName } from './tree.js';
import type { TreeBuilder } from './tree.js';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;

interface ZipEntry {
  nameBytes: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  compSize: number;
  size: number;
  /** Unix mode bits, when the entry was made on unix. */
  mode?: number;
  /** Offset of the entry's data (after the local header). */
  dataOffset: number;
}

function u16(view: DataView, offset: number): number {
  return view.getUint16(offset, true);
}
function u32(view: DataView, offset: number): number {
  return view.getUint32(offset, true);
}
function u64(view: DataView, offset: number): number {
  const value = view.getBigUint64(offset, true);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.NaN : Number(value);
}

function findEocd(view: DataView): number {
  const min = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let pos = view.byteLength - 22; pos >= min; pos--) {
    if (u32(view, pos) === SIG_EOCD) return pos;
  }
  return -1;
}

function localDataOffset(view: DataView, localOffset: number): number {
  if (localOffset < 0 || localOffset + 30 > view.byteLength || u32(view, localOffset) !== SIG_LOCAL) return -1;
  return localOffset + 30 + u16(view, localOffset + 26) + u16(view, localOffset + 28);
}

/** Central directory entries, or undefined when there is no usable central directory. */
function centralEntries(view: DataView, tree: TreeBuilder): ZipEntry[] | undefined {
  const eocd = findEocd(view);
  if (eocd < 0) return undefined;
  let count = u16(view, eocd + 10);
  let cdSize = u32(view, eocd + 12);
  let cdOffset = u32(view, eocd + 16);
  let cdEnd = eocd;
  const locator = eocd - 20;
  if (locator >= 0 && u32(view, locator) === SIG_EOCD64_LOCATOR) {
    const eocd64 = u64(view, locator + 8);
    if (Number.isFinite(eocd64) && eocd64 + 56 <= view.byteLength && u32(view, eocd64) === SIG_EOCD64) {
      count = u64(view, eocd64 + 32);
      cdSize = u64(view, eocd64 + 40);
      cdOffset = u64(view, eocd64 + 48);
      cdEnd = eocd64;
    }
  }
  // Data prepended to the archive (self-extractors) shifts every offset by the same amount.
  const base = cdEnd - cdSize - cdOffset;
  if (!Number.isFinite(base) || base < 0 || cdOffset + base + cdSize > view.byteLength) return undefined;

  const entries: ZipEntry[] = [];
  let pos = cdOffset + base;
  for (let i = 0; i < count; i++) {
    if (pos + 46 > view.byteLength || u32(view, pos) !== SIG_CENTRAL) {
      tree.issue('corrupt', `zip central directory is damaged after ${i} of ${count} entries`);
      break;
    }
    const madeBy = u16(view, pos + 4) >> 8;
    const nameLength = u16(view, pos + 28);
    const extraLength = u16(view, pos + 30);
    const commentLength = u16(view, pos + 32);
    const attrs = u32(view, pos + 38);
    let compSize = u32(view, pos + 20);
    let size = u32(view, pos + 24);
    let localOffset = u32(view, pos + 42);
    const nameStart = pos + 46;
    if (nameStart + nameLength + extraLength > view.byteLength) {
      tree.issue('corrupt', 'zip central directory is truncated');
      break;
    }
    // zip64 extended information: only the fields that overflowed are present, in this order.
    let extra = nameStart + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = u16(view, extra);
      const length = u16(view, extra + 2);
      if (id === 0x0001) {
        let p = extra + 4;
        const end = Math.min(extra + 4 + length, extraEnd);
        if (size === 0xffffffff && p + 8 <= end) {
          size = u64(view, p);
          p += 8;
        }
        if (compSize === 0xffffffff && p + 8 <= end) {
          compSize = u64(view, p);
          p += 8;
        }
        if (localOffset === 0xffffffff && p + 8 <= end) localOffset = u64(view, p);
      }
      extra += 4 + length;
    }
    const bytes = new Uint8Array(view.buffer, view.byteOffset + nameStart, nameLength);
    const entry: ZipEntry = {
      nameBytes: bytes,
      flags: u16(view, pos + 8),
      method: u16(view, pos + 10),
      crc: u32(view, pos + 16),
      compSize,
      size,
      dataOffset: localDataOffset(view, localOffset + base),
    };
    if (madeBy === 3 || madeBy === 19) entry.mode = attrs >>> 16;
    entries.push(entry);
    pos = extraEnd + commentLength;
  }
  return entries;
}

/** Walks local headers from the start when the central directory is unusable. */
function localEntries(view: DataView): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let pos = 0;
  while (pos + 30 <= view.byteLength && u32(view, pos) === SIG_LOCAL) {
    const flags = u16(view, pos + 6);
    const compSize = u32(view, pos + 18);
    const dataOffset = localDataOffset(view, pos);
    if (flags & 0x08 && compSize === 0) break; // sizes are in a data descriptor we cannot locate safely
    entries.push({
      nameBytes: new Uint8Array(view.buffer, view.byteOffset + pos + 30, u16(view, pos + 26)),
      flags,
      method: u16(view, pos + 8),
      crc: u32(view, pos + 14),
      compSize,
      size: u32(view, pos + 22),
      dataOffset,
    });
    pos = dataOffset + compSize;
  }
  return entries;
}

const S_IFMT = 0o170000;
const MODE_KIND: Record<number, { code: 'link' | 'device'; label: string }> = {
  0o120000: { code: 'link', label: 'symbolic link' },
  0o020000: { code: 'device', label: 'character device' },
  0o060000: { code: 'device', label: 'block device' },
  0o010000: { code: 'device', label: 'fifo' },
  0o140000: { code: 'device', label: 'socket' },
};

/** Reads a zip archive into `tree`; returns false when no zip structure at all was found. */
export function readZip(data: Uint8Array, tree: TreeBuilder): boolean {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let entries = centralEntries(view, tree);
  if (entries === undefined) {
    entries = localEntries(view);
    if (entries.length === 0) return false;
    tree.issue('corrupt', `zip central directory missing or damaged; ${entries.length} entries read from local headers`);
  }
  const wholeRatioCap = Math.max(data.length * tree.limits.maxRatio, RATIO_FLOOR_BYTES);
  // A zip nested in a larger archive is measured by what it adds itself, not by the whole tree so far.
  const startBytes = tree.totalBytes;
  try {
    for (const entry of entries) {
      tree.countEntry();
      const decoded = decodeName(entry.nameBytes);
      const rawName = decoded.name.replace(/\\/g, '/');
      const kind = entry.mode !== undefined ? MODE_KIND[entry.mode & S_IFMT] : undefined;
      if (kind !== undefined) {
        const shown = rawName.replace(/^\/+/, '');
        tree.issue(kind.code, `${kind.label} entry dropped: ${shown}`, shown);
        continue;
      }
      if (rawName.endsWith('/') || (entry.mode !== undefined && (entry.mode & S_IFMT) === 0o040000)) continue;
      const path = tree.checkPath(rawName, decoded.lossy);
      if (path === undefined) continue;
      if (entry.flags & 0x01) {
        tree.issue('corrupt', `encrypted zip entry not read: ${path}`, path);
        continue;
      }
      if (entry.dataOffset < 0 || entry.dataOffset + entry.compSize > data.length) {
        tree.issue('corrupt', `zip entry ${path} points outside the archive`, path);
        continue;
      }
      const raw = data.subarray(entry.dataOffset, entry.dataOffset + entry.compSize);
      let content: Uint8Array;
      if (entry.method === 0) {
        if (tree.admit(path, raw.length) === 'skip') continue;
        content = raw;
      } else if (entry.method === 8) {
        if (tree.admit(path, entry.size) === 'skip') continue;
        const ratioCap = Math.max(raw.length * tree.limits.maxRatio, RATIO_FLOOR_BYTES);
        const cap = Math.min(tree.limits.maxFileBytes, tree.remaining(), ratioCap);
        const out = inflateBounded(raw, cap);
        if (out.capped) {
          if (cap === ratioCap) {
            tree.issue('compression-ratio', `${path} expands more than ${tree.limits.maxRatio}x (zip bomb?); not read`, path);
            continue;
          }
          if (cap === tree.limits.maxFileBytes) {
            tree.issue('file-too-large', `${path} is over the ${tree.limits.maxFileBytes}-byte limit; not read`, path);
            continue;
          }
          tree.issue('too-large', `archive expands past ${tree.limits.maxTotalBytes} bytes; the rest was not read`, path);
          tree.stop();
        }
        if (out.error !== undefined) {
          tree.issue('corrupt', `zip entry ${path} is corrupt (${out.error}); ${out.data.length} bytes recovered`, path);
          tree.add(path, out.data);
          continue;
        }
        content = out.data;
      } else {
        tree.issue('corrupt', `zip entry ${path} uses unsupported compression method ${entry.method}; not read`, path);
        continue;
      }
      if (content.length !== entry.size || crc32(content) !== entry.crc) {
        tree.issue('corrupt', `zip entry ${path} does not match its recorded size or CRC`, path);
      }
      tree.add(path, content);
      if (tree.totalBytes - startBytes > wholeRatioCap) {
        tree.issue('compression-ratio', `archive expands more than ${tree.limits.maxRatio}x its size (zip bomb?); the rest was not read`);
        tree.stop();
      }
    }
  } catch (error) {
    if (!(error instanceof StopReading)) throw error;
  }
  return true;
}
