import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { short } from '../../analysis/python/model.js';
import { at, isAuto, when } from './util.js';

export const execDecodedPayload = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/exec-decoded-payload',
    kind: 'threat',
    category: 'obfuscation',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Executes code that was decoded or deobfuscated at run time (base64, zlib, reversed strings, chr maps, ...).',
    details: 'The decoded payload is parsed and analysed too; its findings point at the exec call and show the decoded text.',
    examples: {
      positive: [
        { files: { 'setup.py': "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n" } },
        { files: { 'pkg/__init__.py': "import zlib, base64\nexec(zlib.decompress(base64.b64decode('eJwrKMrMK9EwBAAL+wKt')))\n" } },
        { files: { 'pkg/boot.py': "BLOB = bytes.fromhex('3c2a3a213d6c7d66')\ndef start(key):\n    k = bytes.fromhex(key)\n    exec(bytes([BLOB[i] ^ k[i % len(k)] for i in range(len(BLOB))]).decode())\n" } },
      ],
      negative: [{ files: { 'setup.py': "exec(open('version.py').read())\n" }, note: 'reading a version file is not a decoded payload' }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const e of file.facts.execs) {
        if (!e.fromDecoded || e.fromNetwork) continue;
        if (/^(?:marshal|pickle|dill|cloudpickle)\./.test(e.via)) continue;
        const loc = at(file, e);
        report({
          ...loc,
          confidence: isAuto(loc.trigger) ? 'high' : 'medium',
          message:
            e.encrypted === true
              ? `Runs code it decrypts at run time (embedded data XORed with a key that is not in the code) with ${e.via}() ${when(loc.trigger)}.`
              : `Runs deobfuscated code with ${e.via}() ${when(loc.trigger)}${e.code !== undefined ? `: ${short(e.code, 100)}` : ''}.`,
          ...(e.code !== undefined ? { decoded: e.code.slice(0, 400) } : {}),
        });
      }
    }
  },
});
