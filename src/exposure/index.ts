/**
 * `vigil exposure`: what install-time code running as this user could read — credential environment
 * variables and credential files — with provider, kind, lifetime and least-privilege advice.
 * Never returns a secret: values are masked to at most 4 leading characters.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CONFIG_ONLY_ENV_NAMES, classifyEnvVar } from '../guard/env.js';
import type { Lifetime } from './tokens.js';
import { classifyToken, maskSecret } from './tokens.js';

export interface ExposureItem {
  provider: string;
  /** What it is, e.g. "IAM user access key". */
  kind: string;
  lifetime: Lifetime;
  source: 'env' | 'file';
  /** `$NAME` for variables; `~/path [section]` for files. */
  location: string;
  /** Masked value (at most 4 leading characters), when there is a value to show. */
  preview?: string;
  advice: string;
}

export interface ExposureReport {
  home: string;
  items: ExposureItem[];
  /** Files that were looked at (existing or not). */
  checked: string[];
}

const MAX_FILE_BYTES = 1024 * 1024;

const ADVICE = {
  awsLong: 'Long-lived IAM user key: prefer IAM Identity Center (aws sso login) or role sessions; otherwise scope it to least privilege and rotate it.',
  awsTemp: 'Temporary session credentials: keep sessions short and the role narrowly scoped; run installs without them (vigil run).',
  awsSso: 'SSO token cache: anyone who can read it can mint role credentials until it expires; log out (aws sso logout) when done.',
  awsProcess: 'credential_process mints credentials on demand for any code that runs the AWS SDK as you; keep the role narrow.',
  gcpUser: 'gcloud user refresh token (ADC): valid until revoked; prefer service-account impersonation with short-lived tokens and run `gcloud auth application-default revoke` when not needed.',
  gcpSa: 'Service-account private key: long-lived and exportable; prefer workload identity federation or impersonation, and delete unused keys.',
  gcpStore: 'gcloud CLI credential store (refresh and access tokens); revoke unused accounts (gcloud auth revoke).',
  azure: 'Azure CLI token cache: refresh tokens usable until revoked; use `az logout` when done and least-privilege role assignments.',
  aliyunAk: 'Long-lived AccessKey: prefer RAM roles with STS tokens; restrict the RAM user and rotate the key.',
  aliyunSts: 'STS token: temporary, but usable until it expires; keep the role narrow.',
  npm: 'npm token in .npmrc: use a granular read-only token for installs, keep publish tokens out of developer machines (use trusted publishing in CI).',
  pypi: 'PyPI token in .pypirc: use project-scoped tokens, or trusted publishing from CI instead of a local token.',
  docker: 'Registry password stored base64-encoded (not encrypted): configure a credential helper (credsStore) instead.',
  netrc: 'Plain-text password in .netrc: readable by any code running as you; prefer a credential helper or short-lived tokens.',
  git: 'Plain-text Git credentials: switch to a credential helper that uses the OS keychain (git config credential.helper).',
  kube: 'Kubernetes credentials: prefer exec plugins that mint short-lived tokens; avoid static tokens and client keys in kubeconfig.',
  ssh: 'Unencrypted SSH private key: add a passphrase (ssh-keygen -p -f KEY) and use ssh-agent, or a hardware-backed key.',
  gh: 'GitHub CLI token stored in a file: use `gh auth login` with the system keyring, and fine-grained tokens with minimal scopes.',
  githubClassic: 'Classic GitHub PAT: broad scopes across all your repositories; replace it with a fine-grained token limited to the repositories it needs.',
  githubFine: 'Fine-grained GitHub token: keep the repository list and permissions minimal and the expiry short.',
  envGeneric: "Credential in the environment: every process you start inherits it; run installs through `vigil run`, which removes it.",
  agent: 'SSH agent socket: install-time code can sign in to servers as you while it runs; `vigil run` removes SSH_AUTH_SOCK.',
} as const;

function adviceForToken(provider: string, kind: string, fallback: string): string {
  if (provider === 'GitHub') return kind.startsWith('classic') ? ADVICE.githubClassic : ADVICE.githubFine;
  if (provider === 'AWS') return kind.includes('temporary') ? ADVICE.awsTemp : ADVICE.awsLong;
  if (provider === 'npm') return ADVICE.npm;
  if (provider === 'PyPI') return ADVICE.pypi;
  return fallback;
}

function tilde(home: string, path: string): string {
  const rel = relative(home, path);
  return rel.startsWith('..') || rel === '' ? path : `~${sep}${rel}`;
}

async function readSmall(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    if (!s.isFile() || s.size > MAX_FILE_BYTES) return undefined;
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** INI sections -> key/value maps (keys lower-cased). Comments with # or ;. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  out.set('', current);
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[') && line.endsWith(']')) {
      const name = line.slice(1, -1).trim();
      current = out.get(name) ?? new Map<string, string>();
      out.set(name, current);
      continue;
    }
    const eq = line.search(/[=:]/);
    if (eq <= 0) continue;
    current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return out;
}

type Add = (item: ExposureItem) => void;

async function checkAws(home: string, env: NodeJS.ProcessEnv, add: Add, checked: string[]): Promise<void> {
  const credPath = env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials');
  const configPath = env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config');
  checked.push(credPath, configPath);
  for (const path of [credPath, configPath]) {
    const text = await readSmall(path);
    if (text === undefined) continue;
    for (const [section, values] of parseIni(text)) {
      const where = `${tilde(home, path)} [${section || 'top'}]`;
      const keyId = values.get('aws_access_key_id');
      if (keyId !== undefined && keyId !== '') {
        const temporary = keyId.startsWith('ASIA') || values.has('aws_session_token');
        add({
          provider: 'AWS',
          kind: temporary ? 'temporary STS session key' : 'IAM user access key',
          lifetime: temporary ? 'temporary' : 'long-lived',
          source: 'file',
          location: where,
          preview: maskSecret(keyId),
          advice: temporary ? ADVICE.awsTemp : ADVICE.awsLong,
        });
      }
      if (values.has('credential_process')) {
        add({ provider: 'AWS', kind: 'credential_process (mints credentials on demand)', lifetime: 'temporary', source: 'file', location: where, advice: ADVICE.awsProcess });
      }
    }
  }
  const ssoCache = join(home, '.aws', 'sso', 'cache');
  checked.push(ssoCache);
  try {
    const files = (await readdir(ssoCache)).filter((f) => f.endsWith('.json'));
    if (files.length > 0) {
      add({ provider: 'AWS', kind: `SSO token cache (${files.length} file(s))`, lifetime: 'temporary', source: 'file', location: tilde(home, ssoCache), advice: ADVICE.awsSso });
    }
  } catch {
    // no SSO cache
  }
}

async function checkGcloud(home: string, env: NodeJS.ProcessEnv, add: Add, checked: string[]): Promise<void> {
  const dir = env.CLOUDSDK_CONFIG ?? join(home, '.config', 'gcloud');
  const adc = join(dir, 'application_default_credentials.json');
  checked.push(adc);
  const text = await readSmall(adc);
  if (text !== undefined) {
    let type = 'unknown';
    try {
      const doc: unknown = JSON.parse(text);
      if (typeof doc === 'object' && doc !== null && typeof (doc as Record<string, unknown>).type === 'string') type = (doc as Record<string, string>).type!;
    } catch {
      // unreadable: still a credential file
    }
    const sa = type === 'service_account';
    const external = type === 'external_account';
    add({
      provider: 'Google Cloud',
      kind: sa ? 'application default credentials: service-account private key' : external ? 'application default credentials: workload identity federation' : `application default credentials: ${type === 'authorized_user' ? 'user refresh token' : type}`,
      lifetime: external ? 'temporary' : 'long-lived',
      source: 'file',
      location: tilde(home, adc),
      advice: sa ? ADVICE.gcpSa : ADVICE.gcpUser,
    });
  }
  for (const name of ['access_tokens.db', 'credentials.db']) {
    const p = join(dir, name);
    checked.push(p);
    if (await exists(p)) add({ provider: 'Google Cloud', kind: `gcloud CLI credential store (${name})`, lifetime: 'long-lived', source: 'file', location: tilde(home, p), advice: ADVICE.gcpStore });
  }
}

async function checkAzure(home: string, env: NodeJS.ProcessEnv, add: Add, checked: string[]): Promise<void> {
  const dir = env.AZURE_CONFIG_DIR ?? join(home, '.azure');
  for (const [name, kind] of [
    ['msal_token_cache.json', 'Azure CLI MSAL token cache (refresh tokens)'],
    ['msal_token_cache.bin', 'Azure CLI MSAL token cache (encrypted at rest where supported)'],
    ['accessTokens.json', 'Azure CLI legacy token cache (plain text)'],
    ['service_principal_entries.json', 'service-principal secrets or certificates'],
    ['service_principal_entries.bin', 'service-principal secrets (encrypted at rest where supported)'],
  ] as const) {
    const p = join(dir, name);
    checked.push(p);
    if (await exists(p)) add({ provider: 'Azure', kind, lifetime: 'long-lived', source: 'file', location: tilde(home, p), advice: ADVICE.azure });
  }
}

async function checkAliyun(home: string, add: Add, checked: string[]): Promise<void> {
  const p = join(home, '.aliyun', 'config.json');
  checked.push(p);
  const text = await readSmall(p);
  if (text === undefined) return;
  let profiles: unknown[] = [];
  try {
    const doc: unknown = JSON.parse(text);
    if (typeof doc === 'object' && doc !== null && Array.isArray((doc as Record<string, unknown>).profiles)) profiles = (doc as { profiles: unknown[] }).profiles;
  } catch {
    return;
  }
  for (const prof of profiles.slice(0, 200)) {
    if (typeof prof !== 'object' || prof === null) continue;
    const o = prof as Record<string, unknown>;
    const id = typeof o.access_key_id === 'string' ? o.access_key_id : '';
    if (id === '') continue;
    const sts = o.mode === 'StsToken' || (typeof o.sts_token === 'string' && o.sts_token !== '');
    add({
      provider: 'Alibaba Cloud',
      kind: sts ? 'STS token' : `AccessKey (mode ${typeof o.mode === 'string' ? o.mode : 'AK'})`,
      lifetime: sts ? 'temporary' : 'long-lived',
      source: 'file',
      location: `${tilde(home, p)} [${typeof o.name === 'string' ? o.name : '?'}]`,
      preview: maskSecret(id),
      advice: sts ? ADVICE.aliyunSts : ADVICE.aliyunAk,
    });
  }
}

async function checkNpmrc(home: string, env: NodeJS.ProcessEnv, cwd: string | undefined, add: Add, checked: string[]): Promise<void> {
  const paths = [env.npm_config_userconfig ?? env.NPM_CONFIG_USERCONFIG ?? join(home, '.npmrc')];
  if (cwd !== undefined) paths.push(join(cwd, '.npmrc'));
  for (const p of [...new Set(paths)]) {
    checked.push(p);
    const text = await readSmall(p);
    if (text === undefined) continue;
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line.startsWith('#') || line.startsWith(';')) continue;
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim().replace(/^["']|["']$/g, '');
      const field = key.slice(key.lastIndexOf(':') + 1);
      if (field !== '_authToken' && field !== '_auth' && field !== '_password') continue;
      const scope = key.includes(':') ? key.slice(0, key.lastIndexOf(':')) : 'default registry';
      const fromEnv = /^\$\{[A-Za-z_][A-Za-z0-9_]{0,100}\}$/.test(value);
      const token = classifyToken(value);
      add({
        provider: 'npm',
        kind: fromEnv ? `${field} taken from ${value} (see the environment)` : field === '_authToken' ? (token?.kind ?? 'auth token') : field === '_auth' ? 'basic auth (base64 user:password)' : 'password',
        lifetime: 'long-lived',
        source: 'file',
        location: `${tilde(home, p)} ${scope}`,
        ...(fromEnv ? {} : { preview: maskSecret(value) }),
        advice: ADVICE.npm,
      });
    }
  }
}

/** Index URLs with embedded credentials in pip configuration (`https://user:token@host/simple`). */
async function checkPipConf(home: string, env: NodeJS.ProcessEnv, add: Add, checked: string[]): Promise<void> {
  const paths = [join(home, '.config', 'pip', 'pip.conf'), join(home, '.pip', 'pip.conf')];
  if (env.PIP_CONFIG_FILE !== undefined && env.PIP_CONFIG_FILE !== '' && env.PIP_CONFIG_FILE !== '/dev/null') paths.push(env.PIP_CONFIG_FILE);
  for (const p of paths) {
    checked.push(p);
    const text = await readSmall(p);
    if (text === undefined) continue;
    for (const [section, values] of parseIni(text)) {
      for (const key of ['index-url', 'extra-index-url']) {
        for (const raw of (values.get(key) ?? '').split(/\s+/)) {
          let u: URL;
          try {
            u = new URL(raw);
          } catch {
            continue;
          }
          if (u.password === '') continue;
          const pw = decodeURIComponent(u.password);
          add({
            provider: u.hostname,
            kind: `package index credentials in ${key}`,
            lifetime: 'long-lived',
            source: 'file',
            location: `${tilde(home, p)} [${section}]`,
            preview: maskSecret(pw),
            advice: 'Index password in pip.conf: use keyring support (pip --keyring-provider) or a read-only token scoped to that index.',
          });
        }
      }
    }
  }
}

async function checkYarnrc(home: string, add: Add, checked: string[]): Promise<void> {
  const p = join(home, '.yarnrc.yml');
  checked.push(p);
  const text = await readSmall(p);
  if (text === undefined) return;
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(npmAuthToken|npmAuthIdent)\s*:\s*["']?([^"'\s]{1,4096})/.exec(raw);
    if (m === null) continue;
    const fromEnv = m[2]!.startsWith('${');
    add({
      provider: 'npm (yarn)',
      kind: fromEnv ? `${m[1]!} taken from ${m[2]!}` : m[1] === 'npmAuthToken' ? (classifyToken(m[2]!)?.kind ?? 'auth token') : 'user:password',
      lifetime: 'long-lived',
      source: 'file',
      location: tilde(home, p),
      ...(fromEnv ? {} : { preview: maskSecret(m[2]!) }),
      advice: ADVICE.npm,
    });
  }
}

async function checkPypirc(home: string, add: Add, checked: string[]): Promise<void> {
  const p = join(home, '.pypirc');
  checked.push(p);
  const text = await readSmall(p);
  if (text === undefined) return;
  for (const [section, values] of parseIni(text)) {
    const pw = values.get('password');
    if (pw === undefined || pw === '') continue;
    const token = classifyToken(pw);
    add({
      provider: 'PyPI',
      kind: token?.provider === 'PyPI' ? token.kind : 'password',
      lifetime: 'long-lived',
      source: 'file',
      location: `${tilde(home, p)} [${section}]`,
      preview: maskSecret(pw),
      advice: ADVICE.pypi,
    });
  }
}

async function checkDocker(home: string, env: NodeJS.ProcessEnv, add: Add, checked: string[]): Promise<void> {
  const p = join(env.DOCKER_CONFIG ?? join(home, '.docker'), 'config.json');
  checked.push(p);
  const text = await readSmall(p);
  if (text === undefined) return;
  let auths: Record<string, unknown> = {};
  try {
    const doc: unknown = JSON.parse(text);
    const a = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).auths : undefined;
    if (typeof a === 'object' && a !== null) auths = a as Record<string, unknown>;
  } catch {
    return;
  }
  for (const [registry, entry] of Object.entries(auths).slice(0, 200)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    const secret = typeof e.auth === 'string' && e.auth !== '' ? e.auth : typeof e.identitytoken === 'string' ? e.identitytoken : undefined;
    if (secret === undefined) continue;
    add({
      provider: 'Docker',
      kind: typeof e.identitytoken === 'string' ? 'registry identity token' : 'registry password (base64, not encrypted)',
      lifetime: 'long-lived',
      source: 'file',
      location: `${tilde(home, p)} ${registry}`,
      preview: maskSecret(secret),
      advice: ADVICE.docker,
    });
  }
}

async function checkNetrc(home: string, add: Add, checked: string[]): Promise<void> {
  const p = join(home, '.netrc');
  checked.push(p);
  const text = await readSmall(p);
  if (text === undefined) return;
  const tokens = text.split(/\s+/).filter((t) => t !== '');
  let machine = 'default';
  for (let i = 0; i < tokens.length && i < 100_000; i++) {
    const t = tokens[i];
    if (t === 'machine') machine = tokens[i + 1] ?? '?';
    else if (t === 'default') machine = 'default';
    else if (t === 'password') {
      const pw = tokens[i + 1] ?? '';
      const token = classifyToken(pw);
      add({
        provider: token?.provider ?? machine,
        kind: token?.kind ?? 'password',
        lifetime: token?.lifetime ?? 'long-lived',
        source: 'file',
        location: `${tilde(home, p)} machine ${machine}`,
        preview: maskSecret(pw),
        advice: token === undefined ? ADVICE.netrc : adviceForToken(token.provider, token.kind, ADVICE.netrc),
      });
    }
  }
}

async function checkGitCredentials(home: string, add: Add, checked: string[]): Promise<void> {
  for (const p of [join(home, '.git-credentials'), join(home, '.config', 'git', 'credentials')]) {
    checked.push(p);
    const text = await readSmall(p);
    if (text === undefined) continue;
    for (const line of text.split(/\r?\n/).slice(0, 1000)) {
      let u: URL;
      try {
        u = new URL(line.trim());
      } catch {
        continue;
      }
      if (u.password === '') continue;
      const pw = decodeURIComponent(u.password);
      const token = classifyToken(pw);
      add({
        provider: token?.provider ?? u.hostname,
        kind: token?.kind ?? 'password or token',
        lifetime: token?.lifetime ?? 'long-lived',
        source: 'file',
        location: `${tilde(home, p)} ${u.hostname}`,
        preview: maskSecret(pw),
        advice: token === undefined ? ADVICE.git : adviceForToken(token.provider, token.kind, ADVICE.git),
      });
    }
  }
}

async function checkKube(home: string, env: NodeJS.ProcessEnv, add: Add, checked: string[]): Promise<void> {
  const paths = (env.KUBECONFIG ?? join(home, '.kube', 'config')).split(':').filter((p) => p !== '');
  for (const p of paths.slice(0, 20)) {
    checked.push(p);
    const text = await readSmall(p);
    if (text === undefined) continue;
    let doc: unknown;
    try {
      doc = parseYaml(text, { maxAliasCount: 50 });
    } catch {
      continue;
    }
    const users = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).users : undefined;
    if (!Array.isArray(users)) continue;
    for (const u of users.slice(0, 200)) {
      if (typeof u !== 'object' || u === null) continue;
      const name = typeof (u as Record<string, unknown>).name === 'string' ? (u as Record<string, string>).name : '?';
      const user = (u as Record<string, unknown>).user;
      if (typeof user !== 'object' || user === null) continue;
      const o = user as Record<string, unknown>;
      const kinds: [string, Lifetime, string | undefined][] = [];
      if (typeof o.token === 'string') kinds.push(['static bearer token', 'long-lived', o.token]);
      if (typeof o['client-key-data'] === 'string' || typeof o['client-key'] === 'string') kinds.push(['client certificate private key', 'long-lived', undefined]);
      if (typeof o.password === 'string') kinds.push(['basic-auth password', 'long-lived', o.password]);
      if (typeof o['auth-provider'] === 'object' && o['auth-provider'] !== null) kinds.push(['auth-provider tokens (legacy)', 'long-lived', undefined]);
      if (typeof o.exec === 'object' && o.exec !== null) kinds.push(['exec plugin (mints short-lived tokens)', 'temporary', undefined]);
      for (const [kind, lifetime, secret] of kinds) {
        add({
          provider: 'Kubernetes',
          kind,
          lifetime,
          source: 'file',
          location: `${tilde(home, p)} user ${name}`,
          ...(secret !== undefined ? { preview: maskSecret(secret) } : {}),
          advice: ADVICE.kube,
        });
      }
    }
  }
}

/** Whether a private key file is protected by a passphrase; undefined when it is not a private key. */
export function privateKeyEncrypted(text: string): boolean | undefined {
  if (text.includes('-----BEGIN OPENSSH PRIVATE KEY-----')) {
    const body = text.split('-----BEGIN OPENSSH PRIVATE KEY-----')[1]?.split('-----END')[0] ?? '';
    const bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
    const magic = 'openssh-key-v1\0';
    if (bytes.subarray(0, magic.length).toString('latin1') !== magic) return undefined;
    const len = bytes.length >= magic.length + 4 ? bytes.readUInt32BE(magic.length) : 0;
    const cipher = bytes.subarray(magic.length + 4, magic.length + 4 + Math.min(len, 64)).toString('latin1');
    return cipher !== 'none';
  }
  if (text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) return true;
  if (/-----BEGIN (?:RSA |DSA |EC )?PRIVATE KEY-----/.test(text)) return /Proc-Type:\s*4,ENCRYPTED/.test(text);
  return undefined;
}

async function checkSsh(home: string, add: Add, checked: string[]): Promise<void> {
  const dir = join(home, '.ssh');
  checked.push(dir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names.sort().slice(0, 200)) {
    if (name.endsWith('.pub') || name === 'known_hosts' || name === 'config' || name === 'authorized_keys' || name.startsWith('known_hosts')) continue;
    const p = join(dir, name);
    const text = await readSmall(p);
    if (text === undefined || text.length > 64 * 1024) continue;
    const encrypted = privateKeyEncrypted(text);
    if (encrypted === false) {
      add({ provider: 'SSH', kind: 'unencrypted private key', lifetime: 'long-lived', source: 'file', location: tilde(home, p), advice: ADVICE.ssh });
    }
  }
}

async function checkGh(home: string, env: NodeJS.ProcessEnv, add: Add, checked: string[]): Promise<void> {
  const p = join(env.GH_CONFIG_DIR ?? join(home, '.config', 'gh'), 'hosts.yml');
  checked.push(p);
  const text = await readSmall(p);
  if (text === undefined) return;
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 50 });
  } catch {
    return;
  }
  if (typeof doc !== 'object' || doc === null) return;
  for (const [host, entry] of Object.entries(doc as Record<string, unknown>).slice(0, 50)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const tokens: [string, string][] = [];
    const e = entry as Record<string, unknown>;
    if (typeof e.oauth_token === 'string') tokens.push([typeof e.user === 'string' ? e.user : '?', e.oauth_token]);
    if (typeof e.users === 'object' && e.users !== null) {
      for (const [user, u] of Object.entries(e.users as Record<string, unknown>)) {
        if (typeof u === 'object' && u !== null && typeof (u as Record<string, unknown>).oauth_token === 'string') tokens.push([user, (u as Record<string, string>).oauth_token!]);
      }
    }
    for (const [user, token] of tokens) {
      const kind = classifyToken(token);
      add({
        provider: 'GitHub',
        kind: `GitHub CLI ${kind?.kind ?? 'token'}`,
        lifetime: kind?.lifetime ?? 'long-lived',
        source: 'file',
        location: `${tilde(home, p)} ${host} (${user})`,
        preview: maskSecret(token),
        advice: ADVICE.gh,
      });
    }
  }
}

function checkEnv(env: NodeJS.ProcessEnv, add: Add): void {
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value === undefined || value === '' || CONFIG_ONLY_ENV_NAMES.has(name)) continue;
    const cred = classifyEnvVar(name, value);
    if (cred === undefined) continue;
    const token = classifyToken(value);
    if (name === 'SSH_AUTH_SOCK') {
      add({ provider: 'SSH', kind: 'agent socket (signs with your loaded keys)', lifetime: 'temporary', source: 'env', location: `$${name}`, advice: ADVICE.agent });
      continue;
    }
    let kind = token?.kind ?? 'credential';
    let lifetime: Lifetime = token?.lifetime ?? 'unknown';
    if (name === 'AWS_SECRET_ACCESS_KEY') kind = 'secret access key';
    if (name === 'AWS_SESSION_TOKEN') {
      kind = 'session token';
      lifetime = 'temporary';
    }
    if (name === 'GOOGLE_APPLICATION_CREDENTIALS') kind = 'path to a credentials file';
    add({
      provider: token?.provider ?? cred.provider,
      kind,
      lifetime,
      source: 'env',
      location: `$${name}`,
      preview: maskSecret(value),
      advice: token !== undefined ? adviceForToken(token.provider, token.kind, ADVICE.envGeneric) : ADVICE.envGeneric,
    });
  }
}

export interface ExposureOptions {
  env: NodeJS.ProcessEnv;
  home: string;
  /** Also look at `.npmrc` in this directory. */
  cwd?: string;
}

/** Looks at the environment and the well-known credential files under `home`. Never throws for unreadable files. */
export async function collectExposure(options: ExposureOptions): Promise<ExposureReport> {
  const items: ExposureItem[] = [];
  const checked: string[] = [];
  const add: Add = (item) => items.push(item);
  const { env, home } = options;
  checkEnv(env, add);
  await checkAws(home, env, add, checked);
  await checkGcloud(home, env, add, checked);
  await checkAzure(home, env, add, checked);
  await checkAliyun(home, add, checked);
  await checkNpmrc(home, env, options.cwd, add, checked);
  await checkPypirc(home, add, checked);
  await checkPipConf(home, env, add, checked);
  await checkYarnrc(home, add, checked);
  await checkDocker(home, env, add, checked);
  await checkNetrc(home, add, checked);
  await checkGitCredentials(home, add, checked);
  await checkKube(home, env, add, checked);
  await checkSsh(home, add, checked);
  await checkGh(home, env, add, checked);
  return { home, items, checked };
}

export function renderExposureText(report: ExposureReport): string {
  if (report.items.length === 0) return 'No credentials found in the environment or the usual credential files.\n';
  const longLived = report.items.filter((i) => i.lifetime === 'long-lived').length;
  const lines = [`Install-time code running as you could read ${report.items.length} credential(s) (${longLived} long-lived):`, ''];
  for (const i of report.items) {
    lines.push(`  ${i.provider}: ${i.kind} [${i.lifetime}]`);
    lines.push(`    where:  ${i.source === 'env' ? 'environment ' : ''}${i.location}${i.preview !== undefined ? `   value: ${i.preview}` : ''}`);
    lines.push(`    advice: ${i.advice}`);
  }
  lines.push('', 'Run installs with `vigil run -- <command>` to keep environment credentials away from install scripts.');
  return `${lines.join('\n')}\n`;
}
