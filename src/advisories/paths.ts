import { homedir } from 'node:os';
import { join } from 'node:path';

/** Vigil's data directory: `$VIGIL_DATA_DIR`, else `$XDG_DATA_HOME/vigil`, else `~/.local/share/vigil`. */
export function vigilDataDir(env: NodeJS.ProcessEnv): string {
  if (env.VIGIL_DATA_DIR !== undefined && env.VIGIL_DATA_DIR !== '') return env.VIGIL_DATA_DIR;
  if (env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== '') return join(env.XDG_DATA_HOME, 'vigil');
  return join(env.HOME ?? homedir(), '.local', 'share', 'vigil');
}

/** Default advisory database path (`--db` overrides it). */
export function defaultDbPath(env: NodeJS.ProcessEnv): string {
  return join(vigilDataDir(env), 'advisories.db');
}
