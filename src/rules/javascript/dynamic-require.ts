import { allEvents, at, eventTrigger, type JsRule } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

/** require()/import() of a module name that only exists after decoding. */
export const dynamicRequire: JsRule = defineRule({
  meta: {
    id: 'npm/dynamic-require',
    kind: 'threat',
    category: 'obfuscation',
    severity: 'high',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'A module is loaded by a name that is hidden by encoding (e.g. require(atob("Y2hpbGRfcHJvY2Vzcw=="))).',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "const m=require(Buffer.from('Y2hpbGRfcHJvY2Vzcw==','base64').toString());" } }],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': 'module.exports=(name)=>require(name);' }, note: 'a plugin loader' }],
    },
  },
  check(ctx, report) {
    for (const { file, e } of allEvents(ctx)) {
      if (e.kind !== 'sink' || e.sink !== 'require' || e.decodedDepth === 0) continue;
      const trigger = eventTrigger(file, e);
      report(at(file, e, `Loads a module whose name is hidden by encoding${e.text === undefined ? '' : ` (${e.text.slice(0, 40)})`}.`, { severity: trigger === 'call' ? 'medium' : 'high', ...(e.text === undefined ? {} : { decoded: e.text }) }));
    }
  },
});
