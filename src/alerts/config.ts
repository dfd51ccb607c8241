/** Alert sinks from command-line options (shared by `vigil watch run` and `vigil worker`). */
import { resolve } from 'node:path';
import type { OptionSpec, ParsedCommandArgs } from '../cli/args.js';
import { listOption, stringOption } from '../cli/args.js';
import { VigilError } from '../core/errors.js';
import { VERDICTS } from '../core/types.js';
import type { Verdict } from '../core/types.js';
import { jsonlSink } from './jsonl.js';
import { smtpSink } from './smtp.js';
import type { AlertSink } from './types.js';
import { webhookSink } from './webhook.js';

export const ALERT_OPTIONS: OptionSpec = {
  webhook: { type: 'string', multiple: true },
  slack: { type: 'string', multiple: true },
  discord: { type: 'string', multiple: true },
  'email-to': { type: 'string', multiple: true },
  'email-from': { type: 'string' },
  smtp: { type: 'string' },
  'smtp-ca-file': { type: 'string' },
  'smtp-allow-plain-auth': { type: 'boolean' },
  'alerts-file': { type: 'string' },
  'dashboard-url': { type: 'string' },
  'alert-on': { type: 'string' },
};

export const ALERT_OPTIONS_HELP = `Alerts (each new alert goes to every sink; an alert key is sent once):
  --webhook URL          POST generic JSON {type:"vigil.alert", alert:{…, evidenceUrl}} (repeatable)
  --slack URL            POST a Slack-compatible {text} payload (incoming webhook; repeatable)
  --discord URL          POST a Discord-compatible {content, embeds} payload (repeatable)
  --email-to ADDR        send e-mail to ADDR (repeatable); needs --smtp and --email-from
  --smtp URL             smtp://[user:pass@]host[:25] (STARTTLS when the server offers it),
                         smtp+starttls://user:pass@host:587 (STARTTLS required) or
                         smtps://user:pass@host:465 (implicit TLS). Certificates are verified;
                         credentials are never sent without TLS
  --smtp-ca-file PATH    PEM CA certificate(s) that sign the relay's certificate (private relays)
  --smtp-allow-plain-auth  allow AUTH without TLS (a trusted relay on this host only)
  --email-from ADDR      sender address
  --alerts-file PATH     append one JSON object per alert (JSON lines)
  --dashboard-url URL    base URL of 'vigil serve' for evidence links (default http://127.0.0.1:8080)
  --alert-on LIST        verdicts that alert: malicious (default) or malicious,suspicious`;

export function alertSinksFromOptions(values: ParsedCommandArgs['values'], cwd: string): AlertSink[] {
  const sinks: AlertSink[] = [];
  for (const url of listOption(values, 'webhook')) sinks.push(webhookSink(url, { format: 'json' }));
  for (const url of listOption(values, 'slack')) sinks.push(webhookSink(url, { format: 'slack' }));
  for (const url of listOption(values, 'discord')) sinks.push(webhookSink(url, { format: 'discord' }));
  const to = listOption(values, 'email-to');
  if (to.length > 0) {
    const smtp = stringOption(values, 'smtp');
    const from = stringOption(values, 'email-from');
    if (smtp === undefined || from === undefined) throw new VigilError('E_USAGE', '--email-to needs --smtp and --email-from');
    const caFile = stringOption(values, 'smtp-ca-file');
    sinks.push(smtpSink({
      url: smtp, from, to,
      ...(caFile !== undefined ? { caFile: resolve(cwd, caFile) } : {}),
      ...(values['smtp-allow-plain-auth'] === true ? { allowPlainAuth: true } : {}),
    }));
  }
  const file = stringOption(values, 'alerts-file');
  if (file !== undefined) sinks.push(jsonlSink(resolve(cwd, file)));
  return sinks;
}

export function dashboardUrlOption(values: ParsedCommandArgs['values']): string {
  const url = stringOption(values, 'dashboard-url') ?? 'http://127.0.0.1:8080';
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new VigilError('E_USAGE', '--dashboard-url must be an http(s) URL');
  return url.replace(/\/+$/, '');
}

export function alertOnOption(values: ParsedCommandArgs['values']): Verdict[] {
  const raw = stringOption(values, 'alert-on') ?? 'malicious';
  const list = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const v of list) {
    if (!(VERDICTS as readonly string[]).includes(v) || v === 'clean') throw new VigilError('E_USAGE', `--alert-on: unknown verdict '${v}' (malicious, suspicious)`);
  }
  return list as Verdict[];
}
