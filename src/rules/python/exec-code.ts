import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { triggerOf } from '../../analysis/python/model.js';
import { when } from './util.js';

export const execCode = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/exec-code',
    kind: 'capability',
    category: 'execution',
    severity: 'low',
    confidence: 'medium',
    ecosystems: ['pypi'],
    description: 'Executes dynamically built code (exec/eval/compile of a non-literal value) at install or start-up.',
    examples: {
      positive: [{ files: { 'setup.py': "code = open('x.txt').read()\nexec(code)\n" } }],
      negative: [{ files: { 'pkg/m.py': "def f(src):\n    return eval(src)\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const e of file.facts.execs) {
        if (e.fromDecoded || e.fromNetwork || /\.loads$/.test(e.via)) continue;
        const trigger = triggerOf(file, e);
        if (trigger !== 'install' && trigger !== 'startup') continue;
        report({ path: file.path, line: e.line, col: e.col, trigger, message: `Runs dynamic code with ${e.via}() ${when(trigger)}.` });
      }
    }
  },
});
