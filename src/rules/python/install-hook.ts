import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';

const HOOK_BASES = /(?:^|\.)(?:install|develop|egg_info|build_py|build_ext|bdist_egg|bdist_wheel|sdist|build)$/;

export const installHook = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/install-hook',
    kind: 'capability',
    category: 'execution',
    severity: 'info',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Overrides a setuptools command (cmdclass: install, develop, egg_info, ...) so custom code runs during installation.',
    examples: {
      positive: [{ files: { 'setup.py': "from setuptools import setup\nfrom setuptools.command.install import install\nclass I(install):\n    def run(self):\n        install.run(self)\nsetup(name='x', cmdclass={'install': I})\n" } }],
      negative: [{ files: { 'setup.py': "from setuptools import setup\nsetup(name='x')\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      if (file.trigger !== 'install') continue;
      for (const c of file.facts.classes) {
        if (!c.bases.some((b) => HOOK_BASES.test(b) && /setuptools|distutils|^install$|^develop$|^egg_info$|^build_py$|^sdist$/.test(b))) continue;
        report({ path: file.path, line: c.line, trigger: 'install', message: `Class ${c.name} overrides the setuptools command ${c.bases.join(', ')}; its code runs during installation.` });
      }
    }
  },
});
