import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { short, triggerOf } from '../../analysis/python/model.js';
import { when } from './util.js';

export const installCommand = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/install-command',
    kind: 'capability',
    category: 'execution',
    severity: 'low',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Starts processes while being installed or at interpreter start-up.',
    examples: {
      positive: [{ files: { 'setup.py': "import subprocess\nsubprocess.call(['gcc', '-v'])\n" } }],
      negative: [{ files: { 'pkg/run.py': "import subprocess\ndef run():\n    subprocess.call(['ls'])\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const c of file.facts.commands) {
        const trigger = triggerOf(file, c);
        if (trigger !== 'install' && trigger !== 'startup') continue;
        report({ path: file.path, line: c.line, col: c.col, trigger, message: `Runs a command ${when(trigger)}: ${short(c.cmd)}.` });
      }
    }
  },
});
