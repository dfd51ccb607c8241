/**
 * Safe, in-memory reading of package artifacts. Nothing is ever written to disk; every limit in
 * `Limits` is enforced while reading; hostile structure (links, devices, traversal, bombs) is dropped
 * and reported as ArchiveIssues instead of failing the scan.
 */
import type { ArtifactFormat, FileEntry, FileTree } from '../core/types.js';
import type { Limits } from '../core/limits.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { VigilError } from '../core/errors.js';
import { bunzipBounded, gunzipBounded } from './decompress.js';
import { unxz } from './xz.js';
import type { Bounded } from './decompress.js';
import { readTar, validTarHeader } from './tar.js';
import { RATIO_FLOOR_BYTES, StopReading, TreeBuilder } from './tree.js';
import { readZip } from './zip.js';

export { readDirectory } from './directory.js';
export { normaliseEntryPath, RATIO_FLOOR_BYTES } from './tree.js';

/** Container format recognised from the first bytes, whatever the file is called. */
export type SniffedFormat = 'gzip' | 'bzip2' | 'zip' | 'tar' | 'xz' | 'unknown';

/** Recognises a container by magic bytes (never by extension). */
export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  const b = (i: number): number => bytes[i] ?? -1;
  if (b(0) === 0x1f && b(1) === 0x8b) return 'gzip';
  if (b(0) === 0x42 && b(1) === 0x5a && b(2) === 0x68 && b(3) >= 0x31 && b(3) <= 0x39) return 'bzip2';
  if (b(0) === 0x50 && b(1) === 0x4b && ((b(2) === 3 && b(3) === 4) || (b(2) === 5 && b(3) === 6) || (b(2) === 7 && b(3) === 8))) {
    return 'zip';
  }
  if (b(0) === 0xfd && b(1) === 0x37 && b(2) === 0x7a && b(3) === 0x58 && b(4) === 0x5a && b(5) === 0) return 'xz';
  if (bytes.length >= 512 && validTarHeader(bytes.subarray(0, 512))) return 'tar';
  return 'unknown';
}

function basename(filename: string): string {
  const parts = filename.split(/[\\/]/);
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i];
    if (part !== undefined && part !== '' && part !== '.' && part !== '..') return part;
  }
  return 'file';
}

/** sdist, npm tarball or plain tar, judged from the entries read. */
function tarFormat(tree: TreeBuilder): ArtifactFormat {
  if (tree.has('package/package.json')) return 'npm-tgz';
  const tops = new Set<string>();
  let sdistMarker = false;
  for (const path of tree.paths()) {
    const slash = path.indexOf('/');
    tops.add(slash < 0 ? '' : path.slice(0, slash));
    const rest = slash < 0 ? path : path.slice(slash + 1);
    if (rest === 'PKG-INFO' || rest === 'setup.py' || rest === 'pyproject.toml') sdistMarker = true;
  }
  if (sdistMarker) return 'sdist-tar';
  const [only] = tops;
  if (tops.size === 1 && only !== undefined && only !== '' && tree.has(`${only}/package.json`)) return 'npm-tgz';
  return 'tar';
}

function zipFormat(tree: TreeBuilder): ArtifactFormat {
  for (const path of tree.paths()) {
    const slash = path.indexOf('/');
    if (slash > 0 && path.slice(0, slash).endsWith('.dist-info')) return 'wheel';
  }
  return 'zip';
}

function decompressForTar(kind: 'gzip' | 'bzip2' | 'xz', bytes: Uint8Array, tree: TreeBuilder): Bounded {
  const limits = tree.limits;
  // Tar headers and padding take room beyond the file bytes: allow ~1.5 KiB per permitted entry.
  const sizeCap = limits.maxTotalBytes + Math.min(limits.maxFiles, 100_000) * 1536;
  const ratioCap = Math.max(bytes.length * limits.maxRatio, RATIO_FLOOR_BYTES);
  const cap = Math.min(sizeCap, ratioCap);
  const out = kind === 'gzip' ? gunzipBounded(bytes, cap) : kind === 'bzip2' ? bunzipBounded(bytes, cap) : unxz(bytes, cap);
  if (out.capped) {
    if (cap === ratioCap) {
      tree.issue('compression-ratio', `${kind} stream expands more than ${limits.maxRatio}x (archive bomb?); only the first ${cap} bytes were read`);
    } else {
      tree.issue('too-large', `archive expands past ${limits.maxTotalBytes} bytes; the rest was not read`);
    }
    tree.stopped = true;
  }
  return out;
}

/** Reads one container into `tree` (under the tree's current prefix) and returns its format. */
function readInto(bytes: Uint8Array, filename: string, tree: TreeBuilder): ArtifactFormat {
  const kind = sniffFormat(bytes);
  if (kind === 'gzip' || kind === 'bzip2' || kind === 'xz') {
    const out = decompressForTar(kind, bytes, tree);
    if (out.error !== undefined) tree.issue('corrupt', `${kind} stream is corrupt or truncated: ${out.error}`);
    if (out.data.length >= 512 && validTarHeader(out.data.subarray(0, 512))) {
      readTar(out.data, tree, out.capped);
      return tarFormat(tree);
    }
    if (out.data.length === 0) {
      throw new VigilError('E_ARCHIVE', `${basename(filename)}: ${kind} data could not be decompressed${out.error !== undefined ? ` (${out.error})` : ''}`);
    }
    // A compressed single file (e.g. `setup.py.gz`): keep it as one file.
    return looseFile(out.data, basename(filename).replace(/\.(gz|tgz|bz2|xz)$/i, '') || 'file', tree);
  }
  if (kind === 'zip') {
    if (!readZip(bytes, tree)) throw new VigilError('E_ARCHIVE', `${basename(filename)}: zip structure could not be read`);
    return zipFormat(tree);
  }
  if (kind === 'tar') {
    readTar(bytes, tree, false);
    return tarFormat(tree);
  }
  return looseFile(bytes, basename(filename), tree);
}

/**
 * Expands archives found inside the tree (a zip hidden as `pkg/version`, a wheel inside an sdist) as
 * `outer/path!/inner/path`, up to `maxNesting` levels, within the same limits. Structural oddities
 * inside nested archives (links, traversal, ...) are dropped silently, since test fixtures are full of
 * them and nothing is ever extracted; limit issues are still reported.
 */
function expandNested(tree: TreeBuilder, files: readonly FileEntry[], depth: number): void {
  for (const file of files) {
    if (tree.stopped) return;
    if (!isContainer(file.data)) continue;
    if (depth >= tree.limits.maxNesting) {
      tree.issue('nested-depth', `archive nested deeper than ${tree.limits.maxNesting} levels not expanded: ${file.path}`, file.path);
      continue;
    }
    const saved = tree.enterNested(`${file.path}!/`);
    let added: FileEntry[] = [];
    try {
      readInto(file.data, file.path, tree);
    } catch (error) {
      if (!(error instanceof VigilError) && !(error instanceof StopReading)) throw error;
    } finally {
      added = tree.leaveNested(saved);
    }
    expandNested(tree, added, depth + 1);
  }
}

function isContainer(data: Uint8Array): boolean {
  const kind = sniffFormat(data);
  return kind === 'gzip' || kind === 'bzip2' || kind === 'xz' || kind === 'zip' || kind === 'tar';
}

/**
 * Unpacks an artifact into memory. Recognises gzip/bzip2/xz-compressed tar, zip (wheel, egg, zip sdist)
 * and plain tar by content; anything else becomes a one-file tree named after `filename`'s basename.
 * Archives inside the artifact are expanded too (see expandNested). Throws VigilError('E_ARCHIVE')
 * only when nothing at all could be read from a recognised container.
 */
export function unpackArtifact(bytes: Uint8Array, filename: string, limits: Limits = DEFAULT_LIMITS): FileTree {
  if (bytes.length > limits.maxArtifactBytes) {
    throw new VigilError('E_LIMIT', `${basename(filename)} is ${bytes.length} bytes, over the ${limits.maxArtifactBytes}-byte artifact limit`);
  }
  const tree = new TreeBuilder(limits);
  const format = readInto(bytes, filename, tree);
  if (format !== 'file' && !tree.stopped) expandNested(tree, tree.files(), 0);
  return tree.finish(format);
}

function looseFile(data: Uint8Array, name: string, tree: TreeBuilder): ArtifactFormat {
  try {
    tree.countEntry();
    const path = tree.checkPath(name, false) ?? 'file';
    if (tree.admit(path, data.length) === 'ok') tree.add(path, data);
  } catch (error) {
    if (!(error instanceof StopReading)) throw error;
  }
  return 'file';
}
