import { allEvents, at, type JsRule } from '../../analysis/javascript/context.js';
import { SRC, sourceNames } from '../../analysis/javascript/sources.js';
import { defineRule } from '../types.js';

const STORES = SRC.npmrc | SRC.ssh | SRC.cloud | SRC.browser | SRC.wallet | SRC.gitcred | SRC.discord | SRC.shellHistory;

/** Reads of credential stores (~/.npmrc, ~/.ssh, cloud credentials, browser and wallet profiles). */
export const sensitiveFileAccess: JsRule = defineRule({
  meta: {
    id: 'npm/sensitive-file-access',
    kind: 'capability',
    category: 'credential-access',
    severity: 'medium',
    confidence: 'medium',
    ecosystems: ['npm'],
    description: 'Code reads credential stores: ~/.npmrc, ~/.ssh keys, cloud credentials, browser profiles or crypto wallets.',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "const fs=require('fs'),os=require('os'),path=require('path');fs.readFileSync(path.join(os.homedir(),'.ssh','id_rsa'));" } }],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "require('fs').readFileSync('./config.json');" } }],
    },
  },
  check(ctx, report) {
    for (const { file, e } of allEvents(ctx)) {
      if (e.kind !== 'sink' || e.sink !== 'fs-read' || (e.taint & STORES) === 0) continue;
      const names = sourceNames(e.taint & STORES);
      report(at(file, e, `Reads a credential store (${names.join(', ')}) with ${e.name}.`, { data: { sources: names } }));
    }
  },
});
