/** Builds a guard proxy from command-line settings (shared by `vigil proxy` and `vigil run`). */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { VigilError, describeError } from '../core/errors.js';
import { vigilVersion } from '../core/version.js';
import { openMaliciousLookup } from './advisories.js';
import type { DecisionSink } from './log.js';
import { fanOut, jsonLineSink } from './log.js';
import type { Policy } from './policy.js';
import { DEFAULT_POLICY, loadPolicy } from './policy.js';
import type { GuardProxyOptions } from './proxy.js';
import { ScanCache, staticScanner } from './scanner.js';
import { createWorkerScanner } from './worker-scanner.js';

export const DEFAULT_UPSTREAM_PYPI = 'https://pypi.org/simple/';
export const DEFAULT_UPSTREAM_NPM = 'https://registry.npmjs.org/';

export interface GuardSettings {
  upstreamPypi: string;
  upstreamNpm: string;
  policyFile?: string;
  /** JSON-lines decision log: a file path, `-` for stderr, undefined for none. */
  logFile?: string;
  /** Scan-decision cache file; undefined keeps it in memory. */
  cacheFile?: string;
  /** Advisory database for known-malicious versions; used when it exists. */
  dbPath?: string;
  timeoutMs?: number;
  retries?: number;
  /** Worker threads for scanning; 0 scans on the main thread. Default 1. */
  scanThreads?: number;
  /** Per-artifact scan limit, ms (default 30000); a scan past it counts as failed. */
  scanTimeoutMs?: number;
}

export interface PreparedGuard {
  options: GuardProxyOptions;
  policy: Policy;
  /** What was set up, one line each, for the user. */
  notes: string[];
  /** Releases the log file and the database. */
  dispose(): Promise<void>;
}

export async function prepareGuard(settings: GuardSettings, stderr: NodeJS.WritableStream, extraSink?: DecisionSink): Promise<PreparedGuard> {
  const policy = settings.policyFile === undefined ? DEFAULT_POLICY : await loadPolicy(settings.policyFile);
  const notes: string[] = [];
  let logStream: WriteStream | undefined;
  let sink: DecisionSink | undefined;
  if (settings.logFile === '-') sink = jsonLineSink(stderr);
  else if (settings.logFile !== undefined) {
    logStream = createWriteStream(settings.logFile, { flags: 'a' });
    await new Promise<void>((resolve, reject) => {
      logStream!.once('open', () => resolve());
      logStream!.once('error', (error) => reject(new VigilError('E_CONFIG', `cannot open log file ${settings.logFile}: ${describeError(error)}`)));
    });
    sink = jsonLineSink(logStream);
    notes.push(`decisions logged to ${settings.logFile}`);
  }
  const threads = settings.scanThreads ?? 1;
  const workers = threads > 0 ? createWorkerScanner({ threads, timeoutMs: settings.scanTimeoutMs ?? 30_000 }) : undefined;
  const cache = new ScanCache(workers?.scan ?? staticScanner, { scannerVersion: vigilVersion(), ...(settings.cacheFile !== undefined ? { file: settings.cacheFile } : {}) });
  await cache.load();
  if (settings.cacheFile !== undefined) notes.push(`scan cache ${settings.cacheFile} (${cache.size} entries)`);
  let lookup: Awaited<ReturnType<typeof openMaliciousLookup>>;
  if (settings.dbPath !== undefined) {
    try {
      lookup = await openMaliciousLookup(settings.dbPath);
    } catch (error) {
      notes.push(`advisory database not used: ${describeError(error)}`);
    }
    notes.push(lookup === undefined ? `no advisory database at ${settings.dbPath}: known-malicious versions are not hidden (run 'vigil db update')` : `known-malicious versions from ${lookup.describe}`);
  }
  const options: GuardProxyOptions = {
    upstreamPypi: settings.upstreamPypi,
    upstreamNpm: settings.upstreamNpm,
    policy,
    cache,
    onDecision: fanOut(sink, extraSink),
    upstream: { ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}), ...(settings.retries !== undefined ? { retries: settings.retries } : {}) },
  };
  if (lookup !== undefined) options.isKnownMalicious = lookup.check;
  return {
    options,
    policy,
    notes,
    async dispose() {
      lookup?.close();
      await workers?.close();
      if (logStream !== undefined) await new Promise<void>((resolve) => logStream!.end(() => resolve()));
    },
  };
}

/** Human one-liner for a policy. */
export function describePolicy(policy: Policy): string {
  const parts = [`block at ${policy.blockAt}`];
  if (policy.minReleaseAgeMs > 0) parts.push(`min-release-age ${Math.round(policy.minReleaseAgeMs / 3_600_000)} h`);
  if (policy.allow.length > 0) parts.push(`${policy.allow.length} allowed`);
  if (policy.deny.length > 0) parts.push(`${policy.deny.length} denied`);
  parts.push(policy.failClosedOnScanError ? 'fail closed' : 'fail open on scan errors');
  return parts.join(', ');
}
