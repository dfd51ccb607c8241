/**
 * A small, linear-time XML reader for feed documents (RSS 2.0, XML-RPC responses). Feed documents come
 * from the network: size, depth and node limits; no DTDs, no custom entities (so no entity expansion);
 * attributes are skipped. Namespaced names keep their prefix (`dc:creator`).
 */
import { VigilError } from '../core/errors.js';

export interface XmlElement {
  name: string;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxNodes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 32 * 1024 * 1024, maxDepth: 64, maxNodes: 2_000_000 };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});/g, (whole, ent: string) => {
    if (ent.startsWith('#')) {
      const code = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : '\uFFFD';
    }
    return ENTITIES[ent] ?? whole;
  });
}

function fail(message: string): never {
  throw new VigilError('E_ARCHIVE', `malformed feed document: ${message}`);
}

/** Parses a document and returns its root element. */
export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (text.length > limits.maxBytes) throw new VigilError('E_LIMIT', `feed document larger than ${limits.maxBytes} bytes`);
  const root: XmlElement = { name: '#document', children: [] };
  const stack: XmlElement[] = [root];
  let nodes = 0;
  let i = 0;
  const n = text.length;
  const top = (): XmlElement => stack[stack.length - 1] ?? root;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      const raw = text.slice(i, end);
      if (stack.length > 1) top().children.push(decodeEntities(raw));
      else if (raw.trim() !== '') fail('text outside the root element');
      if (++nodes > limits.maxNodes) throw new VigilError('E_LIMIT', 'feed document has too many nodes');
    }
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      const close = text.indexOf('-->', lt + 4);
      if (close < 0) fail('unterminated comment');
      i = close + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const close = text.indexOf(']]>', lt + 9);
      if (close < 0) fail('unterminated CDATA');
      if (stack.length <= 1) fail('CDATA outside the root element');
      top().children.push(text.slice(lt + 9, close));
      if (++nodes > limits.maxNodes) throw new VigilError('E_LIMIT', 'feed document has too many nodes');
      i = close + 3;
    } else if (text.startsWith('<?', lt)) {
      const close = text.indexOf('?>', lt + 2);
      if (close < 0) fail('unterminated processing instruction');
      i = close + 2;
    } else if (text.startsWith('<!', lt)) {
      fail('DTDs and declarations are not accepted');
    } else if (text.startsWith('</', lt)) {
      const close = text.indexOf('>', lt + 2);
      if (close < 0) fail('unterminated end tag');
      const name = text.slice(lt + 2, close).trim();
      const open = stack.pop();
      if (open === undefined || stack.length === 0 || open.name !== name) fail(`unexpected </${name.slice(0, 40)}>`);
      i = close + 1;
    } else {
      // Start tag: name, then attributes (quoted values may contain '>'), then '>' or '/>'.
      let j = lt + 1;
      while (j < n && !/[\s/>]/.test(text[j] ?? '')) j++;
      const name = text.slice(lt + 1, j);
      if (name === '') fail('empty tag name');
      let quote = '';
      while (j < n) {
        const c = text[j];
        if (quote !== '') {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
        j++;
      }
      if (j >= n) fail('unterminated start tag');
      const selfClosing = text[j - 1] === '/';
      const el: XmlElement = { name, children: [] };
      if (stack.length === 1 && root.children.some((c) => typeof c !== 'string')) fail('more than one root element');
      top().children.push(el);
      if (++nodes > limits.maxNodes) throw new VigilError('E_LIMIT', 'feed document has too many nodes');
      if (!selfClosing) {
        stack.push(el);
        if (stack.length > limits.maxDepth + 1) throw new VigilError('E_LIMIT', 'feed document nested too deeply');
      }
      i = j + 1;
    }
  }
  if (stack.length !== 1) fail(`unclosed <${top().name.slice(0, 40)}>`);
  const el = root.children.find((c): c is XmlElement => typeof c !== 'string');
  if (el === undefined) fail('no root element');
  return el;
}

export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name));
}

export function firstChild(el: XmlElement, name: string): XmlElement | undefined {
  return childElements(el, name)[0];
}

export function textOf(el: XmlElement | undefined): string {
  if (el === undefined) return '';
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}
