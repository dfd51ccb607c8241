import type { PackageAnalyzer } from '../types.js';
import { emptyOutput } from '../types.js';
import type { RuleListing } from '../../rules/types.js';

/** Python analyzer (placeholder until the Python analysis lands). */
export const analyzePython: PackageAnalyzer = async () => emptyOutput();

export const pythonRules: readonly RuleListing[] = [];
