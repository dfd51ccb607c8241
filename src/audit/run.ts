import { OsvApiSource } from '../advisories/online.js';
import { AdvisoryStore } from '../advisories/store.js';
import type { AdvisorySource } from '../advisories/types.js';
import type { DiscoverOptions } from '../lockfiles/discover.js';
import { discoverLockfiles, extractFile } from '../lockfiles/discover.js';
import type { LockedPackage } from '../lockfiles/types.js';
import { auditPackages } from './audit.js';
import type { AuditReport, AuditedFile, IgnoreRule, ScanPackagesFn } from './types.js';

export interface CollectResult {
  packages: LockedPackage[];
  files: AuditedFile[];
  errors: string[];
}

/** Finds and extracts every lockfile/manifest under `paths`. Unreadable files become errors. */
export function collectPackages(paths: readonly string[], cwd: string, options: DiscoverOptions = {}): CollectResult {
  const discovered = discoverLockfiles(paths, cwd, options);
  const packages: LockedPackage[] = [];
  const files: AuditedFile[] = [];
  const errors: string[] = [];
  for (const d of discovered) {
    const outcome = extractFile(d);
    packages.push(...outcome.packages);
    const f: AuditedFile = { file: d.display, extractor: d.extractor.id, packages: outcome.packages.length };
    if (outcome.error !== undefined) {
      f.error = outcome.error;
      errors.push(outcome.error);
    }
    files.push(f);
  }
  return { packages, files, errors };
}

export interface RunAuditOptions extends DiscoverOptions {
  paths: readonly string[];
  cwd: string;
  /** Offline store path, used unless `online`. */
  dbPath: string;
  online?: boolean;
  apiUrl?: string;
  fetchImpl?: typeof fetch;
  ignores?: readonly IgnoreRule[];
  now?: Date;
  scanPackages?: ScanPackagesFn;
}

/** The whole `vigil audit` pipeline without any printing: discover, extract, match, ignore. */
export async function runAudit(options: RunAuditOptions): Promise<AuditReport> {
  const collected = collectPackages(options.paths, options.cwd, options);
  let source: AdvisorySource;
  let store: AdvisoryStore | undefined;
  if (options.online === true) {
    source = new OsvApiSource({ ...(options.apiUrl !== undefined ? { apiUrl: options.apiUrl } : {}), ...(options.fetchImpl !== undefined ? { fetchImpl: options.fetchImpl } : {}) });
  } else {
    store = AdvisoryStore.openReadOnly(options.dbPath);
    source = store;
  }
  try {
    return await auditPackages(collected.packages, {
      source,
      files: collected.files,
      errors: collected.errors,
      ...(options.ignores !== undefined ? { ignores: options.ignores } : {}),
      ...(options.now !== undefined ? { now: options.now } : {}),
      ...(options.scanPackages !== undefined ? { scanPackages: options.scanPackages } : {}),
    });
  } finally {
    store?.close();
  }
}
