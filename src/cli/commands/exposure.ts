import { homedir } from 'node:os';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { parseCommandArgs, stringOption } from '../args.js';
import { VigilError } from '../../core/errors.js';
import { collectExposure, renderExposureText } from '../../exposure/index.js';

const HELP = `Usage: vigil exposure [--format text|json]

Lists what install-time code running as you could steal: credential environment variables and
credential files (AWS, gcloud, Azure, Alibaba Cloud, npm, PyPI, Docker, netrc, Git, Kubernetes,
SSH keys without a passphrase, GitHub CLI), with the kind (long-lived or temporary), where it was
found and least-privilege advice. Secrets are never printed: at most 4 leading characters.

Options:
  --format FORMAT   text (default) or json
  -h, --help        show this help

Exit code: 0 when nothing was found, 1 when credentials are exposed, 2 on errors.
`;

export const exposureCommand: Command = {
  name: 'exposure',
  summary: 'Show which credentials install-time code on this machine could read',
  async run(args, io) {
    const { values, positionals, help } = parseCommandArgs('exposure', args, { format: { type: 'string' } });
    if (help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    if (positionals.length > 0) throw new VigilError('E_USAGE', `unexpected argument '${positionals[0]}' (see 'vigil exposure --help')`);
    const format = stringOption(values, 'format') ?? 'text';
    if (format !== 'text' && format !== 'json') throw new VigilError('E_USAGE', `--format must be text or json, got '${format}'`);
    const home = io.env.HOME !== undefined && io.env.HOME !== '' ? io.env.HOME : homedir();
    const report = await collectExposure({ env: io.env, home, cwd: io.cwd });
    io.stdout.write(format === 'json' ? `${JSON.stringify({ home: report.home, count: report.items.length, items: report.items, checked: report.checked }, null, 2)}\n` : renderExposureText(report));
    return report.items.length > 0 ? EXIT.FINDINGS : EXIT.OK;
  },
};
