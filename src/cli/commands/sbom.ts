import type { Command } from '../command.js';

/** Placeholder until `vigil sbom` lands. */
export const sbomCommand: Command = {
  name: 'sbom',
  summary: '(not yet available)',
  async run(_args, io) {
    io.stderr.write('vigil sbom: not yet available\n');
    return 2;
  },
};
