/**
 * Access control of the dashboard: one shared token. A request is let in with `Authorization: Bearer
 * TOKEN` or with a session cookie that `/login` sets after the token was given (form or `?token=`).
 * Comparisons are constant-time; the session cookie is HttpOnly, SameSite=Strict and carries no token,
 * only an expiry and a MAC keyed by the token (changing the token ends every session).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { VigilError } from '../core/errors.js';

export const SESSION_COOKIE = 'vigil_session';
/** Session lifetime: 12 hours. */
export const SESSION_TTL_SECONDS = 12 * 3600;
export const MIN_TOKEN_LENGTH = 16;
const MAX_TOKEN_LENGTH = 1024;
const MAX_REVOKED = 10_000;

/** Throws E_USAGE when a token is too short or cannot travel in a header. */
export function checkToken(token: string): void {
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new VigilError('E_USAGE', `the dashboard token must be at least ${MIN_TOKEN_LENGTH} characters (make one with 'openssl rand -hex 32')`);
  }
  if (token.length > MAX_TOKEN_LENGTH) throw new VigilError('E_USAGE', `the dashboard token must be at most ${MAX_TOKEN_LENGTH} characters`);
  if (!/^[\x21-\x7e]+$/.test(token)) throw new VigilError('E_USAGE', 'the dashboard token must be printable ASCII without spaces');
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    // The URL parser writes IPv6 in canonical form: ::1, and ::ffff:7fxx:xxxx for IPv4-mapped 127/8.
    const canonical = new URL(`http://[${h}]/`).hostname;
    return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
  }
  return false;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time string comparison (both sides hashed first, so lengths do not leak either). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** `name=value; …` into a map (first occurrence wins; at most 50 cookies looked at). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (header === undefined) return out;
  for (const part of header.split(';').slice(0, 50)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

export class DashboardAuth {
  private readonly key: Buffer;
  private readonly revoked = new Set<string>();

  constructor(private readonly token: string, private readonly now: () => number = Date.now) {
    checkToken(token);
    this.key = createHmac('sha256', token).update('vigil dashboard session v1').digest();
  }

  verifyToken(candidate: string): boolean {
    return safeEqual(candidate, this.token);
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  /** A new session value: `v1.<expiry>.<nonce>.<mac>`. */
  issueSession(): string {
    const payload = `v1.${Math.floor(this.now() / 1000) + SESSION_TTL_SECONDS}.${randomBytes(12).toString('base64url')}`;
    return `${payload}.${this.mac(payload)}`;
  }

  verifySession(value: string): boolean {
    const m = /^(v1\.(\d{1,12})\.([A-Za-z0-9_-]{16}))\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (m === null) return false;
    const [, payload = '', expiry = '0', nonce = '', mac = ''] = m;
    if (!safeEqual(mac, this.mac(payload))) return false;
    return Number(expiry) * 1000 > this.now() && !this.revoked.has(nonce);
  }

  /** Ends a session before its expiry (logout). */
  revoke(value: string): void {
    const nonce = value.split('.')[2];
    if (nonce === undefined || !this.verifySession(value)) return;
    if (this.revoked.size >= MAX_REVOKED) this.revoked.delete(this.revoked.values().next().value ?? '');
    this.revoked.add(nonce);
  }

  /** The session cookie of a request, when it is valid. */
  session(req: IncomingMessage): string | undefined {
    const value = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    return value !== undefined && this.verifySession(value) ? value : undefined;
  }

  /** A valid bearer token or session cookie (another Authorization scheme, from a proxy, is ignored). */
  allows(req: IncomingMessage): boolean {
    const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(req.headers.authorization ?? '');
    if (m?.[1] !== undefined && this.verifyToken(m[1])) return true;
    return this.session(req) !== undefined;
  }

  /** Set-Cookie value for a new session; `Secure` when the client reached us over HTTPS (via a proxy). */
  cookie(value: string, secure: boolean): string {
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_SECONDS}${secure ? '; Secure' : ''}`;
  }

  static clearCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }
}
