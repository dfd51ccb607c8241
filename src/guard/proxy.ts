/**
 * The install-guard index proxy. PyPI simple index under /pypi/simple/, files under /pypi/files/;
 * npm registry under /npm/. Artifacts are buffered whole, verified against the hash the index gave,
 * scanned (cached by sha256) and only then sent, with Content-Length — or refused with HTTP 403.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { VigilError, describeError } from '../core/errors.js';
import type { Ecosystem, Verdict } from '../core/types.js';
import { createHash } from 'node:crypto';
import { verifyHexHashes, verifyNpmIntegrity } from './integrity.js';
import type { DecisionEvent, DecisionSink } from './log.js';
import type { TarballEntry } from './npm-packument.js';
import { encodeNpmName, filterPackument, parseNpmPath } from './npm-packument.js';
import type { KnownMaliciousCheck, Policy } from './policy.js';
import { DEFAULT_POLICY, matchesRule } from './policy.js';
import type { SimpleFile, SimpleProject } from './pypi-simple.js';
import {
  PYPI_JSON,
  normalizeProjectName,
  parseSimpleHtml,
  parseSimpleJson,
  renderSimpleHtml,
  renderSimpleJson,
  versionFromFilename,
  wantsJson,
} from './pypi-simple.js';
import type { ArtifactScanner } from './scanner.js';
import { ScanCache, staticScanner } from './scanner.js';
import type { UpstreamOptions, UpstreamResponse } from './upstream.js';
import { DEFAULT_UPSTREAM_OPTIONS, fetchUpstream } from './upstream.js';

export interface GuardProxyOptions {
  /** PEP 503 simple index base, e.g. https://pypi.org/simple/ */
  upstreamPypi: string;
  /** npm registry base, e.g. https://registry.npmjs.org/ */
  upstreamNpm: string;
  policy?: Policy;
  /** Used when no `cache` is given. Default: the static analysis. */
  scanner?: ArtifactScanner;
  cache?: ScanCache;
  isKnownMalicious?: KnownMaliciousCheck;
  onDecision?: DecisionSink;
  upstream?: Partial<UpstreamOptions>;
  /** Clock for release-age checks (tests). */
  now?: () => number;
}

export interface ProxyAddress {
  host: string;
  port: number;
  /** http://host:port */
  url: string;
}

type ArtifactResult =
  | { kind: 'serve'; bytes: Uint8Array; sha256: string; verdict?: Verdict; score?: number; cached?: boolean; reason: string; upstreamMs?: number }
  | { kind: 'block'; reason: string; sha256?: string; verdict?: Verdict; score?: number; cached?: boolean; upstreamMs?: number }
  | { kind: 'error'; status: number; reason: string };

interface PypiFileEntry {
  project: string;
  version: string | undefined;
  file: SimpleFile;
}

interface ArtifactRequest {
  ecosystem: Ecosystem;
  name: string;
  version: string | undefined;
  filename: string;
  url: string;
  time: string | undefined;
  verify: (bytes: Uint8Array) => { ok: true } | { ok: false; reason: string };
}

const VERDICT_RANK: Record<Verdict, number> = { clean: 0, suspicious: 1, malicious: 2 };
const MAX_REMEMBERED = 200_000;
const MAX_INDEX_BYTES = 128 * 1024 * 1024;
const PROJECT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,200}[A-Za-z0-9])?$/;
const HOST_HEADER = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

/** A Map that forgets its oldest entries beyond a size. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.max) {
      const oldest = this.keys().next();
      if (oldest.done !== true) super.delete(oldest.value);
    }
    return this;
  }
}

/** Printable ASCII only, one line, bounded: safe for an HTTP reason phrase. */
export function reasonPhrase(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    out += c >= 0x20 && c <= 0x7e ? ch : '?';
    if (out.length >= 300) break;
  }
  return out;
}

function humanDuration(ms: number): string {
  const h = ms / 3_600_000;
  if (h < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (h < 48) return `${Math.round(h)} h`;
  return `${Math.round(h / 24)} days`;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

export class GuardProxy {
  readonly server: Server;
  private readonly policy: Policy;
  private readonly cache: ScanCache;
  private readonly upstreamOptions: UpstreamOptions;
  private readonly upstreamPypi: string;
  private readonly upstreamNpm: string;
  private readonly isKnownMalicious: KnownMaliciousCheck;
  private readonly emit: DecisionSink;
  private readonly now: () => number;
  private readonly pypiFiles = new BoundedMap<string, PypiFileEntry>(MAX_REMEMBERED);
  private readonly npmTarballs = new BoundedMap<string, TarballEntry>(MAX_REMEMBERED);
  private readonly hiddenReasons = new BoundedMap<string, string>(MAX_REMEMBERED);
  private readonly inflight = new Map<string, Promise<ArtifactResult>>();
  private readonly active = new Set<Promise<void>>();
  private address: ProxyAddress | undefined;
  /** Credentials of private upstreams, re-used for files on the same origin (never sent elsewhere). */
  private readonly upstreamAuth = new Map<string, { username: string; password: string }>();

  constructor(options: GuardProxyOptions) {
    for (const [label, value] of [
      ['--upstream-pypi', options.upstreamPypi],
      ['--upstream-npm', options.upstreamNpm],
    ] as const) {
      let u: URL;
      try {
        u = new URL(value);
      } catch {
        throw new VigilError('E_CONFIG', `${label} is not a URL: ${value}`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new VigilError('E_CONFIG', `${label} must be an http(s) URL`);
    }
    for (const base of [options.upstreamPypi, options.upstreamNpm]) {
      const u = new URL(base);
      if (u.username !== '' || u.password !== '') this.upstreamAuth.set(u.origin, { username: u.username, password: u.password });
    }
    this.upstreamPypi = withSlash(options.upstreamPypi);
    this.upstreamNpm = withSlash(options.upstreamNpm);
    this.policy = options.policy ?? DEFAULT_POLICY;
    this.cache = options.cache ?? new ScanCache(options.scanner ?? staticScanner);
    this.upstreamOptions = { ...DEFAULT_UPSTREAM_OPTIONS, ...options.upstream };
    this.isKnownMalicious = options.isKnownMalicious ?? (() => false);
    this.emit = options.onDecision ?? (() => undefined);
    this.now = options.now ?? Date.now;
    this.server = createServer((req, res) => {
      const done = this.handle(req, res).catch((error: unknown) => {
        this.sendError(res, 500, `internal error: ${describeError(error)}`, false);
      });
      this.active.add(done);
      void done.finally(() => this.active.delete(done));
    });
    this.server.keepAliveTimeout = 5_000;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<ProxyAddress> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(new VigilError('E_CONFIG', `cannot listen on ${host}:${port}: ${error.message}`));
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const info = this.server.address() as AddressInfo;
    const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
    this.address = { host: info.address, port: info.port, url: `http://${shownHost}:${info.port}` };
    return this.address;
  }

  /** Stops accepting, lets running requests finish (up to `graceMs`), then drops what is left. */
  async close(graceMs = 5_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.allSettled([...this.active]), timer]);
    this.server.closeAllConnections();
    await closed;
    await this.cache.flush().catch(() => undefined);
  }

  // ------------------------------------------------------------------------------------------ routing

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const path = rawUrl.startsWith('/') ? rawUrl.split('?')[0]!.split('#')[0]! : '/';
    const npm = path.startsWith('/npm/');
    if (method !== 'GET' && method !== 'HEAD') {
      this.sendError(res, 405, `method ${reasonPhrase(method)} is not supported by the Vigil proxy`, npm);
      return;
    }
    if (path === '/' || path === '/healthz') {
      this.sendText(res, 200, 'vigil proxy: PyPI at /pypi/simple/, npm at /npm/\n', 'text/plain; charset=utf-8');
      return;
    }
    if (path.startsWith('/pypi/simple/')) return this.pypiProject(req, res, path.slice('/pypi/simple/'.length));
    if (path.startsWith('/pypi/files/')) return this.pypiFile(res, path.slice('/pypi/files/'.length), started);
    if (npm) return this.npmRoute(req, res, path.slice('/npm/'.length), started);
    this.sendError(res, 404, 'not found: use /pypi/simple/ or /npm/', false);
  }

  // ---------------------------------------------------------------------------------------------- PyPI

  private async pypiProject(req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> {
    const raw = rest.endsWith('/') ? rest.slice(0, -1) : rest;
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      name = '';
    }
    if (name === '') {
      this.sendError(res, 404, 'the project list is not served by the Vigil proxy; ask for /pypi/simple/<project>/', false);
      return;
    }
    if (!PROJECT_NAME.test(name)) {
      this.sendError(res, 404, 'not a valid project name', false);
      return;
    }
    const listing = await this.loadPypiProject(normalizeProjectName(name));
    if ('error' in listing) {
      this.sendError(res, listing.status, listing.error, false);
      return;
    }
    const json = wantsJson(req.headers.accept);
    const body = json ? renderSimpleJson(listing.project) : renderSimpleHtml(listing.project);
    this.sendText(res, 200, body, json ? PYPI_JSON : 'text/html; charset=utf-8', { vary: 'Accept' });
  }

  /** Fetches, filters and remembers one project page; file URLs are rewritten to /pypi/files/. */
  private async loadPypiProject(project: string): Promise<{ project: SimpleProject } | { status: number; error: string }> {
    const pageUrl = `${this.upstreamPypi}${project}/`;
    let upstream: UpstreamResponse;
    try {
      upstream = await fetchUpstream(pageUrl, `${PYPI_JSON}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1`, {
        ...this.upstreamOptions,
        maxBytes: MAX_INDEX_BYTES,
      });
    } catch (error) {
      this.log({ ecosystem: 'pypi', package: project, action: 'error', reason: describeError(error) });
      return { status: 502, error: `upstream index unavailable: ${describeError(error)}` };
    }
    if (upstream.status === 404) return { status: 404, error: `project ${project} not found upstream` };
    if (upstream.status !== 200) return { status: 502, error: `upstream index answered HTTP ${upstream.status}` };
    let parsed: SimpleProject;
    try {
      const text = Buffer.from(upstream.body).toString('utf8');
      parsed = upstream.contentType.includes('json')
        ? parseSimpleJson(JSON.parse(text) as unknown, upstream.url, project)
        : parseSimpleHtml(text, upstream.url, project);
    } catch (error) {
      return { status: 502, error: `upstream index page is unreadable: ${describeError(error)}` };
    }
    const kept: SimpleFile[] = [];
    const hiddenVersions = new Map<string, string>();
    const keptVersions = new Set<string>();
    for (const file of parsed.files) {
      const version = versionFromFilename(project, file.filename);
      const reason = this.listingReason('pypi', project, version, file.uploadTime);
      const key = `${project}/${file.filename}`;
      if (reason !== undefined) {
        hiddenVersions.set(version ?? file.filename, reason);
        this.hiddenReasons.set(`pypi:${key}`, reason);
        continue;
      }
      this.pypiFiles.set(key, { project, version, file });
      if (version !== undefined) keptVersions.add(version);
      kept.push({ ...file, url: `/pypi/files/${encodeURIComponent(project)}/${encodeURIComponent(file.filename)}` });
    }
    if (hiddenVersions.size > 0) {
      this.log({
        ecosystem: 'pypi',
        package: project,
        action: 'hide',
        versions: [...hiddenVersions.keys()],
        reason: [...new Set(hiddenVersions.values())].join('; '),
      });
    }
    const out: SimpleProject = { name: parsed.name, files: kept };
    if (parsed.versions !== undefined) {
      out.versions = parsed.versions.filter((v) => keptVersions.has(v) || !hiddenVersions.has(v));
    }
    return { project: out };
  }

  private async pypiFile(res: ServerResponse, rest: string, started: number): Promise<void> {
    const parts = rest.split('/');
    let project: string;
    let filename: string;
    try {
      project = decodeURIComponent(parts[0] ?? '');
      filename = decodeURIComponent(parts[1] ?? '');
    } catch {
      project = '';
      filename = '';
    }
    if (parts.length !== 2 || !PROJECT_NAME.test(project) || filename === '') {
      this.sendError(res, 404, 'not a Vigil file URL', false);
      return;
    }
    project = normalizeProjectName(project);
    const key = `${project}/${filename}`;
    let entry = this.pypiFiles.get(key);
    if (entry === undefined && !this.hiddenReasons.has(`pypi:${key}`)) {
      const listing = await this.loadPypiProject(project);
      if ('error' in listing) {
        this.sendError(res, listing.status === 404 ? 404 : 502, listing.error, false);
        return;
      }
      entry = this.pypiFiles.get(key);
    }
    if (entry === undefined) {
      const hidden = this.hiddenReasons.get(`pypi:${key}`);
      if (hidden !== undefined) {
        const version = versionFromFilename(project, filename);
        this.log({ ecosystem: 'pypi', package: project, ...(version !== undefined ? { version } : {}), file: filename, action: 'block', reason: hidden });
        this.sendBlocked(res, `${filename}: ${hidden}`, false);
      } else {
        this.sendError(res, 404, `${filename} is not listed for ${project} upstream`, false);
      }
      return;
    }
    const { file, version } = entry;
    const result = await this.processArtifact({
      ecosystem: 'pypi',
      name: project,
      version,
      filename,
      url: file.url,
      time: file.uploadTime,
      verify: (bytes) => {
        const check = verifyHexHashes(bytes, file.hashes);
        if (check.ok) return { ok: true };
        const noHash = Object.keys(file.hashes).every((k) => k !== 'sha256' && k !== 'sha384' && k !== 'sha512');
        return noHash && !this.policy.requireHash ? { ok: true } : check;
      },
    });
    this.finishArtifact(res, result, 'pypi', project, version, filename, started, false);
  }

  // ----------------------------------------------------------------------------------------------- npm

  private async npmRoute(req: IncomingMessage, res: ServerResponse, rest: string, started: number): Promise<void> {
    const parsed = parseNpmPath(rest);
    if (parsed === undefined) {
      this.sendError(res, 404, 'not a valid package name', true);
      return;
    }
    if (parsed.kind === 'other') {
      if (rest === '-/ping') {
        this.sendText(res, 200, '{}', 'application/json');
        return;
      }
      this.sendError(res, 404, 'this registry endpoint is not served by the Vigil proxy', true);
      return;
    }
    if (parsed.kind === 'packument') {
      const accept = this.policy.minReleaseAgeMs > 0 ? 'application/json' : (req.headers.accept ?? 'application/json');
      const loaded = await this.loadPackument(parsed.name, accept, this.origin(req));
      if ('error' in loaded) {
        this.sendError(res, loaded.status, loaded.error, true);
        return;
      }
      this.sendText(res, 200, JSON.stringify(loaded.doc), loaded.contentType);
      return;
    }
    const { name, file } = parsed;
    const key = `${name}/${file}`;
    let entry = this.npmTarballs.get(key);
    if (entry === undefined && !this.hiddenReasons.has(`npm:${key}`)) {
      const loaded = await this.loadPackument(name, 'application/json', this.origin(req));
      if ('error' in loaded) {
        this.sendError(res, loaded.status, loaded.error, true);
        return;
      }
      entry = this.npmTarballs.get(key);
    }
    if (entry === undefined) {
      const hidden = this.hiddenReasons.get(`npm:${key}`);
      if (hidden !== undefined) {
        this.log({ ecosystem: 'npm', package: name, file, action: 'block', reason: hidden });
        this.sendBlocked(res, `${name} (${file}): ${hidden}`, true);
      } else {
        this.sendError(res, 404, `${file} is not a published tarball of ${name}`, true);
      }
      return;
    }
    const tarball = entry;
    const result = await this.processArtifact({
      ecosystem: 'npm',
      name,
      version: tarball.version,
      filename: file,
      url: tarball.upstreamUrl,
      time: tarball.time,
      verify: (bytes) => {
        const check = verifyNpmIntegrity(bytes, tarball.integrity, tarball.shasum);
        return check.ok ? { ok: true } : check;
      },
    });
    this.finishArtifact(res, result, 'npm', name, tarball.version, file, started, true);
  }

  private async loadPackument(
    name: string,
    accept: string,
    origin: string,
  ): Promise<{ doc: Record<string, unknown>; contentType: string } | { status: number; error: string }> {
    let upstream: UpstreamResponse;
    try {
      upstream = await fetchUpstream(`${this.upstreamNpm}${encodeNpmName(name)}`, accept, { ...this.upstreamOptions, maxBytes: MAX_INDEX_BYTES });
    } catch (error) {
      this.log({ ecosystem: 'npm', package: name, action: 'error', reason: describeError(error) });
      return { status: 502, error: `upstream registry unavailable: ${describeError(error)}` };
    }
    if (upstream.status === 404) return { status: 404, error: 'Not found' };
    if (upstream.status !== 200) return { status: 502, error: `upstream registry answered HTTP ${upstream.status}` };
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.from(upstream.body).toString('utf8'));
    } catch {
      return { status: 502, error: 'upstream packument is not JSON' };
    }
    const prefix = `${origin}/npm/${name}/-/`;
    const filtered = filterPackument(
      raw,
      name,
      (version, time) => this.listingReason('npm', name, version, time),
      (file) => `${prefix}${encodeURIComponent(file)}`,
    );
    if (filtered === undefined) return { status: 502, error: 'upstream packument has no versions object' };
    for (const t of filtered.tarballs) this.npmTarballs.set(`${name}/${t.file}`, t);
    for (const h of filtered.hidden) this.hiddenReasons.set(`npm:${name}/${npmFileName(name, h.version)}`, h.reason);
    const reported = filtered.hidden.filter((h) => h.reason !== 'the registry gives no usable tarball URL');
    if (reported.length > 0) {
      this.log({
        ecosystem: 'npm',
        package: name,
        action: 'hide',
        versions: reported.map((h) => h.version),
        reason: [...new Set(reported.map((h) => h.reason))].join('; '),
      });
    }
    const contentType = upstream.contentType.includes('json') ? upstream.contentType : 'application/json';
    return { doc: filtered.doc, contentType };
  }

  private origin(req: IncomingMessage): string {
    const host = req.headers.host;
    if (host !== undefined && HOST_HEADER.test(host)) return `http://${host}`;
    return this.address?.url ?? 'http://127.0.0.1';
  }

  // ------------------------------------------------------------------------------------------ policy

  /** Why a version must not be offered, or undefined when it may be. */
  private listingReason(ecosystem: Ecosystem, name: string, version: string | undefined, time: string | undefined): string | undefined {
    if (matchesRule(this.policy.deny, ecosystem, name, version)) return 'denied by policy';
    if (version !== undefined) {
      const advisory = this.isKnownMalicious(ecosystem, name, version);
      if (advisory !== false) return `known malicious (${typeof advisory === 'string' && advisory !== '' ? advisory : 'MAL advisory'})`;
    }
    if (matchesRule(this.policy.allow, ecosystem, name, version)) return undefined;
    if (this.policy.minReleaseAgeMs > 0 && time !== undefined) {
      const published = Date.parse(time);
      if (Number.isFinite(published)) {
        const age = this.now() - published;
        if (age < this.policy.minReleaseAgeMs) {
          return `published ${humanDuration(Math.max(0, age))} ago, younger than the policy's min-release-age of ${humanDuration(this.policy.minReleaseAgeMs)}`;
        }
      }
    }
    return undefined;
  }

  /** Adds the upstream's credentials to a file URL on the same origin that carries none. */
  private withUpstreamAuth(url: string): string {
    try {
      const u = new URL(url);
      const auth = this.upstreamAuth.get(u.origin);
      if (auth === undefined || u.username !== '' || u.password !== '') return url;
      u.username = auth.username;
      u.password = auth.password;
      return u.toString();
    } catch {
      return url;
    }
  }

  /** Download, verify, scan; concurrent requests for one upstream file share the work. */
  private processArtifact(request: ArtifactRequest): Promise<ArtifactResult> {
    const key = `${request.ecosystem}:${request.url}`;
    let pending = this.inflight.get(key);
    if (pending === undefined) {
      pending = this.doProcessArtifact(request);
      this.inflight.set(key, pending);
      void pending.finally(() => this.inflight.delete(key));
    }
    return pending;
  }

  private async doProcessArtifact(request: ArtifactRequest): Promise<ArtifactResult> {
    const listed = this.listingReason(request.ecosystem, request.name, request.version, request.time);
    if (listed !== undefined) return { kind: 'block', reason: listed };
    let upstream: UpstreamResponse;
    const fetchStarted = performance.now();
    try {
      upstream = await fetchUpstream(this.withUpstreamAuth(request.url), undefined, this.upstreamOptions);
    } catch (error) {
      return { kind: 'error', status: 502, reason: `download failed: ${describeError(error)}` };
    }
    const upstreamMs = Math.round((performance.now() - fetchStarted) * 100) / 100;
    if (upstream.status !== 200) return { kind: 'error', status: 502, reason: `upstream answered HTTP ${upstream.status} for the file` };
    const bytes = upstream.body;
    const check = request.verify(bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (!check.ok) return { kind: 'block', reason: `integrity check failed: ${check.reason}`, sha256, upstreamMs };
    if (matchesRule(this.policy.allow, request.ecosystem, request.name, request.version)) {
      return { kind: 'serve', bytes, sha256, reason: 'allowed by policy (not scanned)', upstreamMs };
    }
    const { outcome, cached } = await this.cache.scan(sha256, bytes, request.filename, { ecosystem: request.ecosystem, packageName: request.name });
    if (outcome.error !== undefined) {
      if (this.policy.failClosedOnScanError) return { kind: 'block', reason: `the scan failed (${outcome.error})`, sha256, cached, upstreamMs };
      return { kind: 'serve', bytes, sha256, cached, reason: `served unscanned: the scan failed (${outcome.error})`, upstreamMs };
    }
    const verdictInfo = { verdict: outcome.verdict, score: outcome.score, cached, upstreamMs };
    if (VERDICT_RANK[outcome.verdict] >= VERDICT_RANK[this.policy.blockAt]) {
      return { kind: 'block', sha256, ...verdictInfo, reason: `${outcome.verdict} (score ${outcome.score}): ${outcome.reason}` };
    }
    return { kind: 'serve', bytes, sha256, ...verdictInfo, reason: outcome.reason };
  }

  private finishArtifact(
    res: ServerResponse,
    result: ArtifactResult,
    ecosystem: Ecosystem,
    name: string,
    version: string | undefined,
    file: string,
    started: number,
    npm: boolean,
  ): void {
    const base = { ecosystem, package: name, ...(version !== undefined ? { version } : {}), file };
    const ms = Math.round((performance.now() - started) * 100) / 100;
    if (result.kind === 'error') {
      this.log({ ...base, action: 'error', reason: result.reason, ms });
      this.sendError(res, result.status, `${file}: ${result.reason}`, npm);
      return;
    }
    const extra: Partial<DecisionEvent> = {};
    if (result.sha256 !== undefined) extra.sha256 = result.sha256;
    if (result.verdict !== undefined) extra.verdict = result.verdict;
    if (result.score !== undefined) extra.score = result.score;
    if (result.cached !== undefined) extra.cached = result.cached;
    if (result.upstreamMs !== undefined) extra.upstreamMs = result.upstreamMs;
    if (result.kind === 'block') {
      this.log({ ...base, ...extra, action: 'block', reason: result.reason, ms });
      this.sendBlocked(res, `${npm ? `${name}@${version ?? '?'}` : file}: ${result.reason}`, npm);
      return;
    }
    this.log({ ...base, ...extra, action: 'allow', reason: result.reason, ms });
    res.writeHead(200, {
      'content-type': npm ? 'application/octet-stream' : 'application/octet-stream',
      'content-length': String(result.bytes.byteLength),
      'cache-control': 'no-store',
    });
    res.end(res.req.method === 'HEAD' ? undefined : result.bytes);
  }

  // ---------------------------------------------------------------------------------------- responses

  private log(event: Omit<DecisionEvent, 'time'>): void {
    try {
      this.emit({ time: new Date().toISOString(), ...event });
    } catch {
      // a broken log sink must not break installs
    }
  }

  private sendBlocked(res: ServerResponse, reason: string, npm: boolean): void {
    const message = `Blocked by Vigil: ${reason}`;
    if (npm) this.sendJson(res, 403, { error: message }, npmPhrase(res, message));
    else this.sendText(res, 403, `${message}\n`, 'text/plain; charset=utf-8', {}, reasonPhrase(message));
  }

  private sendError(res: ServerResponse, status: number, message: string, npm: boolean): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const text = `Vigil proxy: ${message}`;
    if (npm) this.sendJson(res, status, { error: text }, status === 404 ? undefined : npmPhrase(res, text));
    else this.sendText(res, status, `${text}\n`, 'text/plain; charset=utf-8', {}, status === 404 ? undefined : reasonPhrase(text));
  }

  private sendJson(res: ServerResponse, status: number, body: unknown, phrase: string | undefined): void {
    this.sendText(res, status, JSON.stringify(body), 'application/json', {}, phrase);
  }

  private sendText(
    res: ServerResponse,
    status: number,
    body: string,
    contentType: string,
    headers: Record<string, string> = {},
    phrase?: string,
  ): void {
    const data = Buffer.from(body, 'utf8');
    const all = { 'content-type': contentType, 'content-length': String(data.byteLength), 'cache-control': 'no-store', ...headers };
    if (phrase !== undefined) res.writeHead(status, phrase, all);
    else res.writeHead(status, all);
    res.end(res.req.method === 'HEAD' ? undefined : data);
  }
}

/**
 * The status text for an npm-registry refusal. npm prints the status text and the JSON `error`, so it keeps
 * the standard text; pnpm and yarn print only the status text, so for them it carries the reason.
 */
function npmPhrase(res: ServerResponse, text: string): string | undefined {
  const agent = res.req.headers['user-agent'] ?? '';
  return agent.startsWith('npm/') ? undefined : reasonPhrase(text);
}

function npmFileName(name: string, version: string): string {
  const bare = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `${bare}-${version}.tgz`;
}

/** Creates and starts a proxy. */
export async function startGuardProxy(options: GuardProxyOptions & { port?: number; host?: string }): Promise<{ proxy: GuardProxy; address: ProxyAddress }> {
  const proxy = new GuardProxy(options);
  const address = await proxy.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return { proxy, address };
}
