/**
 * PEP 503 (HTML) and PEP 691 (JSON) simple-index project pages: parse the upstream page into one model,
 * and render the model back in the format the client asked for. Upstream pages are hostile input: the
 * HTML is read by the registry client's linear anchor scanner (src/ecosystems/pypi/simple.ts), not a
 * regex over the whole document; this file adds the proxy's policy (safe file names taken from the URL
 * like pip, a cap on files, the PEP 700 version list) and the rendering.
 */
import { VigilError } from '../core/errors.js';
import { filenameFromUrl, jsonHashes, linkBase, parseAnchors, resolveFileLink } from '../ecosystems/pypi/simple.js';
import type { FileLink, SimpleFile } from '../ecosystems/pypi/simple.js';
import { normalizePackageName } from './policy.js';

export type { SimpleFile } from '../ecosystems/pypi/simple.js';

export interface SimpleProject {
  name: string;
  files: SimpleFile[];
  /** PEP 700 version list, when the upstream gave one. */
  versions?: string[];
}

export const PYPI_JSON = 'application/vnd.pypi.simple.v1+json';
export const PYPI_HTML = 'application/vnd.pypi.simple.v1+html';

const MAX_FILES = 200_000;

export function normalizeProjectName(name: string): string {
  return normalizePackageName('pypi', name);
}

/** A valid, harmless file name: no separators, no control characters, not `.`/`..`. */
export function isSafeFilename(name: string): boolean {
  if (name.length === 0 || name.length > 255 || name === '.' || name === '..') return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f || c === 0x5c) return false;
  }
  return true;
}

const SDIST_SUFFIXES = ['.tar.gz', '.tar.bz2', '.tar.xz', '.tgz', '.tar', '.zip'];

/** The version a distribution file belongs to, or undefined when the name does not say. */
export function versionFromFilename(project: string, filename: string): string | undefined {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.whl') || lower.endsWith('.egg')) {
    const parts = filename.slice(0, -4).split('-');
    return parts.length >= 2 && parts[1] !== '' ? parts[1] : undefined;
  }
  const suffix = SDIST_SUFFIXES.find((s) => lower.endsWith(s));
  if (suffix === undefined) return undefined;
  const stem = filename.slice(0, -suffix.length);
  const wanted = normalizeProjectName(project);
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    if (normalizeProjectName(stem.slice(0, i)) === wanted) {
      const version = stem.slice(i + 1);
      return version === '' ? undefined : version;
    }
  }
  return undefined;
}

/** The file name from the URL when it is safe (as pip names files), else the link text when that is. */
function safeFilename(link: FileLink, text: string | undefined): string | undefined {
  const fromUrl = filenameFromUrl(link.url);
  if (isSafeFilename(fromUrl)) return fromUrl;
  return text !== undefined && isSafeFilename(text) ? text : undefined;
}

// ---------------------------------------------------------------------------------------------- JSON

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/** Parses a PEP 691 JSON project page. Entries that are not well-formed are skipped. */
export function parseSimpleJson(doc: unknown, pageUrl: string, fallbackName: string): SimpleProject {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new VigilError('E_NETWORK', 'upstream JSON index page is not an object');
  const o = doc as Record<string, unknown>;
  const files: SimpleFile[] = [];
  const rawFiles = Array.isArray(o.files) ? o.files : [];
  for (const raw of rawFiles.slice(0, MAX_FILES)) {
    if (typeof raw !== 'object' || raw === null) continue;
    const f = raw as Record<string, unknown>;
    const href = str(f, 'url');
    const link = href === undefined ? undefined : resolveFileLink(href, pageUrl);
    if (link === undefined) continue;
    const filename = str(f, 'filename') ?? safeFilename(link, undefined);
    if (filename === undefined || !isSafeFilename(filename)) continue;
    const file: SimpleFile = { filename, url: link.url.toString(), hashes: jsonHashes(link.hashes, f.hashes) };
    const rp = str(f, 'requires-python');
    if (rp !== undefined) file.requiresPython = rp;
    if (f.yanked === true) file.yanked = true;
    else if (typeof f.yanked === 'string' && f.yanked !== '') file.yanked = f.yanked;
    const ut = str(f, 'upload-time');
    if (ut !== undefined) file.uploadTime = ut;
    if (typeof f.size === 'number' && Number.isSafeInteger(f.size) && f.size >= 0) file.size = f.size;
    files.push(file);
  }
  const project: SimpleProject = { name: str(o, 'name') ?? fallbackName, files };
  if (Array.isArray(o.versions)) project.versions = o.versions.filter((v): v is string => typeof v === 'string');
  return project;
}

export function renderSimpleJson(project: SimpleProject): string {
  const withSizes = project.files.every((f) => f.size !== undefined) && project.versions !== undefined;
  const files = project.files.map((f) => {
    const out: Record<string, unknown> = { filename: f.filename, url: f.url, hashes: f.hashes };
    if (f.requiresPython !== undefined) out['requires-python'] = f.requiresPython;
    if (f.yanked !== undefined) out.yanked = f.yanked;
    if (f.uploadTime !== undefined) out['upload-time'] = f.uploadTime;
    if (f.size !== undefined) out.size = f.size;
    return out;
  });
  const doc: Record<string, unknown> = { meta: { 'api-version': withSizes ? '1.1' : '1.0' }, name: project.name, files };
  if (withSizes) doc.versions = project.versions;
  return JSON.stringify(doc);
}

// ---------------------------------------------------------------------------------------------- HTML

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Parses a PEP 503 HTML project page: every `<a href>` is a file (relative links resolve against `<base href>`, else the page). */
export function parseSimpleHtml(html: string, pageUrl: string, fallbackName: string): SimpleProject {
  const files: SimpleFile[] = [];
  const base = linkBase(html, pageUrl);
  for (const anchor of parseAnchors(html)) {
    if (files.length >= MAX_FILES) break;
    const href = anchor.attrs.get('href');
    const link = href === undefined || href === '' ? undefined : resolveFileLink(href, base);
    if (link === undefined) continue;
    const filename = safeFilename(link, anchor.text);
    if (filename === undefined) continue;
    const file: SimpleFile = { filename, url: link.url.toString(), hashes: link.hashes };
    const rp = anchor.attrs.get('data-requires-python');
    if (rp !== undefined) file.requiresPython = rp;
    const yanked = anchor.attrs.get('data-yanked');
    if (yanked !== undefined) file.yanked = yanked === '' ? true : yanked;
    files.push(file);
  }
  return { name: fallbackName, files };
}

export function renderSimpleHtml(project: SimpleProject): string {
  const lines = project.files.map((f) => {
    const hash = Object.entries(f.hashes).find(([k]) => k === 'sha256') ?? Object.entries(f.hashes)[0];
    const href = hash === undefined ? f.url : `${f.url}#${hash[0]}=${hash[1]}`;
    let attrs = `href="${escapeHtml(href)}"`;
    if (f.requiresPython !== undefined) attrs += ` data-requires-python="${escapeHtml(f.requiresPython)}"`;
    if (f.yanked !== undefined) attrs += ` data-yanked="${f.yanked === true ? '' : escapeHtml(String(f.yanked))}"`;
    return `    <a ${attrs}>${escapeHtml(f.filename)}</a><br />`;
  });
  const title = escapeHtml(project.name);
  return `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="1.0">\n    <title>Links for ${title}</title>\n  </head>\n  <body>\n    <h1>Links for ${title}</h1>\n${lines.join('\n')}\n  </body>\n</html>\n`;
}

/** Picks the response format from an Accept header (PEP 691 content negotiation). */
export function wantsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept === '') return false;
  let json = -1;
  let html = -1;
  for (const part of accept.split(',').slice(0, 50)) {
    const [typeRaw, ...params] = part.split(';');
    const type = (typeRaw ?? '').trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if ((k ?? '').trim() === 'q') {
        const n = Number((v ?? '').trim());
        if (Number.isFinite(n)) q = n;
      }
    }
    if (type === PYPI_JSON || type === 'application/vnd.pypi.simple.latest+json') json = Math.max(json, q);
    else if (type === PYPI_HTML || type === 'application/vnd.pypi.simple.latest+html' || type === 'text/html') html = Math.max(html, q);
  }
  return json > 0 && json >= html;
}
