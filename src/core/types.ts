/**
 * Shared domain types. Every stage of the pipeline (fetch -> unpack -> analyse -> score -> report)
 * speaks in these types; keep them small and stable.
 */

export const ECOSYSTEMS = ['pypi', 'npm'] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

/** Ordered from most to least severe. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const VERDICTS = ['malicious', 'suspicious', 'clean'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * What makes a piece of code run without the user calling it.
 * - install: runs during `pip install` / `npm install` (setup.py, cmdclass, install scripts, PEP 517 backend)
 * - startup: runs at every interpreter start (.pth, sitecustomize)
 * - import: runs when the package is imported / required (package __init__, npm `main` top level)
 * - call: runs only when the user calls into the package
 * - none: not code (metadata, archive structure)
 */
export const TRIGGERS = ['install', 'startup', 'import', 'call', 'none'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export type Confidence = 'high' | 'medium' | 'low';

/** Capability rules say "this code can do X"; threat rules say "this looks like malware". */
export type RuleKind = 'capability' | 'threat';

export const CATEGORIES = [
  'execution', // install hooks, exec/eval, process spawning
  'obfuscation',
  'exfiltration', // source -> network sink flows
  'credential-access',
  'download-execute',
  'persistence',
  'remote-access', // reverse shells, RATs
  'impact', // wipers, miners, protestware
  'reconnaissance',
  'network',
  'metadata',
  'typosquatting',
  'archive', // hostile archive structure
  'worm',
  'packer',
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface SourceLocation {
  /** Path relative to the artifact root, always with forward slashes. */
  path: string;
  /** 1-based line. 0 when the finding is not tied to a line (e.g. archive structure). */
  line: number;
  /** 1-based column, when known. */
  column?: number;
  /** Artifact file name the path belongs to, when a release has several artifacts. */
  artifact?: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  kind: RuleKind;
  category: Category;
  confidence: Confidence;
  message: string;
  location: SourceLocation;
  /** The source line(s) or data that show the behaviour; escaped at render time. */
  evidence: string;
  /** What makes the code run. */
  trigger: Trigger;
  /** Text recovered by deobfuscation, when the evidence was encoded. */
  decoded?: string;
  /** Free-form, rule-specific details (destination host, source names, ...). */
  data?: Record<string, unknown>;
}

export interface ScanError {
  /** Stable code, e.g. E_ARCHIVE_CORRUPT, E_RULE_CRASH, E_PARSE_TIMEOUT. */
  code: string;
  message: string;
  path?: string;
}

export interface PackageRef {
  ecosystem: Ecosystem;
  name: string;
  /** Exact version, a range (npm), or undefined for "latest". */
  version?: string;
}

export interface ArtifactInfo {
  filename: string;
  sha256: string;
  size: number;
  /** Where it came from (URL or local path). */
  source?: string;
}

/** One file of an unpacked artifact, held in memory. */
export interface FileEntry {
  /** Normalised relative path with forward slashes, no `..`, no leading `/`. */
  path: string;
  data: Uint8Array;
  size: number;
}

/** Something wrong with the archive's structure; it becomes a finding of category `archive`. */
export interface ArchiveIssue {
  code:
    | 'path-traversal'
    | 'absolute-path'
    | 'link'
    | 'device'
    | 'too-many-files'
    | 'too-large'
    | 'file-too-large'
    | 'compression-ratio'
    | 'corrupt'
    | 'non-utf8-name'
    | 'duplicate'
    | 'nested-depth';
  message: string;
  path?: string;
}

export type ArtifactFormat = 'sdist-tar' | 'wheel' | 'zip' | 'npm-tgz' | 'tar' | 'directory' | 'file';

/** An artifact unpacked into memory. */
export interface FileTree {
  format: ArtifactFormat;
  files: FileEntry[];
  issues: ArchiveIssue[];
  /** Uncompressed bytes held. */
  totalBytes: number;
}

export interface ScanResult {
  /** Exactly the string given on the command line. */
  target: string;
  ecosystem: Ecosystem | 'unknown';
  name: string;
  version: string;
  verdict: Verdict;
  score: number;
  /** One sentence saying why. */
  reason: string;
  artifacts: ArtifactInfo[];
  findings: Finding[];
  errors: ScanError[];
  /** Findings that are new compared with the previous release, when known. */
  newInRelease?: Finding[];
  durationMs?: number;
  /** Findings removed by the user's allowlist, with the reason given there. */
  suppressed?: { ruleId: string; path: string; reason: string; source: string }[];
  /** Work done (for benchmarks): files seen, files parsed, bytes parsed, uncompressed bytes. */
  stats?: { files: number; parsedFiles: number; parsedBytes: number; totalBytes: number };
}
