import type { JsRule } from '../../analysis/javascript/context.js';
import { INSTALL_HOOKS, readManifest } from '../../analysis/javascript/package.js';
import { defineRule } from '../types.js';

function normBin(p: string): string {
  return p.replace(/^\.\//, '').replace(/\\/g, '/');
}

/** The registry's manifest (what `npm view` and scanners show) disagrees with the package.json npm installs. */
export const manifestConfusion: JsRule = defineRule({
  meta: {
    id: 'npm/manifest-confusion',
    kind: 'threat',
    category: 'metadata',
    severity: 'high',
    confidence: 'high',
    ecosystems: ['npm'],
    description: "The registry's manifest for this version disagrees with the tarball's package.json on install scripts, dependencies or bin (manifest confusion).",
    details: 'npm installs what the tarball says, while the registry page and many tools show the packument. Hidden install scripts are critical.',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p","version":"1.0.0","scripts":{"postinstall":"node x.js"}}', 'x.js': '' }, note: 'checked with a registry manifest without scripts in the unit test' }],
      negative: [{ files: { 'package.json': '{"name":"p","version":"1.0.0"}' } }],
    },
  },
  check(ctx, report) {
    if (ctx.registryManifest === undefined || ctx.manifest === undefined) return;
    const reg = readManifest(ctx.registryManifest);
    if (reg === undefined) return;
    const tar = ctx.manifest;
    const loc = { path: ctx.manifestPath, line: 0 };
    for (const hook of INSTALL_HOOKS) {
      const a = reg.scripts[hook];
      const b = tar.scripts[hook];
      if (a === b) continue;
      if (b === undefined && a === 'node-gyp rebuild' && ctx.hasBindingGyp) continue;
      report({ ...loc, evidence: `registry: ${a ?? '(none)'} | tarball: ${b ?? '(none)'}`, message: `The registry shows ${a === undefined ? 'no' : `\`${a.slice(0, 60)}\``} ${hook} script but the tarball npm installs has ${b === undefined ? 'none' : `\`${b.slice(0, 60)}\``}.`, trigger: 'install', severity: b !== undefined ? 'critical' : 'high' });
    }
    const deps = new Set([...Object.keys(reg.dependencies), ...Object.keys(tar.dependencies)]);
    const diff: string[] = [];
    for (const d of deps) if (reg.dependencies[d] !== tar.dependencies[d]) diff.push(`${d}: ${reg.dependencies[d] ?? '-'} vs ${tar.dependencies[d] ?? '-'}`);
    if (diff.length > 0) report({ ...loc, evidence: diff.slice(0, 5).join('; '), message: `Dependencies in the registry manifest and the tarball differ (${diff.length}): ${diff.slice(0, 3).join('; ')}.`, trigger: 'install' });
    const bins = new Set([...Object.keys(reg.bin), ...Object.keys(tar.bin)]);
    const bdiff: string[] = [];
    for (const b of bins) if (normBin(reg.bin[b] ?? '') !== normBin(tar.bin[b] ?? '')) bdiff.push(b);
    if (bdiff.length > 0) report({ ...loc, evidence: bdiff.slice(0, 5).join(', '), message: `bin entries differ between the registry manifest and the tarball: ${bdiff.slice(0, 5).join(', ')}.`, trigger: 'none', severity: 'medium' });
  },
});
