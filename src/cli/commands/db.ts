import type { Command } from '../command.js';

/** Placeholder until `vigil db` lands. */
export const dbCommand: Command = {
  name: 'db',
  summary: '(not yet available)',
  async run(_args, io) {
    io.stderr.write('vigil db: not yet available\n');
    return 2;
  },
};
