/**
 * Private Redis and PostgreSQL servers owned by one test: started on a free loopback port in a temp dir,
 * really restarted on demand, and removed afterwards. The shared servers on 6379/5432 are never touched.
 *
 * - Redis: `redis-server` with an append-only file fsynced on every write, so a restart keeps the queue.
 * - PostgreSQL: a throw-away cluster made with the Debian binaries (`initdb`, `pg_ctl`); as root they run
 *   as the `postgres` OS user (PostgreSQL refuses to run as root), trust auth, 127.0.0.1 only.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port that was free a moment ago (bind to 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function onPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, bin))) return join(dir, bin);
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Runs a command to completion (waits for exit, not for inherited pipes: pg_ctl leaves a server behind). */
function run(cmd: string, args: readonly string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (c: Buffer): void => void (output = `${output}${c.toString('utf8')}`.slice(-4000));
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => (clearTimeout(timer), reject(e)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code, output });
    });
  });
}

/** Sends one RESP PING and resolves true on `+PONG`. */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (c: Buffer) => {
      data += c.toString('utf8');
      if (data.includes('\r\n')) done(data.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
  });
}

export interface PrivateServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** How many times the server was (re)started. */
  readonly starts: number;
  /**
   * Stops the server cleanly, leaves it down for `downMs`, and starts it again on the same port and data;
   * resolves when it answers.
   */
  restart(downMs?: number): Promise<void>;
  /** Stops the server (idempotent) and removes its temp dir. */
  destroy(): Promise<void>;
}

/** Why a private Redis cannot be started here, or undefined when it can. */
export function privateRedisSkipReason(): string | undefined {
  return onPath('redis-server') === undefined ? 'redis-server is not installed (private Redis for the restart test)' : undefined;
}

export async function startPrivateRedis(): Promise<PrivateServer> {
  const bin = onPath('redis-server');
  if (bin === undefined) throw new Error('redis-server is not installed');
  const dir = await mkdtemp(join(tmpdir(), 'vigil-redis-'));
  const port = await freePort();
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always',
    '--save', '', '--daemonize', 'no', '--logfile', join(dir, 'redis.log'), '--protected-mode', 'yes',
  ];
  let child: ChildProcess | undefined;
  let starts = 0;
  const start = async (): Promise<void> => {
    const c = spawn(bin, args, { stdio: 'ignore' });
    child = c;
    starts++;
    const end = Date.now() + 10_000;
    while (!(await redisPing(port))) {
      if (c.exitCode !== null || Date.now() > end) {
        const log = await readFile(join(dir, 'redis.log'), 'utf8').catch(() => '');
        throw new Error(`private redis-server did not start on ${port}: ${log.slice(-1000)}`);
      }
      await sleep(50);
    }
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (c === undefined) return;
    child = undefined;
    if (c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited(c);
    clearTimeout(timer);
  };
  try {
    await start();
  } catch (error) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get starts() {
      return starts;
    },
    async restart(downMs = 0) {
      await stop();
      await sleep(downMs);
      await start();
    },
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The newest Debian PostgreSQL bin dir holding initdb and pg_ctl ($VIGIL_TEST_PG_BIN overrides). */
function postgresBinDir(): string | undefined {
  const explicit = process.env.VIGIL_TEST_PG_BIN;
  if (explicit !== undefined && explicit !== '') return existsSync(join(explicit, 'pg_ctl')) ? explicit : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === 'postgres' && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** Why a private PostgreSQL cluster cannot be made here, or undefined when it can. */
export async function privatePostgresSkipReason(): Promise<string | undefined> {
  if (postgresBinDir() === undefined) return 'PostgreSQL server binaries (initdb, pg_ctl) are not installed';
  if (process.getuid?.() === 0) {
    if (onPath('runuser') === undefined) return 'running as root without runuser: cannot start PostgreSQL as the postgres user';
    if ((await postgresUser()) === undefined) return 'running as root without a postgres OS user';
  }
  return undefined;
}

export async function startPrivatePostgres(): Promise<PrivateServer> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error('PostgreSQL server binaries are not installed');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await postgresUser() : undefined;
  if (asRoot && owner === undefined) throw new Error('no postgres OS user');
  const dir = await mkdtemp(join(tmpdir(), 'vigil-pg-'));
  if (owner !== undefined) await chown(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const port = await freePort();
  const pg = (tool: string, args: readonly string[], timeoutMs = 30_000): Promise<{ code: number | null; output: string }> =>
    owner !== undefined ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], timeoutMs) : run(join(bin, tool), args, timeoutMs);
  const check = async (step: string, p: Promise<{ code: number | null; output: string }>): Promise<void> => {
    const r = await p;
    if (r.code !== 0) {
      const server = await readFile(log, 'utf8').catch(() => '');
      throw new Error(`private PostgreSQL ${step} failed (${String(r.code)}): ${r.output.slice(-800)} ${server.slice(-800)}`);
    }
  };
  const serverOptions = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=50 -c shared_buffers=16MB`;
  let starts = 0;
  let running = false;
  const startServer = async (): Promise<void> => {
    await check('start', pg('pg_ctl', ['-D', data, '-l', log, '-o', serverOptions, '-w', '-t', '30', 'start']));
    running = true;
    starts++;
  };
  const stopServer = async (): Promise<void> => {
    running = false;
    await check('stop', pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']));
  };
  /** Best effort, whatever state a failed step left: immediate stop, no error when nothing runs. */
  const kill = async (): Promise<void> => {
    running = false;
    if (existsSync(join(data, 'postmaster.pid'))) await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '10', 'stop']).catch(() => undefined);
  };
  try {
    await check('initdb', pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions'], 60_000));
    await startServer();
  } catch (error) {
    await kill();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    get starts() {
      return starts;
    },
    async restart(downMs = 0) {
      if (!running) throw new Error('private PostgreSQL is not running');
      await stopServer();
      await sleep(downMs);
      await startServer();
    },
    async destroy() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
