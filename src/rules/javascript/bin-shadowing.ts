import type { JsRule } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

const SYSTEM_COMMANDS = new Set([
  'ls', 'cd', 'cp', 'mv', 'rm', 'cat', 'sh', 'bash', 'zsh', 'node', 'npm', 'npx', 'yarn', 'pnpm', 'git', 'ssh', 'scp', 'sudo', 'su',
  'curl', 'wget', 'python', 'python3', 'pip', 'pip3', 'docker', 'kubectl', 'make', 'gcc', 'tar', 'chmod', 'chown', 'env', 'which',
  'grep', 'find', 'ps', 'kill', 'openssl', 'gpg', 'code', 'aws', 'gcloud', 'az', 'gh', 'corepack', 'bun', 'deno', 'java', 'go',
]);

/** `bin` entries named like system commands hijack them for anyone who puts node_modules/.bin on PATH. */
export const binShadowing: JsRule = defineRule({
  meta: {
    id: 'npm/bin-shadowing',
    kind: 'threat',
    category: 'persistence',
    severity: 'high',
    confidence: 'medium',
    ecosystems: ['npm'],
    description: 'A `bin` entry is named like a system command (npm, git, curl, sudo …) and shadows it on PATH.',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"helper","bin":{"git":"x.js"}}', 'x.js': '' } }],
      negative: [
        { files: { 'package.json': '{"name":"helper","bin":{"helper":"x.js"}}', 'x.js': '' } },
        { files: { 'package.json': '{"name":"@yarnpkg/cli-dist","bin":{"yarn":"bin/yarn.js"}}', 'bin/yarn.js': '' }, note: 'the tool distributing its own command' },
      ],
    },
  },
  check(ctx, report) {
    const m = ctx.manifest;
    if (m === undefined) return;
    const own = (m.name ?? '').replace(/^@[^/]+\//, '');
    const scope = /^@([^/]+)\//.exec(m.name ?? '')?.[1] ?? '';
    for (const [name, target] of Object.entries(m.bin)) {
      // the tool's own distribution (npm → npm, @yarnpkg/cli-dist → yarn, @aws-sdk/… → aws) is not shadowing
      if (!SYSTEM_COMMANDS.has(name) || name === own || own === 'corepack' || (scope !== '' && scope.startsWith(name))) continue;
      report({ path: ctx.manifestPath, line: 0, evidence: `"bin": {"${name}": "${target}"}`, message: `bin entry \`${name}\` shadows the system command of that name and runs ${target} instead.`, trigger: 'install' });
    }
  },
});
