/**
 * Pure decoders used by the partial evaluator. Bytes are carried as "binary strings" (one char per byte,
 * code points 0-255), which keeps folding cheap. Every decoder returns undefined on malformed input.
 */
import { createDecipheriv } from 'node:crypto';
import { bunzip2 } from '../../archive/bzip2.js';
import { unxz } from '../../archive/xz.js';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** Bytes as a binary string; Node's latin1 codec maps each byte to the code point of the same value. */
export function bytesToBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** The inverse: the low byte of each UTF-16 code unit (latin1 encoding does exactly that). */
export function binaryToBytes(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

/** UTF-8 decode of a binary string (invalid sequences become U+FFFD). */
export function utf8Decode(binary: string): string {
  return Buffer.from(binaryToBytes(binary)).toString('utf8');
}

export function utf8Encode(text: string): string {
  return bytesToBinary(Buffer.from(text, 'utf8'));
}

const B64_RE = /^[A-Za-z0-9+/_\-\s]*={0,3}\s*$/;

export function base64Decode(input: string, max: number): string | undefined {
  const clean = input.replace(/\s+/g, '');
  if (!B64_RE.test(clean)) return undefined;
  const buf = Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (buf.length > max) return undefined;
  return bytesToBinary(buf);
}

const B32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(input: string, max: number): string | undefined {
  const clean = input.replace(/=+$/, '').toUpperCase();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const ch of clean) {
    const idx = B32_ALPHABET.indexOf(ch);
    if (idx < 0) return undefined;
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out += String.fromCharCode((value >>> (bits - 8)) & 0xff);
      bits -= 8;
      if (out.length > max) return undefined;
    }
  }
  return out;
}

const B85_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

/** Python's base64.b85decode alphabet. */
export function base85Decode(input: string, max: number): string | undefined {
  const clean = input.replace(/\s+/g, '');
  const pad = (5 - (clean.length % 5)) % 5;
  const padded = clean + '~'.repeat(pad);
  let out = '';
  for (let i = 0; i < padded.length; i += 5) {
    let acc = 0;
    for (let j = 0; j < 5; j++) {
      const idx = B85_ALPHABET.indexOf(padded[i + j] ?? '');
      if (idx < 0) return undefined;
      acc = acc * 85 + idx;
    }
    if (acc > 0xffffffff) return undefined;
    out += String.fromCharCode((acc >>> 24) & 0xff, (acc >>> 16) & 0xff, (acc >>> 8) & 0xff, acc & 0xff);
    if (out.length > max) return undefined;
  }
  return pad > 0 ? out.slice(0, out.length - pad) : out;
}

/** Ascii85 (base64.a85decode), without the <~ ~> framing. */
export function ascii85Decode(input: string, max: number): string | undefined {
  let clean = input.replace(/\s+/g, '');
  if (clean.startsWith('<~')) clean = clean.slice(2);
  if (clean.endsWith('~>')) clean = clean.slice(0, -2);
  let out = '';
  let group: number[] = [];
  const flush = (n: number): boolean => {
    let acc = 0;
    for (const d of group) acc = acc * 85 + d;
    if (acc > 0xffffffff) return false;
    const bytes = [(acc >>> 24) & 0xff, (acc >>> 16) & 0xff, (acc >>> 8) & 0xff, acc & 0xff];
    out += String.fromCharCode(...bytes.slice(0, n));
    return true;
  };
  for (const ch of clean) {
    if (ch === 'z' && group.length === 0) {
      out += '\0\0\0\0';
      continue;
    }
    const d = ch.charCodeAt(0) - 33;
    if (d < 0 || d > 84) return undefined;
    group.push(d);
    if (group.length === 5) {
      if (!flush(4)) return undefined;
      group = [];
    }
    if (out.length > max) return undefined;
  }
  if (group.length > 0) {
    const n = group.length - 1;
    while (group.length < 5) group.push(84);
    if (!flush(n)) return undefined;
  }
  return out;
}

export function hexDecode(input: string): string | undefined {
  const clean = input.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  return bytesToBinary(Buffer.from(clean, 'hex'));
}

export function rot13(input: string): string {
  return input.replace(/[A-Za-z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

export type Decompressor = 'zlib' | 'gzip' | 'raw' | 'auto' | 'brotli';

/** zlib/gzip/raw-deflate decompression with an output cap. */
export function decompress(binary: string, kind: Decompressor, max: number): string | undefined {
  const bytes = binaryToBytes(binary);
  const opts = { maxOutputLength: max };
  try {
    if (kind === 'gzip' || (kind === 'auto' && bytes[0] === 0x1f && bytes[1] === 0x8b)) return bytesToBinary(gunzipSync(bytes, opts));
    if (kind === 'raw') return bytesToBinary(inflateRawSync(bytes, opts));
    if (kind === 'brotli') return bytesToBinary(brotliDecompressSync(bytes, opts));
    try {
      return bytesToBinary(inflateSync(bytes, opts));
    } catch {
      return bytesToBinary(inflateRawSync(bytes, opts));
    }
  } catch {
    return undefined;
  }
}

/**
 * `lzma.decompress` (xz container) and `bz2.decompress` with an output cap, using the archive layer's
 * decoders. A capped or corrupt stream gives undefined: a partial payload is not analysed as code.
 */
export function decompressOther(binary: string, kind: 'xz' | 'bzip2', max: number): string | undefined {
  const bytes = binaryToBytes(binary);
  const r = kind === 'xz' ? unxz(bytes, max) : bunzip2(bytes, max);
  return r.capped || r.error !== undefined ? undefined : bytesToBinary(r.data);
}

/** True when a binary string looks like readable text (code, commands, URLs). */
export function looksLikeText(binary: string): boolean {
  if (binary.length === 0) return false;
  const n = Math.min(binary.length, 4096);
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const c = binary.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13 || c >= 0xc2) printable++;
  }
  return printable / n > 0.9;
}

/** UTF-16LE (PowerShell -EncodedCommand) from a binary string. */
export function utf16leDecode(binary: string): string {
  let out = '';
  for (let i = 0; i + 1 < binary.length; i += 2) out += String.fromCharCode(binary.charCodeAt(i) | (binary.charCodeAt(i + 1) << 8));
  return out;
}

/** Fernet (cryptography.fernet) decryption without the HMAC check: enough to read a payload. */
export function fernetDecrypt(keyB64: string, tokenB64: string, max: number): string | undefined {
  const key = base64Decode(keyB64, 64);
  const token = base64Decode(tokenB64, max * 2);
  if (key?.length !== 32 || token === undefined || token.length < 57 || token.charCodeAt(0) !== 0x80) return undefined;
  const k = binaryToBytes(key);
  const t = binaryToBytes(token);
  try {
    const d = createDecipheriv('aes-128-cbc', k.subarray(16, 32), t.subarray(9, 25));
    const out = Buffer.concat([d.update(t.subarray(25, t.length - 32)), d.final()]);
    return out.length > max ? undefined : bytesToBinary(out);
  } catch {
    return undefined;
  }
}
