import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { isAuto, lineTrigger, textHits, when } from './util.js';

const LOAD_EXT_RE = /--load-extension=/;
const BROWSER_RE = /chrome\.exe|msedge\.exe|brave\.exe|CreateShortcut|\.lnk\b|Google[\\/]{1,2}Chrome/i;

export const extensionSideload = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/extension-sideload',
    kind: 'threat',
    category: 'persistence',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Side-loads a browser extension by rewriting browser shortcuts with --load-extension (used by clipboard-hijacking campaigns).',
    examples: {
      positive: [{ files: { 'setup.py': "import os\next = os.getenv('APPDATA') + '\\\\Extension'\nargs = '--load-extension=' + ext\nsc = 'chrome.exe'\n" } }],
      negative: [{ files: { 'tests/browser.py': "def launch(driver, path):\n    return driver.start(['--headless'])\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      const hit = textHits(file, LOAD_EXT_RE, 1)[0];
      if (hit === undefined || textHits(file, BROWSER_RE, 1).length === 0) continue;
      const trigger = lineTrigger(file, hit.line);
      report({ path: file.path, line: hit.line, col: hit.col, trigger, severity: isAuto(trigger) ? 'critical' : 'high', ...(hit.decoded !== undefined ? { decoded: hit.decoded } : {}), message: `Rewrites browser launch arguments to side-load an extension ${when(trigger)}.` });
    }
  },
});
