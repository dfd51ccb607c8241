/**
 * Credentials that install-time code must not see. `vigil run` removes these from the environment of the
 * package manager it starts; `vigil exposure` reports them. The list is documented in docs/GUARD.md.
 *
 * A variable is a credential when (1) its name is listed below, (2) it starts with a listed prefix,
 * (3) its name contains a credential word (`*_TOKEN`, `*_SECRET*`, `*_PASSWORD`, `*_API_KEY`, …), or
 * (4) its value starts with a known token prefix (ghp_, npm_, AKIA, …).
 */
import { classifyToken } from '../exposure/tokens.js';

export interface CredentialVar {
  name: string;
  provider: string;
  /** Why it counts as a credential. */
  rule: 'listed' | 'prefix' | 'name-pattern' | 'token-value';
}

/** Exact names (compared case-sensitively; Windows-style case-insensitive lookups are not needed on POSIX). */
export const CREDENTIAL_ENV_NAMES: Readonly<Record<string, string>> = {
  // Cloud
  GOOGLE_APPLICATION_CREDENTIALS: 'Google Cloud',
  GOOGLE_CREDENTIALS: 'Google Cloud',
  GOOGLE_CLOUD_KEYFILE_JSON: 'Google Cloud',
  GOOGLE_OAUTH_ACCESS_TOKEN: 'Google Cloud',
  CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: 'Google Cloud',
  CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE: 'Google Cloud',
  ARM_CLIENT_SECRET: 'Azure',
  ARM_CLIENT_CERTIFICATE_PASSWORD: 'Azure',
  ARM_ACCESS_KEY: 'Azure',
  ARM_SAS_TOKEN: 'Azure',
  IBMCLOUD_API_KEY: 'IBM Cloud',
  HCLOUD_TOKEN: 'Hetzner Cloud',
  DIGITALOCEAN_ACCESS_TOKEN: 'DigitalOcean',
  // CI
  GITHUB_TOKEN: 'GitHub',
  GH_TOKEN: 'GitHub',
  GH_ENTERPRISE_TOKEN: 'GitHub',
  GITHUB_ENTERPRISE_TOKEN: 'GitHub',
  GITHUB_PAT: 'GitHub',
  CI_JOB_TOKEN: 'GitLab CI',
  CI_JOB_JWT: 'GitLab CI',
  CI_JOB_JWT_V1: 'GitLab CI',
  CI_JOB_JWT_V2: 'GitLab CI',
  CI_REGISTRY_PASSWORD: 'GitLab CI',
  CI_DEPLOY_PASSWORD: 'GitLab CI',
  CI_BUILD_TOKEN: 'GitLab CI',
  SYSTEM_ACCESSTOKEN: 'Azure Pipelines',
  BUILDKITE_AGENT_ACCESS_TOKEN: 'Buildkite',
  CIRCLE_TOKEN: 'CircleCI',
  CIRCLECI_TOKEN: 'CircleCI',
  TRAVIS_TOKEN: 'Travis CI',
  BITBUCKET_STEP_OIDC_TOKEN: 'Bitbucket Pipelines',
  // Package registries
  NPM_TOKEN: 'npm',
  NODE_AUTH_TOKEN: 'npm',
  YARN_NPM_AUTH_TOKEN: 'npm (yarn)',
  YARN_NPM_AUTH_IDENT: 'npm (yarn)',
  UV_PUBLISH_TOKEN: 'PyPI (uv)',
  UV_PUBLISH_PASSWORD: 'PyPI (uv)',
  CARGO_REGISTRY_TOKEN: 'crates.io',
  GEM_HOST_API_KEY: 'RubyGems',
  NUGET_API_KEY: 'NuGet',
  DOCKER_PASSWORD: 'Docker',
  DOCKER_AUTH_CONFIG: 'Docker',
  DOCKERHUB_TOKEN: 'Docker',
  // VCS and agents
  GITLAB_TOKEN: 'GitLab',
  GITLAB_PRIVATE_TOKEN: 'GitLab',
  GITEA_TOKEN: 'Gitea',
  BITBUCKET_TOKEN: 'Bitbucket',
  BITBUCKET_APP_PASSWORD: 'Bitbucket',
  SSH_AUTH_SOCK: 'SSH agent (lets code sign in as you with your loaded keys)',
  GPG_AGENT_INFO: 'GPG agent',
  VAULT_TOKEN: 'HashiCorp Vault',
  KUBE_TOKEN: 'Kubernetes',
};

/** Name prefixes: every variable starting with one of these is removed. */
export const CREDENTIAL_ENV_PREFIXES: readonly (readonly [string, string])[] = [
  ['AWS_', 'AWS'],
  ['AZURE_', 'Azure'],
  ['ALIBABA_CLOUD_', 'Alibaba Cloud'],
  ['ALICLOUD_', 'Alibaba Cloud'],
  ['ALIYUN_', 'Alibaba Cloud'],
  ['TENCENTCLOUD_', 'Tencent Cloud'],
  ['HUAWEICLOUD_', 'Huawei Cloud'],
  ['OCI_CLI_', 'Oracle Cloud'],
  ['ACTIONS_', 'GitHub Actions (runtime, cache and OIDC tokens)'],
  ['TWINE_', 'PyPI (twine)'],
  ['PYPI_', 'PyPI'],
  ['POETRY_PYPI_TOKEN_', 'PyPI (poetry)'],
  ['POETRY_HTTP_BASIC_', 'package index (poetry)'],
  ['VAULT_', 'HashiCorp Vault'],
];

/**
 * Variables under a credential prefix that only configure a client (no secret, no path to one). `vigil run`
 * still removes them with their prefix; `vigil exposure` does not report them.
 */
export const CONFIG_ONLY_ENV_NAMES: ReadonlySet<string> = new Set([
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_CA_BUNDLE',
  'AWS_SDK_LOAD_CONFIG',
  'AWS_PAGER',
  'AWS_DEFAULT_OUTPUT',
  'AWS_RETRY_MODE',
  'AWS_MAX_ATTEMPTS',
  'AWS_CONFIG_FILE',
  'AZURE_CONFIG_DIR',
  'AZURE_CORE_OUTPUT',
  'AZURE_DEFAULTS_GROUP',
  'AZURE_DEFAULTS_LOCATION',
  'ACTIONS_STEP_DEBUG',
  'ACTIONS_RUNNER_DEBUG',
  'VAULT_ADDR',
  'VAULT_NAMESPACE',
  'VAULT_CACERT',
]);

/**
 * Credential words in a name: a whole `_`-separated word or word pair, so TOKENIZERS_PARALLELISM and
 * KEYBOARD do not match. Literal alternatives only (no nested quantifiers).
 */
const NAME_PATTERN =
  /(?:^|_)(?:TOKEN|TOKENS|SECRET|SECRETS|SECRET_KEY|SECRET_ACCESS_KEY|CLIENT_SECRET|PASSWORD|PASSWD|PASSPHRASE|PASS|API_KEY|APIKEY|ACCESS_KEY|ACCESS_KEY_ID|PRIVATE_KEY|CREDENTIAL|CREDENTIALS|AUTH|AUTH_TOKEN|AUTHTOKEN|_AUTH|SESSION_KEY)(?:_|$)/;

/** npm config passed through the environment that carries registry credentials. */
const NPM_AUTH = /^npm_config_(?:.*:)?_(?:auth|authtoken|password)$/i;

/** Whether an environment variable holds (or points to) a credential, and why. */
export function classifyEnvVar(name: string, value: string | undefined): CredentialVar | undefined {
  const listed = CREDENTIAL_ENV_NAMES[name];
  if (listed !== undefined) return { name, provider: listed, rule: 'listed' };
  const upper = name.toUpperCase();
  for (const [prefix, provider] of CREDENTIAL_ENV_PREFIXES) {
    if (upper.startsWith(prefix)) return { name, provider, rule: 'prefix' };
  }
  if (NPM_AUTH.test(name)) return { name, provider: 'npm', rule: 'name-pattern' };
  if (NAME_PATTERN.test(upper)) return { name, provider: 'unknown service', rule: 'name-pattern' };
  if (value !== undefined && value.length <= 4096) {
    const token = classifyToken(value);
    if (token !== undefined) return { name, provider: token.provider, rule: 'token-value' };
  }
  return undefined;
}

export interface ScrubbedEnv {
  env: NodeJS.ProcessEnv;
  removed: CredentialVar[];
  kept: CredentialVar[];
}

/** A copy of `env` without credentials, except the names in `keep`. */
export function scrubEnv(env: NodeJS.ProcessEnv, keep: readonly string[] = []): ScrubbedEnv {
  const keepSet = new Set(keep);
  const out: NodeJS.ProcessEnv = {};
  const removed: CredentialVar[] = [];
  const kept: CredentialVar[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const cred = classifyEnvVar(name, value);
    if (cred === undefined) {
      out[name] = value;
    } else if (keepSet.has(name)) {
      out[name] = value;
      kept.push(cred);
    } else {
      removed.push(cred);
    }
  }
  removed.sort((a, b) => a.name.localeCompare(b.name));
  return { env: out, removed, kept };
}
