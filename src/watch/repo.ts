/**
 * Watched git repositories: `vigil watch add https://host/owner/repo.git`. The repository is cloned
 * shallowly into a cache directory that belongs to the store, its lockfiles are found by the same
 * discovery as a local project, and every watch cycle fetches the remote head and hard-resets the clone
 * to it before re-auditing.
 *
 * The repository is attacker-controlled content. Git runs without hooks, fsmonitor, LFS or other
 * checkout filters, submodules or symlinks, with only the URL's own transport allowed (never `ext::`),
 * without a terminal to prompt on, and under a timeout. URLs carrying credentials are refused, because
 * the URL is stored in plain text: private repositories authenticate through git's credential helpers
 * or SSH keys, which git consults as usual.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VigilError, describeError } from '../core/errors.js';

export type RepoScheme = 'https' | 'http' | 'ssh' | 'git' | 'file';

/** A repository to watch: a credential-free URL and an optional branch (default: the remote's HEAD). */
export interface RepoRef {
  /** What git is given, and what is stored and shown. Never contains a password or token. */
  url: string;
  scheme: RepoScheme;
  branch?: string;
}

const URL_SCHEMES: Record<string, RepoScheme> = { 'https:': 'https', 'http:': 'http', 'ssh:': 'ssh', 'git:': 'git', 'file:': 'file' };
// user@host:path (git's scp-like syntax). The user is required so that a local path never matches.
const SCP_RE = /^([A-Za-z0-9._~-]{1,64})@([A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\]):(?!\/\/)([^\s\0]{1,1000})$/;
const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])$/;
// A conservative subset of git-check-ref-format: no leading '-', no '..', no '@{', no control chars.
const BRANCH_RE = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock$)(?!.*\/$)(?!.*\.$)[A-Za-z0-9._/+-]{1,200}$/;
const MAX_URL = 2000;

/** True when `input` is written as a repository URL (scheme://… or user@host:path), not a local path. */
export function looksLikeRepoUrl(input: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(input) || SCP_RE.test(input);
}

export function isValidBranch(branch: string): boolean {
  return BRANCH_RE.test(branch);
}

/**
 * Parses and checks a repository URL. Throws VigilError E_USAGE with the reason for anything unsupported
 * or unsafe (credentials, query strings, other transports, option-like hosts or paths).
 * `URL#branch` names a branch, like `--branch`.
 */
export function parseRepoUrl(input: string, branch?: string): RepoRef {
  const shown = input.length > 200 ? `${input.slice(0, 200)}…` : input;
  if (input.length > MAX_URL) throw new VigilError('E_USAGE', `repository URL too long (${input.length} characters)`);
  if (/[\x00-\x20\x7f]/.test(input)) throw new VigilError('E_USAGE', 'repository URL contains spaces or control characters');
  let fragment: string | undefined;
  let rest = input;
  const hash = input.indexOf('#');
  if (hash >= 0) {
    fragment = decodeFragment(input.slice(hash + 1));
    rest = input.slice(0, hash);
  }
  if (fragment !== undefined && branch !== undefined && fragment !== branch) {
    throw new VigilError('E_USAGE', `the URL names branch '${fragment}' and --branch names '${branch}': give one`);
  }
  const chosen = branch ?? fragment;
  if (chosen !== undefined && !isValidBranch(chosen)) throw new VigilError('E_USAGE', `invalid branch name '${chosen.slice(0, 100)}'`);
  const withBranch = (ref: Omit<RepoRef, 'branch'>): RepoRef => (chosen !== undefined ? { ...ref, branch: chosen } : ref);

  const scp = SCP_RE.exec(rest);
  if (scp !== null && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(rest)) {
    const [, , host = '', path = ''] = scp;
    if (host.startsWith('-') || path.startsWith('-')) throw new VigilError('E_USAGE', `refusing repository URL '${shown}': host or path starts with '-'`);
    return withBranch({ url: rest, scheme: 'ssh' });
  }
  let u: URL;
  try {
    u = new URL(rest);
  } catch {
    throw new VigilError('E_USAGE', `invalid repository URL '${shown}'`);
  }
  const scheme = URL_SCHEMES[u.protocol];
  if (scheme === undefined) {
    throw new VigilError('E_USAGE', `unsupported repository URL scheme '${u.protocol}' (use https://, http://, ssh://, git://, file:// or user@host:path)`);
  }
  if (u.password !== '' || (u.username !== '' && scheme !== 'ssh')) {
    throw new VigilError(
      'E_USAGE',
      'refusing a repository URL with credentials in it (user:token@): the URL would be stored in plain text. Give the URL '
      + 'without them and let git authenticate through a credential helper (git config credential.helper) or an SSH key.',
    );
  }
  if (u.search !== '') throw new VigilError('E_USAGE', 'refusing a repository URL with a query string (tokens belong in a credential helper, not in the URL)');
  if (scheme === 'file') {
    if (u.host !== '' && u.host !== 'localhost') throw new VigilError('E_USAGE', 'file:// repository URLs must name a local path (file:///path/to/repo)');
    if (u.pathname === '/' || u.pathname === '') throw new VigilError('E_USAGE', 'file:// repository URL without a path');
  } else {
    if (!HOST_RE.test(u.host.replace(/:\d+$/, '')) || u.hostname.startsWith('-')) throw new VigilError('E_USAGE', `invalid host in repository URL '${shown}'`);
    if (u.pathname === '/' || u.pathname === '') throw new VigilError('E_USAGE', `repository URL '${shown}' has no repository path`);
  }
  if (u.username.startsWith('-')) throw new VigilError('E_USAGE', `refusing repository URL '${shown}': user name starts with '-'`);
  u.hash = '';
  return withBranch({ url: u.href, scheme });
}

function decodeFragment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new VigilError('E_USAGE', 'invalid branch after # in the repository URL');
  }
}

/** How a watched repository is recorded as a project path: the URL, plus `#branch` when one was given. */
export function repoProjectPath(ref: RepoRef): string {
  return ref.branch !== undefined ? `${ref.url}#${ref.branch}` : ref.url;
}

/** The repository behind a stored project path, or undefined when the project is a local path. */
export function repoFromProjectPath(path: string): RepoRef | undefined {
  if (!looksLikeRepoUrl(path)) return undefined;
  try {
    return parseRepoUrl(path);
  } catch {
    return undefined;
  }
}

/** A short display name: the last path segment without `.git`, and the branch when one was given. */
export function repoDisplayName(ref: RepoRef): string {
  const path = ref.url.replace(/[/]+$/, '');
  const tail = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf(':')) + 1).replace(/\.git$/, '') || 'repository';
  return ref.branch !== undefined ? `${tail}#${ref.branch}` : tail;
}

/**
 * Where the clones of a store's watched repositories live: next to an SQLite store (`<db>-repos/`), or
 * under the data dir for a PostgreSQL store (one folder per store).
 */
export function defaultRepoCacheDir(storeDescription: string, dataDir: string): string {
  if (storeDescription.startsWith('sqlite:')) {
    const file = storeDescription.slice('sqlite:'.length);
    return join(dirname(file), `${basename(file)}-repos`);
  }
  return join(dataDir, 'repos', createHash('sha256').update(storeDescription).digest('hex').slice(0, 12));
}

export interface GitRunOptions {
  /** The git executable (default `git` on PATH). */
  git?: string;
  /** Per git command (default 120 s). */
  timeoutMs?: number;
  /** Base environment (default process.env); prompts are always disabled. */
  env?: NodeJS.ProcessEnv;
}

const MAX_GIT_OUTPUT = 64 * 1024;

/**
 * `-c` options on every git command: nothing may run on the repository's content (hooks, fsmonitor,
 * checkout filters — LFS and every other filter driver named in `filters`), no symlinks are created,
 * and only the URL's own transport is allowed.
 */
export function hardenedGitConfig(scheme: RepoScheme, filters: readonly string[] = []): string[] {
  const allowed: string[] = scheme === 'http' ? ['http', 'https'] : [scheme];
  const pairs = [
    'core.hooksPath=/dev/null',
    'core.fsmonitor=false',
    'core.symlinks=false',
    ...['lfs', ...filters.filter((f) => f !== 'lfs')].flatMap((f) => [`filter.${f}.smudge=`, `filter.${f}.clean=`, `filter.${f}.process=`, `filter.${f}.required=false`]),
    'submodule.recurse=false',
    'transfer.fsckObjects=true',
    'advice.detachedHead=false',
    'gc.auto=0',
    'protocol.allow=never',
    ...allowed.map((s) => `protocol.${s}.allow=always`),
  ];
  return pairs.flatMap((p) => ['-c', p]);
}

/**
 * Filter drivers defined in the user's or the system's git configuration (`filter.<name>.smudge` …): a
 * repository's .gitattributes could name any of them, so each is disabled for watched clones.
 */
export async function configuredFilterDrivers(o: GitRunOptions = {}): Promise<string[]> {
  const out = await runGit(['config', '--get-regexp', '^filter\\.'], 'git config', o).catch((error: unknown) => {
    // Exit 1: no such key. A missing git is reported by the clone itself.
    if (error instanceof VigilError && error.code === 'E_CONFIG') throw error;
    return '';
  });
  const names = new Set<string>();
  for (const line of out.split('\n')) {
    const m = /^filter\.(.+)\.(?:smudge|clean|process|required)(?: |$)/.exec(line);
    // A name that cannot be written back as `-c filter.NAME.x=` is skipped (git splits -c at the first '=').
    if (m?.[1] !== undefined && !/[=\s]/.test(m[1])) names.add(m[1]);
  }
  return [...names].sort();
}

/** Control characters out of text a remote may have written (it ends up on a terminal). */
function clean(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?');
}

function lastLines(stderr: string): string {
  const lines = clean(stderr).split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^hint:/.test(l));
  return (lines.slice(-2).join(' / ') || 'no message').slice(0, 400);
}

const AUTH_RE = /terminal prompts disabled|could not read (?:Username|Password)|Authentication failed|Permission denied \(publickey|Host key verification failed|HTTP Basic: Access denied|returned error: 40[13]/i;

/** Runs git without a terminal, under a timeout; resolves with stdout or throws a VigilError. */
export function runGit(args: readonly string[], what: string, o: GitRunOptions = {}): Promise<string> {
  const git = o.git ?? 'git';
  const timeoutMs = o.timeoutMs ?? 120_000;
  const env: NodeJS.ProcessEnv = {
    ...(o.env ?? process.env),
    GIT_TERMINAL_PROMPT: '0',
    // Empty askpass: no GUI prompt either; git then fails with "terminal prompts disabled".
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    SSH_ASKPASS_REQUIRE: 'never',
    GCM_INTERACTIVE: 'never',
    LC_ALL: 'C',
    LANGUAGE: 'C',
  };
  return new Promise<string>((resolve, reject) => {
    // detached: a new session without a controlling terminal, so ssh cannot prompt either; the whole
    // process group is killed on timeout.
    const child = spawn(git, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      if (stdout.length < MAX_GIT_OUTPUT) stdout += c;
    });
    child.stderr.on('data', (c: string) => {
      stderr = (stderr + c).slice(-MAX_GIT_OUTPUT);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT') {
        reject(new VigilError('E_CONFIG', `git is not installed (no '${git}' on PATH): install git to watch repositories by URL, or watch a local checkout by its path`));
      } else reject(new VigilError('E_CONFIG', `cannot run git: ${describeError(error)}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new VigilError('E_NETWORK', `${what} timed out after ${Math.round(timeoutMs / 1000)} s`));
      if (code === 0) return resolve(stdout);
      if (AUTH_RE.test(stderr)) {
        return reject(new VigilError('E_NETWORK', `${what}: the repository asks for authentication, and vigil never prompts. Configure a git credential helper or an SSH key (agent) for this host, then try again (git said: ${lastLines(stderr)})`));
      }
      reject(new VigilError('E_NETWORK', `${what} failed (${signal ?? `exit ${code ?? '?'}`}): ${lastLines(stderr)}`));
    });
  });
}

export interface RepoCacheOptions extends GitRunOptions {
  /** Folder holding one clone per watched repository. */
  dir: string;
}

/** The clones of watched repositories, one folder per project id. */
export class RepoCache {
  readonly dir: string;
  private readonly git: GitRunOptions;
  private filters: Promise<string[]> | undefined;

  constructor(options: RepoCacheOptions) {
    this.dir = options.dir;
    this.git = { ...(options.git !== undefined ? { git: options.git } : {}), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}), ...(options.env !== undefined ? { env: options.env } : {}) };
  }

  private async config(ref: RepoRef): Promise<string[]> {
    this.filters ??= configuredFilterDrivers(this.git);
    return hardenedGitConfig(ref.scheme, await this.filters);
  }

  /** Folder of a project's clone. */
  pathOf(id: string): string {
    if (!/^[0-9a-f]{6,64}$/.test(id)) throw new VigilError('E_INTERNAL', `invalid project id '${id}'`);
    return join(this.dir, id);
  }

  /** Clones afresh (replacing any previous clone) and returns the folder. */
  async clone(id: string, ref: RepoRef): Promise<string> {
    const target = this.pathOf(id);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
    const config = await this.config(ref);
    try {
      await runGit([
        ...config, 'clone', '--quiet', '--depth', '1', '--no-tags', '--single-branch', '--no-recurse-submodules',
        ...(ref.branch !== undefined ? ['--branch', ref.branch] : []), '--', ref.url, tmp,
      ], `git clone ${ref.url}${ref.branch !== undefined ? ` (branch ${ref.branch})` : ''}`, this.git);
      rmSync(target, { recursive: true, force: true });
      renameSync(tmp, target);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return target;
  }

  /**
   * Brings the clone up to date with the remote (fetch the branch or the remote HEAD, hard reset, remove
   * untracked files); clones when there is no usable clone yet (first run on this machine, URL changed).
   */
  async update(id: string, ref: RepoRef): Promise<string> {
    const target = this.pathOf(id);
    const config = await this.config(ref);
    let current: string | undefined;
    if (existsSync(join(target, '.git')) && statSync(join(target, '.git')).isDirectory()) {
      current = (await runGit(['-C', target, ...config, 'config', '--get', 'remote.origin.url'], 'git config', this.git).catch(() => '')).trim();
    }
    if (current !== ref.url) return this.clone(id, ref);
    await runGit(['-C', target, ...config, 'fetch', '--quiet', '--depth', '1', '--no-tags', '--no-recurse-submodules', '--', 'origin', ref.branch ?? 'HEAD'], `git fetch ${ref.url}`, this.git);
    await runGit(['-C', target, ...config, 'reset', '--quiet', '--hard', '--no-recurse-submodules', 'FETCH_HEAD'], `git reset in ${target}`, this.git);
    await runGit(['-C', target, ...config, 'clean', '-q', '-ffdx'], `git clean in ${target}`, this.git);
    return target;
  }

  /** The commit the clone is at. */
  async head(id: string, ref: RepoRef): Promise<string> {
    return (await runGit(['-C', this.pathOf(id), ...(await this.config(ref)), 'rev-parse', 'HEAD'], 'git rev-parse', this.git)).trim();
  }

  remove(id: string): void {
    rmSync(this.pathOf(id), { recursive: true, force: true });
  }
}
