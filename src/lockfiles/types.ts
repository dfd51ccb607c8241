import type { Ecosystem } from '../core/types.js';

export type PackageSource = 'registry' | 'git' | 'url' | 'path' | 'workspace';

/** One package a lockfile, manifest or installed environment says is (or will be) installed. */
export interface LockedPackage {
  ecosystem: Ecosystem;
  /** Name as written in the file (for npm aliases, the real package name). */
  name: string;
  /** Exact version when the file pins one. */
  version?: string;
  /** The requirement as written when it is not an exact pin (`>=2`, `^1.2`, `*`, a URL). */
  requirement?: string;
  /** True when `version` is an exact, resolvable version that advisories can be matched against. */
  pinned: boolean;
  /** Path of the file the entry was read from, as given to the extractor. */
  file: string;
  /** 1-based line of the entry (0 when the format gives no useful line). */
  line: number;
  /** Listed by the project itself (true) or pulled in by another package (false); undefined when unknown. */
  direct?: boolean;
  /** Only needed for development; undefined when unknown. */
  dev?: boolean;
  source?: PackageSource;
}

export interface ExtractContext {
  /** Path used in reports for this file. */
  file: string;
  /**
   * Reads another file relative to this one (requirements `-r`/`-c`). Returns undefined when it
   * cannot be read. Absent in contexts without file access.
   */
  readRelative?: (relativePath: string) => { file: string; text: string } | undefined;
}

export interface Extractor {
  /** Stable id, e.g. `pypi/requirements`, `npm/package-lock`. */
  id: string;
  ecosystem: Ecosystem;
  /** Human description of the files it reads. */
  description: string;
  /** Whether the extractor handles a file at this path (forward slashes, relative or absolute). */
  matches(path: string): boolean;
  /** Parses the file's text. Throws VigilError(E_TARGET) for a file it cannot read. */
  extract(text: string, context: ExtractContext): LockedPackage[];
}
