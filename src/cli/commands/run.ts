import type { Command } from '../command.js';

/** Placeholder until `vigil run` lands. */
export const runCommand: Command = {
  name: 'run',
  summary: '(not yet available)',
  async run(_args, io) {
    io.stderr.write('vigil run: not yet available\n');
    return 2;
  },
};
