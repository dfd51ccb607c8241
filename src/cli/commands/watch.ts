import type { Command } from '../command.js';

/** Placeholder until `vigil watch` lands. */
export const watchCommand: Command = {
  name: 'watch',
  summary: '(not yet available)',
  async run(_args, io) {
    io.stderr.write('vigil watch: not yet available\n');
    return 2;
  },
};
