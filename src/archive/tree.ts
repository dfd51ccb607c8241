/**
 * Building an in-memory FileTree from hostile archive entries: path normalisation, limits, issues.
 * Shared by the tar, zip, loose-file and directory readers.
 */
import type { Limits } from '../core/limits.js';
import type { ArchiveIssue, ArtifactFormat, FileEntry, FileTree } from '../core/types.js';

/**
 * Ratios are only judged once this many bytes have been produced, so tiny archives (a tar's zero padding
 * compresses ~500:1) are not flagged. 4 MiB of output from a 20 KiB input is still caught at ratio 200.
 */
export const RATIO_FLOOR_BYTES = 4 * 1024 * 1024;

/** At most this many issues of one code are recorded; the rest are summarised in one message. */
const MAX_ISSUES_PER_CODE = 50;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Lossy = new TextDecoder('utf-8');

/** Decodes a name as UTF-8; invalid bytes become U+FFFD and `lossy` is set. */
export function decodeName(bytes: Uint8Array): { name: string; lossy: boolean } {
  try {
    return { name: utf8Strict.decode(bytes), lossy: false };
  } catch {
    return { name: utf8Lossy.decode(bytes), lossy: true };
  }
}

export type PathCheck =
  | { ok: true; path: string }
  | { ok: false; code: 'absolute-path' | 'path-traversal'; path: string };

/**
 * Normalises an entry name to a relative forward-slash path without `.` segments. Absolute names
 * (`/x`, `C:x`, `\\server\x`) and any `..` segment are rejected. Returns `ok` with an empty path for
 * entries that name the root itself (`./`).
 */
export function normaliseEntryPath(raw: string): PathCheck {
  const cut = raw.indexOf('\0');
  const name = (cut >= 0 ? raw.slice(0, cut) : raw).replace(/\\/g, '/');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return { ok: false, code: 'absolute-path', path: name };
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { ok: false, code: 'path-traversal', path: name };
  return { ok: true, path: segments.join('/') };
}

/** Structural issues not reported for archives nested inside the artifact (limits still are). */
const QUIET_WHEN_NESTED: ReadonlySet<ArchiveIssue['code']> = new Set([
  'path-traversal',
  'absolute-path',
  'link',
  'device',
  'non-utf8-name',
  'duplicate',
  'corrupt',
]);

/** Why the reader must stop adding entries. */
export class StopReading extends Error {
  constructor() {
    super('archive limit reached');
    this.name = 'StopReading';
  }
}

export class TreeBuilder {
  readonly limits: Limits;
  private readonly fileMap = new Map<string, FileEntry>();
  private readonly issues: ArchiveIssue[] = [];
  private readonly issueCounts = new Map<ArchiveIssue['code'], number>();
  private entries = 0;
  totalBytes = 0;
  /** Set once a limit stopped reading: later truncation is ours, not the archive's. */
  stopped = false;
  /** Path prefix while reading a nested archive (`outer.zip!/`), else ''. */
  private prefix = '';
  /** Files added since the current nested archive was entered. */
  private addedNested: FileEntry[] | undefined;

  constructor(limits: Limits) {
    this.limits = limits;
  }

  issue(code: ArchiveIssue['code'], message: string, path?: string): void {
    if (this.prefix !== '' && QUIET_WHEN_NESTED.has(code)) return;
    const count = (this.issueCounts.get(code) ?? 0) + 1;
    this.issueCounts.set(code, count);
    if (count > MAX_ISSUES_PER_CODE) return;
    this.issues.push(path === undefined ? { code, message } : { code, message, path });
  }

  /** Counts one archive entry of any kind; throws StopReading past `maxFiles`. */
  countEntry(): void {
    this.entries += 1;
    if (this.entries > this.limits.maxFiles) {
      this.issue('too-many-files', `archive has more than ${this.limits.maxFiles} entries; the rest were not read`);
      this.stop();
    }
  }

  stop(): never {
    this.stopped = true;
    throw new StopReading();
  }

  /** Checks and normalises a decoded entry name; records an issue and returns undefined when dropped. */
  checkPath(name: string, lossy: boolean): string | undefined {
    const check = normaliseEntryPath(name);
    if (!check.ok) {
      const what = check.code === 'absolute-path' ? 'absolute path' : 'path traversal (`..`)';
      this.issue(check.code, `entry with ${what} dropped: ${check.path}`, check.path);
      return undefined;
    }
    if (lossy) this.issue('non-utf8-name', `entry name is not valid UTF-8 (decoded lossily): ${check.path}`, check.path);
    return check.path === '' ? undefined : this.prefix + check.path;
  }

  /**
   * Whether an entry of `size` bytes may be read. 'skip': too large on its own (issue recorded);
   * throws StopReading when the total would pass `maxTotalBytes`.
   */
  admit(path: string, size: number): 'ok' | 'skip' {
    if (size > this.limits.maxFileBytes) {
      this.issue('file-too-large', `${path} is ${size} bytes, over the ${this.limits.maxFileBytes}-byte limit; not read`, path);
      return 'skip';
    }
    if (this.totalBytes + size > this.limits.maxTotalBytes) {
      this.issue('too-large', `archive expands past ${this.limits.maxTotalBytes} bytes; the rest was not read`, path);
      this.stop();
    }
    return 'ok';
  }

  /** Room left under `maxTotalBytes`. */
  remaining(): number {
    return Math.max(0, this.limits.maxTotalBytes - this.totalBytes);
  }

  add(path: string, data: Uint8Array): void {
    const previous = this.fileMap.get(path);
    if (previous !== undefined) {
      this.issue('duplicate', `${path} appears more than once; the last copy is kept`, path);
      this.totalBytes -= previous.size;
      this.fileMap.delete(path);
    }
    const entry = { path, data, size: data.length };
    this.fileMap.set(path, entry);
    this.addedNested?.push(entry);
    this.totalBytes += data.length;
  }

  /** Starts reading a nested archive whose entries go under `prefix`; returns the state to restore. */
  enterNested(prefix: string): { prefix: string; added: FileEntry[] | undefined } {
    const saved = { prefix: this.prefix, added: this.addedNested };
    this.prefix = prefix;
    this.addedNested = [];
    return saved;
  }

  /** Restores the state saved by enterNested and returns the files added meanwhile. */
  leaveNested(saved: { prefix: string; added: FileEntry[] | undefined }): FileEntry[] {
    const added = this.addedNested ?? [];
    this.prefix = saved.prefix;
    this.addedNested = saved.added;
    if (saved.added !== undefined) for (const entry of added) saved.added.push(entry);
    return added;
  }

  /** The files held so far, in order. */
  files(): FileEntry[] {
    return [...this.fileMap.values()];
  }

  has(path: string): boolean {
    return this.fileMap.has(path);
  }

  paths(): IterableIterator<string> {
    return this.fileMap.keys();
  }

  finish(format: ArtifactFormat): FileTree {
    const issues = [...this.issues];
    for (const [code, count] of this.issueCounts) {
      if (count > MAX_ISSUES_PER_CODE) {
        issues.push({ code, message: `${count - MAX_ISSUES_PER_CODE} more '${code}' issues not listed` });
      }
    }
    return { format, files: [...this.fileMap.values()], issues, totalBytes: this.totalBytes };
  }
}
