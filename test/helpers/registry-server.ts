/**
 * A loopback registry for tests (127.0.0.1, port 0): a PEP 503/691 simple index, the PyPI JSON API,
 * file downloads and an npm registry, all served from in-memory fixtures.
 *
 *   /simple/                 root index; /simple/<normalised>/ project page (JSON or HTML by Accept;
 *                            non-normalised names redirect, as PEP 503 asks)
 *   /pypi/<name>/json, /pypi/<name>/<version>/json   PyPI JSON API
 *   /files/<project>/<filename>                       distribution files (also /files/<filename>)
 *   /npm/<name> or /npm/@scope%2fname                 full packument; tarballs under /npm/<name>/-/
 *
 * Knobs: `htmlOnly` (a plain static mirror that ignores Accept; settable while running), per-file hash
 * tampering (a wrong advertised hash) or content tampering (other bytes served under the right hash),
 * link style, failing the first N requests of a path with 500 or 429, and per-path request counts.
 * Serves both the registry-client tests and the install guard's tests (as the proxy's upstream).
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RegistryOptions } from '../../src/ecosystems/types.js';
import { makeNpmTgz, makeSdist, makeWheel } from './archives.js';
import type { FileMap } from './archives.js';

export interface PypiFileFixture {
  filename: string;
  version: string;
  bytes: Uint8Array;
  /** true or a reason. */
  yanked?: boolean | string;
  uploadTime?: string;
  requiresPython?: string;
  /** Advertise a wrong sha256 for this file. */
  tamperHash?: boolean;
  /** Advertise no hash at all. */
  noHash?: boolean;
  /** Serve these bytes instead of `bytes` (the index still advertises the hash of `bytes`). */
  tampered?: Uint8Array;
}

export interface PypiProjectFixture {
  /** Display name (the index serves it under its PEP 503 normalised form). */
  name: string;
  files: PypiFileFixture[];
  /** Extra `info` fields for the JSON API. */
  info?: Record<string, unknown>;
}

export interface NpmVersionFixture {
  version: string;
  tarball: Uint8Array;
  /** Extra manifest fields (scripts, dependencies, _npmUser, …). */
  manifest?: Record<string, unknown>;
  time?: string;
  deprecated?: string;
  /** Which hash the packument advertises (default both integrity and shasum). */
  hashes?: 'integrity' | 'shasum' | 'both' | 'none';
  /** Advertise a wrong integrity/shasum. */
  tamper?: boolean;
  /** Serve these bytes instead of `tarball` (the packument still advertises the hashes of `tarball`). */
  tampered?: Uint8Array;
}

export interface NpmPackageFixture {
  name: string;
  versions: NpmVersionFixture[];
  /** Default: `{ latest: <last version given> }`. */
  distTags?: Record<string, string>;
  /** Extra packument fields (maintainers, description, …). */
  extra?: Record<string, unknown>;
}

export interface RegistryFixtures {
  pypi?: PypiProjectFixture[];
  npm?: NpmPackageFixture[];
  /** Serve PEP 503 HTML only, whatever the Accept header says (like a static mirror). */
  htmlOnly?: boolean;
  /** How HTML file links are written (default 'mixed': alternating relative and absolute). */
  linkStyle?: 'relative' | 'absolute' | 'mixed';
  /** Publish time of npm versions that give none (default: none; yarn berry quarantines such versions). */
  defaultTime?: string;
  /** Fail the first `count` requests whose path starts with `path` (same as calling failNext). */
  failFirst?: Array<{ path: string; status: 500 | 429 | 503; count: number; retryAfter?: string }>;
}

export interface RequestRecord {
  path: string;
  accept: string;
  userAgent: string;
}

export interface RegistryServer {
  url: string;
  pypiIndexUrl: string;
  pypiJsonApiUrl: string;
  npmRegistryUrl: string;
  /** Requests served per path (without query string). */
  requests: Map<string, number>;
  log: RequestRecord[];
  /** Serve PEP 503 HTML only, whatever the Accept header says; starts as `fixtures.htmlOnly`. */
  htmlOnly: boolean;
  /** Make the next `count` requests whose path starts with `pathPrefix` fail with `status`. */
  failNext(pathPrefix: string, status: 500 | 429 | 503, count: number, retryAfter?: string): void;
  close(): Promise<void>;
}

const normalize = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const WRONG_SHA256 = '0'.repeat(64);

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function advertisedHash(file: PypiFileFixture): string | undefined {
  if (file.noHash === true) return undefined;
  return file.tamperHash === true ? WRONG_SHA256 : sha256(file.bytes);
}

/** An sdist file fixture built with makeSdist. */
export function sdistFile(name: string, version: string, files: FileMap = {}, extra: Partial<PypiFileFixture> = {}): PypiFileFixture {
  const dist = name.replace(/[-_.]+/g, '_');
  return { filename: `${dist}-${version}.tar.gz`, version, bytes: makeSdist(name, version, files), ...extra };
}

/** A wheel file fixture built with makeWheel (`tag` defaults to py3-none-any). */
export function wheelFile(name: string, version: string, files: FileMap = {}, tag = 'py3-none-any', extra: Partial<PypiFileFixture> = {}): PypiFileFixture {
  const dist = name.replace(/[-_.]+/g, '_');
  return { filename: `${dist}-${version}-${tag}.whl`, version, bytes: makeWheel(name, version, files), ...extra };
}

/** An npm version fixture built with makeNpmTgz. */
export function npmVersion(name: string, version: string, files: FileMap = {}, extra: Partial<NpmVersionFixture> = {}): NpmVersionFixture {
  const manifest = extra.manifest ?? {};
  return { version, tarball: makeNpmTgz({ name, version, ...manifest }, files), ...extra };
}

export async function startRegistryServer(fixtures: RegistryFixtures): Promise<RegistryServer> {
  const requests = new Map<string, number>();
  const log: RequestRecord[] = [];
  const failures: Array<{ prefix: string; status: number; remaining: number; retryAfter?: string }> = (fixtures.failFirst ?? []).map((f) => ({
    prefix: f.path,
    status: f.status,
    remaining: f.count,
    ...(f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}),
  }));
  const projects = new Map((fixtures.pypi ?? []).map((p) => [normalize(p.name), p]));
  const packages = new Map((fixtures.npm ?? []).map((p) => [p.name, p]));
  const state = { htmlOnly: fixtures.htmlOnly === true };
  let base = '';

  const send = (res: ServerResponse, status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}): void => {
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    res.writeHead(status, { 'content-type': type, 'content-length': String(data.length), ...headers });
    res.end(data);
  };
  const notFound = (res: ServerResponse): void => send(res, 404, 'text/plain', 'not found');

  const fileUrl = (project: PypiProjectFixture, file: PypiFileFixture): string =>
    `${base}/files/${normalize(project.name)}/${encodeURIComponent(file.filename)}`;

  const simpleJson = (project: PypiProjectFixture): string =>
    JSON.stringify({
      meta: { 'api-version': '1.1' },
      name: normalize(project.name),
      versions: [...new Set(project.files.map((f) => f.version))],
      files: project.files.map((f) => {
        const hash = advertisedHash(f);
        return {
          filename: f.filename,
          // Relative URLs are allowed by PEP 691; use one to test resolution.
          url: `../../files/${normalize(project.name)}/${encodeURIComponent(f.filename)}`,
          hashes: hash === undefined ? {} : { sha256: hash },
          ...(f.requiresPython !== undefined ? { 'requires-python': f.requiresPython } : {}),
          ...(f.yanked !== undefined && f.yanked !== false ? { yanked: f.yanked } : {}),
          ...(f.uploadTime !== undefined ? { 'upload-time': f.uploadTime } : {}),
          size: f.bytes.length,
        };
      }),
    });

  const simpleHtml = (project: PypiProjectFixture): string => {
    const style = fixtures.linkStyle ?? 'mixed';
    const links = project.files.map((f, i) => {
      const hash = advertisedHash(f);
      const relative = style === 'relative' || (style === 'mixed' && i % 2 === 0);
      const href = (relative ? `../../files/${normalize(project.name)}/${encodeURIComponent(f.filename)}` : fileUrl(project, f)) + (hash !== undefined ? `#sha256=${hash}` : '');
      let attrs = `href="${escapeHtml(href)}"`;
      if (f.requiresPython !== undefined) attrs += ` data-requires-python="${escapeHtml(f.requiresPython)}"`;
      if (f.yanked !== undefined && f.yanked !== false) attrs += f.yanked === true ? ' data-yanked' : ` data-yanked="${escapeHtml(f.yanked)}"`;
      return `    <a ${attrs}>${escapeHtml(f.filename)}</a><br/>`;
    });
    return `<!DOCTYPE html>\n<html>\n  <head><meta name="pypi:repository-version" content="1.1"><title>Links for ${escapeHtml(project.name)}</title></head>\n  <body>\n    <h1>Links for ${escapeHtml(project.name)}</h1>\n${links.join('\n')}\n  </body>\n</html>\n`;
  };

  const jsonApi = (project: PypiProjectFixture, version: string | undefined): string => {
    const fileDoc = (f: PypiFileFixture): Record<string, unknown> => ({
      filename: f.filename,
      url: fileUrl(project, f),
      digests: { sha256: sha256(f.bytes) },
      size: f.bytes.length,
      yanked: f.yanked !== undefined && f.yanked !== false,
      ...(typeof f.yanked === 'string' ? { yanked_reason: f.yanked } : {}),
      ...(f.uploadTime !== undefined ? { upload_time_iso_8601: f.uploadTime, upload_time: f.uploadTime.replace(/Z$/, '') } : {}),
      packagetype: f.filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
    });
    const versions = [...new Set(project.files.map((f) => f.version))];
    const shown = version ?? versions[versions.length - 1] ?? '';
    const info = { name: project.name, version: shown, summary: 'fixture', author: 'Test Author', ...project.info };
    if (version !== undefined) {
      return JSON.stringify({ info, urls: project.files.filter((f) => f.version === version).map(fileDoc) });
    }
    const releases: Record<string, unknown[]> = {};
    for (const v of versions) releases[v] = project.files.filter((f) => f.version === v).map(fileDoc);
    return JSON.stringify({ info, releases, urls: project.files.filter((f) => f.version === shown).map(fileDoc) });
  };

  const tarballPath = (pkg: NpmPackageFixture, v: NpmVersionFixture): string => {
    const basename = pkg.name.startsWith('@') ? pkg.name.slice(pkg.name.indexOf('/') + 1) : pkg.name;
    return `/npm/${pkg.name}/-/${basename}-${v.version}.tgz`;
  };

  const packument = (pkg: NpmPackageFixture): string => {
    const versions: Record<string, unknown> = {};
    const time: Record<string, string> = {};
    for (const v of pkg.versions) {
      const which = v.hashes ?? 'both';
      const integrity = `sha512-${createHash('sha512').update(v.tamper === true ? new Uint8Array([1]) : v.tarball).digest('base64')}`;
      const shasum = createHash('sha1').update(v.tamper === true ? new Uint8Array([1]) : v.tarball).digest('hex');
      versions[v.version] = {
        name: pkg.name,
        version: v.version,
        ...v.manifest,
        ...(v.deprecated !== undefined ? { deprecated: v.deprecated } : {}),
        dist: {
          tarball: `${base}${tarballPath(pkg, v)}`,
          ...(which === 'both' || which === 'integrity' ? { integrity } : {}),
          ...(which === 'both' || which === 'shasum' ? { shasum } : {}),
        },
      };
      const published = v.time ?? fixtures.defaultTime;
      if (published !== undefined) time[v.version] = published;
    }
    const last = pkg.versions[pkg.versions.length - 1]?.version;
    return JSON.stringify({
      _id: pkg.name,
      name: pkg.name,
      'dist-tags': pkg.distTags ?? (last !== undefined ? { latest: last } : {}),
      versions,
      time,
      ...pkg.extra,
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const accept = req.headers.accept ?? '';
    log.push({ path, accept, userAgent: req.headers['user-agent'] ?? '' });

    const failure = failures.find((f) => f.remaining > 0 && path.startsWith(f.prefix));
    if (failure !== undefined) {
      failure.remaining -= 1;
      send(res, failure.status, 'text/plain', 'try again', failure.retryAfter !== undefined ? { 'retry-after': failure.retryAfter } : {});
      return;
    }

    const segments = path.split('/').filter((s) => s !== '');
    const [area] = segments;
    if (area === 'simple') {
      if (segments.length === 1) {
        const names = [...projects.values()].map((p) => normalize(p.name));
        send(res, 200, 'text/html', `<html><body>${names.map((n) => `<a href="${n}/">${n}</a>`).join('\n')}</body></html>`);
        return;
      }
      const requested = decodeURIComponent(segments[1] ?? '');
      const project = projects.get(normalize(requested));
      if (project === undefined || segments.length > 2) return notFound(res);
      if (requested !== normalize(requested) || !path.endsWith('/')) {
        send(res, 301, 'text/plain', '', { location: `/simple/${normalize(requested)}/` });
        return;
      }
      const wantsJson = !state.htmlOnly && accept.includes('application/vnd.pypi.simple.v1+json');
      if (wantsJson) send(res, 200, 'application/vnd.pypi.simple.v1+json', simpleJson(project));
      else send(res, 200, state.htmlOnly ? 'text/html' : 'application/vnd.pypi.simple.v1+html', simpleHtml(project));
      return;
    }
    if (area === 'pypi' && segments[segments.length - 1] === 'json' && (segments.length === 3 || segments.length === 4)) {
      const project = projects.get(normalize(decodeURIComponent(segments[1] ?? '')));
      const version = segments.length === 4 ? decodeURIComponent(segments[2] ?? '') : undefined;
      if (project === undefined || (version !== undefined && !project.files.some((f) => f.version === version))) return notFound(res);
      send(res, 200, 'application/json', jsonApi(project, version));
      return;
    }
    if (area === 'files' && (segments.length === 2 || segments.length === 3)) {
      // /files/<project>/<filename>, or /files/<filename> (file names are unique across projects).
      const filename = decodeURIComponent(segments[segments.length - 1] ?? '');
      const candidates = segments.length === 3 ? [projects.get(segments[1] ?? '')] : [...projects.values()];
      const file = candidates.flatMap((p) => p?.files ?? []).find((f) => f.filename === filename);
      if (file === undefined) return notFound(res);
      send(res, 200, 'application/octet-stream', file.tampered ?? file.bytes);
      return;
    }
    if (area === 'npm') {
      const rest = decodeURIComponent(path.slice('/npm/'.length));
      const dash = rest.indexOf('/-/');
      if (dash >= 0) {
        const pkg = packages.get(rest.slice(0, dash));
        const version = pkg?.versions.find((v) => tarballPath(pkg, v) === `/npm/${rest}`);
        if (pkg === undefined || version === undefined) return notFound(res);
        send(res, 200, 'application/octet-stream', version.tampered ?? version.tarball);
        return;
      }
      const pkg = packages.get(rest);
      if (pkg === undefined) {
        send(res, 404, 'application/json', JSON.stringify({ error: 'Not found' }));
        return;
      }
      send(res, 200, 'application/json', packument(pkg));
      return;
    }
    notFound(res);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    pypiIndexUrl: `${base}/simple/`,
    pypiJsonApiUrl: `${base}/pypi`,
    npmRegistryUrl: `${base}/npm/`,
    requests,
    log,
    get htmlOnly() {
      return state.htmlOnly;
    },
    set htmlOnly(value: boolean) {
      state.htmlOnly = value;
    },
    failNext(pathPrefix, status, count, retryAfter) {
      failures.push({ prefix: pathPrefix, status, remaining: count, ...(retryAfter !== undefined ? { retryAfter } : {}) });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Registry options pointing at a loopback server (fast retries for tests). */
export function registryOptionsFor(server: RegistryServer, extra: Partial<RegistryOptions> = {}): RegistryOptions {
  return {
    pypiIndexUrl: server.pypiIndexUrl,
    pypiJsonApiUrl: server.pypiJsonApiUrl,
    npmRegistryUrl: server.npmRegistryUrl,
    timeoutMs: 5000,
    retries: 2,
    retryBaseMs: 5,
    includePrereleases: false,
    maxArtifacts: 8,
    ...extra,
  };
}
