import { allEvents, at, callSeverity, eventTrigger, type JsRule } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

/** eval / Function / vm of text produced by decoding. */
export const evalDecoded: JsRule = defineRule({
  meta: {
    id: 'npm/eval-decoded',
    kind: 'threat',
    category: 'obfuscation',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'Code decoded at run time (base64, hex, char codes, escapes, reversed strings) is executed with eval, Function or vm.',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "eval(Buffer.from('Y29uc29sZS5sb2coMSk7','base64').toString());" } }],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "var g = Function('return this')();" }, note: 'the usual global-object idiom' }],
    },
  },
  check(ctx, report) {
    for (const { file, e } of allEvents(ctx)) {
      if (e.kind !== 'sink' || e.sink !== 'eval' || e.decodedDepth === 0) continue;
      const trigger = eventTrigger(file, e);
      report(at(file, e, `${e.name} executes code that was decoded at run time.`, { severity: callSeverity(trigger, 'critical') }));
    }
  },
});
