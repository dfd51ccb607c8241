import type { Ecosystem, Severity } from '../core/types.js';
import type { ScanJob } from '../queue/types.js';
import type { DirectDependency, ProjectRecord, ReleaseRecord } from '../store/types.js';

/** One advisory affecting one package of a watched project (from `vigil audit`'s engine). */
export interface WatchAdvisory {
  /** OSV id (preferred id of an alias group). */
  id: string;
  ecosystem: Ecosystem;
  name: string;
  version: string;
  severity: Severity;
  kind: 'vulnerability' | 'malicious';
  summary: string;
  fixed: string[];
  file: string;
}

/**
 * What `vigil watch run` needs from the rest of Vigil. Injected so tests can use fakes; the CLI wires
 * the lockfile extractors, the advisory audit, the registry clients and the scan pipeline.
 */
export interface WatchDeps {
  /** Direct dependencies with the exact version in use (from the project's lockfiles). */
  directDependencies(projectPath: string): Promise<DirectDependency[]>;
  /** Advisories affecting the project's locked packages. Undefined: no advisory audit. */
  audit?: (projectPath: string) => Promise<WatchAdvisory[]>;
  /** Latest version published (undefined when unknown). */
  latestVersion(ecosystem: Ecosystem, name: string): Promise<string | undefined>;
  /** Scans one release, reusing a stored result. */
  scan(job: ScanJob): Promise<ReleaseRecord>;
  /**
   * For a project watched by repository URL: bring its clone up to date with the remote and return the
   * clone's folder. Undefined: repository projects cannot be checked (reported as an error).
   */
  checkout?: (project: ProjectRecord) => Promise<string>;
}
