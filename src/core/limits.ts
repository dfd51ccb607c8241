/** Safety limits for hostile input. Every archive and string is attacker-controlled. */

export interface Limits {
  /** Max bytes of a downloaded or local artifact (compressed). */
  maxArtifactBytes: number;
  /** Max total uncompressed bytes held for one artifact. */
  maxTotalBytes: number;
  /** Max bytes of a single file inside an archive. */
  maxFileBytes: number;
  /** Max number of entries in an archive. */
  maxFiles: number;
  /** Max uncompressed/compressed ratio of a whole archive or one entry. */
  maxRatio: number;
  /** Max nesting of archives inside archives. */
  maxNesting: number;
  /** Max bytes of one source file that is parsed; larger files get a bounded token-level scan. */
  maxParseBytes: number;
  /** Wall-clock budget for analysing one artifact, in ms. */
  analysisBudgetMs: number;
  /** Max depth of recursive deobfuscation (decoded code that decodes more code). */
  maxDecodeDepth: number;
  /** Max bytes produced by decoding one expression. */
  maxDecodedBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxArtifactBytes: 200 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxFileBytes: 64 * 1024 * 1024,
  maxFiles: 20_000,
  maxRatio: 200,
  maxNesting: 2,
  maxParseBytes: 2 * 1024 * 1024,
  analysisBudgetMs: 8_000,
  maxDecodeDepth: 6,
  maxDecodedBytes: 4 * 1024 * 1024,
};
