import type { Command } from '../command.js';
import { createAuditCommand } from './audit.js';
import { scanPackages } from '../../scan/packages.js';
import { dataCommand } from './data.js';
import { dbCommand } from './db.js';
import { diffCommand } from './diff.js';
import { exposureCommand } from './exposure.js';
import { proxyCommand } from './proxy.js';
import { runCommand } from './run.js';
import { sbomCommand } from './sbom.js';
import { serveCommand } from './serve.js';
import { watchCommand } from './watch.js';
import { workerCommand } from './worker.js';

/** Commands owned by feature areas; `scan`, `rules` and `eval` are registered by cli/main.ts. */
export const featureCommands: readonly Command[] = [
  createAuditCommand({ scanPackages: (refs) => scanPackages(refs) }),
  dbCommand,
  sbomCommand,
  diffCommand,
  dataCommand,
  proxyCommand,
  runCommand,
  exposureCommand,
  watchCommand,
  serveCommand,
  workerCommand,
];
