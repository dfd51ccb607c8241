/**
 * A `vigil worker` process for the fault-tolerance test: the real worker service (Redis queue +
 * PostgreSQL store) with a slow in-memory fetcher, so the test can kill it in the middle of a job.
 * Prints `start <name>@<version>` when a job begins and `ready` once consuming.
 */
import { startWorkerService } from '../../src/queue/index.js';
import { markerScanner } from './fakes.js';

const queueUrl = process.env.VIGIL_T_QUEUE ?? '';
const storeSpec = process.env.VIGIL_T_STORE ?? '';
const delayMs = Number(process.env.VIGIL_T_DELAY_MS ?? '200');

const service = await startWorkerService({
  queueUrl,
  storeSpec,
  env: process.env,
  cwd: process.cwd(),
  concurrency: 1,
  lockDurationMs: 1500,
  stalledIntervalMs: 500,
  scanArtifact: markerScanner,
  fetchRelease: async (ref) => {
    await new Promise((r) => setTimeout(r, delayMs));
    return { ...ref, artifacts: [{ filename: `${ref.name}-${ref.version}.tgz`, bytes: Buffer.from(`release ${ref.name} ${ref.version}`) }] };
  },
  onJobStart: (job) => process.stdout.write(`start ${job.name}@${job.version}\n`),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write('ready\n');
const stop = (): void => {
  void service.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
