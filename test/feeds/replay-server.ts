/**
 * Replays recorded feed documents (test/fixtures/feeds) on loopback:
 *   GET  /rss/updates.xml, /rss/packages.xml      -> the document currently set for that path
 *   POST /pypi (XML-RPC)                          -> changelog_last_serial / changelog_since_serial
 *   GET  /registry/ and /registry/_changes?since=N -> npm-root.json / npm-changes-N.json
 * Tests change what is served (`set`) to make the feed "move".
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FIXTURES = new URL('../../../test/fixtures/feeds/', import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export interface ReplayServer {
  url: string;
  /** Serve `body` at `path` (GET) from now on. */
  set(path: string, body: string, type?: string): void;
  requests: string[];
  close(): Promise<void>;
}

export async function startReplayServer(): Promise<ReplayServer> {
  const docs = new Map<string, { body: string; type: string }>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push(`${req.method ?? ''} ${url.pathname}${url.search}`);
      const send = (status: number, text: string, type = 'text/plain'): void => {
        res.writeHead(status, { 'content-type': type }).end(text);
      };
      try {
        if (req.method === 'POST' && url.pathname === '/pypi') {
          const method = /<methodName>([^<]{1,100})<\/methodName>/.exec(body)?.[1];
          const custom = docs.get(`xmlrpc:${method ?? ''}`);
          if (custom !== undefined) return send(200, custom.body, 'text/xml');
          if (method === 'changelog_last_serial') return send(200, fixture('xmlrpc-last-serial.xml'), 'text/xml');
          if (method === 'changelog_since_serial') {
            const since = Number(/<int>(\d{1,12})<\/int>/.exec(body)?.[1] ?? '-1');
            return send(200, since >= 25000006 ? fixture('xmlrpc-since-serial.xml').replace(/<value><array><data>\n<value><array>[\s\S]*<\/data><\/array><\/value>\n<\/data><\/array><\/value>/, '<value><array><data></data></array></value>') : fixture('xmlrpc-since-serial.xml'), 'text/xml');
          }
          return send(200, fixture('xmlrpc-fault.xml'), 'text/xml');
        }
        if (url.pathname === '/registry/' || url.pathname === '/registry') return send(200, fixture('npm-root.json'), 'application/json');
        if (url.pathname === '/registry/_changes') {
          const since = url.searchParams.get('since') ?? '';
          const custom = docs.get(`changes:${since}`);
          if (custom !== undefined) return send(200, custom.body, 'application/json');
          if (!/^\d{1,12}$/.test(since)) return send(400, '{}');
          return send(200, fixture(`npm-changes-${since}.json`), 'application/json');
        }
        const doc = docs.get(url.pathname);
        if (doc !== undefined) return send(200, doc.body, doc.type);
        return send(404, 'not found');
      } catch {
        return send(404, 'not found');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    set(path, body, type = 'application/rss+xml') {
      docs.set(path, { body, type });
    },
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
