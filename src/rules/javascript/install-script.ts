import { scriptLine, type JsRule } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

/** Any install hook that does more than a recognised build or housekeeping step. */
export const installScript: JsRule = defineRule({
  meta: {
    id: 'npm/install-script',
    kind: 'capability',
    category: 'execution',
    severity: 'low',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'The package runs a preinstall/install/postinstall hook that is not a recognised native build or housekeeping step.',
    details: 'Native builds (node-gyp, prebuild-install, node-gyp-build, cmake-js) and housekeeping tools (husky, patch-package, opencollective banners, echo) are recognised by the command they run and not reported.',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p","scripts":{"postinstall":"node setup.js"}}', 'setup.js': 'console.log(1)' } }],
      negative: [
        { files: { 'package.json': '{"name":"p","scripts":{"install":"node-gyp-build"}}' }, note: 'prebuilt native module loader' },
        { files: { 'package.json': '{"name":"p","scripts":{"postinstall":"husky install || true"}}' } },
      ],
    },
  },
  check(ctx, report) {
    for (const s of ctx.installScripts) {
      const active = s.facts.filter((f) => f.behaviour !== 'native-build' && f.behaviour !== 'benign-tool');
      if (active.length === 0) continue;
      const shown = active.find((f) => f.nested !== true) ?? active[0];
      report({
        path: s.path ?? ctx.manifestPath,
        line: shown === undefined ? s.line : scriptLine(s, shown.command.text),
        evidence: `"${s.hook}": "${s.script.slice(0, 180)}"`,
        message: `Install hook \`${s.hook}\` runs \`${(active.find((f) => f.nested !== true) ?? active[0])?.command.text.slice(0, 80) ?? s.script.slice(0, 80)}\` on every install; review what it does.`,
        trigger: 'install',
      });
    }
  },
});
