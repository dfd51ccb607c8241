export type * from './core/types.js';
export { VigilError } from './core/errors.js';
export { DEFAULT_LIMITS } from './core/limits.js';
export type { Limits } from './core/limits.js';
export { analyzeTree } from './analysis/index.js';
export { scoreFindings } from './scoring/score.js';
export { allRules } from './rules/index.js';
