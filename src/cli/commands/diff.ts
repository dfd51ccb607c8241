import { DEFAULT_LIMITS } from '../../core/limits.js';
import { vigilVersion } from '../../core/version.js';
import { diffTrees, renderDiffJson, renderDiffSarif, renderDiffText } from '../../diff/index.js';
import { loadSide } from '../../diff/load.js';
import { VigilError } from '../../core/errors.js';
import { parseCommandArgs, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';

const HELP = `Usage: vigil diff OLD NEW [--format text|json|sarif]

Compares two releases of a package and shows what changed: files added, removed and changed, and
behaviour that appeared or grew — new install hooks, network destinations, credential sources,
encoded blobs, dependencies, and analysis findings (matched by rule, file and evidence).

OLD and NEW are each a local artifact (.tgz, .tar.gz, .whl, .zip), a local folder, or a registry
release with an exact version:
  vigil diff pypi:requests==2.31.0 pypi:requests==2.32.0
  vigil diff npm:left-pad@1.2.0 npm:left-pad@1.3.0
  vigil diff ./pkg-1.0.tgz ./pkg-1.1.tgz

Options:
  --format FORMAT   text (default), json or sarif
  -h, --help        show this help

Exit codes: 0 no new behaviour, 1 new behaviour in NEW, 2 usage or other error.
Package code is never executed.
`;

export const diffCommand: Command = {
  name: 'diff',
  summary: 'Show files and behaviour that changed between two releases',
  async run(args, io) {
    const parsed = parseCommandArgs('diff', args, { format: { type: 'string', short: 'f' } });
    if (parsed.help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    const format = stringOption(parsed.values, 'format') ?? 'text';
    if (format !== 'text' && format !== 'json' && format !== 'sarif') {
      throw new VigilError('E_USAGE', `--format must be text, json or sarif, not '${format}' (see 'vigil diff --help')`);
    }
    if (parsed.positionals.length !== 2) {
      throw new VigilError('E_USAGE', `expected two targets (OLD NEW), got ${parsed.positionals.length} (see 'vigil diff --help')`);
    }
    const [oldRaw = '', newRaw = ''] = parsed.positionals;
    const needsRegistry = [oldRaw, newRaw].some((t) => /^(?:pypi|npm|pkg):/i.test(t.trim()));
    const registry = needsRegistry ? (await import('../../ecosystems/index.js')).defaultRegistryOptions(io.env) : undefined;
    const common = { cwd: io.cwd, limits: DEFAULT_LIMITS, ...(registry !== undefined ? { registry } : {}) };
    const a = await loadSide(oldRaw, common);
    const b = await loadSide(newRaw, { ...common, ...(a.kind !== undefined ? { preferKind: a.kind } : {}) });
    const diff = diffTrees(a, b);
    const out = format === 'json' ? renderDiffJson(diff) : format === 'sarif' ? renderDiffSarif(diff, { version: vigilVersion() }) : renderDiffText(diff);
    io.stdout.write(out);
    return diff.newBehaviour ? EXIT.FINDINGS : EXIT.OK;
  },
};
