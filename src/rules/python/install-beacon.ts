import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { short, triggerOf } from '../../analysis/python/model.js';
import { at, isAuto, when } from './util.js';
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
      'Phones home while being installed or at start-up: a DNS or reachability tool (dig, nslookup, host, ping) against a remote name, a network tool (curl, wget, nc) against an interaction service, paste site, messenger, bare IP or .onion, a DNS lookup of a hidden host name, a request whose answer is never read; or a domain-fronted request (URL host and Host header differ) at install, start-up or import.',
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
        const trigger = triggerOf(file, k);
        const dest = k.dest;
        if (dest === undefined || dest.cls === 'local' || dest.cls === 'vendor') continue;
        if (k.kind === 'command' && isHostileDest(dest) && (trigger === 'install' || trigger === 'startup')) {
          report({ ...at(file, k), message: `Contacts ${dest.host} (${dest.cls}) with a network tool ${when(trigger)}.` });
        } else if (k.kind === 'dns' && dest.obfuscated && (trigger === 'install' || trigger === 'startup')) {
          // Resolving a name the code hides: a DNS callback, the quietest way to phone home.
          report({ ...at(file, k), message: `Resolves a hidden host name (${dest.host}) with ${k.via} ${when(trigger)}.` });
        } else if (k.kind === 'http' && k.discarded === true && dest.cls !== 'dynamic' && dest.cls !== 'metadata' && (trigger === 'install' || trigger === 'startup')) {
          // A request whose response nobody reads: its only purpose is to be seen arriving.
          report({ ...at(file, k), message: `Sends a request to ${dest.host} (${dest.cls}) and ignores the answer ${when(trigger)}: a beacon.` });
        } else if (dest.fronted === true && isAuto(trigger)) {
          // Domain fronting: the request names one host in its URL and another in its Host header.
          report({ ...at(file, k), message: `Sends a request to ${dest.host} disguised as a request to another host (domain fronting, Host header) ${when(trigger)}.` });
        }
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
