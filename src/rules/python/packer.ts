import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { triggerOf } from '../../analysis/python/model.js';
import { isAuto, lineTrigger, textHits, when } from './util.js';

const PACKER_RE = /Obfuscated with BlankOBF|\beval\(\s*["'](?:\\(?:x[0-9a-fA-F]{2}|[0-7]{3})){4,}["']\s*\)|__pyarmor__|pyarmor_runtime|from\s+pytransform\s+import|__obfuscator__\s*=\s*['"]Hyperion|\bKramer\b\s*\(|_{2,}\s*=\s*lambda\s+_{2,}\s*:\s*__import__\(\s*['"]zlib['"]\s*\)\.decompress\(\s*_{2,}\[::-1\]\)|exec\(\(_\)\(b['"]/;

/** Discord-webhook clients: how stealers ship what they collect. */
const WEBHOOK_CLIENTS = new Set(['dhooks', 'dhooks-lite', 'discord-webhook', 'discord-webhooks', 'discordwebhook']);
/** Libraries that collect what a stealer takes: screens, keystrokes, clipboard, browser secrets (AES-GCM, DPAPI), hardware ids. */
const COLLECTORS = new Set(['mss', 'pyautogui', 'pyscreenshot', 'browser-cookie3', 'pycryptodome', 'pycryptodomex', 'pywin32', 'pypiwin32', 'pynput', 'keyboard', 'pyperclip', 'gputil', 'wmi', 'psutil', 'opencv-python']);

/** The declared dependencies of a stealer kit: a webhook client and at least two collectors, or undefined. */
export function stealerKit(dependencies: readonly string[]): string[] | undefined {
  const hooks = dependencies.filter((d) => WEBHOOK_CLIENTS.has(d));
  const collectors = dependencies.filter((d) => COLLECTORS.has(d));
  return hooks.length > 0 && collectors.length >= 2 ? [...hooks, ...collectors] : undefined;
}

export const packer = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/packer',
    kind: 'threat',
    category: 'packer',
    severity: 'high',
    confidence: 'medium',
    ecosystems: ['pypi'],
    description: 'Code that cannot be read statically: marshal/pickle payloads that are executed, PyArmor/Hyperion/Kramer-style packers, .pyc-only modules.',
    examples: {
      positive: [
        { files: { 'setup.py': "import marshal\nexec(marshal.loads(b'\\xe3\\x00\\x00'))\n" } },
        { files: { 'pkg/__init__.py': '_e = eval("\\145\\166\\141\\154")\n_c = _e("\\143\\157\\155\\160\\151\\154\\145")\n' } },
        { files: { 'pkg/__init__.py': "__pyarmor__(__name__, __file__, b'\\x50\\x59\\x41\\x52')\n", 'pkg.egg-info/requires.txt': 'requests\ndhooks\nmss\npycryptodome\n' } },
      ],
      negative: [{ files: { 'pkg/cache.py': "import marshal\ndef save(obj, f):\n    marshal.dump(obj, f)\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      for (const e of file.facts.execs) {
        if (!/^(?:marshal|pickle|dill|cloudpickle)\.loads$/.test(e.via)) continue;
        const execd = file.facts.execs.some((x) => /^(?:exec|eval|types\.FunctionType)$/.test(x.via) && x.line === e.line);
        if (!execd && !e.fromDecoded) continue;
        const trigger = triggerOf(file, e);
        report({ path: file.path, line: e.line, col: e.col, trigger, severity: isAuto(trigger) ? 'critical' : 'high', ...(e.decoded !== undefined ? { decoded: e.decoded } : {}), message: `Executes a ${e.via.split('.')[0] ?? ''} payload that cannot be read statically ${when(trigger)}.` });
      }
      const hit = textHits(file, PACKER_RE, 1)[0];
      if (hit !== undefined) {
        const trigger = lineTrigger(file, hit.line);
        // PyArmor has commercial users for their modules; a packed setup.py or start-up file hides what runs on install.
        const malwareOnly = !/pyarmor|pytransform/i.test(hit.match) || trigger === 'install' || trigger === 'startup';
        // What the hidden code needs gives it away: a webhook client to ship loot and the libraries that collect it.
        const kit = stealerKit(pkg.dependencies);
        if (kit !== undefined) {
          report({ path: file.path, line: hit.line, col: hit.col, trigger, severity: 'critical', confidence: 'high', message: `Hides its code with a packer (${hit.match.slice(0, 40)}) and declares a stealer's toolkit (${kit.join(', ')}) ${when(trigger)}.` });
          continue;
        }
        report({ path: file.path, line: hit.line, col: hit.col, trigger, severity: malwareOnly ? (isAuto(trigger) ? 'critical' : 'high') : isAuto(trigger) ? 'high' : 'medium', message: `Packed with a code packer (${hit.match.slice(0, 40)}); the real code is hidden ${when(trigger)}.` });
      }
    }
    if (pkg.orphanPyc.length > 0 && pkg.files.length <= 1) {
      const first = pkg.orphanPyc[0] as string;
      report({ path: first, line: 0, trigger: 'import', severity: 'medium', message: `Ships compiled .pyc modules without source (${pkg.orphanPyc.length}), which cannot be reviewed.` });
    }
  },
});
