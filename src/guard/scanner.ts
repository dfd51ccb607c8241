/**
 * Artifact scanning for the guard: a pluggable scanner, and a decision cache keyed by the artifact's
 * sha256 (in memory, optionally persisted as a JSON file) so a known artifact costs a hash lookup.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeError } from '../core/errors.js';
import type { Ecosystem, Verdict } from '../core/types.js';
import { VERDICTS } from '../core/types.js';

export interface ScanOutcome {
  verdict: Verdict;
  score: number;
  /** One sentence saying why. */
  reason: string;
  /** Set when the artifact could not be analysed; the verdict is then meaningless. */
  error?: string;
}

export interface ScanContext {
  ecosystem: Ecosystem;
  packageName: string;
}

export type ArtifactScanner = (bytes: Uint8Array, filename: string, context: ScanContext) => Promise<ScanOutcome>;

/**
 * The real static analysis (never runs package code). An unreadable archive is a scan error. The analysis
 * modules load on first use, so the proxy starts fast and a broken analyzer is a scan error, not a crash.
 */
export const staticScanner: ArtifactScanner = async (bytes, filename, context) => {
  const [{ scanArtifactBytes }, { scoreFindings }] = await Promise.all([import('../scan/artifact.js'), import('../scoring/score.js')]);
  const scan = await scanArtifactBytes(bytes, filename, { ecosystem: context.ecosystem, packageName: context.packageName });
  const score = scoreFindings(scan.findings);
  const fatal = scan.errors.find((e) => e.code === 'E_ARCHIVE');
  if (fatal !== undefined && scan.findings.length === 0) return { ...score, error: fatal.message };
  return score;
};

interface CacheEntry extends ScanOutcome {
  at: string;
}

function isCacheEntry(v: unknown): v is CacheEntry {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.verdict === 'string' &&
    (VERDICTS as readonly string[]).includes(o.verdict) &&
    typeof o.score === 'number' &&
    typeof o.reason === 'string' &&
    typeof o.at === 'string' &&
    o.error === undefined
  );
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface ScanCacheOptions {
  /** JSON file to load at start and save to; undefined keeps the cache in memory only. */
  file?: string;
  /** Max entries held; the oldest are dropped first. */
  maxEntries?: number;
  /** Tag stored in the file; a file written by a different scanner version is ignored. */
  scannerVersion?: string;
}

export interface CachedScan {
  outcome: ScanOutcome;
  cached: boolean;
}

/** Scans through a sha256-keyed cache; concurrent requests for the same artifact share one scan. */
export class ScanCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<ScanOutcome>>();
  private readonly maxEntries: number;
  private readonly file: string | undefined;
  private readonly scannerVersion: string;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly scanner: ArtifactScanner,
    options: ScanCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 50_000;
    this.file = options.file;
    this.scannerVersion = options.scannerVersion ?? 'dev';
  }

  /** Loads the cache file if there is one; a missing or foreign file starts empty. */
  async load(): Promise<void> {
    if (this.file === undefined) return;
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      return;
    }
    if (typeof doc !== 'object' || doc === null) return;
    const o = doc as Record<string, unknown>;
    if (o.format !== 1 || o.scannerVersion !== this.scannerVersion || typeof o.entries !== 'object' || o.entries === null) return;
    for (const [sha, entry] of Object.entries(o.entries as Record<string, unknown>)) {
      if (SHA256_HEX.test(sha) && isCacheEntry(entry)) this.remember(sha, entry);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  peek(sha256: string): ScanOutcome | undefined {
    return this.entries.get(sha256);
  }

  async scan(sha256: string, bytes: Uint8Array, filename: string, context: ScanContext): Promise<CachedScan> {
    const hit = this.entries.get(sha256);
    if (hit !== undefined) return { outcome: hit, cached: true };
    let pending = this.inflight.get(sha256);
    if (pending === undefined) {
      pending = this.runScan(bytes, filename, context).then((outcome) => {
        // Failures are not remembered: they may be transient (time budget, a fixed analyzer bug).
        if (outcome.error === undefined) this.remember(sha256, { ...outcome, at: new Date().toISOString() });
        return outcome;
      });
      this.inflight.set(sha256, pending);
      void pending.finally(() => this.inflight.delete(sha256));
    }
    return { outcome: await pending, cached: false };
  }

  private async runScan(bytes: Uint8Array, filename: string, context: ScanContext): Promise<ScanOutcome> {
    try {
      return await this.scanner(bytes, filename, context);
    } catch (error) {
      return { verdict: 'clean', score: 0, reason: 'The scan failed.', error: describeError(error) };
    }
  }

  private remember(sha256: string, entry: CacheEntry): void {
    this.entries.delete(sha256);
    this.entries.set(sha256, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    if (this.file !== undefined) {
      this.dirty = true;
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.flush().catch(() => undefined);
      }, 1_000);
      this.timer.unref();
    }
  }

  /** Writes the cache file atomically (temp file + rename). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.file === undefined || !this.dirty) return;
    this.dirty = false;
    const doc = { format: 1, scannerVersion: this.scannerVersion, entries: Object.fromEntries(this.entries) };
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(doc));
    await rename(tmp, this.file);
  }
}
