import type { JsRule } from '../../analysis/javascript/context.js';
import { strongerTrigger } from '../../analysis/javascript/context.js';
import type { Trigger } from '../../core/types.js';
import { defineRule } from '../types.js';

/** obfuscator.io-style code: string-array functions, `_0x` mangled names, hex-escaped strings. Minification is not obfuscation. */
export const obfuscatedCode: JsRule = defineRule({
  meta: {
    id: 'npm/obfuscated-code',
    kind: 'threat',
    category: 'obfuscation',
    severity: 'medium',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'The file is obfuscated (obfuscator.io string array, many `_0x` identifiers or hex-escaped strings), which hides what it does from review.',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "function _0x1a2b(){const _0x3c4d=['log','hello','world','foo','bar','baz'];_0x1a2b=function(){return _0x3c4d;};return _0x1a2b();}console[_0x1a2b()[0]](1);" } }],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': 'var a=function(b,c){return b+c},d=a(1,2);module.exports=d;' }, note: 'minified, not obfuscated' }],
    },
  },
  check(ctx, report) {
    for (const file of ctx.files) {
      const o = file.facts.obfuscation;
      const hexHeavy = o.hexIdentifiers >= 40;
      const escHeavy = o.escapedStrings >= 20 && o.escapedStrings * 4 > o.strings;
      if (!o.stringArray && !hexHeavy && !escHeavy) continue;
      const first = file.facts.events[0];
      const trigger: Trigger = file.role === 'install' ? 'install' : file.role === 'import' ? strongerTrigger('import', 'call') : 'call';
      const how = [o.stringArray ? 'string-array decoder' : '', hexHeavy ? `${o.hexIdentifiers} _0x identifiers` : '', escHeavy ? `${o.escapedStrings} hex-escaped strings` : ''].filter((x) => x !== '').join(', ');
      report({ path: file.path, line: first?.line ?? 1, evidence: first?.evidence ?? '', message: `Obfuscated code (${how}); its behaviour is hidden from review.`, trigger });
    }
  },
});
