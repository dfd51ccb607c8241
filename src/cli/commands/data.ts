import type { Command } from '../command.js';

/** Placeholder until `vigil data` lands. */
export const dataCommand: Command = {
  name: 'data',
  summary: '(not yet available)',
  async run(_args, io) {
    io.stderr.write('vigil data: not yet available\n');
    return 2;
  },
};
