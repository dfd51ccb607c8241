import type { JsRule } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

/** Native code compiled or fetched at install time (implicit `node-gyp rebuild`, prebuild-install …). */
export const nativeBuild: JsRule = defineRule({
  meta: {
    id: 'npm/native-build',
    kind: 'capability',
    category: 'execution',
    severity: 'info',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'The package builds or downloads native code at install time (binding.gyp implies `node-gyp rebuild`).',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p"}', 'binding.gyp': '{"targets":[]}' } }],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': 'module.exports = 1' } }],
    },
  },
  check(ctx, report) {
    for (const s of ctx.installScripts) {
      const f = s.facts.find((x) => x.behaviour === 'native-build');
      if (f === undefined) continue;
      const implicit = s.hook === 'binding.gyp';
      report({
        path: implicit ? `${ctx.root}binding.gyp` : ctx.manifestPath,
        line: s.line,
        evidence: implicit ? 'binding.gyp (npm runs `node-gyp rebuild`)' : `"${s.hook}": "${s.script.slice(0, 180)}"`,
        message: implicit ? 'binding.gyp makes npm run `node-gyp rebuild` at install; the native sources are compiled on your machine.' : `Install hook \`${s.hook}\` builds or fetches native code with ${f.command.program}.`,
        trigger: 'install',
      });
    }
  },
});
