import { copyFileSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { VigilError, describeError } from '../core/errors.js';
import { parseOsvRecord } from './osv.js';
import { AdvisoryStore } from './store.js';
import { forEachZipEntry } from './zip.js';

export interface ImportOptions {
  /** Start from an empty database instead of adding to the existing one. */
  replace?: boolean;
  /** Text stored as the database's `source` (defaults to the source paths). */
  sourceLabel?: string;
  /** Called every 1,000 records. */
  onProgress?: (records: number) => void;
  /** Extra meta entries to store (e.g. ETags of downloaded exports). */
  meta?: Record<string, string>;
}

export interface ImportStats {
  records: number;
  inserted: number;
  replaced: number;
  keptNewer: number;
  withdrawn: number;
  noPackages: number;
  invalid: number;
  /** First few problems with individual records (the import goes on). */
  problems: string[];
  durationMs: number;
}

const MAX_RECORD_BYTES = 32 * 1024 * 1024;
const MAX_DEPTH = 12;
const MALICIOUS_SEGMENT = /(^|\/)malicious(\/|$)/i;

function newStats(): ImportStats {
  return { records: 0, inserted: 0, replaced: 0, keptNewer: 0, withdrawn: 0, noPackages: 0, invalid: 0, problems: [], durationMs: 0 };
}

/** Adds one JSON document (text) to the store, recording the outcome in `stats`. Never throws. */
function addDocument(store: AdvisoryStore, text: string, where: string, source: string, stats: ImportStats, options: ImportOptions): void {
  stats.records++;
  if (stats.records % 1000 === 0) options.onProgress?.(stats.records);
  try {
    const raw: unknown = JSON.parse(text);
    const record = parseOsvRecord(raw, { maliciousSource: MALICIOUS_SEGMENT.test(where) });
    const result = store.insert(record, text, source);
    if (result.status === 'inserted') stats.inserted++;
    else if (result.status === 'replaced') stats.replaced++;
    else if (result.status === 'kept-newer') stats.keptNewer++;
    else if (result.status === 'withdrawn') stats.withdrawn++;
    else stats.noPackages++;
  } catch (error) {
    stats.invalid++;
    if (stats.problems.length < 20) stats.problems.push(`${where}: ${describeError(error)}`);
  }
}

function importFolder(store: AdvisoryStore, root: string, stats: ImportStats, options: ImportOptions): void {
  const rootLabel = basename(root);
  const walk = (dir: string, rel: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    const names = readdirSync(dir).sort();
    for (const name of names) {
      const full = join(dir, name);
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(full);
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) walk(full, relPath, depth + 1);
      else if (st.isFile() && name.endsWith('.json')) {
        if (st.size > MAX_RECORD_BYTES) {
          stats.invalid++;
          continue;
        }
        addDocument(store, readFileSync(full, 'utf8'), `${rootLabel}/${relPath}`, root, stats, options);
      }
    }
  };
  walk(root, '', 0);
}

function importZip(store: AdvisoryStore, path: string, stats: ImportStats, options: ImportOptions): void {
  const bytes = readFileSync(path);
  const decoder = new TextDecoder('utf-8');
  forEachZipEntry(bytes, (name, data) => {
    if (!name.endsWith('.json')) return;
    addDocument(store, decoder.decode(data), `${basename(path)}/${name}`, path, stats, options);
  });
}

/** Imports one source (folder, zip or single JSON file) into an open store. */
export function importSource(store: AdvisoryStore, path: string, stats: ImportStats, options: ImportOptions = {}): void {
  let st;
  try {
    st = lstatSync(path);
  } catch (error) {
    throw new VigilError('E_NOT_FOUND', `cannot read ${path}: ${describeError(error)}`);
  }
  store.transaction(() => {
    if (st.isDirectory()) importFolder(store, path, stats, options);
    else if (path.endsWith('.zip')) importZip(store, path, stats, options);
    else if (path.endsWith('.json')) addDocument(store, readFileSync(path, 'utf8'), path, path, stats, options);
    else throw new VigilError('E_USAGE', `${path} is not a folder, a .zip or a .json file`);
  });
}

/**
 * Imports OSV records into the database at `dbPath` atomically: the new database is built in a
 * temporary file next to it (starting from a copy of the current one unless `replace`) and renamed
 * over it only when complete, so a failure never leaves a broken or half-filled database.
 */
/** Removes temporary databases left by imports whose process no longer exists (killed mid-import). */
function removeStaleTemporaries(dbPath: string): void {
  const prefix = `${basename(dbPath)}.tmp-`;
  for (const name of readdirSync(dirname(dbPath))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(dirname(dbPath), name), { force: true });
    }
  }
}

export function importOsv(dbPath: string, sources: readonly string[], options: ImportOptions = {}): ImportStats {
  const started = performance.now();
  mkdirSync(dirname(dbPath), { recursive: true });
  removeStaleTemporaries(dbPath);
  const tmp = `${dbPath}.tmp-${process.pid}-${Date.now()}`;
  const stats = newStats();
  let store: AdvisoryStore | undefined;
  try {
    let startedFromCopy = false;
    if (options.replace !== true) {
      try {
        copyFileSync(dbPath, tmp);
        startedFromCopy = true;
      } catch {
        // no current database: start empty
      }
    }
    store = AdvisoryStore.openForWrite(tmp);
    for (const source of sources) importSource(store, source, stats, options);
    const previousWithdrawn = Number(store.getMeta('withdrawn_skipped') ?? '0');
    store.setMeta('withdrawn_skipped', String((startedFromCopy ? previousWithdrawn : 0) + stats.withdrawn));
    store.setMeta('last_update', new Date().toISOString());
    store.setMeta('source', options.sourceLabel ?? sources.join(', '));
    for (const [k, v] of Object.entries(options.meta ?? {})) store.setMeta(k, v);
    store.finish();
    store.close();
    store = undefined;
    renameSync(tmp, dbPath);
  } catch (error) {
    store?.close();
    rmSync(tmp, { force: true });
    throw error instanceof VigilError ? error : new VigilError('E_DB', `import failed: ${describeError(error)}`, { cause: error });
  }
  stats.durationMs = performance.now() - started;
  return stats;
}
