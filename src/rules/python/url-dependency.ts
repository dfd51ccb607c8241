import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { short, triggerOf } from '../../analysis/python/model.js';
import { when } from './util.js';

export const urlDependency = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/url-dependency',
    kind: 'threat',
    category: 'download-execute',
    severity: 'medium',
    confidence: 'medium',
    ecosystems: ['pypi'],
    description: 'Stages more code at install time: dependencies from URLs, dependency_links, or `pip install` run from setup.py.',
    examples: {
      positive: [{ files: { 'setup.py': "import os\nos.system('pip install helper-pkg')\n" } }],
      negative: [{ files: { 'setup.py': "from setuptools import setup\nsetup(name='x', install_requires=['requests>=2'])\n" } }],
    },
  },
  check(pkg, report) {
    for (const d of pkg.urlDependencies) report({ path: d.path, line: d.line, trigger: 'install', message: `Declares a dependency fetched from a URL (${short(d.text, 100)}).` });
    for (const file of pkg.files) {
      for (const c of file.facts.commands) {
        if (!/\bpip3?(?:\.exe)?["']?\s+install\b|-m\s+pip\s+install\b/.test(c.cmd)) continue;
        const trigger = triggerOf(file, c);
        if (trigger !== 'install' && trigger !== 'startup' && trigger !== 'import') continue;
        report({ path: file.path, line: c.line, col: c.col, trigger, message: `Installs other packages ${when(trigger)}: ${short(c.cmd)}.` });
      }
      for (const c of file.facts.calls) {
        if (!/^pip(?:\._internal)?(?:\.main|\.cli\.main\.main)$/.test(c.name)) continue;
        const trigger = triggerOf(file, c);
        if (trigger !== 'install' && trigger !== 'startup' && trigger !== 'import') continue;
        report({ path: file.path, line: c.line, col: c.col, trigger, message: `Calls pip from code ${when(trigger)} to install more packages.` });
      }
    }
  },
});
