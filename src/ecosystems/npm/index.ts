/**
 * npm release resolution from the full packument (not the abbreviated one: metadata checks need
 * `time`, `maintainers`, `_npmUser`). Selection follows npm-pick-manifest: a dist-tag, an exact
 * version, or a semver range (the `latest` tag wins when it satisfies the range); no version means
 * the `latest` tag.
 */
import semver from 'semver';
import { VigilError } from '../../core/errors.js';
import type { PackageRef } from '../../core/types.js';
import { fetchDocument } from '../fetch.js';
import { decodeText } from '../http.js';
import type { RegistryOptions, RemoteArtifact, ResolvedRelease, VersionInfo } from '../types.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NAME_PATTERN = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9._~-][a-z0-9._~-]*$/i;

/** Packument URL: `{registry}/name` or `{registry}/@scope%2fname`. */
export function packumentUrl(registryUrl: string, name: string): string {
  if (name.length > 214 || !NAME_PATTERN.test(name)) throw new VigilError('E_TARGET', `invalid npm package name: ${name}`);
  const base = registryUrl.endsWith('/') ? registryUrl : `${registryUrl}/`;
  const path = name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
  return new URL(path, base).toString();
}

export interface Packument {
  name: string;
  versions: Record<string, Record<string, unknown>>;
  distTags: Record<string, string>;
  time: Record<string, string>;
  raw: Record<string, unknown>;
}

/** Checks the shape we rely on; everything else stays `unknown` in `raw`. */
export function parsePackument(doc: unknown, requested: string): Packument {
  if (!isRecord(doc) || !isRecord(doc.versions)) {
    throw new VigilError('E_NOT_FOUND', `npm:${requested}: the registry returned no versions`);
  }
  const versions: Record<string, Record<string, unknown>> = {};
  for (const [v, manifest] of Object.entries(doc.versions)) if (isRecord(manifest)) versions[v] = manifest;
  const distTags: Record<string, string> = {};
  if (isRecord(doc['dist-tags'])) {
    for (const [tag, v] of Object.entries(doc['dist-tags'])) if (typeof v === 'string') distTags[tag] = v;
  }
  const time: Record<string, string> = {};
  if (isRecord(doc.time)) for (const [k, v] of Object.entries(doc.time)) if (typeof v === 'string') time[k] = v;
  return { name: typeof doc.name === 'string' ? doc.name : requested, versions, distTags, time, raw: doc };
}

/** Picks the version for `spec` (undefined = latest). */
export function pickVersion(p: Packument, spec: string | undefined, includePre: boolean): string {
  const label = `npm:${p.name}`;
  const all = Object.keys(p.versions).filter((v) => semver.valid(v) !== null);
  const wanted = spec?.trim() ?? '';
  const latest = p.distTags.latest;
  if (wanted === '' || wanted === 'latest') {
    if (latest !== undefined && p.versions[latest] !== undefined) return latest;
    const best = semver.maxSatisfying(all, '*', { includePrerelease: includePre }) ?? semver.maxSatisfying(all, '*', { includePrerelease: true });
    if (best === null) throw new VigilError('E_NOT_FOUND', `${label} has no versions`);
    return best;
  }
  const tagged = p.distTags[wanted];
  if (tagged !== undefined) {
    if (p.versions[tagged] === undefined) throw new VigilError('E_NOT_FOUND', `${label}: dist-tag ${wanted} points to missing version ${tagged}`);
    return tagged;
  }
  if (p.versions[wanted] !== undefined) return wanted;
  const cleaned = semver.valid(semver.clean(wanted, { loose: true }) ?? '');
  if (cleaned !== null) {
    if (p.versions[cleaned] !== undefined) return cleaned;
    throw new VigilError('E_NOT_FOUND', `${label}: version ${wanted} not found`);
  }
  const range = semver.validRange(wanted, { loose: true });
  if (range === null) throw new VigilError('E_TARGET', `${label}: ${wanted} is neither a version, a range nor a dist-tag`);
  const options = { includePrerelease: includePre, loose: true };
  if (latest !== undefined && p.versions[latest] !== undefined && semver.satisfies(latest, range, options)) return latest;
  const best = semver.maxSatisfying(all, range, options);
  if (best === null) throw new VigilError('E_NOT_FOUND', `${label}: no version satisfies ${wanted}`);
  return best;
}

function tarballArtifact(manifest: Record<string, unknown>, label: string, registryUrl: string, time: string | undefined): RemoteArtifact {
  const dist = manifest.dist;
  if (!isRecord(dist) || typeof dist.tarball !== 'string') throw new VigilError('E_NOT_FOUND', `${label} has no tarball`);
  let url: URL;
  try {
    url = new URL(dist.tarball, registryUrl);
  } catch {
    throw new VigilError('E_NETWORK', `${label}: invalid tarball URL ${dist.tarball}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new VigilError('E_NETWORK', `${label}: unsupported tarball URL ${url.protocol}`);
  const last = url.pathname.split('/').pop() ?? '';
  let filename = last;
  try {
    filename = decodeURIComponent(last);
  } catch {
    // keep the raw segment
  }
  const artifact: RemoteArtifact = { filename: filename === '' ? 'package.tgz' : filename, url: url.toString(), hashes: {}, kind: 'npm-tgz' };
  if (typeof dist.integrity === 'string' && dist.integrity.trim() !== '') artifact.hashes.integrity = dist.integrity.trim();
  if (typeof dist.shasum === 'string' && /^[0-9a-fA-F]{40}$/.test(dist.shasum)) artifact.hashes.sha1 = dist.shasum.toLowerCase();
  if (time !== undefined) artifact.uploadTime = time;
  return artifact;
}

export async function fetchPackument(name: string, options: RegistryOptions): Promise<Packument> {
  const url = packumentUrl(options.npmRegistryUrl, name);
  const doc = await fetchDocument(url, 'application/json', options);
  let json: unknown;
  try {
    json = JSON.parse(decodeText(doc.body)) as unknown;
  } catch {
    throw new VigilError('E_NETWORK', `the npm registry sent invalid JSON for ${name}`);
  }
  return parsePackument(json, name);
}

/** Resolves an npm package reference to one version and its tarball. */
export async function resolveNpmRelease(ref: PackageRef, options: RegistryOptions): Promise<ResolvedRelease> {
  const packument = await fetchPackument(ref.name, options);
  const version = pickVersion(packument, ref.version, options.includePrereleases);
  const manifest = packument.versions[version];
  if (manifest === undefined) throw new VigilError('E_NOT_FOUND', `npm:${packument.name}@${version} not found`);
  const label = `npm:${packument.name}@${version}`;
  const ordered = Object.keys(packument.versions)
    .filter((v) => semver.valid(v) !== null)
    .sort(semver.compare);
  const versions: VersionInfo[] = ordered.map((v) => {
    const info: VersionInfo = { version: v };
    const time = packument.time[v];
    if (time !== undefined) info.time = time;
    const deprecated = packument.versions[v]?.deprecated;
    if (typeof deprecated === 'string' && deprecated !== '') info.deprecated = deprecated;
    return info;
  });
  const earlier = ordered.filter((v) => semver.lt(v, version));
  const stable = semver.prerelease(version) === null ? earlier.filter((v) => semver.prerelease(v) === null) : earlier;
  const previousVersion = stable[stable.length - 1] ?? earlier[earlier.length - 1];
  const release: ResolvedRelease = {
    ecosystem: 'npm',
    name: packument.name,
    version,
    artifacts: [tarballArtifact(manifest, label, options.npmRegistryUrl, packument.time[version])],
    versions,
    registryDocument: packument.raw,
    versionManifest: manifest,
  };
  if (previousVersion !== undefined) release.previousVersion = previousVersion;
  return release;
}
