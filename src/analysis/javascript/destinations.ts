/** Classification of network destinations found in JavaScript and install scripts. */

export type DestinationClass =
  | 'oob' // out-of-band interaction, request-bin, webhook and tunnel services
  | 'ip-lookup' // "what is my IP" / geolocation services
  | 'public-ip' // a bare, routable IP address
  | 'private-ip'
  | 'localhost'
  | 'metadata' // cloud instance metadata endpoints
  | 'well-known' // registries, code hosts, CDNs, big cloud APIs
  | 'unknown';

export interface Destination {
  host: string;
  cls: DestinationClass;
  url?: string;
}

/** Suffixes of services used to receive stolen data or prove code execution. */
const OOB_SUFFIXES: readonly string[] = [
  'oastify.com',
  'burpcollaborator.net',
  'oast.fun',
  'oast.me',
  'oast.pro',
  'oast.live',
  'oast.site',
  'oast.online',
  'interact.sh',
  'interactsh.com',
  'pipedream.net',
  'm.pipedream.net',
  'webhook.site',
  'requestbin.net',
  'requestbin.com',
  'requestcatcher.com',
  'hookbin.com',
  'beeceptor.com',
  'ngrok.io',
  'ngrok-free.app',
  'ngrok.app',
  'ngrok.dev',
  'trycloudflare.com',
  'serveo.net',
  'localtunnel.me',
  'loca.lt',
  'dnslog.cn',
  'ceye.io',
  'canarytokens.com',
  'pastebin.com',
  'paste.ee',
  'hastebin.com',
  'transfer.sh',
  'bashupload.com',
  'temp.sh',
  'file.io',
  'anonfiles.com',
  'requestinspector.com',
  'free.beeceptor.com',
  'workers.dev',
  'glitch.me',
  'repl.co',
];

const IP_LOOKUP: readonly string[] = [
  'ifconfig.co',
  'ifconfig.me',
  'ipinfo.io',
  'ip-api.com',
  'api.ipify.org',
  'ipify.org',
  'icanhazip.com',
  'checkip.amazonaws.com',
  'ipapi.co',
  'ipwho.is',
  'ipgeolocation.io',
  'myexternalip.com',
  'wtfismyip.com',
  'freegeoip.app',
  'geolocation-db.com',
];

const WELL_KNOWN: readonly string[] = [
  'npmjs.org',
  'npmjs.com',
  'yarnpkg.com',
  'github.com',
  'githubusercontent.com',
  'github.io',
  'githubassets.com',
  'gitlab.com',
  'bitbucket.org',
  'nodejs.org',
  'npmmirror.com',
  'unpkg.com',
  'jsdelivr.net',
  'cdnjs.cloudflare.com',
  'googleapis.com',
  'google.com',
  'gstatic.com',
  'amazonaws.com',
  'azure.com',
  'microsoft.com',
  'windows.net',
  'mozilla.org',
  'electronjs.org',
  'sentry.io',
  'w3.org',
  'apple.com',
  'cloudflare.com',
  'example.com',
  'example.org',
  'opencollective.com',
  'localhost',
];

const METADATA_HOSTS: readonly string[] = ['169.254.169.254', 'metadata.google.internal', '100.100.100.200', 'fd00:ec2::254'];

function hasSuffix(host: string, suffixes: readonly string[]): boolean {
  for (const s of suffixes) if (host === s || host.endsWith(`.${s}`)) return true;
  return false;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function classifyHost(rawHost: string): DestinationClass {
  const host = rawHost.toLowerCase().replace(/\.$/, '');
  if (METADATA_HOSTS.includes(host)) return 'metadata';
  const m = IPV4.exec(host);
  if (m !== null) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a === 127 || a === 0) return 'localhost';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) return 'private-ip';
    return 'public-ip';
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host === '[::1]') return 'localhost';
  if (hasSuffix(host, OOB_SUFFIXES)) return 'oob';
  if (hasSuffix(host, IP_LOOKUP)) return 'ip-lookup';
  if (hasSuffix(host, WELL_KNOWN)) return 'well-known';
  return 'unknown';
}

const URL_RE = /\b(?:https?|wss?|ftp):\/\/([a-z0-9.-]{1,253}|\[[0-9a-f:]{2,39}\])(?::\d{1,5})?/gi;

/** Destinations named by URLs inside a piece of text (bounded). */
export function destinationsIn(text: string, max = 8): Destination[] {
  const out: Destination[] = [];
  URL_RE.lastIndex = 0;
  const slice = text.length > 20_000 ? text.slice(0, 20_000) : text;
  let m: RegExpExecArray | null;
  while ((m = URL_RE.exec(slice)) !== null && out.length < max) {
    const host = (m[1] ?? '').toLowerCase();
    if (host === '') continue;
    out.push({ host, cls: classifyHost(host), url: m[0] });
  }
  return out;
}

/** True when a Discord webhook URL (with its token) appears. */
export function isDiscordWebhook(text: string): boolean {
  return /discord(?:app)?\.com\/api\/webhooks\//i.test(text);
}

/** True when the text is a Telegram bot API URL (used as an exfiltration channel). */
export function isTelegramBot(text: string): boolean {
  return /api\.telegram\.org\/bot/i.test(text);
}

/** Rank used to pick the most telling destination (higher is worse). */
export const DESTINATION_RANK: Record<DestinationClass, number> = {
  oob: 6,
  metadata: 5,
  'public-ip': 4,
  'ip-lookup': 3,
  unknown: 2,
  'private-ip': 1,
  'well-known': 0,
  localhost: 0,
};
