import type { Command } from '../command.js';

/** Placeholder until `vigil diff` lands. */
export const diffCommand: Command = {
  name: 'diff',
  summary: '(not yet available)',
  async run(_args, io) {
    io.stderr.write('vigil diff: not yet available\n');
    return 2;
  },
};
