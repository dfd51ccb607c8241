import { ALERT_OPTIONS, ALERT_OPTIONS_HELP, alertOnOption, alertSinksFromOptions, dashboardUrlOption } from '../../alerts/config.js';
import { waitForShutdownSignal } from '../signals.js';
import { VigilError } from '../../core/errors.js';
import { startWorkerService } from '../../queue/service.js';
import { intOption, parseCommandArgs, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';

const HELP = `Usage: vigil worker --queue redis://HOST:6379[/DB][?prefix=P&queue=Q] [options]

Consumes scan jobs from a Redis (BullMQ) queue filled by 'vigil watch run --queue …', scans each release
(download, verify, static analysis; nothing is executed), stores the result and raises alerts. Run any
number of workers on any number of machines against the same queue and store. Jobs are keyed by release,
retried with backoff, and recovered from a worker that died mid-scan; results are upserted by key.
Stops cleanly on SIGINT/SIGTERM after the running job.

Options:
  --queue URL            Redis queue (required)
  --store URL|PATH       postgres://user@host:5432/db?schema=vigil (shared by all workers) or a SQLite
                         file (default: $VIGIL_DATA_DIR/vigil.db, one machine only)
  --concurrency N        jobs at once in this process (default 1; run one worker per core instead)
  --lock-duration MS     a dead worker's job is retried after this long (default 30000)

${ALERT_OPTIONS_HELP}

Registry URLs come from the environment (npm_config_registry, PIP_INDEX_URL).`;

export const workerCommand: Command = {
  name: 'worker',
  summary: 'consume scan jobs from a Redis queue (scale-out)',
  async run(args, io) {
    const parsed = parseCommandArgs('worker', args, {
      queue: { type: 'string' },
      store: { type: 'string' },
      concurrency: { type: 'string' },
      'lock-duration': { type: 'string' },
      ...ALERT_OPTIONS,
    });
    if (parsed.help) {
      io.stdout.write(`${HELP}\n`);
      return EXIT.OK;
    }
    const { values } = parsed;
    if (parsed.positionals.length > 0) throw new VigilError('E_USAGE', `unexpected argument '${parsed.positionals[0] ?? ''}' (see 'vigil worker --help')`);
    const queueUrl = stringOption(values, 'queue') ?? io.env.VIGIL_QUEUE;
    if (queueUrl === undefined) throw new VigilError('E_USAGE', "--queue redis://… is required (see 'vigil worker --help')");
    const storeSpec = stringOption(values, 'store') ?? io.env.VIGIL_STORE;
    const log = (line: string): void => void io.stderr.write(`vigil worker: ${line}\n`);
    const service = await startWorkerService({
      queueUrl,
      ...(storeSpec !== undefined ? { storeSpec } : {}),
      env: io.env,
      cwd: io.cwd,
      concurrency: intOption(values, 'concurrency', 1, 1),
      lockDurationMs: intOption(values, 'lock-duration', 30_000, 1000),
      sinks: alertSinksFromOptions(values, io.cwd),
      dashboardUrl: dashboardUrlOption(values),
      alertOn: alertOnOption(values),
      log,
    });
    log(`consuming ${queueUrl.replace(/\/\/[^@/]*@/, '//')} -> ${service.store.description}`);
    await waitForShutdownSignal();
    log('stopping after the running job');
    await service.close();
    return EXIT.OK;
  },
};
