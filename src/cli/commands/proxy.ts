import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { intOption, parseCommandArgs, stringOption } from '../args.js';
import { defaultDbPath } from '../../advisories/paths.js';
import { GuardProxy } from '../../guard/proxy.js';
import { DEFAULT_UPSTREAM_NPM, DEFAULT_UPSTREAM_PYPI, describePolicy, prepareGuard } from '../../guard/setup.js';

const HELP = `Usage: vigil proxy [options]

Runs an index proxy that vets every artifact before pip/uv/poetry or npm/pnpm/yarn download it.
Files are fetched from the upstream, checked against the hash the index gives, scanned (decisions
cached by sha256) and served, or refused with HTTP 403 and a one-line reason.

Options:
  --port N              port to listen on (default 8787; 0 picks a free one)
  --host HOST           address to listen on (default 127.0.0.1; the proxy has no authentication)
  --upstream-pypi URL   PyPI simple index (default ${DEFAULT_UPSTREAM_PYPI})
  --upstream-npm URL    npm registry (default ${DEFAULT_UPSTREAM_NPM})
  --policy FILE         policy file, JSON or YAML (see docs/GUARD.md)
  --log FILE            decision log as JSON lines ('-' for stderr, the default)
  --cache FILE          keep scan decisions in this JSON file across restarts
  --db PATH             advisory database for known-malicious versions (default: vigil's data dir)
  --timeout MS          upstream timeout per attempt (default 30000)
  --scan-threads N      worker threads for scanning (default 1; 0 = main thread)
  -h, --help            show this help

Point clients at it:
  pip install --index-url http://127.0.0.1:8787/pypi/simple/ NAME
  uv pip install --default-index http://127.0.0.1:8787/pypi/simple/ NAME
  npm install --registry http://127.0.0.1:8787/npm/ NAME
Stop it with Ctrl-C (running requests are allowed to finish).
`;

export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'Run an index proxy for PyPI and npm that refuses malicious artifacts',
  async run(args, io) {
    const { values, help } = parseCommandArgs('proxy', args, {
      port: { type: 'string' },
      host: { type: 'string' },
      'upstream-pypi': { type: 'string' },
      'upstream-npm': { type: 'string' },
      policy: { type: 'string' },
      log: { type: 'string' },
      cache: { type: 'string' },
      db: { type: 'string' },
      timeout: { type: 'string' },
      'scan-threads': { type: 'string' },
    });
    if (help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    const port = intOption(values, 'port', 8787, 0);
    const host = stringOption(values, 'host') ?? '127.0.0.1';
    const policyFile = stringOption(values, 'policy');
    const cacheFile = stringOption(values, 'cache');
    const guard = await prepareGuard(
      {
        upstreamPypi: stringOption(values, 'upstream-pypi') ?? DEFAULT_UPSTREAM_PYPI,
        upstreamNpm: stringOption(values, 'upstream-npm') ?? DEFAULT_UPSTREAM_NPM,
        logFile: stringOption(values, 'log') ?? '-',
        dbPath: stringOption(values, 'db') ?? defaultDbPath(io.env),
        timeoutMs: intOption(values, 'timeout', 30_000, 100),
        scanThreads: intOption(values, 'scan-threads', 1, 0),
        ...(policyFile !== undefined ? { policyFile } : {}),
        ...(cacheFile !== undefined ? { cacheFile } : {}),
      },
      io.stderr,
    );
    const proxy = new GuardProxy(guard.options);
    let address;
    try {
      address = await proxy.listen(port, host);
    } catch (error) {
      await guard.dispose();
      throw error;
    }
    const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
    io.stderr.write(
      `vigil proxy listening on ${address.url} (${describePolicy(guard.policy)})\n` +
        `  PyPI: ${address.url}/pypi/simple/  ->  ${guard.options.upstreamPypi}\n` +
        `  npm:  ${address.url}/npm/  ->  ${guard.options.upstreamNpm}\n` +
        guard.notes.map((n) => `  ${n}\n`).join('') +
        (loopback ? '' : '  warning: listening beyond loopback; the proxy has no authentication\n'),
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    io.stderr.write('vigil proxy: shutting down\n');
    await proxy.close();
    await guard.dispose();
    return EXIT.OK;
  },
};
