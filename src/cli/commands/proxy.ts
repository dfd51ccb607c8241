import type { Command } from '../command.js';

/** Placeholder until `vigil proxy` lands. */
export const proxyCommand: Command = {
  name: 'proxy',
  summary: '(not yet available)',
  async run(_args, io) {
    io.stderr.write('vigil proxy: not yet available\n');
    return 2;
  },
};
