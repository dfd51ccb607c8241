import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { VigilError, describeError } from '../../core/errors.js';
import { waitForShutdownSignal } from '../signals.js';
import { checkExposure, startDashboard } from '../../server/app.js';
import { checkToken } from '../../server/auth.js';
import { openStore } from '../../store/index.js';
import { intOption, parseCommandArgs, stringOption } from '../args.js';
import type { CliIO, Command } from '../command.js';
import { EXIT } from '../command.js';

const HELP = `Usage: vigil serve [--host 127.0.0.1] [--port 8080] [--store URL|PATH] [--token-file PATH]

A read-only web dashboard over the results that 'vigil watch' and 'vigil worker' store: watched projects
and their status, recent alerts, scanned releases with their verdicts, every finding with its evidence
and what is new compared with the previous release; search by package name. The same data as JSON under
/api/releases?q=, /api/alerts and /api/projects. Alerts link to /release/<ecosystem>/<name>/<version>.

Access control: with a token, every page and API route needs it — 'Authorization: Bearer TOKEN' for
scripts, or the login form at /login for a browser (an HttpOnly, SameSite=Strict session cookie for 12 h;
/login?token=… works too). /healthz stays open for health checks. Without a token the dashboard only
listens on a loopback address.

Options:
  --host HOST          interface to listen on (default 127.0.0.1). Any other address needs a token
                       (or --insecure-no-auth)
  --port N             port (default 8080; 0 picks a free one)
  --store URL|PATH     results store (default SQLite at $VIGIL_DATA_DIR/vigil.db; postgres://…?schema=…)
  --token-file PATH    read the access token from a file (first line; at least 16 characters, e.g.
                       'openssl rand -hex 32 > token')
  --token TOKEN        the access token on the command line (visible to other local users in the process
                       list: prefer --token-file or $VIGIL_SERVE_TOKEN)
  --insecure-no-auth   listen on a non-loopback address without a token (only behind a reverse proxy
                       that authenticates)

Environment: VIGIL_SERVE_TOKEN (the access token, when neither --token nor --token-file is given).`;

const MAX_TOKEN_FILE = 4096;

/** The token from --token-file, --token or $VIGIL_SERVE_TOKEN (one of them), checked. */
export function serveToken(values: Parameters<typeof stringOption>[0], io: CliIO): string | undefined {
  const inline = stringOption(values, 'token');
  const file = stringOption(values, 'token-file');
  if (inline !== undefined && file !== undefined) throw new VigilError('E_USAGE', 'give --token or --token-file, not both');
  let token: string | undefined;
  if (file !== undefined) {
    const path = resolve(io.cwd, file);
    try {
      const st = statSync(path);
      if (st.size > MAX_TOKEN_FILE) throw new Error('larger than 4 KiB');
      if ((st.mode & 0o077) !== 0) io.stderr.write(`vigil serve: warning: ${file} can be read by other users (chmod 600 it)\n`);
      token = (readFileSync(path, 'utf8').split(/\r?\n/)[0] ?? '').trim();
    } catch (error) {
      throw new VigilError('E_USAGE', `cannot read the token file ${file}: ${describeError(error)}`, { cause: error });
    }
  } else token = inline ?? (io.env.VIGIL_SERVE_TOKEN !== undefined && io.env.VIGIL_SERVE_TOKEN !== '' ? io.env.VIGIL_SERVE_TOKEN : undefined);
  if (token !== undefined) checkToken(token);
  return token;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'web dashboard of watched projects, alerts and scanned releases',
  async run(args, io) {
    const parsed = parseCommandArgs('serve', args, {
      host: { type: 'string' }, port: { type: 'string' }, store: { type: 'string' },
      token: { type: 'string' }, 'token-file': { type: 'string' }, 'insecure-no-auth': { type: 'boolean' },
    });
    if (parsed.help) {
      io.stdout.write(`${HELP}\n`);
      return EXIT.OK;
    }
    if (parsed.positionals.length > 0) throw new VigilError('E_USAGE', `unexpected argument '${parsed.positionals[0] ?? ''}' (see 'vigil serve --help')`);
    const port = intOption(parsed.values, 'port', 8080, 0);
    if (port > 65535) throw new VigilError('E_USAGE', '--port must be at most 65535');
    const host = stringOption(parsed.values, 'host') ?? '127.0.0.1';
    const token = serveToken(parsed.values, io);
    const insecureNoAuth = parsed.values['insecure-no-auth'] === true;
    checkExposure(host, token, insecureNoAuth);
    const store = await openStore(stringOption(parsed.values, 'store') ?? io.env.VIGIL_STORE, io.env, io.cwd);
    let dashboard;
    try {
      dashboard = await startDashboard({
        store, host, port, insecureNoAuth, log: (l) => void io.stderr.write(`vigil serve: ${l}\n`),
        ...(token !== undefined ? { token } : {}),
      });
    } catch (error) {
      await store.close();
      throw new VigilError('E_CONFIG', `cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const access = token !== undefined ? `token required; browsers log in at ${dashboard.url}/login` : insecureNoAuth ? 'NO authentication (--insecure-no-auth)' : 'no authentication, loopback only';
    io.stdout.write(`vigil serve: ${dashboard.url}/ (store ${store.description}; ${access}); stop with Ctrl-C\n`);
    await waitForShutdownSignal();
    await dashboard.close();
    await store.close();
    return EXIT.OK;
  },
};
