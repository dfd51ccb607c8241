/**
 * `vigil serve`: a read-only dashboard over the results store, on node:http. Server-rendered HTML with a
 * strict Content-Security-Policy (no scripts at all), plus the same data as JSON under /api/.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECOSYSTEMS, VERDICTS } from '../core/types.js';
import type { Ecosystem, Verdict } from '../core/types.js';
import { describeError } from '../core/errors.js';
import type { ReleaseRecord, ResultStore } from '../store/types.js';
import { alertsPage, notFoundPage, overviewPage, projectPage, releasePage, releasesPage } from './pages.js';

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

const MAX_URL = 4096;

export interface DashboardOptions {
  store: ResultStore;
  /** Rows per list (default 50). */
  pageSize?: number;
  log?: (line: string) => void;
}

function send(res: ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const sendHtml = (res: ServerResponse, status: number, body: string): void => send(res, status, body, 'text/html; charset=utf-8');
const sendJson = (res: ServerResponse, status: number, body: unknown): void => send(res, status, `${JSON.stringify(body)}\n`, 'application/json; charset=utf-8');

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
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendHtml(res, 405, notFoundPage('Only GET is supported.'));
    }
    if ((req.url ?? '').length > MAX_URL) return sendHtml(res, 414, notFoundPage('URL too long.'));
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const parts = segments(url.pathname);
    if (parts === undefined) return sendHtml(res, 400, notFoundPage('Malformed URL.'));
    const [first, ...rest] = parts;
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
      case 'healthz':
        await store.countResults();
        return send(res, 200, 'ok\n', 'text/plain; charset=utf-8');
      default:
        return sendHtml(res, 404, notFoundPage('No such page.'));
    }
  };
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(`${req.method ?? ''} ${req.url ?? ''}: ${describeError(error)}`);
      if (!res.headersSent) sendHtml(res, 500, notFoundPage('The store could not be read.'));
      else res.destroy();
    });
  };
}

export interface RunningDashboard {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions & { host?: string; port?: number }): Promise<RunningDashboard> {
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
