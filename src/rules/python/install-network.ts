import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { triggerOf } from '../../analysis/python/model.js';
import { when } from './util.js';

export const installNetwork = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/install-network',
    kind: 'capability',
    category: 'network',
    severity: 'medium',
    confidence: 'medium',
    ecosystems: ['pypi'],
    description: 'Reaches the network while being installed or at interpreter start-up.',
    examples: {
      positive: [{ files: { 'setup.py': "import urllib.request\nurllib.request.urlopen('https://example.invalid/')\n" } }],
      negative: [{ files: { 'pkg/net.py': "import urllib.request\ndef get(u):\n    return urllib.request.urlopen(u)\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const s of file.facts.sinks) {
        const trigger = triggerOf(file, s);
        if (trigger !== 'install' && trigger !== 'startup') continue;
        if (s.dest?.cls === 'local') continue;
        report({ path: file.path, line: s.line, col: s.col, trigger, message: `Uses the network (${s.via}${s.dest !== undefined ? ` to ${s.dest.host}` : ''}) ${when(trigger)}.` });
      }
    }
  },
});
