/**
 * A minimal SMTP client (RFC 5321) over node:net / node:tls: EHLO, STARTTLS (RFC 3207), AUTH PLAIN or
 * LOGIN, MAIL, RCPT, DATA, QUIT.
 *
 * - `smtp://host[:25]`: upgrades with STARTTLS whenever the server offers it; plain text otherwise.
 * - `smtp+starttls://host[:587]`: STARTTLS is required; a server that does not offer it is refused.
 * - `smtps://host[:465]`: implicit TLS from the first byte.
 *
 * Certificates are always verified (the system CAs, or `caFile` for a private relay), and a failed TLS
 * upgrade never falls back to plain text. Credentials (`user:pass@` in the URL) are only sent over TLS
 * unless `allowPlainAuth` says the unencrypted hop is trusted (a relay on the same host).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { connect as netConnect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { VigilError, describeError } from '../core/errors.js';
import type { AlertRecord } from '../store/types.js';
import { emailText } from './format.js';
import type { AlertSink } from './types.js';

export interface SmtpOptions {
  /** `smtp://[user:pass@]host[:port]`, `smtp+starttls://…` or `smtps://…`. */
  url: string;
  from: string;
  to: readonly string[];
  timeoutMs?: number;
  /** PEM file of the CA(s) that sign the server's certificate, instead of the system CAs. */
  caFile?: string;
  /** Send AUTH over a connection without TLS (only for a trusted local relay). */
  allowPlainAuth?: boolean;
}

/** Connection security of one delivery. */
export interface SmtpTransportOptions {
  timeoutMs?: number;
  /** PEM CA certificate(s) replacing the system CAs. */
  ca?: string | Buffer;
  allowPlainAuth?: boolean;
}

type SmtpMode = 'opportunistic' | 'starttls' | 'implicit';
const MODES: Record<string, { mode: SmtpMode; port: number }> = {
  'smtp:': { mode: 'opportunistic', port: 25 },
  'smtp+starttls:': { mode: 'starttls', port: 587 },
  'smtps:': { mode: 'implicit', port: 465 },
};
const MAX_CA_FILE = 1024 * 1024;

/** Reads a CA bundle for `caFile` (PEM, at most 1 MiB). */
export function readCaFile(path: string): Buffer {
  let bytes: Buffer;
  try {
    if (statSync(path).size > MAX_CA_FILE) throw new Error('larger than 1 MiB');
    bytes = readFileSync(path);
  } catch (error) {
    throw new VigilError('E_CONFIG', `cannot read the SMTP CA file ${path}: ${describeError(error)}`, { cause: error });
  }
  if (!bytes.includes('-----BEGIN CERTIFICATE-----')) throw new VigilError('E_CONFIG', `SMTP CA file ${path} holds no PEM certificate`);
  return bytes;
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
  private readonly onData = (chunk: string): void => {
    this.buffer += chunk;
    if (this.buffer.length > MAX_REPLY_BYTES) this.fail(new Error('SMTP reply too large'));
    else this.deliver();
  };
  private readonly onError = (e: Error): void => this.fail(e);
  private readonly onClose = (): void => this.fail(new Error('connection closed'));

  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  /**
   * Hands the socket over (for the TLS upgrade). Anything the server sent after its last reply would be
   * read as if it came over TLS (STARTTLS command injection), so it is refused.
   */
  detach(): Socket {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
    if (this.buffer !== '') throw new Error('the server sent data after its STARTTLS answer (refused: possible command injection)');
    return this.socket;
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

const CERT_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED', 'CERT_REJECTED', 'INVALID_CA',
]);

/** A certificate failure as a sentence that says what to do. */
function describeSmtpError(error: unknown, host: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CERT_ERRORS.has(code)) {
    return `the TLS certificate of ${host} could not be verified (${describeError(error)}); if the relay uses a private CA, pass its certificate with --smtp-ca-file`;
  }
  return describeError(error);
}

function tlsOptions(host: string, t: SmtpTransportOptions): ConnectionOptions {
  return {
    host,
    // SNI carries names only (RFC 6066); the certificate is still checked against the IP address.
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(t.ca !== undefined ? { ca: t.ca } : {}),
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  };
}

function secureConnect(socket: TLSSocket): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error): void => {
      socket.off('secureConnect', ok);
      reject(e);
    };
    const ok = (): void => {
      socket.off('error', fail);
      resolve(socket);
    };
    socket.once('secureConnect', ok);
    socket.once('error', fail);
  });
}

function ehloName(): string {
  return hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'localhost';
}

/** Capability keywords of an EHLO reply (`250-STARTTLS`, `250 AUTH PLAIN LOGIN`). */
function capabilities(ehlo: string): string[] {
  return ehlo.split('\n').map((l) => l.slice(4).trim().toUpperCase());
}

/**
 * Sends one message. Throws VigilError(E_NETWORK) on any failure, E_CONFIG for a bad URL or address and
 * for credentials that would go out unencrypted.
 */
export async function sendMail(url: string, msg: MailMessage, timeoutOrOptions: number | SmtpTransportOptions = {}): Promise<void> {
  const t: SmtpTransportOptions = typeof timeoutOrOptions === 'number' ? { timeoutMs: timeoutOrOptions } : timeoutOrOptions;
  const timeoutMs = t.timeoutMs ?? 15_000;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new VigilError('E_CONFIG', 'invalid SMTP URL');
  }
  const scheme = MODES[u.protocol];
  if (scheme === undefined) throw new VigilError('E_CONFIG', 'SMTP URL must start with smtp://, smtp+starttls:// or smtps://');
  for (const a of [msg.from, ...msg.to]) if (!isValidAddress(a)) throw new VigilError('E_CONFIG', `invalid e-mail address '${a.slice(0, 80)}'`);
  if (msg.to.length === 0) throw new VigilError('E_CONFIG', 'no e-mail recipient');
  const port = Number(u.port || scheme.port);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const wantsAuth = u.username !== '';
  let socket: Socket = scheme.mode === 'implicit' ? tlsConnect({ ...tlsOptions(host, t), port }) : netConnect({ host, port });
  const arm = (s: Socket): void => void s.setTimeout(timeoutMs, () => s.destroy(new Error('SMTP timeout')));
  arm(socket);
  let conv = new SmtpConversation(socket);
  let secure = scheme.mode === 'implicit';
  try {
    await conv.command(undefined, [220]);
    let ehlo = await conv.command(`EHLO ${ehloName()}`, [250]);
    if (!secure) {
      const offered = capabilities(ehlo).includes('STARTTLS');
      if (offered) {
        await conv.command('STARTTLS', [220]);
        const plain = conv.detach();
        socket = tlsConnect({ ...tlsOptions(host, t), socket: plain });
        arm(socket);
        await secureConnect(socket as TLSSocket);
        conv = new SmtpConversation(socket);
        secure = true;
        // RFC 3207: forget what was learnt before TLS and ask again.
        ehlo = await conv.command(`EHLO ${ehloName()}`, [250]);
      } else if (scheme.mode === 'starttls') {
        throw new Error('the server does not offer STARTTLS, which smtp+starttls:// requires');
      }
    }
    if (wantsAuth) {
      if (!secure && t.allowPlainAuth !== true) {
        throw new VigilError('E_CONFIG', `SMTP ${host}:${port}: refusing to send credentials over an unencrypted connection (the server offers no STARTTLS). Use smtps:// or smtp+starttls://, or --smtp-allow-plain-auth for a trusted relay on this host`);
      }
      const auth = capabilities(ehlo).find((c) => c.startsWith('AUTH ') || c.startsWith('AUTH=')) ?? '';
      const user = decodeURIComponent(u.username);
      const pass = decodeURIComponent(u.password);
      if (/\bPLAIN\b/.test(auth)) {
        await conv.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`, 'utf8').toString('base64')}`, [235]);
      } else if (/\bLOGIN\b/.test(auth)) {
        await conv.command('AUTH LOGIN', [334]);
        await conv.command(Buffer.from(user, 'utf8').toString('base64'), [334]);
        await conv.command(Buffer.from(pass, 'utf8').toString('base64'), [235]);
      } else throw new Error('server offers neither AUTH PLAIN nor AUTH LOGIN');
    }
    await conv.command(`MAIL FROM:<${msg.from}>`, [250]);
    for (const rcpt of msg.to) await conv.command(`RCPT TO:<${rcpt}>`, [250, 251]);
    await conv.command('DATA', [354]);
    // Dot-stuffing: a line starting with '.' gets another '.'.
    const data = buildMessage(msg).replace(/(^|\r\n)\./g, '$1..');
    await conv.command(`${data}\r\n.`, [250]);
    await conv.command('QUIT', [221]).catch(() => undefined);
  } catch (error) {
    if (error instanceof VigilError) throw error;
    throw new VigilError('E_NETWORK', `SMTP ${host}:${port}: ${describeSmtpError(error, host)}`, { cause: error });
  } finally {
    socket.destroy();
  }
}

export function smtpSink(options: SmtpOptions): AlertSink {
  for (const a of [options.from, ...options.to]) if (!isValidAddress(a)) throw new VigilError('E_CONFIG', `invalid e-mail address '${a.slice(0, 80)}'`);
  let u: URL;
  try {
    u = new URL(options.url);
  } catch {
    throw new VigilError('E_CONFIG', 'invalid SMTP URL');
  }
  const scheme = MODES[u.protocol];
  if (scheme === undefined) throw new VigilError('E_CONFIG', 'SMTP URL must start with smtp://, smtp+starttls:// or smtps://');
  const transport: SmtpTransportOptions = {
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.caFile !== undefined ? { ca: readCaFile(options.caFile) } : {}),
    ...(options.allowPlainAuth === true ? { allowPlainAuth: true } : {}),
  };
  return {
    name: `smtp:${u.host || '?'}`,
    async send(alert: AlertRecord, url: string): Promise<void> {
      const { subject, body } = emailText(alert, url);
      await sendMail(options.url, { from: options.from, to: options.to, subject, body }, transport);
    },
  };
}
