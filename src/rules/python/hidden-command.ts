import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { bySeverity, short, triggerOf } from '../../analysis/python/model.js';
import { at, when } from './util.js';

/** Shell pipelines that decode their own payload and run it. */
const DECODE_AND_RUN_RE = /\bbase64\s+(?:-d|--decode|-D)\b[^|\n]{0,80}\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b|\|\s*base64\s+(?:-d|--decode|-D)\s*\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b|\bcertutil(?:\.exe)?\s+-decode\b|FromBase64String\s*\(/i;

export const hiddenCommand = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/hidden-command',
    kind: 'threat',
    category: 'execution',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description:
      'Runs a command whose text is hidden: recovered only by decoding (base64, hex, character codes, …), decrypted at run time with a key the code does not contain, or a shell pipeline that decodes its own payload and runs it. Build steps have no reason to hide their commands.',
    examples: {
      positive: [
        { files: { 'setup.py': "import os, base64\nos.system(base64.b64decode('aWQ7IHdob2FtaQ==').decode())\n" } },
        { files: { 'setup.py': "import os\npayload = 'aWQ='\nos.system('echo %s | base64 -d | bash' % payload)\n" } },
        { files: { 'pkg/run.py': "import subprocess\ndef run(path, key):\n    prog = bytes([b ^ key for b in b'\\xae\\xa9\\xb2']).decode()\n    subprocess.run(prog + ' ' + path, shell=True)\n" } },
      ],
      negative: [
        { files: { 'setup.py': "import subprocess\nsubprocess.check_call(['cmake', '--build', '.'])\n" } },
        { files: { 'pkg/tool.py': "import base64\ndef show(s):\n    print(base64.b64decode(s))\n" } },
      ],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const c of file.facts.commands) {
        const pipeline = DECODE_AND_RUN_RE.exec(c.cmd);
        const trigger = triggerOf(file, c);
        // A command line whose program is bytes decrypted with a key the code does not contain (a digest
        // or signature computed from such bytes, further along the line, is not the program).
        if (c.sources.includes('decrypted') && c.cmd.startsWith('\uFFFD')) {
          report({ ...at(file, c), severity: 'critical', confidence: 'high', message: `Runs a command it decrypts at run time (embedded data XORed with a key that is not in the code) ${when(trigger)}: ${short(c.cmd)}.` });
          continue;
        }
        if (!c.fromDecoded && pipeline === null) continue;
        const how = c.fromDecoded ? 'a command recovered by decoding' : `a shell pipeline that decodes and runs its payload (${short(pipeline?.[0] ?? '', 40)})`;
        report({ ...at(file, c), severity: bySeverity(trigger, 'critical'), message: `Runs ${how} ${when(trigger)}: ${short(c.cmd)}.` });
      }
    }
  },
});
