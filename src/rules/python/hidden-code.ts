import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { isAuto, lineTrigger, when } from './util.js';

/** Code pushed far to the right behind whitespace, out of an editor's view. */
const PUSHED_RE = /\S[ \t]{150,}(?:import|exec|eval|__import__|os\.|subprocess|requests|urllib|from\s|;|\w+\s*=\s*\S|\w+\()/;
const PUSHED_START_RE = /^[ \t]{200,}(?:import|exec|eval|__import__|os\.|subprocess|requests|urllib|from\s)/m;

/** A compressed (zlib, gzip, xz, bzip2) bytes literal or a long encoded run: a payload, not a statement. */
const PAYLOAD_RE = /b['"](?:x\\x(?:9c|da|01|5e)|\\x1f\\x8b|\\xfd7zXZ|BZh[1-9])|[A-Za-z0-9+/]{400}/;

export const hiddenCode = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/hidden-code',
    kind: 'threat',
    category: 'obfuscation',
    severity: 'high',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Code hidden past the edge of the screen behind a long run of whitespace.',
    examples: {
      positive: [
        { files: { 'setup.py': `from setuptools import setup${' '.repeat(220)};import os;os.system('id')\nsetup(name='x')\n` } },
        { files: { 'pkg/main.py': `if __name__ == '__main__':\n    run(1)${' '.repeat(300)};Loader._unpack(key='LLIJ', blob=b'x\\x9c\\xec\\xbd')\n` } },
      ],
      negative: [{ files: { 'pkg/t.py': `TABLE = [1, 2, 3]\n# ${'-'.repeat(300)}\n` } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      let idx = -1;
      let m = PUSHED_RE.exec(file.text);
      if (m !== null) idx = m.index;
      else {
        m = PUSHED_START_RE.exec(file.text);
        if (m !== null) idx = m.index;
      }
      if (idx < 0) continue;
      const before = file.text.slice(0, idx);
      const line = before.split('\n').length;
      const trigger = lineTrigger(file, line);
      const end = file.text.indexOf('\n', idx);
      // Only a packer hides a compressed blob off-screen: malicious wherever it sits.
      const payload = PAYLOAD_RE.test(file.text.slice(idx, end < 0 ? idx + 65536 : Math.min(end, idx + 65536)));
      report({
        path: file.path,
        line,
        col: idx - before.lastIndexOf('\n'),
        trigger,
        severity: isAuto(trigger) || payload ? 'critical' : 'high',
        message: payload ? `Hides a compressed or encoded payload behind a long run of whitespace ${when(trigger)}.` : `Hides code behind a long run of whitespace ${when(trigger)}.`,
      });
    }
  },
});
