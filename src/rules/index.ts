import { javascriptRules } from '../analysis/javascript/index.js';
import { pythonRules } from '../analysis/python/index.js';
import type { RuleListing } from './types.js';

/** Every rule Vigil ships, sorted by id (for `vigil rules`, docs and meta-tests). */
export function allRules(): RuleListing[] {
  return [...pythonRules, ...javascriptRules].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
}
