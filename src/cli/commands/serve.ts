import type { Command } from '../command.js';

/** Placeholder until `vigil serve` lands. */
export const serveCommand: Command = {
  name: 'serve',
  summary: '(not yet available)',
  async run(_args, io) {
    io.stderr.write('vigil serve: not yet available\n');
    return 2;
  },
};
