import { allEvents, at, eventTrigger, type JsRule } from '../../analysis/javascript/context.js';
import { DESTINATION_RANK } from '../../analysis/javascript/destinations.js';
import type { Severity } from '../../core/types.js';
import { defineRule } from '../types.js';

/** Requests to out-of-band/paste/webhook/tunnel services, bare public IPs, IP-lookup services or metadata endpoints. */
export const suspiciousDestination: JsRule = defineRule({
  meta: {
    id: 'npm/suspicious-destination',
    kind: 'threat',
    category: 'network',
    severity: 'high',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'Code talks to an interaction/webhook/paste/tunnel service (oastify, pipedream, webhook.site, Discord webhooks, ngrok …), a bare public IP, an IP-lookup service or a cloud metadata endpoint.',
    examples: {
      positive: [
        { files: { 'package.json': '{"name":"p"}', 'index.js': "fetch('https://abc.oastify.com/x',{method:'POST'});" } },
        { files: { 'package.json': '{"name":"p"}', 'index.js': "const u='https://discord.com/api/webhooks/1/abc';module.exports=u;" } },
      ],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "fetch('https://registry.npmjs.org/p');" } }],
    },
  },
  check(ctx, report) {
    for (const { file, e } of allEvents(ctx)) {
      const trigger = eventTrigger(file, e);
      if (e.kind === 'string' && (e.name === 'webhook-url' || e.name === 'oob-url')) {
        report(at(file, e, `Hard-coded ${e.name === 'webhook-url' ? 'chat webhook / bot' : 'out-of-band interaction'} URL: ${e.text?.slice(0, 80) ?? ''}.`, { severity: trigger === 'call' ? 'medium' : 'high', data: { url: e.text } }));
        continue;
      }
      if (e.kind !== 'sink' || (e.sink !== 'network' && e.sink !== 'dns')) continue;
      const worst = [...e.destinations].sort((a, b) => DESTINATION_RANK[b.cls] - DESTINATION_RANK[a.cls])[0];
      if (worst === undefined) continue;
      let severity: Severity | undefined;
      if (worst.cls === 'oob') severity = trigger === 'call' ? 'high' : 'critical';
      else if (worst.cls === 'metadata' || worst.cls === 'public-ip' || worst.cls === 'ip-lookup') severity = trigger === 'call' ? undefined : 'medium';
      if (severity === undefined) continue;
      report(at(file, e, `${e.name} contacts ${worst.host} (${worst.cls}).`, { severity, data: { host: worst.host, class: worst.cls } }));
    }
  },
});
