import { allEvents, at, eventTrigger, type JsRule } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

const PUBLISH = /\bnpm\s+(?:publish|adduser|token\s+create|owner\s+add)\b|\/-\/(?:user|npm\/v1\/tokens)|\bgh\s+(?:repo\s+create|secret\s+set)/;
const GH_API = /api\.github\.com\/(?:user\/repos|repos\/[^ ]*\/(?:contents\/\.github|actions\/secrets|git\/refs))/;

/** Self-propagation: publishing packages, writing CI workflows or creating repositories with stolen tokens. */
export const wormPropagation: JsRule = defineRule({
  meta: {
    id: 'npm/worm-propagation',
    kind: 'threat',
    category: 'worm',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'Install- or import-time code publishes npm packages, writes GitHub Actions workflows or creates repositories (worm-style propagation with stolen tokens).',
    examples: {
      positive: [
        { files: { 'package.json': '{"name":"p","scripts":{"postinstall":"node w.js"}}', 'w.js': "require('child_process').execSync('npm publish --access public');" } },
        { files: { 'package.json': '{"name":"p","scripts":{"postinstall":"node w.js"}}', 'w.js': "require('fs').writeFileSync('.github/workflows/ci.yml', 'on: push');" } },
      ],
      negative: [{ files: { 'package.json': '{"name":"release-tool","bin":{"rel":"cli.js"}}', 'cli.js': "exports.release=()=>require('child_process').execSync('npm publish');" }, note: 'a release tool publishing when the user asks' }],
    },
  },
  check(ctx, report) {
    const workflowFiles = new Set<string>();
    for (const { file, e } of allEvents(ctx)) if (e.kind === 'string' && e.name === 'workflow-path') workflowFiles.add(file.path);
    for (const { file, e } of allEvents(ctx)) {
      if (e.kind !== 'sink') continue;
      const trigger = eventTrigger(file, e);
      const text = e.text ?? '';
      if (e.sink === 'exec' && PUBLISH.test(text) && trigger !== 'call') {
        report(at(file, e, `Runs \`${text.slice(0, 60)}\` while being installed or imported: it can publish packages with your npm credentials.`));
      } else if ((e.sink === 'network' && GH_API.test(text)) || (e.sink === 'network' && /registry\.npmjs\.org/.test(text) && /PUT/.test(e.evidence))) {
        report(at(file, e, `Calls a publishing/repository API (${text.slice(0, 60)}) from package code.`, { severity: trigger === 'call' ? 'high' : 'critical' }));
      } else if (e.sink === 'fs-write' && (/\.github\/workflows/.test(text) || workflowFiles.has(file.path)) && trigger !== 'call') {
        report(at(file, e, 'Writes a GitHub Actions workflow while being installed or imported.'));
      }
    }
  },
});
