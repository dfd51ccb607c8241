import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { listOption, parseCommandArgs, stringOption } from '../args.js';
import { defaultDbPath } from '../../advisories/paths.js';
import { VigilError } from '../../core/errors.js';
import { detectInstaller, findBypassArgs, guardedEnvironment } from '../../guard/launch.js';
import type { DecisionEvent } from '../../guard/log.js';
import { GuardProxy } from '../../guard/proxy.js';
import { DEFAULT_UPSTREAM_NPM, DEFAULT_UPSTREAM_PYPI, describePolicy, prepareGuard } from '../../guard/setup.js';

const HELP = `Usage: vigil run [options] -- COMMAND [ARGS...]

Runs a package manager through an ephemeral Vigil proxy on a free loopback port, with cloud, CI,
registry and VCS credentials removed from its environment (install-time code cannot steal what it
cannot see). Works with pip, python -m pip, uv, pipx, npm, npx, pnpm and yarn.

Options:
  --keep-env NAME       pass this credential variable on purpose (repeatable)
  --policy FILE         policy file, JSON or YAML (see docs/GUARD.md)
  --upstream-pypi URL   PyPI simple index (default: $PIP_INDEX_URL, $UV_DEFAULT_INDEX, or ${DEFAULT_UPSTREAM_PYPI})
  --upstream-npm URL    npm registry (default: $npm_config_registry or ${DEFAULT_UPSTREAM_NPM})
  --log FILE            also write every decision as a JSON line to FILE ('-' for stderr)
  --cache FILE          keep scan decisions in this JSON file across runs
  --db PATH             advisory database for known-malicious versions (default: vigil's data dir)
  -q, --quiet           print only what was blocked
  -h, --help            show this help

Exit code: the command's own, or 1 when Vigil blocked something and the command succeeded anyway.
Examples:
  vigil run -- pip install requests
  vigil run --keep-env NODE_AUTH_TOKEN -- npm ci
`;

function envUpstream(env: NodeJS.ProcessEnv, names: readonly string[]): string | undefined {
  for (const n of names) {
    const direct = env[n];
    if (direct !== undefined && direct !== '') return direct;
    const other = Object.keys(env).find((k) => k.toLowerCase() === n.toLowerCase());
    const v = other === undefined ? undefined : env[other];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

function signalExitCode(signal: NodeJS.Signals | null): number {
  if (signal === null) return EXIT.ERROR;
  const n = (osConstants.signals as Record<string, number | undefined>)[signal];
  return n === undefined ? EXIT.ERROR : 128 + n;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run pip/uv/npm/pnpm/yarn through the guard proxy with credentials removed',
  async run(args, io) {
    const split = args.indexOf('--');
    const own = split < 0 ? args : args.slice(0, split);
    const commandArgv = split < 0 ? [] : args.slice(split + 1);
    const { values, positionals, help } = parseCommandArgs('run', own, {
      'keep-env': { type: 'string', multiple: true },
      policy: { type: 'string' },
      'upstream-pypi': { type: 'string' },
      'upstream-npm': { type: 'string' },
      log: { type: 'string' },
      cache: { type: 'string' },
      db: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    if (positionals.length > 0 && split < 0) throw new VigilError('E_USAGE', `put '--' before the command: vigil run -- ${positionals.join(' ')}`);
    if (commandArgv.length === 0) throw new VigilError('E_USAGE', "no command given (see 'vigil run --help')");
    const quiet = values.quiet === true;
    const installer = detectInstaller(commandArgv);
    const bypass = findBypassArgs(installer, commandArgv);
    if (bypass.length > 0) {
      throw new VigilError(
        'E_USAGE',
        `${bypass.join(', ')} would send downloads around the guard; remove it and pass the index with --upstream-pypi/--upstream-npm instead`,
      );
    }
    const keep = listOption(values, 'keep-env');
    const policyFile = stringOption(values, 'policy');
    const logFile = stringOption(values, 'log');
    const cacheFile = stringOption(values, 'cache');
    const blocked: DecisionEvent[] = [];
    const hidden = new Set<string>();
    const onDecision = (e: DecisionEvent): void => {
      if (e.action === 'block') {
        blocked.push(e);
        io.stderr.write(`vigil: BLOCKED ${e.package}${e.version !== undefined ? ` ${e.version}` : ''}${e.file !== undefined ? ` (${e.file})` : ''}: ${e.reason}\n`);
      } else if (e.action === 'hide' && !quiet) {
        const key = `${e.ecosystem}:${e.package}:${e.reason}`;
        if (!hidden.has(key)) {
          hidden.add(key);
          io.stderr.write(`vigil: hid ${e.package} ${(e.versions ?? []).slice(0, 5).join(', ')}${(e.versions?.length ?? 0) > 5 ? ', …' : ''}: ${e.reason}\n`);
        }
      } else if (e.action === 'error') {
        io.stderr.write(`vigil: ${e.package}${e.file !== undefined ? ` (${e.file})` : ''}: ${e.reason}\n`);
      }
    };
    const guard = await prepareGuard(
      {
        upstreamPypi: stringOption(values, 'upstream-pypi') ?? envUpstream(io.env, ['PIP_INDEX_URL', 'UV_DEFAULT_INDEX', 'UV_INDEX_URL']) ?? DEFAULT_UPSTREAM_PYPI,
        upstreamNpm: stringOption(values, 'upstream-npm') ?? envUpstream(io.env, ['npm_config_registry', 'YARN_NPM_REGISTRY_SERVER']) ?? DEFAULT_UPSTREAM_NPM,
        dbPath: stringOption(values, 'db') ?? defaultDbPath(io.env),
        ...(policyFile !== undefined ? { policyFile } : {}),
        ...(logFile !== undefined ? { logFile } : {}),
        ...(cacheFile !== undefined ? { cacheFile } : {}),
      },
      io.stderr,
      onDecision,
    );
    const proxy = new GuardProxy(guard.options);
    let address;
    try {
      address = await proxy.listen(0, '127.0.0.1');
    } catch (error) {
      await guard.dispose();
      throw error;
    }
    const guarded = guardedEnvironment(io.env, address.url, keep);
    if (!quiet) {
      io.stderr.write(`vigil: ${installer.tool} runs through the guard proxy at ${address.url} (${describePolicy(guard.policy)})\n`);
      for (const n of guard.notes) io.stderr.write(`vigil: ${n}\n`);
      if (guarded.removed.length > 0) io.stderr.write(`vigil: removed ${guarded.removed.length} credential variable(s): ${guarded.removed.map((r) => r.name).join(', ')}\n`);
      if (guarded.kept.length > 0) io.stderr.write(`vigil: passed on purpose: ${guarded.kept.map((r) => r.name).join(', ')}\n`);
      if (installer.family === undefined) io.stderr.write(`vigil: '${installer.tool}' is not a known installer; it runs with the guard environment anyway\n`);
      if (installer.tool === 'poetry') {
        io.stderr.write("vigil: poetry reads its sources from pyproject.toml; pip-based steps are guarded, poetry's own downloads only when a source points at the proxy (see docs/GUARD.md)\n");
      }
    }
    for (const name of keep) {
      if (io.env[name] === undefined) io.stderr.write(`vigil: --keep-env ${name}: not set\n`);
    }
    let code: number;
    try {
      code = await new Promise<number>((resolve, reject) => {
        // The real terminal is inherited; captured streams (tests, embedding) get the output piped.
        const inherit = io.stdout === process.stdout && io.stderr === process.stderr;
        const child = spawn(commandArgv[0]!, commandArgv.slice(1), { cwd: io.cwd, env: guarded.env, stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
        child.stdout?.pipe(io.stdout, { end: false });
        child.stderr?.pipe(io.stderr, { end: false });
        const forward = (signal: NodeJS.Signals): void => {
          child.kill(signal);
        };
        process.on('SIGINT', forward);
        process.on('SIGTERM', forward);
        const cleanup = (): void => {
          process.off('SIGINT', forward);
          process.off('SIGTERM', forward);
        };
        child.once('error', (error: NodeJS.ErrnoException) => {
          cleanup();
          reject(new VigilError('E_USAGE', error.code === 'ENOENT' ? `command not found: ${commandArgv[0]}` : `cannot start ${commandArgv[0]}: ${error.message}`));
        });
        child.once('close', (exitCode, signal) => {
          cleanup();
          resolve(exitCode ?? signalExitCode(signal));
        });
      });
    } finally {
      await proxy.close(2_000);
      await guard.dispose();
    }
    if (blocked.length > 0) {
      io.stderr.write(`vigil: blocked ${blocked.length} artifact(s):\n`);
      for (const b of blocked) io.stderr.write(`  - ${b.ecosystem}:${b.package}${b.version !== undefined ? `@${b.version}` : ''}: ${b.reason}\n`);
      return code !== 0 ? code : EXIT.FINDINGS;
    }
    return code;
  },
};
