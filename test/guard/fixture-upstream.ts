/**
 * A loopback upstream for guard tests: a PEP 503/691 simple index with files, and an npm registry with
 * full packuments and tarballs, all served from in-memory fixtures. Never reaches the internet.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { sha256Hex, sri512 } from '../helpers/archives.js';

export interface PypiFixture {
  project: string;
  version: string;
  filename: string;
  bytes: Uint8Array;
  /** Served instead of `bytes` (the index still lists the hash of `bytes`). */
  tampered?: Uint8Array;
  uploadTime?: string;
}

export interface NpmFixture {
  name: string;
  version: string;
  bytes: Uint8Array;
  tampered?: Uint8Array;
  time?: string;
}

export interface FixtureUpstream {
  url: string;
  pypiUrl: string;
  npmUrl: string;
  /** Requests seen, as "METHOD path". */
  requests: string[];
  /** When true, project pages are served as HTML even when JSON is asked for. */
  htmlOnly: boolean;
  close(): Promise<void>;
}

function bareName(name: string): string {
  return name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
}

export async function startFixtureUpstream(pypi: PypiFixture[], npm: NpmFixture[]): Promise<FixtureUpstream> {
  const requests: string[] = [];
  let base = '';
  const state = { htmlOnly: false };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(`${req.method} ${path}`);
    const send = (status: number, type: string, body: string | Uint8Array): void => {
      const data = typeof body === 'string' ? Buffer.from(body) : body;
      res.writeHead(status, { 'content-type': type, 'content-length': String(data.byteLength) });
      res.end(data);
    };
    if (path.startsWith('/simple/')) {
      const project = decodeURIComponent(path.slice('/simple/'.length).replace(/\/$/, ''));
      const files = pypi.filter((f) => f.project === project);
      if (files.length === 0) return send(404, 'text/plain', 'not found');
      const json = !state.htmlOnly && (req.headers.accept ?? '').includes('application/vnd.pypi.simple.v1+json');
      if (json) {
        const doc = {
          meta: { 'api-version': '1.1' },
          name: project,
          versions: [...new Set(files.map((f) => f.version))],
          files: files.map((f) => ({
            filename: f.filename,
            url: `../../files/${encodeURIComponent(f.filename)}`,
            hashes: { sha256: sha256Hex(f.bytes) },
            size: f.bytes.byteLength,
            ...(f.uploadTime !== undefined ? { 'upload-time': f.uploadTime } : {}),
          })),
        };
        return send(200, 'application/vnd.pypi.simple.v1+json', JSON.stringify(doc));
      }
      const links = files
        .map((f) => `<a href="${base}/files/${encodeURIComponent(f.filename)}#sha256=${sha256Hex(f.bytes)}" data-requires-python="&gt;=3.7">${f.filename}</a><br/>`)
        .join('\n');
      return send(200, 'text/html', `<!DOCTYPE html><html><body><h1>Links for ${project}</h1>\n${links}\n</body></html>`);
    }
    if (path.startsWith('/files/')) {
      const filename = decodeURIComponent(path.slice('/files/'.length));
      const f = pypi.find((x) => x.filename === filename);
      if (f === undefined) return send(404, 'text/plain', 'not found');
      return send(200, 'application/octet-stream', f.tampered ?? f.bytes);
    }
    if (path.startsWith('/npm/')) {
      const rest = path.slice('/npm/'.length);
      const tarAt = rest.indexOf('/-/');
      if (tarAt >= 0) {
        const name = decodeURIComponent(rest.slice(0, tarAt));
        const file = decodeURIComponent(rest.slice(tarAt + 3));
        const f = npm.find((x) => x.name === name && `${bareName(x.name)}-${x.version}.tgz` === file);
        if (f === undefined) return send(404, 'application/json', '{"error":"not found"}');
        return send(200, 'application/octet-stream', f.tampered ?? f.bytes);
      }
      const name = decodeURIComponent(rest);
      const versions = npm.filter((x) => x.name === name);
      if (versions.length === 0) return send(404, 'application/json', '{"error":"Not found"}');
      const doc = {
        _id: name,
        name,
        'dist-tags': { latest: versions[versions.length - 1]!.version },
        versions: Object.fromEntries(
          versions.map((v) => [
            v.version,
            {
              name,
              version: v.version,
              dist: {
                tarball: `${base}/npm/${name}/-/${bareName(name)}-${v.version}.tgz`,
                integrity: sri512(v.bytes),
                shasum: createHash('sha1').update(v.bytes).digest('hex'),
              },
            },
          ]),
        ),
        time: Object.fromEntries(versions.map((v) => [v.version, v.time ?? '2020-01-01T00:00:00.000Z'])),
      };
      return send(200, 'application/json', JSON.stringify(doc));
    }
    send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const upstream: FixtureUpstream = {
    url: base,
    pypiUrl: `${base}/simple/`,
    npmUrl: `${base}/npm/`,
    requests,
    get htmlOnly() {
      return state.htmlOnly;
    },
    set htmlOnly(v: boolean) {
      state.htmlOnly = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return upstream;
}
