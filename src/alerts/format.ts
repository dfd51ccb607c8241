/** Alert payloads: generic JSON, Slack-compatible and Discord-compatible webhook bodies, e-mail text. */
import type { AlertRecord } from '../store/types.js';

export type WebhookFormat = 'json' | 'slack' | 'discord';
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['json', 'slack', 'discord'];

const SEVERITY_COLOR: Record<AlertRecord['severity'], number> = { critical: 0xb00020, high: 0xe65100, medium: 0xf9a825, low: 0x607d8b };

/** Absolute evidence URL: dashboard base + the alert's evidence path. */
export function evidenceUrl(dashboardUrl: string, alert: AlertRecord): string {
  return `${dashboardUrl.replace(/\/+$/, '')}${alert.evidencePath}`;
}

/** Slack mrkdwn: `&`, `<`, `>` must be escaped in text. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Discord markdown: neutralise mentions and link syntax coming from package metadata. */
function discordEscape(text: string): string {
  return text.replace(/@/g, '@\u200b').replace(/[[\]()*_~`|>\\]/g, (c) => `\\${c}`);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function webhookPayload(format: WebhookFormat, alert: AlertRecord, url: string): Record<string, unknown> {
  switch (format) {
    case 'slack':
      return {
        text: `:rotating_light: *${slackEscape(clip(alert.title, 300))}* (${alert.severity})\n${slackEscape(clip(alert.message, 2000))}\n<${url}|Evidence>`,
        unfurl_links: false,
      };
    case 'discord':
      return {
        content: clip(`**${discordEscape(alert.title)}** (${alert.severity})`, 2000),
        allowed_mentions: { parse: [] },
        embeds: [{ title: clip(alert.title, 256), description: clip(alert.message, 4000), url, color: SEVERITY_COLOR[alert.severity] }],
      };
    case 'json':
      return {
        type: 'vigil.alert',
        version: 1,
        alert: { ...alert, evidenceUrl: url },
      };
  }
}

export function emailText(alert: AlertRecord, url: string): { subject: string; body: string } {
  const subject = clip(`[vigil] ${alert.severity.toUpperCase()}: ${alert.title}`, 200);
  const lines = [
    alert.title,
    '',
    alert.message,
    '',
    `Severity: ${alert.severity}`,
    ...(alert.ecosystem !== undefined && alert.name !== undefined ? [`Package: ${alert.ecosystem}/${alert.name}${alert.version !== undefined ? `@${alert.version}` : ''}`] : []),
    ...(alert.project !== undefined ? [`Project: ${alert.project}`] : []),
    `Evidence: ${url}`,
    '',
    `Alert key: ${alert.key}`,
  ];
  return { subject, body: lines.join('\n') };
}
