import type { Command } from '../command.js';

/** Placeholder until `vigil audit` lands. */
export const auditCommand: Command = {
  name: 'audit',
  summary: '(not yet available)',
  async run(_args, io) {
    io.stderr.write('vigil audit: not yet available\n');
    return 2;
  },
};
