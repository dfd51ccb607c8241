import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { collectPackages } from '../../audit/run.js';
import { buildCycloneDx } from '../../audit/sbom.js';
import { describeError, isVigilError } from '../../core/errors.js';
import { parseCommandArgs, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';

export const SBOM_HELP = `Usage: vigil sbom [PATH...] [options]

Writes a CycloneDX 1.5 JSON SBOM (components with purls) of every package found in the lockfiles
and manifests under each PATH (default: .). Set SOURCE_DATE_EPOCH for a reproducible document.

Options:
  -o, --output FILE     write to FILE instead of stdout
  --include-installed   also read node_modules and virtualenvs / site-packages
  -h, --help            show this help

Exit codes: 0 written, 2 errors (unreadable lockfile, bad options).
`;

export const sbomCommand: Command = {
  name: 'sbom',
  summary: 'write a CycloneDX 1.5 SBOM of the project dependencies',
  async run(args, io) {
    try {
      const parsed = parseCommandArgs('sbom', args, { output: { type: 'string', short: 'o' }, 'include-installed': { type: 'boolean' } });
      if (parsed.help) {
        io.stdout.write(SBOM_HELP);
        return EXIT.OK;
      }
      const collected = collectPackages(parsed.positionals.length > 0 ? parsed.positionals : ['.'], io.cwd, {
        installed: parsed.values['include-installed'] === true,
      });
      const text = `${JSON.stringify(buildCycloneDx(collected.packages), null, 2)}\n`;
      const output = stringOption(parsed.values, 'output');
      if (output !== undefined) writeFileSync(resolve(io.cwd, output), text);
      else io.stdout.write(text);
      for (const e of collected.errors) io.stderr.write(`vigil sbom: error: ${e}\n`);
      return collected.errors.length > 0 ? EXIT.ERROR : EXIT.OK;
    } catch (error) {
      io.stderr.write(`vigil sbom: ${isVigilError(error) ? error.message : describeError(error)}\n`);
      return EXIT.ERROR;
    }
  },
};
