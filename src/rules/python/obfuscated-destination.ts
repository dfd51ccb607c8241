import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { triggerOf } from '../../analysis/python/model.js';
import { isAuto, when } from './util.js';

export const obfuscatedDestination = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/obfuscated-destination',
    kind: 'threat',
    category: 'obfuscation',
    severity: 'high',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Sends network traffic to a URL or host that is hidden in the code (reversed, base64, chr codes, ...).',
    examples: {
      positive: [{ files: { 'pkg/t.py': "import requests\ndef now():\n    return requests.get('emit/dilavni.revres//:sptth'[::-1]).text\n" } }],
      negative: [{ files: { 'pkg/t.py': "import requests\ndef now():\n    return requests.get('https://worldtimeapi.org/api/ip').json()\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const s of file.facts.sinks) {
        if (s.dest === undefined || !s.dest.obfuscated || s.dest.cls === 'local' || s.dest.host === '') continue;
        const trigger = triggerOf(file, s);
        report({
          path: file.path,
          line: s.line,
          col: s.col,
          trigger,
          severity: isAuto(trigger) ? 'high' : 'medium',
          decoded: s.dest.raw,
          message: `Contacts a hidden destination ${s.dest.host} via ${s.via} ${when(trigger)}.`,
          data: { destination: s.dest.host },
        });
      }
    }
  },
});
