import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { short, triggerOf } from '../../analysis/python/model.js';
import { isAuto, when } from './util.js';
import type { Val } from '../../analysis/python/values.js';

const HIDDEN_RE = /-w(?:indowstyle)?\s+h(?:idden)?\b|-EncodedCommand\b|\s-enc?\s+[A-Za-z0-9+/=]{16}|\bmshta\b|\bregsvr32\b|\brundll32\b|\bwscript(?:\.exe)?\b|\bcscript(?:\.exe)?\b|\bvbs\b|-ExecutionPolicy\s+Bypass|\bStart-Process\b[^\n]{0,200}-WindowStyle\s+Hidden|\bAdd-MpPreference\b|\bSet-MpPreference\b/i;

const PYTHON_RE = /(?:^|[\\/])pythonw?[\d.]*(?:\.exe)?$|^sys\.executable$/i;

/** The program a process call starts, when it is known (`sys.executable` by name). */
function programOf(v: Val | undefined): string | undefined {
  const first = v?.k === 'list' ? v.items[0] : v;
  if (first === undefined) return undefined;
  if (first.k === 'ref' && first.name === 'sys.executable') return 'sys.executable';
  if (first.k === 'unknown' && first.from === 'sys.executable') return 'sys.executable';
  if (first.k !== 'str' || first.s.includes('\uFFFD')) return undefined;
  return v?.k === 'list' ? first.s : first.s.trim().split(/\s+/)[0];
}

export const hiddenProcess = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/hidden-process',
    kind: 'threat',
    category: 'execution',
    severity: 'high',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Starts a hidden or encoded process (PowerShell -EncodedCommand / hidden window, mshta, wscript, rundll32, CREATE_NO_WINDOW).',
    examples: {
      positive: [{ files: { 'setup.py': "import subprocess\nsubprocess.Popen('powershell -WindowStyle Hidden -Command Write-Output 1', shell=True)\n" } }],
      negative: [{ files: { 'setup.py': "import subprocess\nsubprocess.check_call(['cmake', '--build', '.'])\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const c of file.facts.commands) {
        if (!HIDDEN_RE.test(c.cmd)) continue;
        const trigger = triggerOf(file, c);
        report({
          path: file.path,
          line: c.line,
          col: c.col,
          trigger,
          severity: isAuto(trigger) ? 'high' : 'medium',
          ...(c.fromDecoded ? { decoded: c.cmd.slice(0, 400) } : {}),
          message: `Starts a hidden or encoded process ${when(trigger)}: ${short(c.cmd)}.`,
        });
      }
      for (const call of file.facts.calls) {
        const flags = call.kw['creationflags'];
        if (flags === undefined || !/^(?:subprocess\.|os\.)/.test(call.name)) continue;
        const isNoWindow = (flags.k === 'ref' && /CREATE_NO_WINDOW|DETACHED_PROCESS/.test(flags.name)) || (flags.k === 'num' && (flags.n & 0x08000008) !== 0);
        if (!isNoWindow) continue;
        const trigger = triggerOf(file, call);
        // A windowless Python interpreter, or a program the package computed or wrote itself, started
        // without a call: a background payload, not a build step.
        const prog = programOf(call.args[0] ?? call.kw['args']);
        const written = prog !== undefined && file.facts.writes.some((w) => w.path !== undefined && w.path === prog);
        const payload = isAuto(trigger) && (prog === undefined || PYTHON_RE.test(prog) || written);
        report({
          path: file.path,
          line: call.line,
          col: call.col,
          trigger,
          severity: payload ? 'critical' : isAuto(trigger) ? 'high' : 'medium',
          message: payload ? `Starts ${prog === undefined ? 'a computed program' : written ? `a program it wrote (${short(prog, 60)})` : 'a Python interpreter'} detached or without a window ${when(trigger)}.` : `Starts a process without a window ${when(trigger)}.`,
        });
      }
    }
  },
});
