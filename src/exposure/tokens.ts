/** Recognises credential values by their documented prefixes. Never returns the value itself. */

export type Lifetime = 'long-lived' | 'temporary' | 'unknown';

export interface TokenKind {
  provider: string;
  /** Human description, e.g. "classic personal access token". */
  kind: string;
  lifetime: Lifetime;
}

interface Prefix extends TokenKind {
  prefix: string;
  minLength: number;
}

/** Ordered: longer prefixes first where they overlap. */
const PREFIXES: readonly Prefix[] = [
  { prefix: 'github_pat_', minLength: 40, provider: 'GitHub', kind: 'fine-grained personal access token', lifetime: 'long-lived' },
  { prefix: 'ghp_', minLength: 30, provider: 'GitHub', kind: 'classic personal access token (broad scopes)', lifetime: 'long-lived' },
  { prefix: 'gho_', minLength: 30, provider: 'GitHub', kind: 'OAuth app token', lifetime: 'long-lived' },
  { prefix: 'ghu_', minLength: 30, provider: 'GitHub', kind: 'GitHub App user token', lifetime: 'temporary' },
  { prefix: 'ghs_', minLength: 30, provider: 'GitHub', kind: 'GitHub App installation / Actions token', lifetime: 'temporary' },
  { prefix: 'ghr_', minLength: 30, provider: 'GitHub', kind: 'refresh token', lifetime: 'long-lived' },
  { prefix: 'glpat-', minLength: 20, provider: 'GitLab', kind: 'personal access token', lifetime: 'long-lived' },
  { prefix: 'glcbt-', minLength: 20, provider: 'GitLab', kind: 'CI job token', lifetime: 'temporary' },
  { prefix: 'gldt-', minLength: 20, provider: 'GitLab', kind: 'deploy token', lifetime: 'long-lived' },
  { prefix: 'npm_', minLength: 30, provider: 'npm', kind: 'access token (publish rights unless read-only)', lifetime: 'long-lived' },
  { prefix: 'pypi-', minLength: 40, provider: 'PyPI', kind: 'API token (upload rights)', lifetime: 'long-lived' },
  { prefix: 'AKIA', minLength: 20, provider: 'AWS', kind: 'IAM user access key', lifetime: 'long-lived' },
  { prefix: 'ASIA', minLength: 20, provider: 'AWS', kind: 'temporary STS session key', lifetime: 'temporary' },
  { prefix: 'AIza', minLength: 35, provider: 'Google Cloud', kind: 'API key', lifetime: 'long-lived' },
  { prefix: 'ya29.', minLength: 30, provider: 'Google Cloud', kind: 'OAuth access token', lifetime: 'temporary' },
  { prefix: 'LTAI', minLength: 16, provider: 'Alibaba Cloud', kind: 'AccessKey ID', lifetime: 'long-lived' },
  { prefix: 'STS.', minLength: 16, provider: 'Alibaba Cloud', kind: 'STS token', lifetime: 'temporary' },
  { prefix: 'AKID', minLength: 30, provider: 'Tencent Cloud', kind: 'SecretId', lifetime: 'long-lived' },
  { prefix: 'xoxb-', minLength: 20, provider: 'Slack', kind: 'bot token', lifetime: 'long-lived' },
  { prefix: 'xoxp-', minLength: 20, provider: 'Slack', kind: 'user token', lifetime: 'long-lived' },
  { prefix: 'sk-ant-', minLength: 30, provider: 'Anthropic', kind: 'API key', lifetime: 'long-lived' },
  { prefix: 'sk-', minLength: 30, provider: 'OpenAI-style', kind: 'API key', lifetime: 'long-lived' },
  { prefix: 'dop_v1_', minLength: 30, provider: 'DigitalOcean', kind: 'personal access token', lifetime: 'long-lived' },
  { prefix: 'hvs.', minLength: 20, provider: 'HashiCorp Vault', kind: 'service token', lifetime: 'temporary' },
];

/** What a value is, judged by its prefix; undefined when it does not look like a known token. */
export function classifyToken(value: string): TokenKind | undefined {
  const v = value.trim();
  for (const p of PREFIXES) {
    if (v.startsWith(p.prefix) && v.length >= p.minLength && !/\s/.test(v)) return { provider: p.provider, kind: p.kind, lifetime: p.lifetime };
  }
  return undefined;
}

/** At most 4 leading characters, never more than a quarter of the value; the rest is elided. */
export function maskSecret(value: string): string {
  const v = value.trim();
  if (v.length === 0) return '(empty)';
  const shown = Math.min(4, Math.floor(v.length / 4));
  return `${v.slice(0, shown)}…(${v.length} chars)`;
}
