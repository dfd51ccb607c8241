/**
 * PEP 503 (HTML) / PEP 691 (JSON) simple repository client. JSON is asked for through content
 * negotiation and used when the server answers with it; otherwise the HTML page is parsed with a
 * small linear-time anchor scanner (no regex over attacker-controlled markup).
 *
 * The page-reading pieces (entities, attributes, anchors, `<base href>`, link resolution with hash
 * fragments, PEP 691 hashes) are shared with the install guard's index proxy (src/guard/pypi-simple.ts),
 * which keeps its own model and file-name policy.
 */
import { VigilError } from '../../core/errors.js';
import { decodeText } from '../http.js';
import { normalizePypiName } from './names.js';

export const SIMPLE_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1';

export interface SimpleFile {
  filename: string;
  /** Absolute URL, fragment removed. */
  url: string;
  hashes: Record<string, string>;
  requiresPython?: string;
  /** true, or the reason given; absent when not yanked. */
  yanked?: true | string;
  uploadTime?: string;
  size?: number;
}

export interface SimpleProject {
  name: string;
  files: SimpleFile[];
  format: 'json' | 'html';
}

/** URL of a project's page: `{index}/{normalised-name}/`. */
export function projectPageUrl(indexUrl: string, name: string): string {
  const base = indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`;
  return new URL(`${encodeURIComponent(normalizePypiName(name))}/`, base).toString();
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes HTML character references (named basics, decimal and hex). */
export function unescapeHtml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,6});/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f';
}

/** Index of the `>` closing a tag that starts at `start`, skipping quoted attribute values; -1 if none. */
function tagEnd(html: string, start: number): number {
  let quote = '';
  for (let i = start; i < html.length; i++) {
    const c = html[i];
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i;
    }
  }
  return -1;
}

/** Attributes of a tag body (`href="x" data-yanked`), names lower-cased, values unescaped. */
export function parseAttributes(body: string): Map<string, string> {
  const attrs = new Map<string, string>();
  let i = 0;
  const n = body.length;
  while (i < n) {
    while (i < n && (isSpace(body[i]) || body[i] === '/')) i++;
    const nameStart = i;
    while (i < n && !isSpace(body[i]) && body[i] !== '=' && body[i] !== '>' && body[i] !== '/') i++;
    const name = body.slice(nameStart, i).toLowerCase();
    if (name === '') {
      i++;
      continue;
    }
    while (i < n && isSpace(body[i])) i++;
    let value = '';
    if (body[i] === '=') {
      i++;
      while (i < n && isSpace(body[i])) i++;
      const q = body[i];
      if (q === '"' || q === "'") {
        const close = body.indexOf(q, i + 1);
        const end = close < 0 ? n : close;
        value = body.slice(i + 1, end);
        i = end + 1;
      } else {
        const start = i;
        while (i < n && !isSpace(body[i])) i++;
        value = body.slice(start, i);
      }
    }
    if (!attrs.has(name)) attrs.set(name, unescapeHtml(value));
  }
  return attrs;
}

export interface Anchor {
  attrs: Map<string, string>;
  text: string;
}

/** Every `<a …>text</a>` in the page, in order. Linear in the page size. */
export function parseAnchors(html: string): Anchor[] {
  const lower = html.toLowerCase();
  const anchors: Anchor[] = [];
  let pos = 0;
  // Cached forward searches: each index only moves forward, so the whole scan stays linear.
  let close = -2;
  let nextOpen = -2;
  for (;;) {
    const start = lower.indexOf('<a', pos);
    if (start < 0) break;
    if (!isSpace(html[start + 2])) {
      pos = start + 2;
      continue;
    }
    const end = tagEnd(html, start + 2);
    if (end < 0) break;
    if (close !== -1 && close <= end) close = lower.indexOf('</a', end + 1);
    if (nextOpen !== -1 && nextOpen <= end) nextOpen = lower.indexOf('<a', end + 1);
    const textEnd = close < 0 || (nextOpen >= 0 && nextOpen < close) ? end + 1 : close;
    anchors.push({ attrs: parseAttributes(html.slice(start + 2, end)), text: unescapeHtml(html.slice(end + 1, textEnd)).trim() });
    pos = Math.max(end + 1, textEnd);
  }
  return anchors;
}

/** The last path segment of a URL, percent-decoded when possible. */
export function filenameFromUrl(url: URL): string {
  const last = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

const HASH_NAME = /^[a-z0-9_]{2,16}$/;
const HEX_DIGEST = /^[0-9a-f]{8,256}$/;

/** Adds `name: digest` to `hashes` when it looks like a hash (a short hashlib name and a hex digest), lower-cased. */
function addHash(hashes: Record<string, string>, name: string, digest: unknown): void {
  if (typeof digest !== 'string') return;
  const key = name.toLowerCase();
  const value = digest.toLowerCase();
  if (HASH_NAME.test(key) && HEX_DIGEST.test(value)) hashes[key] = value;
}

export interface FileLink {
  /** Absolute http(s) URL, fragment removed. */
  url: URL;
  /** From a `#algo=hexdigest` fragment (PEP 503). */
  hashes: Record<string, string>;
}

/** Resolves a file link against the page; only http(s). The `#sha256=…` fragment becomes a hash. */
export function resolveFileLink(href: string, base: string): FileLink | undefined {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const hashes: Record<string, string> = {};
  const fragment = url.hash.slice(1);
  const eq = fragment.indexOf('=');
  if (eq > 0) addHash(hashes, fragment.slice(0, eq), fragment.slice(eq + 1));
  url.hash = '';
  return { url, hashes };
}

/** A PEP 691 file's `hashes` object added over the fragment's; entries that are not hashes are skipped. */
export function jsonHashes(fromFragment: Record<string, string>, raw: unknown): Record<string, string> {
  const hashes = { ...fromFragment };
  if (isRecord(raw)) for (const [name, digest] of Object.entries(raw)) addHash(hashes, name, digest);
  return hashes;
}

/** The page's `<base href>` (as pip honours it), else the page URL: what relative links resolve against. */
export function linkBase(html: string, pageUrl: string): string {
  const at = html.search(/<base[\s/]/i);
  if (at < 0) return pageUrl;
  const end = tagEnd(html, at + 5);
  const href = parseAttributes(html.slice(at + 5, end < 0 ? html.length : end)).get('href');
  if (href === undefined || href === '') return pageUrl;
  try {
    return new URL(href, pageUrl).toString();
  } catch {
    return pageUrl;
  }
}

/** Parses a PEP 503 project page. `pageUrl` (or the page's `<base href>`) resolves relative links. */
export function parseSimpleHtml(html: string, pageUrl: string, name: string): SimpleProject {
  const files: SimpleFile[] = [];
  const base = linkBase(html, pageUrl);
  for (const anchor of parseAnchors(html)) {
    const href = anchor.attrs.get('href');
    if (href === undefined || href === '') continue;
    const link = resolveFileLink(href, base);
    if (link === undefined) continue;
    const filename = anchor.text !== '' && !anchor.text.includes('/') ? anchor.text : filenameFromUrl(link.url);
    if (filename === '') continue;
    const file: SimpleFile = { filename, url: link.url.toString(), hashes: link.hashes };
    const requiresPython = anchor.attrs.get('data-requires-python');
    if (requiresPython !== undefined && requiresPython !== '') file.requiresPython = requiresPython;
    const yanked = anchor.attrs.get('data-yanked');
    if (yanked !== undefined) file.yanked = yanked === '' ? true : yanked;
    files.push(file);
  }
  return { name, files, format: 'html' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a PEP 691 JSON project document; throws E_NETWORK when it is not one. */
export function parseSimpleJson(doc: unknown, pageUrl: string, fallbackName: string): SimpleProject {
  if (!isRecord(doc) || !Array.isArray(doc.files)) {
    throw new VigilError('E_NETWORK', `the index answered ${pageUrl} with JSON that is not a PEP 691 project page`);
  }
  const files: SimpleFile[] = [];
  for (const entry of doc.files) {
    if (!isRecord(entry) || typeof entry.filename !== 'string' || typeof entry.url !== 'string') continue;
    const link = resolveFileLink(entry.url, pageUrl);
    if (link === undefined) continue;
    const file: SimpleFile = { filename: entry.filename, url: link.url.toString(), hashes: jsonHashes(link.hashes, entry.hashes) };
    if (typeof entry['requires-python'] === 'string' && entry['requires-python'] !== '') file.requiresPython = entry['requires-python'];
    if (entry.yanked === true) file.yanked = true;
    else if (typeof entry.yanked === 'string') file.yanked = entry.yanked === '' ? true : entry.yanked;
    if (typeof entry['upload-time'] === 'string') file.uploadTime = entry['upload-time'];
    if (typeof entry.size === 'number' && Number.isSafeInteger(entry.size) && entry.size >= 0) file.size = entry.size;
    files.push(file);
  }
  return { name: typeof doc.name === 'string' ? doc.name : fallbackName, files, format: 'json' };
}

/** Decides JSON vs HTML from the response and parses it. */
export function parseSimpleResponse(contentType: string, body: Uint8Array, pageUrl: string, name: string): SimpleProject {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const text = decodeText(body);
  if (type === 'application/vnd.pypi.simple.v1+json' || type === 'application/json') {
    let doc: unknown;
    try {
      doc = JSON.parse(text) as unknown;
    } catch {
      throw new VigilError('E_NETWORK', `the index sent invalid JSON for ${pageUrl}`);
    }
    return parseSimpleJson(doc, pageUrl, name);
  }
  return parseSimpleHtml(text, pageUrl, name);
}
