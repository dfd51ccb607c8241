/**
 * PEP 503 (HTML) and PEP 691 (JSON) simple-index project pages: parse the upstream page into one model,
 * and render the model back in the format the client asked for. Upstream pages are hostile input: the
 * HTML reader is a linear scan, not a regex over the whole document.
 */
import { VigilError } from '../core/errors.js';
import { normalizePackageName } from './policy.js';

export interface SimpleFile {
  filename: string;
  /** Absolute upstream URL without fragment. */
  url: string;
  /** Hex digests keyed by algorithm name, as the index gives them. */
  hashes: Record<string, string>;
  requiresPython?: string;
  /** true, or the reason string. */
  yanked?: boolean | string;
  uploadTime?: string;
  size?: number;
}

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

function splitFragment(href: string, base: string): { url: string; hashes: Record<string, string> } {
  const u = new URL(href, base);
  const hashes: Record<string, string> = {};
  const fragment = u.hash.slice(1);
  u.hash = '';
  const eq = fragment.indexOf('=');
  if (eq > 0) {
    const algorithm = fragment.slice(0, eq).toLowerCase();
    const value = fragment.slice(eq + 1);
    if (/^[a-z0-9]{2,12}$/.test(algorithm) && /^[0-9a-fA-F]{16,256}$/.test(value)) hashes[algorithm] = value.toLowerCase();
  }
  return { url: u.toString(), hashes };
}

function filenameFromUrl(url: string): string {
  const path = new URL(url).pathname;
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
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
    if (href === undefined) continue;
    let parsed: { url: string; hashes: Record<string, string> };
    try {
      parsed = splitFragment(href, pageUrl);
    } catch {
      continue;
    }
    const filename = str(f, 'filename') ?? filenameFromUrl(parsed.url);
    if (!isSafeFilename(filename)) continue;
    const hashes: Record<string, string> = { ...parsed.hashes };
    if (typeof f.hashes === 'object' && f.hashes !== null) {
      for (const [k, v] of Object.entries(f.hashes as Record<string, unknown>)) {
        if (typeof v === 'string' && /^[a-z0-9]{2,12}$/.test(k) && /^[0-9a-fA-F]{16,256}$/.test(v)) hashes[k] = v.toLowerCase();
      }
    }
    const file: SimpleFile = { filename, url: parsed.url, hashes };
    const rp = str(f, 'requires-python');
    if (rp !== undefined) file.requiresPython = rp;
    if (f.yanked === true || (typeof f.yanked === 'string' && f.yanked !== '')) file.yanked = f.yanked;
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

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,6});/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Attributes of one start tag body (between the tag name and `>`), by a single left-to-right pass. */
function parseAttributes(body: string): Map<string, string> {
  const attrs = new Map<string, string>();
  let i = 0;
  const n = body.length;
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f' || c === '/';
  while (i < n) {
    while (i < n && isSpace(body[i])) i++;
    const start = i;
    while (i < n && !isSpace(body[i]) && body[i] !== '=') i++;
    const name = body.slice(start, i).toLowerCase();
    while (i < n && (body[i] === ' ' || body[i] === '\n' || body[i] === '\t' || body[i] === '\r')) i++;
    let value = '';
    if (body[i] === '=') {
      i++;
      while (i < n && (body[i] === ' ' || body[i] === '\n' || body[i] === '\t' || body[i] === '\r')) i++;
      const quote = body[i];
      if (quote === '"' || quote === "'") {
        const end = body.indexOf(quote, i + 1);
        const stop = end < 0 ? n : end;
        value = body.slice(i + 1, stop);
        i = stop + 1;
      } else {
        const vs = i;
        while (i < n && !(body[i] === ' ' || body[i] === '\n' || body[i] === '\t' || body[i] === '\r')) i++;
        value = body.slice(vs, i);
      }
    }
    if (name !== '' && !attrs.has(name)) attrs.set(name, decodeEntities(value));
    if (i === start) i++;
  }
  return attrs;
}

/** Parses a PEP 503 HTML project page: every `<a href>` is a file. */
export function parseSimpleHtml(html: string, pageUrl: string, fallbackName: string): SimpleProject {
  const files: SimpleFile[] = [];
  const lower = html.toLowerCase();
  let base = pageUrl;
  const baseAt = lower.indexOf('<base ');
  if (baseAt >= 0) {
    const end = lower.indexOf('>', baseAt);
    const href = parseAttributes(html.slice(baseAt + 6, end < 0 ? html.length : end)).get('href');
    if (href !== undefined) {
      try {
        base = new URL(href, pageUrl).toString();
      } catch {
        // keep the page URL
      }
    }
  }
  let pos = 0;
  while (files.length < MAX_FILES) {
    const at = lower.indexOf('<a', pos);
    if (at < 0) break;
    const next = lower[at + 2];
    if (next !== ' ' && next !== '\n' && next !== '\t' && next !== '\r') {
      pos = at + 2;
      continue;
    }
    const tagEnd = lower.indexOf('>', at);
    if (tagEnd < 0) break;
    const attrs = parseAttributes(html.slice(at + 2, tagEnd));
    const close = lower.indexOf('</a', tagEnd);
    const text = decodeEntities(html.slice(tagEnd + 1, close < 0 ? tagEnd + 1 : close)).trim();
    pos = close < 0 ? tagEnd + 1 : close + 3;
    const href = attrs.get('href');
    if (href === undefined || href === '') continue;
    let parsed: { url: string; hashes: Record<string, string> };
    try {
      parsed = splitFragment(href, base);
    } catch {
      continue;
    }
    const fromUrl = filenameFromUrl(parsed.url);
    const filename = isSafeFilename(fromUrl) ? fromUrl : text;
    if (!isSafeFilename(filename)) continue;
    const file: SimpleFile = { filename, url: parsed.url, hashes: parsed.hashes };
    const rp = attrs.get('data-requires-python');
    if (rp !== undefined) file.requiresPython = rp;
    const yanked = attrs.get('data-yanked');
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
