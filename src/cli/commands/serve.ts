import { VigilError } from '../../core/errors.js';
import { waitForShutdownSignal } from '../signals.js';
import { startDashboard } from '../../server/app.js';
import { openStore } from '../../store/index.js';
import { intOption, parseCommandArgs, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';

const HELP = `Usage: vigil serve [--host 127.0.0.1] [--port 8080] [--store URL|PATH]

A read-only web dashboard over the results that 'vigil watch' and 'vigil worker' store: watched projects
and their status, recent alerts, scanned releases with their verdicts, every finding with its evidence
and what is new compared with the previous release; search by package name. The same data as JSON under
/api/releases?q=, /api/alerts and /api/projects. Alerts link to /release/<ecosystem>/<name>/<version>.

Options:
  --host HOST        interface to listen on (default 127.0.0.1; there is no authentication, so put a
                     reverse proxy with authentication in front before exposing it)
  --port N           port (default 8080; 0 picks a free one)
  --store URL|PATH   results store (default SQLite at $VIGIL_DATA_DIR/vigil.db; postgres://…?schema=…)`;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'web dashboard of watched projects, alerts and scanned releases',
  async run(args, io) {
    const parsed = parseCommandArgs('serve', args, { host: { type: 'string' }, port: { type: 'string' }, store: { type: 'string' } });
    if (parsed.help) {
      io.stdout.write(`${HELP}\n`);
      return EXIT.OK;
    }
    if (parsed.positionals.length > 0) throw new VigilError('E_USAGE', `unexpected argument '${parsed.positionals[0] ?? ''}' (see 'vigil serve --help')`);
    const port = intOption(parsed.values, 'port', 8080, 0);
    if (port > 65535) throw new VigilError('E_USAGE', '--port must be at most 65535');
    const host = stringOption(parsed.values, 'host') ?? '127.0.0.1';
    const store = await openStore(stringOption(parsed.values, 'store') ?? io.env.VIGIL_STORE, io.env, io.cwd);
    let dashboard;
    try {
      dashboard = await startDashboard({ store, host, port, log: (l) => void io.stderr.write(`vigil serve: ${l}\n`) });
    } catch (error) {
      await store.close();
      throw new VigilError('E_CONFIG', `cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
    }
    io.stdout.write(`vigil serve: ${dashboard.url}/ (store ${store.description}); stop with Ctrl-C\n`);
    await waitForShutdownSignal();
    await dashboard.close();
    await store.close();
    return EXIT.OK;
  },
};
