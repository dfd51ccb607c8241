import type { Command } from '../command.js';

/** Placeholder until `vigil worker` lands. */
export const workerCommand: Command = {
  name: 'worker',
  summary: '(not yet available)',
  async run(_args, io) {
    io.stderr.write('vigil worker: not yet available\n');
    return 2;
  },
};
