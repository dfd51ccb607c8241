import { defineRule } from '../types.js';
import type { PyFile, PyPackage, PyReport } from '../../analysis/python/model.js';
import type { CallFact, WriteFact } from '../../analysis/python/facts.js';
import { short } from '../../analysis/python/model.js';
import { at, isAuto, lineTrigger, textHits, when } from './util.js';
import { classifyHost } from '../../analysis/python/values.js';

const PERSIST_RE =
  /CurrentVersion\\{1,2}Run(?:Once)?\b|\bschtasks(?:\.exe)?\s+\/create\b|Start Menu\\{1,2}Programs\\{1,2}Startup|\\{1,2}Startup\\{1,2}[\w .-]{1,60}\.(?:exe|bat|vbs|lnk|pyw|py|cmd)\b|Library\/LaunchAgents\/|\.config\/autostart\/|\.config\/systemd\/user\/|\(crontab -l[^)]{0,40}\)|\bcrontab\s+-\s*$|\/etc\/cron\.d\/|\bAdd-MpPreference\s+-Exclusion|\bWinlogon\\{1,2}(?:Shell|Userinit)\b/im;

/** Folders and files whose contents run at logon or on a schedule (either path separator). */
const AUTOSTART_PATH_RE =
  /Start Menu[\\/]{1,2}Programs[\\/]{1,2}Startup(?:[\\/]|$)|[\\/]Library[\\/]LaunchAgents[\\/]|[\\/]\.config[\\/]autostart[\\/]|[\\/]\.config[\\/]systemd[\\/]user[\\/]|^\/etc\/cron\./i;

const PLACE_RE = /^(?:os\.(?:makedirs|mkdir|rename|replace|symlink|link)|shutil\.(?:copy|copy2|copyfile|copytree|move)|git\.Git(?:\.clone)?|git\.Repo\.clone_from|pathlib\.Path(?:\.(?:write_text|write_bytes|mkdir|rename|replace|symlink_to))?)$/;

/** A file written, copied, moved or linked into an autostart location by this file's code, or undefined. */
export function autostartPlacement(file: PyFile): { write: WriteFact; path: string } | { call: CallFact; path: string } | undefined {
  const write = file.facts.writes.find((w) => w.path !== undefined && AUTOSTART_PATH_RE.test(w.path));
  if (write !== undefined) return { write, path: write.path ?? '' };
  let placed: string | undefined;
  const call = file.facts.calls.find((c) => PLACE_RE.test(c.name) && [...c.args, ...Object.values(c.kw)].some((a) => a.k === 'str' && AUTOSTART_PATH_RE.test(a.s) && (placed = a.s) !== undefined));
  return call !== undefined ? { call, path: placed ?? '' } : undefined;
}

export const persistence = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/persistence',
    kind: 'threat',
    category: 'persistence',
    severity: 'high',
    confidence: 'medium',
    ecosystems: ['pypi'],
    description: 'Installs itself to run again later: Run registry keys, Startup folder, scheduled tasks, cron, LaunchAgents, systemd user units, Defender exclusions.',
    examples: {
      positive: [
        {
          files: {
            'setup.py':
              "import os\nd = os.path.join(os.path.expanduser('~'), 'AppData', 'Roaming', 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup')\nwith open(os.path.join(d, 'updater.pyw'), 'w') as f:\n    f.write('import os')\n",
          },
        },
{ files: { 'pkg/__init__.py': "import winreg\nk = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 0, winreg.KEY_SET_VALUE)\nwinreg.SetValueEx(k, 'upd', 0, winreg.REG_SZ, 'C:\\\\x.exe')\n" } }],
      negative: [{ files: { 'pkg/cfg.py': "import os\nCONFIG = os.path.expanduser('~/.config/mytool/settings.toml')\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      // A file actually written into an autostart location (path folded by the evaluator), or placed there
      // by copying, moving, cloning or creating folders.
      const placement = autostartPlacement(file);
      if (placement !== undefined && 'write' in placement) {
        const write = placement.write;
        const loc = at(file, write);
        // A download installed to start with every login: a dropper wherever it runs (unless its vendor's own).
        const cls = write.netHost !== undefined && write.netHost !== '' ? classifyHost(write.netHost) : undefined;
        const dropped = write.fromNetwork && cls !== 'vendor' && cls !== 'local';
        report({
          ...loc,
          severity: isAuto(loc.trigger) || dropped ? 'critical' : 'high',
          confidence: 'high',
          message: `Writes ${dropped ? `downloaded data${write.netHost ? ` (from ${write.netHost})` : ''}` : 'a file'} into an autostart location (${short(write.path ?? '', 80)}) ${when(loc.trigger)}.`,
        });
        continue;
      }
      if (placement !== undefined) {
        const loc = at(file, placement.call);
        report({ ...loc, severity: isAuto(loc.trigger) ? 'critical' : 'high', confidence: 'high', message: `Places files into an autostart location with ${placement.call.name} (${short(placement.path, 80)}) ${when(loc.trigger)}.` });
        continue;
      }
      const hit = textHits(file, PERSIST_RE, 1)[0];
      if (hit === undefined) continue;
      const trigger = lineTrigger(file, hit.line);
      report({ path: file.path, line: hit.line, col: hit.col, trigger, severity: isAuto(trigger) ? 'high' : 'medium', ...(hit.decoded !== undefined ? { decoded: hit.decoded } : {}), message: `Sets up persistence (${hit.match.trim().slice(0, 60)}) ${when(trigger)}.` });
    }
  },
});
