import { allEvents, at, eventTrigger, type JsRule } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

/** Writing into other packages under node_modules at install/import time. */
export const nodeModulesTampering: JsRule = defineRule({
  meta: {
    id: 'npm/node-modules-tampering',
    kind: 'threat',
    category: 'persistence',
    severity: 'medium',
    confidence: 'medium',
    ecosystems: ['npm'],
    description: 'Install- or import-time code writes into other packages under node_modules (trojanising dependencies).',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p","scripts":{"postinstall":"node t.js"}}', 't.js': "require('fs').appendFileSync('../node_modules/express/index.js', 'x');" } }],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "require('fs').writeFileSync('out.txt','x');" } }],
    },
  },
  check(ctx, report) {
    for (const { file, e } of allEvents(ctx)) {
      if (e.kind !== 'sink' || e.sink !== 'fs-write') continue;
      const text = e.text ?? '';
      if (!/node_modules\/(?!\.cache|\.bin)[^/ ]+\/[^ ]*\.(?:js|cjs|mjs|json)\b/.test(text)) continue;
      if (eventTrigger(file, e) === 'call') continue;
      report(at(file, e, `Writes into another package under node_modules (${text.slice(0, 80)}).`));
    }
  },
});
