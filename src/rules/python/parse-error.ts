import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';

export const parseError = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/parse-error',
    kind: 'threat',
    category: 'obfuscation',
    severity: 'low',
    confidence: 'low',
    ecosystems: ['pypi'],
    description: 'Python source that does not parse; it was analysed partially. Unparseable code in an install hook is itself suspicious.',
    examples: {
      positive: [{ files: { 'setup.py': 'import os\ndef f(:\n    os.system("true")\n' } }],
      negative: [{ files: { 'setup.py': "print 'python 2 is fine'\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      const pe = file.facts.parseErrors;
      if (pe === undefined) continue;
      const install = file.trigger === 'install' || file.trigger === 'startup';
      report({ path: file.path, line: pe.line, trigger: file.trigger, severity: install ? 'medium' : 'low', message: `${pe.count} syntax error(s); the file was analysed partially.` });
    }
  },
});
