/**
 * PyPI release resolution: the simple index (PEP 503/691) says which files exist and their hashes;
 * the JSON API (when configured) adds metadata and upload times. Version choice follows pip: an exact
 * pin may pick a yanked release (PEP 592); otherwise the newest non-yanked release by PEP 440 order,
 * pre-releases only when asked for (or when nothing else exists).
 */
import { compare, explain, maxSatisfying, valid, validRange } from '@renovatebot/pep440';
import { VigilError } from '../../core/errors.js';
import type { PackageRef } from '../../core/types.js';
import { fetchDocument } from '../fetch.js';
import { decodeText, redactUrl } from '../http.js';
import type { RegistryOptions, RemoteArtifact, ResolvedRelease, VersionInfo } from '../types.js';
import { normalizePypiName, parseDistFilename, sameVersion, versionKey } from './names.js';
import type { DistFile } from './names.js';
import { SIMPLE_ACCEPT, parseSimpleResponse, projectPageUrl } from './simple.js';
import type { SimpleFile, SimpleProject } from './simple.js';

export { normalizePypiName, parseDistFilename, sameVersion } from './names.js';
export { parseSimpleHtml, parseSimpleJson, projectPageUrl } from './simple.js';
export type { SimpleFile, SimpleProject } from './simple.js';

interface VersionFiles {
  version: string;
  files: Array<{ file: SimpleFile; dist: DistFile }>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrerelease(version: string): boolean {
  const info = explain(version);
  return info !== null && (info.is_prerelease || info.is_devrelease);
}

function pep440Sort(versions: string[]): string[] {
  const good = versions.filter((v) => valid(v) !== null).sort(compare);
  const bad = versions.filter((v) => valid(v) === null).sort();
  return [...bad, ...good];
}

/** Fetches and parses the project's simple-index page. */
export async function fetchSimpleProject(name: string, options: RegistryOptions): Promise<SimpleProject> {
  const pageUrl = projectPageUrl(options.pypiIndexUrl, name);
  const doc = await fetchDocument(pageUrl, SIMPLE_ACCEPT, options);
  return parseSimpleResponse(doc.contentType, doc.body, doc.url, name);
}

async function fetchJsonApi(url: string, options: RegistryOptions): Promise<unknown> {
  try {
    const doc = await fetchDocument(url, 'application/json', options);
    return JSON.parse(decodeText(doc.body)) as unknown;
  } catch (error) {
    // Metadata is a bonus: a mirror without the JSON API (or a hiccup) must not stop the scan.
    if (error instanceof VigilError || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function groupByVersion(project: SimpleProject, name: string): Map<string, VersionFiles> {
  const byKey = new Map<string, VersionFiles>();
  const wanted = normalizePypiName(name);
  for (const file of project.files) {
    const dist = parseDistFilename(file.filename, name);
    if (dist === undefined || normalizePypiName(dist.name) !== wanted) continue;
    // Versions that differ only in spelling (1.0 / 1.0.0 / 1.0RC1 / 1.0rc1) belong together,
    // under the spelling seen first.
    const key = versionKey(dist.version);
    const entry = byKey.get(key) ?? { version: dist.version, files: [] };
    entry.files.push({ file, dist });
    byKey.set(key, entry);
  }
  const byVersion = new Map<string, VersionFiles>();
  for (const entry of byKey.values()) byVersion.set(entry.version, entry);
  return byVersion;
}

function allYanked(v: VersionFiles): boolean {
  return v.files.length > 0 && v.files.every((f) => f.file.yanked !== undefined);
}

function choose(byVersion: Map<string, VersionFiles>, ref: PackageRef, includePre: boolean): VersionFiles {
  const label = `pypi:${ref.name}`;
  const all = [...byVersion.values()];
  const spec = ref.version?.trim();
  if (spec !== undefined && spec !== '') {
    const exact = spec.replace(/^===?/, '').trim();
    const isPin = spec.startsWith('==') || !/[<>=!~,*]/.test(spec);
    if (isPin) {
      const hit = all.find((v) => v.version === exact) ?? all.find((v) => sameVersion(v.version, exact));
      if (hit === undefined) {
        const known = pep440Sort(all.map((v) => v.version)).slice(-5).join(', ');
        throw new VigilError('E_NOT_FOUND', `${label}: version ${exact} not found on the index${known !== '' ? ` (latest: ${known})` : ''}`);
      }
      return hit;
    }
    if (validRange(spec)) {
      const candidates = all.filter((v) => !allYanked(v) && valid(v.version) !== null).map((v) => v.version);
      const best = maxSatisfying(candidates, spec, { prereleases: includePre }) ?? (includePre ? null : maxSatisfying(candidates, spec, { prereleases: true }));
      const hit = best === null ? undefined : byVersion.get(best);
      if (hit === undefined) throw new VigilError('E_NOT_FOUND', `${label}: no release satisfies ${spec}`);
      return hit;
    }
    throw new VigilError('E_TARGET', `${label}: invalid version specifier ${spec}`);
  }
  const live = all.filter((v) => !allYanked(v) && valid(v.version) !== null);
  const finals = live.filter((v) => !isPrerelease(v.version));
  // Like packaging's SpecifierSet.filter: pre-releases only when asked, or when there is nothing else.
  const pool = includePre || finals.length === 0 ? live : finals;
  let best: VersionFiles | undefined;
  for (const v of pool) if (best === undefined || compare(v.version, best.version) > 0) best = v;
  if (best === undefined) {
    const reason = all.length === 0 ? 'no files on the index' : 'every release is yanked or has an invalid version';
    throw new VigilError('E_NOT_FOUND', `${label}: ${reason}`);
  }
  return best;
}

function platformFamily(dist: DistFile): string {
  const platform = dist.tags?.platform ?? '';
  if (platform === 'any') return 'any';
  if (platform.includes('linux')) return 'linux';
  if (platform.startsWith('macosx')) return 'macos';
  if (platform.startsWith('win')) return 'windows';
  return 'other';
}

/**
 * The release's distinct files (deduplicated by hash, else by name), at most `max`: sdists first
 * (.tar.gz before others), then wheels round-robin across platform families (pure wheels first), so a
 * payload hidden in one platform's wheel still has a chance to be scanned; eggs last.
 */
export function selectArtifacts(files: Array<{ file: SimpleFile; dist: DistFile }>, max: number): Array<{ file: SimpleFile; dist: DistFile }> {
  const seen = new Set<string>();
  const unique = files.filter(({ file }) => {
    const key = file.hashes.sha256 !== undefined ? `sha256:${file.hashes.sha256}` : `name:${file.filename}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const sdists = unique
    .filter((f) => f.dist.kind === 'sdist')
    .sort((a, b) => Number(!a.file.filename.endsWith('.tar.gz')) - Number(!b.file.filename.endsWith('.tar.gz')) || a.file.filename.localeCompare(b.file.filename));
  const families = new Map<string, Array<{ file: SimpleFile; dist: DistFile }>>();
  for (const f of unique.filter((u) => u.dist.kind === 'wheel').sort((a, b) => a.file.filename.localeCompare(b.file.filename))) {
    const family = platformFamily(f.dist);
    families.set(family, [...(families.get(family) ?? []), f]);
  }
  const order = ['any', 'linux', 'windows', 'macos', 'other'];
  const wheels: Array<{ file: SimpleFile; dist: DistFile }> = [];
  for (let round = 0; wheels.length < unique.length; round++) {
    let added = false;
    for (const family of order) {
      const f = families.get(family)?.[round];
      if (f !== undefined) {
        wheels.push(f);
        added = true;
      }
    }
    if (!added) break;
  }
  const eggs = unique.filter((u) => u.dist.kind === 'egg');
  return [...sdists, ...wheels, ...eggs].slice(0, Math.max(1, max));
}

/**
 * The index's hashes in RemoteArtifact form: sha256 as is; without one, sha512/sha384 become an SRI
 * `integrity` value (so mirrors that only publish those still verify). md5 and others are not trusted.
 */
export function remoteHashes(hashes: Record<string, string>): RemoteArtifact['hashes'] {
  const out: RemoteArtifact['hashes'] = {};
  if (hashes.sha256 !== undefined && /^[0-9a-f]{64}$/.test(hashes.sha256)) {
    out.sha256 = hashes.sha256;
    return out;
  }
  for (const [algo, length] of [['sha512', 128], ['sha384', 96]] as const) {
    const hex = hashes[algo];
    if (hex !== undefined && hex.length === length && /^[0-9a-f]+$/.test(hex)) {
      out.integrity = `${algo}-${Buffer.from(hex, 'hex').toString('base64')}`;
      return out;
    }
  }
  return out;
}

function toRemote({ file, dist }: { file: SimpleFile; dist: DistFile }): RemoteArtifact {
  const artifact: RemoteArtifact = {
    filename: file.filename,
    url: file.url,
    hashes: {},
    kind: dist.kind === 'egg' ? 'other' : dist.kind,
  };
  artifact.hashes = remoteHashes(file.hashes);
  if (file.size !== undefined) artifact.size = file.size;
  if (file.yanked !== undefined) artifact.yanked = file.yanked;
  if (file.uploadTime !== undefined) artifact.uploadTime = file.uploadTime;
  return artifact;
}

/** Upload time per version from the JSON API's `releases` (earliest file). */
function jsonApiTimes(doc: unknown): Map<string, string> {
  const times = new Map<string, string>();
  if (!isRecord(doc) || !isRecord(doc.releases)) return times;
  for (const [version, files] of Object.entries(doc.releases)) {
    if (!Array.isArray(files)) continue;
    for (const f of files) {
      if (!isRecord(f)) continue;
      const t = typeof f.upload_time_iso_8601 === 'string' ? f.upload_time_iso_8601 : typeof f.upload_time === 'string' ? f.upload_time : undefined;
      const current = times.get(version);
      if (t !== undefined && (current === undefined || t < current)) times.set(version, t);
    }
  }
  return times;
}

function earliest(times: Array<string | undefined>): string | undefined {
  let best: string | undefined;
  for (const t of times) if (t !== undefined && (best === undefined || t < best)) best = t;
  return best;
}

/** Resolves a PyPI package reference to one release and its files. */
export async function resolvePypiRelease(ref: PackageRef, options: RegistryOptions): Promise<ResolvedRelease> {
  const project = await fetchSimpleProject(ref.name, options);
  const byVersion = groupByVersion(project, ref.name);
  if (byVersion.size === 0) throw new VigilError('E_NOT_FOUND', `pypi:${ref.name} has no installable files on ${redactUrl(options.pypiIndexUrl)}`);
  const chosen = choose(byVersion, ref, options.includePrereleases);

  const apiBase = options.pypiJsonApiUrl?.replace(/\/+$/, '');
  const normalized = encodeURIComponent(normalizePypiName(ref.name));
  const projectDoc = apiBase !== undefined ? await fetchJsonApi(`${apiBase}/${normalized}/json`, options) : undefined;
  const versionDoc =
    apiBase !== undefined ? await fetchJsonApi(`${apiBase}/${normalized}/${encodeURIComponent(chosen.version)}/json`, options) : undefined;
  const apiTimes = jsonApiTimes(projectDoc);

  const ordered = pep440Sort([...byVersion.keys()]);
  const versions: VersionInfo[] = ordered.map((version) => {
    const entry = byVersion.get(version);
    const info: VersionInfo = { version };
    const time = earliest([...(entry?.files.map((f) => f.file.uploadTime) ?? []), apiTimes.get(version)]);
    if (time !== undefined) info.time = time;
    if (entry !== undefined && allYanked(entry)) info.yanked = true;
    return info;
  });

  const index = ordered.indexOf(chosen.version);
  const earlier = ordered.slice(0, Math.max(0, index)).filter((v) => valid(v) !== null);
  const earlierLive = earlier.filter((v) => {
    const e = byVersion.get(v);
    return e !== undefined && !allYanked(e) && (isPrerelease(chosen.version) || !isPrerelease(v));
  });
  const previousVersion = earlierLive[earlierLive.length - 1] ?? earlier[earlier.length - 1];

  let name = project.name;
  if (isRecord(projectDoc) && isRecord(projectDoc.info) && typeof projectDoc.info.name === 'string') name = projectDoc.info.name;
  else if (project.format === 'html') name = ref.name;

  const release: ResolvedRelease = {
    ecosystem: 'pypi',
    name,
    version: chosen.version,
    artifacts: selectArtifacts(chosen.files, options.maxArtifacts).map(toRemote),
    versions,
  };
  if (previousVersion !== undefined) release.previousVersion = previousVersion;
  if (projectDoc !== undefined) release.registryDocument = projectDoc;
  if (versionDoc !== undefined) release.versionManifest = versionDoc;
  return release;
}
