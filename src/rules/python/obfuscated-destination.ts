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
    details: 'An upload (a request with a body) to a hidden address when the package is installed, started or imported is critical; so is uploading the bytes of local files to one at any time.',
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
        // Uploading to an address the code hides, as soon as the package is installed or imported; or
        // uploading local files there at any time (a document or wallet harvester's drop box).
        const files = s.body === true && s.sources.includes('file:rb');
        const upload = (s.body === true && isAuto(trigger)) || files;
        report({
          path: file.path,
          line: s.line,
          col: s.col,
          trigger,
          severity: upload ? 'critical' : isAuto(trigger) ? 'high' : 'medium',
          decoded: s.dest.raw,
          message: `${files ? 'Uploads local files to' : upload ? 'Uploads data to' : 'Contacts'} a hidden destination ${s.dest.host} via ${s.via} ${when(trigger)}.`,
          data: { destination: s.dest.host },
        });
      }
    }
  },
});
