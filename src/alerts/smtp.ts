/**
 * A minimal SMTP client (RFC 5321) over node:net / node:tls: EHLO, optional AUTH PLAIN, MAIL, RCPT,
 * DATA, QUIT. `smtp://host:port` is plain (for a local relay), `smtps://host:port` is implicit TLS.
 * No STARTTLS: point it at a local relay (postfix, a sidecar) when the upstream needs it.
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { VigilError, describeError } from '../core/errors.js';
import type { AlertRecord } from '../store/types.js';
import { emailText } from './format.js';
import type { AlertSink } from './types.js';

export interface SmtpOptions {
  /** `smtp://[user:pass@]host[:port]` or `smtps://…`. */
  url: string;
  from: string;
  to: readonly string[];
  timeoutMs?: number;
}

export interface MailMessage {
  from: string;
  to: readonly string[];
  subject: string;
  body: string;
}

const MAX_REPLY_BYTES = 64 * 1024;
// A mailbox without CR/LF, angle brackets or spaces; the SMTP envelope must not be injectable.
const ADDRESS_RE = /^[^\s<>@",;]{1,64}@[A-Za-z0-9.-]{1,253}$/;

export function isValidAddress(address: string): boolean {
  return ADDRESS_RE.test(address);
}

/** RFC 2047 encoded-word for a header value (UTF-8, base64), single line. */
function encodeHeader(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(clean) ? clean : `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

function base64Lines(text: string): string {
  const b64 = Buffer.from(text, 'utf8').toString('base64');
  return (b64.match(/.{1,76}/g) ?? []).join('\r\n');
}

export function buildMessage(msg: MailMessage, date: Date = new Date()): string {
  const domain = msg.from.split('@')[1] ?? 'localhost';
  return [
    `From: ${msg.from}`,
    `To: ${msg.to.join(', ')}`,
    `Subject: ${encodeHeader(msg.subject)}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    'X-Mailer: vigil',
    '',
    base64Lines(msg.body),
  ].join('\r\n');
}

class SmtpConversation {
  private buffer = '';
  private waiting: ((reply: { code: number; text: string } | Error) => void) | undefined;
  private failure: Error | undefined;

  constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      if (this.buffer.length > MAX_REPLY_BYTES) this.fail(new Error('SMTP reply too large'));
      else this.deliver();
    });
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const w = this.waiting;
    this.waiting = undefined;
    w?.(this.failure);
  }

  private deliver(): void {
    if (this.waiting === undefined) return;
    const lines = this.buffer.split('\r\n');
    for (let i = 0; i < lines.length - 1; i++) {
      const line = lines[i] ?? '';
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
        const text = lines.slice(0, i + 1).join('\n');
        this.buffer = lines.slice(i + 1).join('\r\n');
        const w = this.waiting;
        this.waiting = undefined;
        w({ code: Number(line.slice(0, 3)), text });
        return;
      }
    }
  }

  reply(): Promise<{ code: number; text: string }> {
    return new Promise((resolve, reject) => {
      if (this.failure !== undefined) return reject(this.failure);
      this.waiting = (r) => (r instanceof Error ? reject(r) : resolve(r));
      this.deliver();
    });
  }

  async command(line: string | undefined, expect: readonly number[]): Promise<string> {
    if (line !== undefined) this.socket.write(`${line}\r\n`);
    const r = await this.reply();
    if (!expect.includes(r.code)) throw new Error(`server answered ${r.text.split('\n').pop() ?? r.code} to ${line?.split(' ')[0] ?? 'greeting'}`);
    return r.text;
  }
}

/** Sends one message. Throws VigilError(E_NETWORK) on any failure. */
export async function sendMail(url: string, msg: MailMessage, timeoutMs = 15_000): Promise<void> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new VigilError('E_CONFIG', 'invalid SMTP URL');
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new VigilError('E_CONFIG', 'SMTP URL must start with smtp:// or smtps://');
  for (const a of [msg.from, ...msg.to]) if (!isValidAddress(a)) throw new VigilError('E_CONFIG', `invalid e-mail address '${a.slice(0, 80)}'`);
  if (msg.to.length === 0) throw new VigilError('E_CONFIG', 'no e-mail recipient');
  const tls = u.protocol === 'smtps:';
  const port = Number(u.port || (tls ? 465 : 25));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const socket: Socket = tls ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error('SMTP timeout')));
  const conv = new SmtpConversation(socket);
  try {
    await conv.command(undefined, [220]);
    const ehlo = await conv.command(`EHLO ${hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'localhost'}`, [250]);
    if (u.username !== '') {
      if (!/AUTH[ =][^\n]*PLAIN/i.test(ehlo)) throw new Error('server does not offer AUTH PLAIN');
      const token = Buffer.from(`\0${decodeURIComponent(u.username)}\0${decodeURIComponent(u.password)}`, 'utf8').toString('base64');
      await conv.command(`AUTH PLAIN ${token}`, [235]);
    }
    await conv.command(`MAIL FROM:<${msg.from}>`, [250]);
    for (const rcpt of msg.to) await conv.command(`RCPT TO:<${rcpt}>`, [250, 251]);
    await conv.command('DATA', [354]);
    // Dot-stuffing: a line starting with '.' gets another '.'.
    const data = buildMessage(msg).replace(/(^|\r\n)\./g, '$1..');
    await conv.command(`${data}\r\n.`, [250]);
    await conv.command('QUIT', [221]).catch(() => undefined);
  } catch (error) {
    throw new VigilError('E_NETWORK', `SMTP ${host}:${port}: ${describeError(error)}`, { cause: error });
  } finally {
    socket.destroy();
  }
}

export function smtpSink(options: SmtpOptions): AlertSink {
  for (const a of [options.from, ...options.to]) if (!isValidAddress(a)) throw new VigilError('E_CONFIG', `invalid e-mail address '${a.slice(0, 80)}'`);
  let host = '?';
  try {
    host = new URL(options.url).host;
  } catch {
    throw new VigilError('E_CONFIG', 'invalid SMTP URL');
  }
  return {
    name: `smtp:${host}`,
    async send(alert: AlertRecord, url: string): Promise<void> {
      const { subject, body } = emailText(alert, url);
      await sendMail(options.url, { from: options.from, to: options.to, subject, body }, options.timeoutMs);
    },
  };
}
