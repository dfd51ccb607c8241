import type { Command } from '../command.js';

/** Placeholder until `vigil exposure` lands. */
export const exposureCommand: Command = {
  name: 'exposure',
  summary: '(not yet available)',
  async run(_args, io) {
    io.stderr.write('vigil exposure: not yet available\n');
    return 2;
  },
};
