/** Regenerates docs/rules/ from the rule metadata: `npm run docs:rules`. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allRules } from '../src/rules/index.js';
import { renderRuleDoc, renderRuleIndex, ruleDocFile } from '../src/rules/docs.js';

const dir = resolve(new URL('../..', import.meta.url).pathname, 'docs', 'rules');
mkdirSync(dir, { recursive: true });
for (const name of readdirSync(dir)) if (name.endsWith('.md')) rmSync(join(dir, name));
const rules = allRules().map((r) => r.meta);
for (const meta of rules) writeFileSync(join(dir, ruleDocFile(meta.id)), renderRuleDoc(meta));
writeFileSync(join(dir, 'README.md'), renderRuleIndex(rules));
process.stdout.write(`wrote ${rules.length} rule pages to ${dir}\n`);
