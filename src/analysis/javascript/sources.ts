/** Sensitive data sources, as a bit set carried by abstract values ("taint"). */

export const SRC = {
  envAll: 1, // the whole process.env
  envCred: 2, // a credential-looking environment variable
  npmrc: 4,
  ssh: 8,
  cloud: 16, // ~/.aws, gcloud, azure, kube, docker credentials
  browser: 32, // browser profile stores (cookies, Login Data, Local Storage)
  wallet: 64, // crypto wallet stores / extension ids
  metadata: 128, // cloud instance metadata endpoint
  hostinfo: 256, // hostname, user name, network interfaces
  netdata: 512, // bytes received from the network
  gitcred: 1024, // .git-credentials, gh tokens
  discord: 2048, // Discord token stores
  shellHistory: 4096,
} as const;

export type SourceName = keyof typeof SRC;

/** Credentials proper (not host fingerprinting). */
export const CRED_MASK =
  SRC.envAll | SRC.envCred | SRC.npmrc | SRC.ssh | SRC.cloud | SRC.browser | SRC.wallet | SRC.metadata | SRC.gitcred | SRC.discord | SRC.shellHistory;

export function sourceNames(mask: number): string[] {
  const out: string[] = [];
  for (const [name, bit] of Object.entries(SRC)) if ((mask & bit) !== 0) out.push(name);
  return out;
}

/** Environment variable names that hold secrets. */
const CRED_ENV = /(?:TOKEN|SECRET|PASSW(?:OR)?D|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|_AUTH|SESSION_?KEY|WEBHOOK)|^(?:NPM_|AWS_|GITHUB_|GH_|AZURE_|GCP_|GOOGLE_APPLICATION|SLACK_|DISCORD_|STRIPE_|CI_JOB_TOKEN|VAULT_)/i;
const BENIGN_ENV = /^(?:NODE_ENV|DEBUG|HOME|PATH|CI|TERM|SHELL|LANG|TZ|PWD|TMPDIR|TEMP|TMP|NODE_OPTIONS|npm_config_[a-z_]*|npm_package_[a-z_]*|npm_lifecycle_event|GITHUB_ACTIONS|GITHUB_WORKSPACE|GITHUB_REF|GITHUB_SHA|GITHUB_EVENT_NAME|GITHUB_RUN_ID|FORCE_COLOR|NO_COLOR|AWS_REGION|AWS_DEFAULT_REGION|AWS_LAMBDA_FUNCTION_NAME|AWS_EXECUTION_ENV|AWS_PROFILE|GITHUB_SERVER_URL|GITHUB_API_URL)$/;
const HOST_ENV = /^(?:USER|USERNAME|LOGNAME|HOSTNAME|COMPUTERNAME|USERDOMAIN)$/;

export function envSource(name: string): number {
  if (BENIGN_ENV.test(name)) return 0;
  if (HOST_ENV.test(name)) return SRC.hostinfo;
  if (CRED_ENV.test(name)) return SRC.envCred;
  return 0;
}

/** Sources named by a string literal (paths of credential stores, metadata endpoints). */
const STRING_SOURCES: readonly { re: RegExp; bit: number }[] = [
  { re: /(?:^|[/\\])\.npmrc\b/, bit: SRC.npmrc },
  { re: /(?:^|[/\\])\.ssh(?:[/\\]|$)|\bid_(?:rsa|ed25519|ecdsa|dsa)\b/, bit: SRC.ssh },
  { re: /(?:^|[/\\])\.aws[/\\](?:credentials|config)|(?:^|[/\\])\.aws$|\.config[/\\]gcloud|application_default_credentials|(?:^|[/\\])\.azure[/\\]|(?:^|[/\\])\.kube[/\\]config|(?:^|[/\\])\.docker[/\\]config\.json/, bit: SRC.cloud },
  { re: /Local Storage[/\\]leveldb|\bLogin Data\b|User Data[/\\]Default|Cookies\.sqlite|webappsstore\.sqlite|key4\.db|logins\.json/, bit: SRC.browser },
  { re: /\bnkbihfbeogaeaoehlefnkodbefgpgknn\b|\bejbalbakoplchlghecdalmeeeajnimhm\b|\bbfnaelmomeimhlpmgjnjophhpkkoljpa\b|\bhnfanknocfeofbddgcijnmhnfnkdnaad\b|Exodus[/\\]exodus\.wallet|\bElectrum[/\\]wallets\b|Ethereum[/\\]keystore|\.config[/\\]solana|\bid\.json\b.*solana|wallet\.dat\b|atomic[/\\]Local Storage/i, bit: SRC.wallet },
  { re: /169\.254\.169\.254|metadata\.google\.internal|100\.100\.100\.200/, bit: SRC.metadata },
  { re: /(?:^|[/\\])\.git-credentials\b|(?:^|[/\\])\.config[/\\]gh[/\\]hosts\.yml/, bit: SRC.gitcred },
  { re: /discord(?:canary|ptb)?[/\\](?:Local Storage|leveldb)|Roaming[/\\]discord/i, bit: SRC.discord },
  { re: /(?:^|[/\\])\.(?:bash|zsh)_history\b/, bit: SRC.shellHistory },
];

export function stringSource(text: string): number {
  if (text.length < 4 || text.length > 4096) return 0;
  let mask = 0;
  for (const s of STRING_SOURCES) if (s.re.test(text)) mask |= s.bit;
  return mask;
}
