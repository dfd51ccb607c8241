/**
 * Download cache. Artifacts are content-addressed (`artifacts/sha256/ab/abcdef…`), written atomically
 * (temp file + rename) and re-hashed on every read, so a damaged or planted cache file is never used.
 * Registry metadata (index pages, packuments) goes to a small TTL'd cache keyed by URL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** `$VIGIL_CACHE_DIR`, else `$XDG_CACHE_HOME/vigil`, else `~/.cache/vigil`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const explicit = env.VIGIL_CACHE_DIR;
  if (explicit !== undefined && explicit !== '') return explicit;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== '') return join(xdg, 'vigil');
  return join(homedir(), '.cache', 'vigil');
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const HEX64 = /^[0-9a-f]{64}$/;

async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data, { mode: 0o600 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

export class ArtifactCache {
  constructor(readonly dir: string) {}

  private pathFor(sha256: string): string {
    return join(this.dir, 'artifacts', 'sha256', sha256.slice(0, 2), sha256);
  }

  /** The cached bytes whose sha256 is `sha256`, or undefined (missing or damaged; damaged files are removed). */
  async get(sha256: string): Promise<Uint8Array | undefined> {
    const key = sha256.toLowerCase();
    if (!HEX64.test(key)) return undefined;
    let data: Uint8Array;
    try {
      data = new Uint8Array(await readFile(this.pathFor(key)));
    } catch {
      return undefined;
    }
    if (sha256Of(data) !== key) {
      await rm(this.pathFor(key), { force: true }).catch(() => undefined);
      return undefined;
    }
    return data;
  }

  private aliasPath(alias: string): string {
    return join(this.dir, 'artifacts', 'alias', sha256Of(new TextEncoder().encode(alias)));
  }

  /**
   * The bytes stored for `alias` (`sha256:<hex>`, or another registry hash such as an npm SRI string,
   * that points to a sha256). The caller still verifies the bytes against the registry's hash.
   */
  async getByAlias(alias: string): Promise<Uint8Array | undefined> {
    if (alias.startsWith('sha256:')) return this.get(alias.slice(7));
    try {
      const target = (await readFile(this.aliasPath(alias), 'utf8')).trim();
      return await this.get(target);
    } catch {
      return undefined;
    }
  }

  async putAlias(alias: string, sha256: string): Promise<void> {
    if (alias.startsWith('sha256:')) return;
    try {
      await atomicWrite(this.aliasPath(alias), sha256);
    } catch {
      // best effort
    }
  }

  /** Stores bytes under their sha256 and returns it. Cache write failures are ignored. */
  async put(bytes: Uint8Array): Promise<string> {
    const key = sha256Of(bytes);
    try {
      await atomicWrite(this.pathFor(key), bytes);
    } catch {
      // A read-only or full cache must not fail the scan.
    }
    return key;
  }
}

export interface CachedDocument {
  url: string;
  contentType: string;
  body: string;
  storedAt: number;
}

function isCachedDocument(value: unknown): value is CachedDocument {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.url === 'string' && typeof v.contentType === 'string' && typeof v.body === 'string' && typeof v.storedAt === 'number';
}

export class MetadataCache {
  constructor(
    readonly dir: string,
    readonly ttlMs: number,
  ) {}

  private pathFor(key: string): string {
    return join(this.dir, 'metadata', `${sha256Of(new TextEncoder().encode(key))}.json`);
  }

  /** A fresh cached document for `key` (a URL plus anything that changes the answer, e.g. Accept). */
  async get(key: string, now = Date.now()): Promise<CachedDocument | undefined> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.pathFor(key), 'utf8'));
      if (!isCachedDocument(parsed) || parsed.url !== key) return undefined;
      if (now - parsed.storedAt > this.ttlMs || parsed.storedAt > now + 60_000) return undefined;
      return parsed;
    } catch {
      return undefined;
    }
  }

  async put(key: string, contentType: string, body: string, now = Date.now()): Promise<void> {
    const doc: CachedDocument = { url: key, contentType, body, storedAt: now };
    try {
      await atomicWrite(this.pathFor(key), JSON.stringify(doc));
    } catch {
      // ignored: caching is best effort
    }
  }
}
