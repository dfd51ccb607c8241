import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { short, triggerOf } from '../../analysis/python/model.js';
import { isAuto, when } from './util.js';

const WIPE_CMD_RE = /\brm\s+-(?:rf|fr|r\s+-f|f\s+-r)\s+(?:--no-preserve-root\s+)?(?:~|\/|\$HOME|\/home|\/\*|~\/\*)(?:\s|$|["';])|\b(?:rd|rmdir)\s+\/s\s+\/q\s+[A-Za-z]:\\?(?:\s|$|["'])|\bdel\s+\/[fsq]\s+\/[fsq]\s+(?:\/[fsq]\s+)?[A-Za-z]:\\|\bformat\s+[A-Za-z]:|\bmkfs\.\w+\s+\/dev\/|\bdd\s+if=\/dev\/(?:zero|urandom)\s+of=\/dev\/[sh]d/i;
const POWER_RE = /^\s*(?:sudo\s+)?(?:poweroff|halt|reboot|shutdown(?:\.exe)?\s+(?:[-/](?:s|r|h|p|f|t)\b|now|-h|-r|-P))|:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:/i;
const ROOTISH_RE = /^(?:~|~\/|\/|\/home|\/home\/|[A-Za-z]:\\?|[A-Za-z]:\/|%USERPROFILE%|\/Users\/?)$/;

export const wiper = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/wiper',
    kind: 'threat',
    category: 'impact',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Deletes home directories, drives or file systems (rm -rf ~, rmtree of the home folder, format).',
    examples: {
      positive: [{ files: { 'setup.py': "import shutil, os\nshutil.rmtree(os.path.expanduser('~'))\n" } }],
      negative: [{ files: { 'setup.py': "import shutil\nshutil.rmtree('build', ignore_errors=True)\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const c of file.facts.commands) {
        const trigger = triggerOf(file, c);
        if (WIPE_CMD_RE.test(c.cmd)) {
          report({ path: file.path, line: c.line, col: c.col, trigger, severity: isAuto(trigger) ? 'critical' : 'high', message: `Runs a destructive delete ${when(trigger)}: ${short(c.cmd)}.` });
        } else if (POWER_RE.test(c.cmd) && isAuto(trigger)) {
          // Shutting the machine down or exhausting it while being installed or imported is sabotage.
          report({ path: file.path, line: c.line, col: c.col, trigger, severity: 'critical', message: `Shuts down or exhausts the machine ${when(trigger)}: ${short(c.cmd)}.` });
        }
      }
      for (const c of file.facts.calls) {
        if (!/^(?:shutil\.rmtree|os\.removedirs)$/.test(c.name)) continue;
        const a = c.args[0];
        if (a === undefined || a.k !== 'str' || !ROOTISH_RE.test(a.s.replace(/\uFFFD$/, ''))) continue;
        const trigger = triggerOf(file, c);
        report({ path: file.path, line: c.line, col: c.col, trigger, severity: isAuto(trigger) ? 'critical' : 'high', message: `Deletes ${a.s.replace(/\uFFFD/g, '…')} recursively ${when(trigger)}.` });
      }
    }
  },
});
