/**
 * Guard test harness: the shared loopback registry (test/helpers/registry-server.ts) as the upstream and
 * a GuardProxy in front of it. Never reaches the internet.
 */
import { GuardProxy } from '../../src/guard/proxy.js';
import type { GuardProxyOptions } from '../../src/guard/proxy.js';
import type { ArtifactScanner } from '../../src/guard/scanner.js';
import { startRegistryServer } from '../helpers/registry-server.js';
import type { RegistryFixtures, RegistryServer } from '../helpers/registry-server.js';

/** Publish time of npm versions that give none: old enough for every release-age rule and quarantine. */
export const LONG_AGO = '2020-01-01T00:00:00.000Z';

/** A fake scanner: packages named `evil…` are malicious for `reason`, everything else is clean. */
export function evilByName(reason: string): ArtifactScanner {
  return async (_bytes, _filename, context) =>
    context.packageName.startsWith('evil') ? { verdict: 'malicious', score: 150, reason } : { verdict: 'clean', score: 0, reason: 'No suspicious behaviour was found.' };
}

/** The upstream's index URLs, as the proxy options want them. */
export function upstreamOf(upstream: RegistryServer): Pick<GuardProxyOptions, 'upstreamPypi' | 'upstreamNpm'> {
  return { upstreamPypi: upstream.pypiIndexUrl, upstreamNpm: upstream.npmRegistryUrl };
}

export interface GuardedRegistry {
  upstream: RegistryServer;
  proxy: GuardProxy;
  /** The proxy's base URL (`http://127.0.0.1:PORT`). */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a loopback registry serving `fixtures` (npm versions without a time published LONG_AGO) and a
 * proxy in front of it. The proxy does not retry
 * upstream requests unless `options.upstream` says so, so an upstream failure shows at once.
 */
export async function startGuardedRegistry(fixtures: RegistryFixtures, options: Omit<GuardProxyOptions, 'upstreamPypi' | 'upstreamNpm'>): Promise<GuardedRegistry> {
  const upstream = await startRegistryServer({ defaultTime: LONG_AGO, ...fixtures });
  const proxy = new GuardProxy({ ...upstreamOf(upstream), upstream: { retries: 0 }, ...options });
  try {
    const { url } = await proxy.listen(0, '127.0.0.1');
    return {
      upstream,
      proxy,
      url,
      close: async () => {
        await proxy.close(1_000);
        await upstream.close();
      },
    };
  } catch (error) {
    await upstream.close();
    throw error;
  }
}
