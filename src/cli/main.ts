import { describeError, isVigilError } from '../core/errors.js';
import { vigilVersion } from '../core/version.js';
import type { CliIO, Command } from './command.js';
import { EXIT } from './command.js';
import { featureCommands } from './commands/index.js';
import { rulesCommand } from './commands/rules.js';
import { scanCommand } from './commands/scan.js';

const COMMANDS: readonly Command[] = [scanCommand, rulesCommand, ...featureCommands];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: vigil <command> [options]

Vigil reads packages before you install them.

Commands:
${lines.join('\n')}

Run 'vigil <command> --help' for the options of a command.
Examples:
  vigil scan pypi:requests==2.32.3 npm:left-pad@1.3.0
  vigil scan ./downloads/suspicious-1.0.tar.gz --format sarif --output vigil.sarif
  vigil audit .
`;
}

/** CLI entry: the only place that decides exit codes. Never prints a stack trace. */
export async function main(argv: readonly string[], io?: Partial<CliIO>): Promise<number> {
  const cli: CliIO = {
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    env: io?.env ?? process.env,
    cwd: io?.cwd ?? process.cwd(),
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    cli.stdout.write(usage());
    return name === undefined ? EXIT.ERROR : EXIT.OK;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    cli.stdout.write(`${vigilVersion()}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    cli.stderr.write(`vigil: unknown command '${name}'\n\n${usage()}`);
    return EXIT.ERROR;
  }
  try {
    return await command.run(rest, cli);
  } catch (error) {
    const code = isVigilError(error) ? error.code : 'E_INTERNAL';
    cli.stderr.write(`vigil ${command.name}: ${describeError(error)}${code === 'E_INTERNAL' ? ' (internal error)' : ''}\n`);
    return EXIT.ERROR;
  }
}
