import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { SHADOWED_COMMANDS } from '../../analysis/python/package.js';

export const entryPointShadowing = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/entry-point-shadowing',
    kind: 'threat',
    category: 'execution',
    severity: 'medium',
    confidence: 'medium',
    ecosystems: ['pypi'],
    description: 'Installs a console script named like a system or common tool (pip, python, ls, git, aws, ...), hijacking that command.',
    examples: {
      positive: [{ files: { 'setup.py': "from setuptools import setup\nsetup(name='x', entry_points={'console_scripts': ['pip=x.main:run']})\n" } }],
      negative: [{ files: { 'setup.py': "from setuptools import setup\nsetup(name='x', entry_points={'console_scripts': ['x-tool=x.main:run']})\n" } }],
    },
  },
  check(pkg, report) {
    for (const ep of pkg.entryPoints) {
      if (!SHADOWED_COMMANDS.has(ep.name.toLowerCase())) continue;
      const target = ep.target.split(':')[0]?.split('.')[0] ?? '';
      if (target.toLowerCase() === ep.name.toLowerCase().replace(/\d+$/, '')) continue;
      report({ path: ep.path, line: ep.line, trigger: 'install', evidence: `${ep.name} = ${ep.target}`, message: `Installs a console script named "${ep.name}" that shadows a common command (runs ${ep.target}).` });
    }
  },
});
