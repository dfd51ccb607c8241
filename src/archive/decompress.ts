/**
 * Bounded decompression. The fast path is node's zlib with `maxOutputLength` (native, ~3-4x faster
 * than fflate here, and it stops inflating as soon as the cap is passed). When a gzip stream passes the
 * cap, it is decoded again with fflate's streaming inflater (pushed in small steps) to keep the output
 * up to the cap; when a stream is damaged or truncated, the longest prefix zlib accepts is found, so a
 * bomb or a damaged archive still yields the files before the problem.
 */
import { Gunzip } from 'fflate';
import { constants as zlibConstants, gunzipSync, inflateRawSync } from 'node:zlib';
import { bunzip2 } from './bzip2.js';

/** Input bytes pushed per step (max deflate expansion is ~1032x, so one step yields at most ~32 MiB). */
const STEP = 16 * 1024;

export interface Bounded {
  data: Uint8Array;
  /** Output reached `cap`; `data` holds the first `cap` bytes. */
  capped: boolean;
  /** The stream was corrupt or truncated; `data` holds what was decoded before the error. */
  error?: string;
}

class CapReached extends Error {}

export function concatChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined && chunks[0].length === total) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    const n = Math.min(c.length, total - offset);
    out.set(n === c.length ? c : c.subarray(0, n), offset);
    offset += n;
    if (offset >= total) break;
  }
  return out;
}

interface PushStream {
  ondata: (data: Uint8Array<ArrayBuffer>, final: boolean) => void;
  push(chunk: Uint8Array, final?: boolean): void;
}

function runBounded(stream: PushStream, input: Uint8Array, cap: number): Bounded {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  stream.ondata = (data, final) => {
    if (final) ended = true;
    if (data.length === 0) return;
    chunks.push(data);
    total += data.length;
    if (total > cap) throw new CapReached();
  };
  try {
    for (let offset = 0; offset < input.length; offset += STEP) {
      const end = Math.min(input.length, offset + STEP);
      stream.push(input.subarray(offset, end), end === input.length);
    }
    if (input.length === 0) stream.push(input, true);
  } catch (error) {
    if (error instanceof CapReached) return { data: concatChunks(chunks, cap), capped: true };
    const message = error instanceof Error ? error.message : String(error);
    return { data: concatChunks(chunks, total), capped: false, error: message };
  }
  if (!ended) return { data: concatChunks(chunks, total), capped: false, error: 'unexpected end of compressed data' };
  return { data: concatChunks(chunks, total), capped: false };
}

/** Largest output node can allocate in one buffer. */
const MAX_BUFFER = 2 ** 31 - 1;

function fast(
  run: (input: Uint8Array, options: { maxOutputLength: number }) => Buffer,
  input: Uint8Array,
  cap: number,
): Uint8Array | { capped: boolean; message: string } {
  try {
    const out = run(input, { maxOutputLength: Math.max(1, Math.min(cap, MAX_BUFFER)) });
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (error) {
    const capped = (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    return { capped, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Decodes again with fflate to salvage the output before the cap (fflate streams, zlib cannot). */
function salvageCapped(stream: PushStream, input: Uint8Array, cap: number): Bounded {
  return runBounded(stream, input, cap);
}

type ZlibRun = (input: Uint8Array, options: { maxOutputLength: number; finishFlush: number }) => Buffer;

/**
 * Salvages a damaged stream: the longest input prefix that zlib decodes without error (a prefix is
 * "truncated", which Z_SYNC_FLUSH accepts) gives everything before the damage. Binary search: about
 * log2(n) decodes, only on the error path.
 */
function salvageDamaged(run: ZlibRun, input: Uint8Array, cap: number, message: string): Bounded {
  const options = { maxOutputLength: Math.max(1, Math.min(cap, MAX_BUFFER)), finishFlush: zlibConstants.Z_SYNC_FLUSH };
  let lo = 0;
  let hi = input.length;
  let best: Uint8Array = new Uint8Array(0);
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    try {
      const out = run(input.subarray(0, mid), options);
      best = new Uint8Array(out.buffer, out.byteOffset, out.length);
      lo = mid;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return { data: best, capped: true };
      hi = mid;
    }
  }
  return { data: best, capped: false, error: message };
}

/** Gunzips (single or multi-member) producing at most `cap` bytes. */
export function gunzipBounded(input: Uint8Array, cap: number): Bounded {
  const data = fast(gunzipSync, input, cap);
  if (data instanceof Uint8Array) return { data, capped: false };
  return data.capped ? salvageCapped(new Gunzip(), input, cap) : salvageDamaged(gunzipSync, input, cap, data.message);
}

/** Inflates a raw deflate stream producing at most `cap` bytes (none at all when capped). */
export function inflateBounded(input: Uint8Array, cap: number): Bounded {
  if (input.length === 0) return { data: new Uint8Array(0), capped: false, error: 'empty deflate stream' };
  const data = fast(inflateRawSync, input, cap);
  if (data instanceof Uint8Array) return { data, capped: false };
  return data.capped ? { data: new Uint8Array(0), capped: true } : salvageDamaged(inflateRawSync, input, cap, data.message);
}

/** Decompresses bzip2 producing at most `cap` bytes. */
export function bunzipBounded(input: Uint8Array, cap: number): Bounded {
  return bunzip2(input, cap);
}
