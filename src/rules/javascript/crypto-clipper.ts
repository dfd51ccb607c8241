import type { JsRule } from '../../analysis/javascript/context.js';
import { at } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

/** Network or wallet hooks combined with crypto-address patterns: the 2025 chalk/debug clipper. */
export const cryptoClipper: JsRule = defineRule({
  meta: {
    id: 'npm/crypto-clipper',
    kind: 'threat',
    category: 'impact',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'Code replaces fetch / XMLHttpRequest / wallet provider methods and carries crypto-address patterns or address lists (address-swapping clipper).',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "const re=/0x[a-fA-F0-9]{40}/g;const o=window.fetch;window.fetch=async(...a)=>{const r=await o(...a);return r;};" } }],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "if(!window.fetch){window.fetch=require('unfetch');}" }, note: 'a polyfill' }],
    },
  },
  check(ctx, report) {
    for (const file of ctx.files) {
      const hooks = file.facts.events.filter((e) => e.kind === 'hook');
      if (hooks.length === 0) continue;
      const regexes = file.facts.events.filter((e) => e.name === 'wallet-regex').length;
      const addresses = file.facts.events.filter((e) => e.name === 'wallet-address').length;
      if (regexes === 0 && addresses < 5) continue;
      const h = hooks[0];
      if (h === undefined) continue;
      report(at(file, h, `Replaces ${h.name} in a file that matches crypto-wallet addresses (${regexes} address patterns, ${addresses} hard-coded addresses): payment addresses can be swapped.`, { trigger: file.role === 'install' ? 'install' : 'import' }));
    }
  },
});
