import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { short, triggerOf } from '../../analysis/python/model.js';
import { when } from './util.js';

/** A program given as a relative path or a Windows executable, not a build tool on PATH. */
// `.com` only for a single-label name (`tool.com`): `install.api.example.com` is a host name.
const RUN_LOCAL_RE = /(?:^|[\s;&|"'(/\\])(?:\.\/|\.\\)?([\w.\uFFFD-]+\.(?:exe|scr|bat|cmd|vbs|ps1|msi)|[\w\uFFFD-]+\.com|\.\/[\w.-]+)(?=$|[\s;&|"')])/i;
/** A program started from a temp directory, or made executable and started in one command line. */
const STAGED_RUN_RE = /(?:^|[\s;&|"'(])(?:\/tmp|\/var\/tmp|\/dev\/shm)\/[\w./-]{1,120}(?=$|[\s;&|"')])|\bchmod\s+(?:\+x|[0-7]?7[0-7][0-7])\s+(\S{1,120})\s*(?:&&|;)\s*(?:\S*\/)?\.\/\S{1,120}|%TEMP%\\[\w.\\-]{1,120}\.(?:exe|bat|cmd|ps1|vbs)/i;
/** Starting a file the way a double-click does (its associated program), not a build step. */
const SHELL_OPEN_RE = /^(?:os\.startfile|ctypes\.windll\.shell32\.ShellExecuteW?|win32api\.ShellExecute|win32com\.shell\.shell\.ShellExecuteEx)$/;
const BUILD_SCRIPT_RE = /^\.\/(?:configure|autogen\.sh|bootstrap(?:\.sh)?|build\.sh|waf|b2|install\.sh|gradlew|mvnw|setup\.sh|config|Configure)$/;

export const installBinaryExec = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/install-binary-exec',
    kind: 'threat',
    category: 'execution',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Runs a bundled or dropped executable (an .exe, or a native binary shipped in the package) while being installed.',
    examples: {
      positive: [
        { files: { 'setup.py': "import subprocess\nsubprocess.Popen(['pip_installer.exe'])\n", 'pip_installer.exe': 'MZ' + '\u0000'.repeat(80) } },
        { files: { 'setup.py': "import os\np = os.getenv('APPDATA') + '/x/run.cmd'\nwith open(p, 'w') as f:\n    f.write('start payload.py')\nos.startfile(p)\n" } },
      ],
      negative: [{ files: { 'setup.py': "import subprocess\nsubprocess.check_call(['./configure', '--prefix=/usr'])\nsubprocess.check_call(['make'])\n" } }],
    },
  },
  check(pkg, report) {
    const shipped = new Set(pkg.binaries.map((p) => (p.split('/').pop() ?? p).toLowerCase()));
    for (const file of pkg.files) {
      for (const c of file.facts.commands) {
        const trigger = triggerOf(file, c);
        if (trigger !== 'install' && trigger !== 'startup') continue;
        const staged = STAGED_RUN_RE.exec(c.cmd);
        if (staged !== null) {
          report({ path: file.path, line: c.line, col: c.col, trigger, severity: 'critical', message: `Runs a program staged in a temporary or freshly made executable location (${short(staged[0].trim(), 60)}) ${when(trigger)}: ${short(c.cmd)}.` });
          continue;
        }
        const m = RUN_LOCAL_RE.exec(c.cmd);
        const prog = m?.[1];
        if (prog === undefined || BUILD_SCRIPT_RE.test(prog)) continue;
        const base = (prog.split(/[\\/]/).pop() ?? prog).toLowerCase();
        const isShipped = shipped.has(base);
        if (!isShipped && !/\.(?:exe|scr|com|bat|cmd|vbs|ps1|msi)$/i.test(prog)) continue;
        // Opened through the shell (as a double-click would) after this install code wrote it: a dropper.
        const dropped = SHELL_OPEN_RE.test(c.via) || /^\s*start\s/i.test(c.cmd) ? file.facts.writes.some((w) => w.path !== undefined && w.path.toLowerCase().endsWith(base) && triggerOf(file, w) === trigger) : false;
        report({
          path: file.path,
          line: c.line,
          col: c.col,
          trigger,
          severity: isShipped || dropped || /\.(?:exe|scr|vbs|ps1)$/i.test(prog) ? 'critical' : 'high',
          message: `Runs ${isShipped ? 'a native executable shipped in the package' : dropped ? 'a program it has just written' : 'an executable'} (${prog}) ${when(trigger)}: ${short(c.cmd)}.`,
        });
      }
    }
  },
});
