import { allEvents, at, eventTrigger, type JsRule } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

/** A network destination hidden by encoding (base64, hex, char codes, reversed or escaped strings). */
export const obfuscatedDestination: JsRule = defineRule({
  meta: {
    id: 'npm/obfuscated-destination',
    kind: 'threat',
    category: 'obfuscation',
    severity: 'high',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'A network request goes to a URL or host that is only visible after decoding (base64, hex, char codes, reversed strings).',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "const u=Buffer.from('aHR0cHM6Ly94LmludmFsaWQvYw==','base64').toString();require('https').get(u);" } }],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "require('https').get('https://x.example/c');" } }],
    },
  },
  check(ctx, report) {
    for (const { file, e } of allEvents(ctx)) {
      if (e.kind !== 'sink' || (e.sink !== 'network' && e.sink !== 'dns') || e.decodedDepth === 0) continue;
      const d = e.destinations[0];
      if (d === undefined || d.cls === 'localhost') continue;
      const trigger = eventTrigger(file, e);
      report(at(file, e, `${e.name} contacts ${d.host}, a destination hidden by encoding.`, { decoded: e.text ?? d.host, severity: trigger === 'call' ? 'medium' : 'high', data: { host: d.host } }));
    }
  },
});
