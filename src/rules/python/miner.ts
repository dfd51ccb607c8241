import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { isAuto, lineTrigger, textHits, when } from './util.js';

const MINER_RE = /stratum\+(?:tcp|ssl|tls):\/\/|\bxmrig\b|--donate-level|\bcryptonight\b|\bminexmr\.com|\bsupportxmr\.com|\bnanopool\.org|\bmoneroocean\.stream|\bnicehash\.com|\bethermine\.org|\bxmr-stak\b|\bcpuminer\b/i;

export const miner = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/miner',
    kind: 'threat',
    category: 'impact',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Starts or configures a cryptocurrency miner (xmrig, stratum pools).',
    examples: {
      positive: [{ files: { 'setup.py': "import subprocess\nsubprocess.Popen(['./xmrig', '-o', 'stratum+tcp://pool.invalid:3333'])\n" } }],
      negative: [{ files: { 'pkg/a.py': "def total(prices):\n    return sum(prices)\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      const hit = textHits(file, MINER_RE, 1)[0];
      if (hit === undefined) continue;
      const trigger = lineTrigger(file, hit.line);
      report({ path: file.path, line: hit.line, col: hit.col, trigger, severity: isAuto(trigger) ? 'critical' : 'high', ...(hit.decoded !== undefined ? { decoded: hit.decoded } : {}), message: `Runs or configures a cryptocurrency miner (${hit.match}) ${when(trigger)}.` });
    }
  },
});
