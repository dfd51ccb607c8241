/**
 * `vigil serve`: a read-only dashboard over the results store, on node:http. Server-rendered HTML with a
 * strict Content-Security-Policy (no scripts at all, the one stylesheet allowed by its hash), plus the
 * same data as JSON under /api/. With a token, every page and API route needs it (bearer header or the
 * session cookie that /login sets); without one, it only listens on loopback unless told otherwise.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECOSYSTEMS, VERDICTS } from '../core/types.js';
import type { Ecosystem, Verdict } from '../core/types.js';
import { VigilError, describeError } from '../core/errors.js';
import type { ReleaseRecord, ResultStore } from '../store/types.js';
import { DashboardAuth, isLoopbackHost } from './auth.js';
import { ACCOUNT_SLOT, LOGOUT_FORM, STYLE_CSS, alertsPage, loginPage, notFoundPage, overviewPage, projectPage, releasePage, releasesPage } from './pages.js';

const STYLE_HASH = createHash('sha256').update(STYLE_CSS, 'utf8').digest('base64');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

const MAX_URL = 4096;
const MAX_FORM_BYTES = 4096;
/** A wrong token costs the client this long (with 16+ random characters, guessing is hopeless anyway). */
const FAILED_LOGIN_DELAY_MS = 250;

export interface DashboardOptions {
  store: ResultStore;
  /** Rows per list (default 50). */
  pageSize?: number;
  log?: (line: string) => void;
  /** Access token (at least 16 characters): every page and API route then needs it. */
  token?: string;
}

function send(res: ServerResponse, status: number, body: string, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...extra, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const sendJson = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void => send(res, status, `${JSON.stringify(body)}\n`, 'application/json; charset=utf-8', extra);

function redirect(res: ServerResponse, location: string, extra: Record<string, string> = {}): void {
  send(res, 303, '', 'text/plain; charset=utf-8', { ...extra, location });
}

/** A local path to return to after login: `/…` only (never `//host` or a scheme), else `/`. */
export function safeNext(raw: string | null | undefined): string {
  if (raw === null || raw === undefined || raw.length > 1000) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || /[\x00-\x1f\x7f\\]/.test(raw)) return '/';
  if (/^\/(?:login|logout)(?:[/?#]|$)/.test(raw)) return '/';
  return raw;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      req.resume();
      return reject(new VigilError('E_USAGE', 'expected a form (application/x-www-form-urlencoded)'));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.byteLength;
      if (size > MAX_FORM_BYTES) {
        // Answer now; the rest of the body is never read (the connection closes after the answer).
        req.pause();
        reject(new VigilError('E_LIMIT', 'form too large'));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/**
 * A cross-site POST is refused (Fetch Metadata, else an Origin of another host); same-origin forms and
 * non-browser clients pass. With `Referrer-Policy: no-referrer` browsers send `Origin: null` for our
 * own forms, so `null` alone is not a refusal.
 */
function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function searchParam(url: URL): string {
  return (url.searchParams.get('q') ?? '').trim().slice(0, 214);
}

function verdictParam(url: URL): Verdict | undefined {
  const v = url.searchParams.get('verdict') ?? '';
  return (VERDICTS as readonly string[]).includes(v) ? (v as Verdict) : undefined;
}

function segments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

export function createDashboardHandler(options: DashboardOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { store } = options;
  const limit = options.pageSize ?? 50;
  const auth = options.token !== undefined ? new DashboardAuth(options.token) : undefined;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Pages get a logout button once the request is authenticated.
    let signedIn = false;
    const sendHtml = (r: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void => {
      send(r, status, body.replace(ACCOUNT_SLOT, signedIn ? LOGOUT_FORM : ''), 'text/html; charset=utf-8', extra);
    };
    if ((req.url ?? '').length > MAX_URL) return sendHtml(res, 414, notFoundPage('URL too long.'));
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const parts = segments(url.pathname);
    if (parts === undefined) return sendHtml(res, 400, notFoundPage('Malformed URL.'));
    const [first, ...rest] = parts;
    const formRoute = auth !== undefined && rest.length === 0 && (first === 'login' || first === 'logout');
    const allowed = formRoute ? (first === 'login' ? ['GET', 'HEAD', 'POST'] : ['POST']) : ['GET', 'HEAD'];
    if (!allowed.includes(req.method ?? '')) {
      req.resume();
      res.setHeader('allow', allowed.join(', '));
      return sendHtml(res, 405, notFoundPage(`Only ${allowed.join(', ')} ${allowed.length > 1 ? 'are' : 'is'} supported here.`));
    }
    if (first === 'healthz' && rest.length === 0) {
      await store.countResults();
      return send(res, 200, 'ok\n', 'text/plain; charset=utf-8');
    }
    if (auth !== undefined) {
      const secure = req.headers['x-forwarded-proto'] === 'https';
      if (first === 'login' && formRoute) {
        let token: string | null;
        let next: string;
        if (req.method === 'POST') {
          if (!sameOrigin(req)) return sendHtml(res, 403, notFoundPage('Cross-site login refused.'));
          const form = await readForm(req).catch(() => undefined);
          if (form === undefined) return sendHtml(res, 400, loginPage('/', 'The login form could not be read.'), { connection: 'close' });
          token = form.get('token');
          next = safeNext(form.get('next'));
        } else {
          token = url.searchParams.get('token');
          next = safeNext(url.searchParams.get('next'));
          if (token === null) {
            if (auth.session(req) !== undefined) return redirect(res, next);
            return sendHtml(res, 200, loginPage(next));
          }
        }
        if (token !== null && auth.verifyToken(token)) {
          return redirect(res, next, { 'set-cookie': auth.cookie(auth.issueSession(), secure) });
        }
        await new Promise((r) => setTimeout(r, FAILED_LOGIN_DELAY_MS));
        options.log?.(`failed login from ${req.socket.remoteAddress ?? '?'}`);
        return sendHtml(res, 401, loginPage(next, 'Wrong token.'));
      }
      if (first === 'logout' && formRoute) {
        if (!sameOrigin(req)) return sendHtml(res, 403, notFoundPage('Cross-site logout refused.'));
        req.resume();
        const session = auth.session(req);
        if (session !== undefined) auth.revoke(session);
        return redirect(res, '/login', { 'set-cookie': DashboardAuth.clearCookie() });
      }
      if (!auth.allows(req)) {
        req.resume();
        const challenge = { 'www-authenticate': 'Bearer realm="vigil"' };
        if (first === 'api') return sendJson(res, 401, { error: 'authentication required: send Authorization: Bearer <token>' }, challenge);
        return sendHtml(res, 401, loginPage(safeNext(`${url.pathname}${url.search}`)), challenge);
      }
      signedIn = auth.session(req) !== undefined;
    } else if (first === 'login' && rest.length === 0) {
      return redirect(res, '/');
    }
    const search = searchParam(url);
    const verdict = verdictParam(url);
    const listOptions = { limit, search, ...(verdict !== undefined ? { verdict } : {}) };
    switch (first) {
      case undefined: {
        const [projects, alerts, releases, count] = await Promise.all([
          store.listProjects(), store.listAlerts({ limit: 20 }), store.listResults({ limit: 20 }), store.countResults(),
        ]);
        return sendHtml(res, 200, overviewPage(projects, alerts, releases, { releases: count }));
      }
      case 'releases':
        return sendHtml(res, 200, releasesPage(await store.listResults(listOptions), search, verdict));
      case 'alerts':
        return sendHtml(res, 200, alertsPage(await store.listAlerts({ limit, search }), search));
      case 'release': {
        const [eco, name, version] = rest;
        if (rest.length !== 3 || eco === undefined || name === undefined || version === undefined || !(ECOSYSTEMS as readonly string[]).includes(eco)) {
          return sendHtml(res, 404, notFoundPage('No such release.'));
        }
        const r = await store.getResult(eco as Ecosystem, name, version);
        return r === undefined ? sendHtml(res, 404, notFoundPage(`${name}@${version} has not been scanned.`)) : sendHtml(res, 200, releasePage(r));
      }
      case 'project': {
        const p = rest.length === 1 && rest[0] !== undefined ? await store.getProject(rest[0]) : undefined;
        if (p === undefined) return sendHtml(res, 404, notFoundPage('No such project.'));
        const results = new Map<string, ReleaseRecord>();
        for (const d of p.dependencies) {
          const r = await store.getResult(d.ecosystem, d.name, d.version);
          if (r !== undefined) results.set(`${d.ecosystem}:${d.name}@${d.version}`, r);
        }
        return sendHtml(res, 200, projectPage(p, await store.listAlerts({ project: p.id, limit }), results));
      }
      case 'api': {
        const [what] = rest;
        if (what === 'releases') return sendJson(res, 200, await store.listResults(listOptions));
        if (what === 'alerts') return sendJson(res, 200, await store.listAlerts({ limit, search }));
        if (what === 'projects') return sendJson(res, 200, await store.listProjects());
        return sendJson(res, 404, { error: 'not found' });
      }
      default:
        return sendHtml(res, 404, notFoundPage('No such page.'));
    }
  };
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(`${req.method ?? ''} ${req.url ?? ''}: ${describeError(error)}`);
      if (!res.headersSent) send(res, 500, notFoundPage('The store could not be read.').replace(ACCOUNT_SLOT, ''), 'text/html; charset=utf-8');
      else res.destroy();
    });
  };
}

export interface RunningDashboard {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export interface StartDashboardOptions extends DashboardOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Listen on a non-loopback address without a token (something in front authenticates). */
  insecureNoAuth?: boolean;
}

/**
 * Throws E_USAGE when the dashboard would be reachable from other machines without a token: anyone who
 * can reach it would read every finding and alert.
 */
export function checkExposure(host: string, token: string | undefined, insecureNoAuth: boolean): void {
  if (token !== undefined || insecureNoAuth || isLoopbackHost(host)) return;
  throw new VigilError(
    'E_USAGE',
    `refusing to serve the dashboard on ${host} without authentication: other machines could read every finding and alert. `
    + 'Set a token (--token-file PATH, $VIGIL_SERVE_TOKEN or --token), or pass --insecure-no-auth when something in front of it authenticates.',
  );
}

export async function startDashboard(options: StartDashboardOptions): Promise<RunningDashboard> {
  checkExposure(options.host ?? '127.0.0.1', options.token, options.insecureNoAuth === true);
  const server = createServer(createDashboardHandler(options));
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
