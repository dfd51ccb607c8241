import type { PackageAnalyzer } from '../types.js';
import { emptyOutput } from '../types.js';
import type { RuleListing } from '../../rules/types.js';

/** JavaScript / npm analyzer (placeholder until the JavaScript analysis lands). */
export const analyzeJavaScript: PackageAnalyzer = async () => emptyOutput();

export const javascriptRules: readonly RuleListing[] = [];
