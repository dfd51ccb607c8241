/** Real PostgreSQL / Redis on loopback for the scale-out tests (.ci/run starts them). */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';

export const PG_URL = process.env.VIGIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.VIGIL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique lower-case name for a schema / key prefix of one test run. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

function portOpen(url: string, fallbackPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: u.hostname, port: Number(u.port || fallbackPort) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Returns a skip reason when a service is down outside CI; in CI (CI=true) a missing service is a
 * failure, because .ci/run is responsible for starting it.
 */
export async function serviceSkipReason(kind: 'postgres' | 'redis'): Promise<string | undefined> {
  const ok = kind === 'postgres' ? await portOpen(PG_URL, 5432) : await portOpen(REDIS_URL, 6379);
  if (ok) return undefined;
  if (process.env.CI === 'true') throw new Error(`${kind} is not reachable on loopback; .ci/run should have started it`);
  return `${kind} not reachable on loopback`;
}
