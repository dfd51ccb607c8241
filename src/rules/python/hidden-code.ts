import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { isAuto, lineTrigger, when } from './util.js';

/** Code pushed far to the right behind whitespace, out of an editor's view. */
const PUSHED_RE = /\S[ \t]{150,}(?:import|exec|eval|__import__|os\.|subprocess|requests|urllib|from\s|;|\w+\s*=\s*\S|\w+\()/;
const PUSHED_START_RE = /^[ \t]{200,}(?:import|exec|eval|__import__|os\.|subprocess|requests|urllib|from\s)/m;

export const hiddenCode = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/hidden-code',
    kind: 'threat',
    category: 'obfuscation',
    severity: 'high',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Code hidden past the edge of the screen behind a long run of whitespace.',
    examples: {
      positive: [{ files: { 'setup.py': `from setuptools import setup${' '.repeat(220)};import os;os.system('id')\nsetup(name='x')\n` } }],
      negative: [{ files: { 'pkg/t.py': `TABLE = [1, 2, 3]\n# ${'-'.repeat(300)}\n` } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      let idx = -1;
      let m = PUSHED_RE.exec(file.text);
      if (m !== null) idx = m.index;
      else {
        m = PUSHED_START_RE.exec(file.text);
        if (m !== null) idx = m.index;
      }
      if (idx < 0) continue;
      const before = file.text.slice(0, idx);
      const line = before.split('\n').length;
      const trigger = lineTrigger(file, line);
      report({ path: file.path, line, col: idx - before.lastIndexOf('\n'), trigger, severity: isAuto(trigger) ? 'critical' : 'high', message: `Hides code behind a long run of whitespace ${when(trigger)}.` });
    }
  },
});
