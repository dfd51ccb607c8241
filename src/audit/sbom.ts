import { createHash, randomUUID } from 'node:crypto';
import { normalizePypiName } from '../advisories/names.js';
import type { LockedPackage } from '../lockfiles/types.js';

/** Package URL (purl) of a package; undefined for entries that are not registry packages. */
export function purlOf(p: LockedPackage): string | undefined {
  if (p.source !== undefined && p.source !== 'registry') return undefined;
  const version = p.version !== undefined ? `@${encodeURIComponent(p.version)}` : '';
  if (p.ecosystem === 'pypi') return `pkg:pypi/${encodeURIComponent(normalizePypiName(p.name))}${version}`;
  const slash = p.name.startsWith('@') ? p.name.indexOf('/') : -1;
  const path = slash > 0 ? `${encodeURIComponent(p.name.slice(0, slash))}/${encodeURIComponent(p.name.slice(slash + 1))}` : encodeURIComponent(p.name);
  return `pkg:npm/${path}${version}`;
}

export interface SbomOptions {
  /** ISO time for metadata.timestamp (default now, or SOURCE_DATE_EPOCH when set). */
  timestamp?: string;
  /** Fixed serial number; default a UUID derived from the content when `timestamp` is fixed, else random. */
  serialNumber?: string;
  toolVersion?: string;
}

/** CycloneDX 1.5 JSON SBOM of the extracted packages, deduplicated by purl (or name and file). */
export function buildCycloneDx(packages: readonly LockedPackage[], options: SbomOptions = {}): Record<string, unknown> {
  const byRef = new Map<string, LockedPackage[]>();
  for (const p of packages) {
    if (p.source === 'workspace') continue;
    const ref = purlOf(p) ?? `${p.ecosystem}:${p.name}:${p.requirement ?? ''}`;
    const list = byRef.get(ref) ?? [];
    list.push(p);
    byRef.set(ref, list);
  }
  const refs = [...byRef.keys()].sort();
  const components = refs.map((ref) => {
    const list = byRef.get(ref) ?? [];
    const p = list[0] as LockedPackage;
    const purl = purlOf(p);
    const scoped = p.ecosystem === 'npm' && p.name.startsWith('@') && p.name.includes('/');
    const component: Record<string, unknown> = {
      type: 'library',
      'bom-ref': ref,
      ...(scoped ? { group: p.name.slice(0, p.name.indexOf('/')), name: p.name.slice(p.name.indexOf('/') + 1) } : { name: p.name }),
    };
    if (p.version !== undefined) component.version = p.version;
    if (purl !== undefined) component.purl = purl;
    if (list.every((x) => x.dev === true)) component.scope = 'optional';
    else if (list.some((x) => x.dev === false)) component.scope = 'required';
    const properties = [...new Set(list.map((x) => `${x.file}:${x.line}`))].sort().map((value) => ({ name: 'vigil:location', value }));
    if (!p.pinned) properties.push({ name: 'vigil:requirement', value: p.requirement ?? '' });
    if (p.source !== undefined && p.source !== 'registry') properties.push({ name: 'vigil:source', value: p.source });
    component.properties = properties;
    return component;
  });
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const timestamp = options.timestamp ?? (epoch !== undefined && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000).toISOString() : new Date().toISOString());
  const deterministic = options.timestamp !== undefined || epoch !== undefined;
  let serial = options.serialNumber;
  if (serial === undefined) {
    if (deterministic) {
      const h = createHash('sha256').update(JSON.stringify(components)).digest('hex');
      serial = `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
    } else serial = `urn:uuid:${randomUUID()}`;
  }
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: serial,
    version: 1,
    metadata: {
      timestamp,
      tools: { components: [{ type: 'application', name: 'vigil', ...(options.toolVersion !== undefined ? { version: options.toolVersion } : {}) }] },
    },
    components,
  };
}
