/** Vigil's public library API (named exports only). The CLI is built on exactly these. */
export type * from './core/types.js';
export { VigilError, isVigilError } from './core/errors.js';
export type { ErrorCode } from './core/errors.js';
export { DEFAULT_LIMITS } from './core/limits.js';
export type { Limits } from './core/limits.js';

// Vet: scan targets, artifacts and trees.
export { scanTarget, defaultScanOptions } from './scan/scan.js';
export type { ScanOptions } from './scan/scan.js';
export { scanAll } from './scan/pool.js';
export { scanArtifactBytes, scanTree } from './scan/artifact.js';
export { scanPackages } from './scan/packages.js';
export { parseTarget } from './scan/targets.js';
export { analyzeTree } from './analysis/index.js';
export { scoreFindings } from './scoring/score.js';
export { allRules } from './rules/index.js';
export { unpackArtifact, readDirectory } from './archive/index.js';
export { resolveRelease, downloadArtifact, defaultRegistryOptions } from './ecosystems/index.js';
export { renderJson, JSON_SCHEMA_VERSION } from './report/json.js';
export { renderSarif } from './report/sarif.js';
export { renderText } from './report/text.js';

// Metadata, names, diff, configuration.
export { metadataFindings } from './metadata/index.js';
export { typosquatFindings, findImitated } from './typosquat/index.js';
export { diffTrees, newFindings } from './diff/index.js';
export { loadConfig, applyAllowlist } from './config/index.js';

// Audit.
export { runAudit, auditPackages, buildCycloneDx } from './audit/index.js';
export { AdvisoryStore, importOsv, updateDatabase, isAffected } from './advisories/index.js';
export { extractAll, discoverLockfiles } from './lockfiles/index.js';
