/** Store selection: SQLite in the user data dir by default, PostgreSQL with `--store postgres://…`. */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { VigilError } from '../core/errors.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { ResultStore } from './types.js';

export * from './types.js';
export { SqliteStore } from './sqlite.js';
export { PostgresStore, parsePostgresUrl } from './postgres.js';

/** `$VIGIL_DATA_DIR`, else `$XDG_DATA_HOME/vigil`, else `~/.local/share/vigil`. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const explicit = env.VIGIL_DATA_DIR;
  if (explicit !== undefined && explicit !== '') return resolve(explicit);
  const xdg = env.XDG_DATA_HOME;
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) return join(xdg, 'vigil');
  return join(homedir(), '.local', 'share', 'vigil');
}

/**
 * Opens (and initialises) a store from a spec: undefined -> `<data dir>/vigil.db`; `postgres://…` or
 * `postgresql://…` -> PostgreSQL; `sqlite:PATH` or a plain path -> SQLite at that path.
 */
export async function openStore(spec: string | undefined, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Promise<ResultStore> {
  let store: ResultStore;
  if (spec === undefined || spec === '') store = new SqliteStore(join(defaultDataDir(env), 'vigil.db'));
  else if (/^postgres(ql)?:\/\//i.test(spec)) store = new PostgresStore(spec);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) throw new VigilError('E_CONFIG', `unsupported store URL scheme in '${spec.split('://')[0] ?? ''}://…' (use postgres:// or a file path)`);
  else store = new SqliteStore(resolve(cwd, spec.replace(/^sqlite:/i, '')));
  await store.init();
  return store;
}
