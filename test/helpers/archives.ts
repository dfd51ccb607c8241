/**
 * Fixture builders for tests: tar, tar.gz, zip, sdist, wheel and npm tarballs, built in memory.
 *
 * `files` maps a path to its content (a string is written as UTF-8). Every builder also takes `extra`
 * entries for hostile structure: links, devices, `../` and absolute names, raw (non-UTF-8) name bytes,
 * zip entries that lie about their size, etc. Nothing here touches the disk.
 */
import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32, deflateRawSync, gzipSync } from 'node:zlib';

export type FileContent = string | Uint8Array;
export type FileMap = Record<string, FileContent>;

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One archive entry, for when a plain path -> content map cannot express what the test needs. */
export interface EntrySpec {
  /** The name as written. A Uint8Array is written byte for byte (non-UTF-8 names). */
  name: string | Uint8Array;
  type?: EntryType;
  data?: FileContent;
  /** Target of a symlink or hardlink. */
  linkname?: string;
  /** Permission bits (default 0o644, 0o755 for directories). */
  mode?: number;
  /** tar: write the name in a pax extended header even when it fits in ustar. */
  pax?: boolean;
  /** zip: store instead of deflate. */
  store?: boolean;
  /** zip: uncompressed size written in the headers, when it should lie. */
  declaredSize?: number;
}

export interface ArchiveOptions {
  /** Prefix added to every key of `files` (e.g. `pkg-1.0/`). Not added to `extra` entries. */
  prefix?: string;
  /** Extra entries written after `files`, verbatim. */
  extra?: EntrySpec[];
  /** Fixed mtime (seconds) so output is deterministic. */
  mtime?: number;
}

const encoder = new TextEncoder();
const FIXED_MTIME = 1_700_000_000;

export function toBytes(content: FileContent): Uint8Array {
  return typeof content === 'string' ? encoder.encode(content) : content;
}

function nameBytes(name: string | Uint8Array): Uint8Array {
  return typeof name === 'string' ? encoder.encode(name) : name;
}

function entriesOf(files: FileMap, options: ArchiveOptions): EntrySpec[] {
  const prefix = options.prefix ?? '';
  const entries: EntrySpec[] = Object.entries(files).map(([name, data]) => ({ name: prefix + name, data }));
  return entries.concat(options.extra ?? []);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- tar

const TAR_TYPEFLAG: Record<EntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

function writeString(block: Uint8Array, offset: number, length: number, value: Uint8Array): void {
  block.set(value.subarray(0, length), offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  const text = value.toString(8).padStart(length - 1, '0');
  writeString(block, offset, length, encoder.encode(text));
}

function tarHeader(name: Uint8Array, typeflag: string, size: number, mode: number, mtime: number, linkname: Uint8Array): Uint8Array {
  const block = new Uint8Array(512);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 1000);
  writeOctal(block, 116, 8, 1000);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block.fill(0x20, 148, 156); // checksum field counts as spaces
  block[156] = typeflag.charCodeAt(0);
  writeString(block, 157, 100, linkname);
  writeString(block, 257, 6, encoder.encode('ustar\0'));
  writeString(block, 263, 2, encoder.encode('00'));
  writeString(block, 265, 32, encoder.encode('vigil'));
  writeString(block, 297, 32, encoder.encode('vigil'));
  let sum = 0;
  for (const b of block) sum += b;
  writeString(block, 148, 8, encoder.encode(sum.toString(8).padStart(6, '0') + '\0 '));
  return block;
}

function padded(data: Uint8Array): Uint8Array[] {
  const rest = data.length % 512;
  return rest === 0 ? [data] : [data, new Uint8Array(512 - rest)];
}

function paxRecords(fields: Record<string, string>): Uint8Array {
  let text = '';
  for (const [key, value] of Object.entries(fields)) {
    const body = ` ${key}=${value}\n`;
    const bodyLength = encoder.encode(body).length;
    const digits = String(bodyLength).length;
    let length = bodyLength + digits;
    if (String(length).length !== digits) length += 1;
    text += `${length}${body}`;
  }
  return encoder.encode(text);
}

/** One tar entry (header(s) + padded data). Long names (> 100 bytes) go into a pax header. */
export function tarEntry(spec: EntrySpec, mtime = FIXED_MTIME): Uint8Array {
  const type = spec.type ?? 'file';
  const name = nameBytes(spec.name);
  const data = type === 'file' ? toBytes(spec.data ?? '') : new Uint8Array(0);
  const link = encoder.encode(spec.linkname ?? '');
  const mode = spec.mode ?? (type === 'dir' ? 0o755 : 0o644);
  const parts: Uint8Array[] = [];
  const pax: Record<string, string> = {};
  if ((spec.pax === true || name.length > 100) && typeof spec.name === 'string') pax.path = spec.name;
  if (link.length > 100 && spec.linkname !== undefined) pax.linkpath = spec.linkname;
  if (Object.keys(pax).length > 0) {
    const records = paxRecords(pax);
    parts.push(tarHeader(encoder.encode('PaxHeader/entry'), 'x', records.length, 0o644, mtime, new Uint8Array(0)));
    parts.push(...padded(records));
  }
  parts.push(tarHeader(name, TAR_TYPEFLAG[type], data.length, mode, mtime, link));
  if (data.length > 0) parts.push(...padded(data));
  return concatBytes(parts);
}

/** A ustar archive (pax headers for long names) ending with the two zero blocks. */
export function makeTar(files: FileMap, options: ArchiveOptions = {}): Uint8Array {
  const parts = entriesOf(files, options).map((e) => tarEntry(e, options.mtime));
  parts.push(new Uint8Array(1024));
  return concatBytes(parts);
}

export function gzip(data: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(data, { level: 6 }));
}

export function makeTarGz(files: FileMap, options: ArchiveOptions = {}): Uint8Array {
  return gzip(makeTar(files, options));
}

// ---------------------------------------------------------------------------------------------- zip

export function crc32(data: Uint8Array): number {
  return zlibCrc32(data);
}

const ZIP_MODE: Record<EntryType, number> = {
  file: 0o100000,
  dir: 0o040000,
  symlink: 0o120000,
  hardlink: 0o100000,
  char: 0o020000,
  block: 0o060000,
  fifo: 0o010000,
};

/**
 * A zip archive written by hand (so names can be raw bytes and sizes can lie). Entries are deflated
 * unless `store` is set; symlinks store the target as data with unix mode 0120000, like Info-ZIP.
 */
export function makeZip(files: FileMap, options: ArchiveOptions = {}): Uint8Array {
  const local: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const spec of entriesOf(files, options)) {
    const type = spec.type ?? 'file';
    const name = nameBytes(spec.name);
    const utf8Flag = typeof spec.name === 'string' && /[^\x00-\x7f]/.test(spec.name) ? 0x0800 : 0;
    const raw = type === 'symlink' ? encoder.encode(spec.linkname ?? '') : toBytes(spec.data ?? '');
    const method = spec.store === true || type !== 'file' ? 0 : 8;
    const body = method === 8 ? new Uint8Array(deflateRawSync(raw, { level: 9 })) : raw;
    const crc = crc32(raw);
    const size = spec.declaredSize ?? raw.length;
    const mode = ZIP_MODE[type] | (spec.mode ?? (type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644));

    const lh = new DataView(new ArrayBuffer(30));
    lh.setUint32(0, 0x04034b50, true);
    lh.setUint16(4, 20, true);
    lh.setUint16(6, utf8Flag, true);
    lh.setUint16(8, method, true);
    lh.setUint16(10, 0, true);
    lh.setUint16(12, 0x21, true);
    lh.setUint32(14, crc, true);
    lh.setUint32(18, body.length, true);
    lh.setUint32(22, size, true);
    lh.setUint16(26, name.length, true);
    lh.setUint16(28, 0, true);
    const localRecord = concatBytes([new Uint8Array(lh.buffer), name, body]);
    local.push(localRecord);

    const ch = new DataView(new ArrayBuffer(46));
    ch.setUint32(0, 0x02014b50, true);
    ch.setUint16(4, (3 << 8) | 20, true); // made by unix
    ch.setUint16(6, 20, true);
    ch.setUint16(8, utf8Flag, true);
    ch.setUint16(10, method, true);
    ch.setUint16(12, 0, true);
    ch.setUint16(14, 0x21, true);
    ch.setUint32(16, crc, true);
    ch.setUint32(20, body.length, true);
    ch.setUint32(24, size, true);
    ch.setUint16(28, name.length, true);
    ch.setUint16(30, 0, true);
    ch.setUint16(32, 0, true);
    ch.setUint16(34, 0, true);
    ch.setUint16(36, 0, true);
    ch.setUint32(38, ((mode << 16) >>> 0) | (type === 'dir' ? 0x10 : 0), true);
    ch.setUint32(42, offset, true);
    central.push(concatBytes([new Uint8Array(ch.buffer), name]));
    offset += localRecord.length;
  }
  const cd = concatBytes(central);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, central.length, true);
  end.setUint16(10, central.length, true);
  end.setUint32(12, cd.length, true);
  end.setUint32(16, offset, true);
  return concatBytes([...local, cd, new Uint8Array(end.buffer)]);
}

// ------------------------------------------------------------------------------ package artifacts

/** PEP 427 escaping of a distribution name for file names. */
function distName(name: string): string {
  return name.replace(/[-_.]+/g, '_');
}

function pkgInfo(name: string, version: string): string {
  return `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: test fixture\n`;
}

/** A PyPI sdist: tar.gz with everything under `name-version/` and a PKG-INFO. */
export function makeSdist(name: string, version: string, files: FileMap, options: ArchiveOptions = {}): Uint8Array {
  const all: FileMap = { 'PKG-INFO': pkgInfo(name, version), ...files };
  return makeTarGz(all, { ...options, prefix: `${distName(name)}-${version}/` });
}

/** A wheel: zip with `name-version.dist-info/` METADATA, WHEEL and RECORD (with real hashes). */
export function makeWheel(name: string, version: string, files: FileMap, options: ArchiveOptions = {}): Uint8Array {
  const info = `${distName(name)}-${version}.dist-info`;
  const all: FileMap = {
    ...files,
    [`${info}/METADATA`]: pkgInfo(name, version),
    [`${info}/WHEEL`]: 'Wheel-Version: 1.0\nGenerator: vigil-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  };
  const record = Object.entries(all).map(([path, content]) => {
    const bytes = toBytes(content);
    const digest = createHash('sha256').update(bytes).digest('base64url');
    return `${path},sha256=${digest},${bytes.length}`;
  });
  record.push(`${info}/RECORD,,`);
  all[`${info}/RECORD`] = record.join('\n') + '\n';
  return makeZip(all, options);
}

/** An npm tarball: tar.gz with everything under `package/`, package.json first. */
export function makeNpmTgz(packageJson: Record<string, unknown>, files: FileMap = {}, options: ArchiveOptions = {}): Uint8Array {
  const all: FileMap = { 'package.json': JSON.stringify(packageJson, null, 2) + '\n', ...files };
  return makeTarGz(all, { ...options, prefix: 'package/' });
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** npm-style SRI string (`sha512-…`). */
export function sri512(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}
