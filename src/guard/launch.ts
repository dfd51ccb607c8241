/**
 * `vigil run` support: which installer a command is, which of its arguments would bypass the proxy, and
 * the environment that points it at the proxy with credentials removed.
 */
import { basename } from 'node:path';
import type { CredentialVar } from './env.js';
import { scrubEnv } from './env.js';

export type InstallerFamily = 'pypi' | 'npm';

export interface Installer {
  tool: string;
  family: InstallerFamily | undefined;
}

const PY_TOOLS = new Set(['pip', 'uv', 'uvx', 'poetry', 'pipx', 'pdm', 'hatch']);
const NPM_TOOLS = new Set(['npm', 'npx', 'pnpm', 'pnpx', 'yarn', 'yarnpkg']);

/** Recognises pip, pip3.12, `python -m pip`, uv, poetry, pipx, npm, npx, pnpm, yarn. */
export function detectInstaller(argv: readonly string[]): Installer {
  const exe = basename(argv[0] ?? '').replace(/\.exe$/i, '');
  if (/^pip[0-9.]{0,6}$/.test(exe)) return { tool: 'pip', family: 'pypi' };
  if (/^python[0-9.]{0,6}$/.test(exe)) {
    const m = argv.indexOf('-m');
    const mod = m >= 0 ? argv[m + 1] : undefined;
    if (mod === 'pip' || mod === 'pipx' || mod === 'uv' || mod === 'poetry') return { tool: `python -m ${mod}`, family: 'pypi' };
    return { tool: exe, family: undefined };
  }
  if (PY_TOOLS.has(exe)) return { tool: exe, family: 'pypi' };
  if (NPM_TOOLS.has(exe)) return { tool: exe, family: 'npm' };
  return { tool: exe, family: undefined };
}

const PY_BYPASS = ['-i', '--index-url', '--extra-index-url', '-f', '--find-links', '--index', '--default-index', '--trusted-host'];
const NPM_BYPASS = ['--registry'];

/** Command-line options that would send downloads around the proxy. */
export function findBypassArgs(installer: Installer, argv: readonly string[]): string[] {
  const found: string[] = [];
  const options = installer.family === 'pypi' ? PY_BYPASS : installer.family === 'npm' ? NPM_BYPASS : [];
  for (const arg of argv.slice(1)) {
    if (arg === '--') break;
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (options.includes(name) || (installer.family === 'npm' && /^--@[^=]{1,214}:registry$/.test(name))) found.push(name);
  }
  return found;
}

/** Environment variables that name other indexes; they are dropped so nothing bypasses the proxy. */
const BYPASS_ENV = /^(?:PIP_(?:INDEX_URL|EXTRA_INDEX_URL|FIND_LINKS|NO_INDEX|TRUSTED_HOST)|UV_(?:INDEX_URL|DEFAULT_INDEX|EXTRA_INDEX_URL|INDEX|FIND_LINKS|NO_INDEX)|PIPX_.*INDEX.*|YARN_REGISTRY|YARN_NPM_REGISTRY_SERVER|YARN_NPM_SCOPES.*|npm_config_(?:.*:)?registry)$/i;

export interface GuardedEnv {
  env: NodeJS.ProcessEnv;
  removed: CredentialVar[];
  kept: CredentialVar[];
  /** Index-related variables replaced by the proxy's. */
  replaced: string[];
}

/** The environment for the guarded command: credentials removed, every installer pointed at `proxyUrl`. */
export function guardedEnvironment(env: NodeJS.ProcessEnv, proxyUrl: string, keep: readonly string[]): GuardedEnv {
  const scrubbed = scrubEnv(env, keep);
  const out: NodeJS.ProcessEnv = {};
  const replaced: string[] = [];
  for (const [k, v] of Object.entries(scrubbed.env)) {
    if (BYPASS_ENV.test(k)) replaced.push(k);
    else out[k] = v;
  }
  const pypi = `${proxyUrl}/pypi/simple/`;
  const npm = `${proxyUrl}/npm/`;
  Object.assign(out, {
    // pip, pipx (uses pip), `python -m pip`; loopback http is a secure origin for pip, no trusted-host needed.
    PIP_INDEX_URL: pypi,
    // uv (UV_DEFAULT_INDEX since 0.4.23, UV_INDEX_URL before)
    UV_DEFAULT_INDEX: pypi,
    UV_INDEX_URL: pypi,
    // npm, npx, pnpm, yarn classic
    npm_config_registry: npm,
    YARN_REGISTRY: npm,
    // yarn berry
    YARN_NPM_REGISTRY_SERVER: npm,
    YARN_UNSAFE_HTTP_WHITELIST: new URL(proxyUrl).hostname,
    // Ask for fresh listings so hidden versions take effect.
    npm_config_prefer_online: 'true',
  });
  // The command talks only to the loopback proxy (the proxy fetches upstream itself): an HTTP(S)_PROXY
  // set for the machine must not catch those requests. npm, pnpm, yarn classic and pip read NO_PROXY.
  const host = new URL(proxyUrl).hostname;
  for (const name of ['NO_PROXY', 'no_proxy']) out[name] = withNoProxyHost(out[name], host);
  return { env: out, removed: scrubbed.removed, kept: scrubbed.kept, replaced };
}

/** Adds `host` to a NO_PROXY list, keeping what is there. */
export function withNoProxyHost(current: string | undefined, host: string): string {
  if (current === undefined || current.trim() === '') return host;
  if (current.trim() === '*' || current.split(',').some((h) => h.trim() === host)) return current;
  return `${current},${host}`;
}
