/** Minimal XML-RPC: encode a call with int/string params, decode a response value tree. */
import { VigilError } from '../core/errors.js';
import type { XmlElement } from './xml.js';
import { childElements, firstChild, parseXml, textOf } from './xml.js';

export type XmlRpcValue = string | number | boolean | null | XmlRpcValue[] | { [key: string]: XmlRpcValue };

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function encodeCall(method: string, params: readonly (string | number)[]): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.]{0,100}$/.test(method)) throw new VigilError('E_INTERNAL', 'invalid XML-RPC method name');
  const ps = params
    .map((p) => (typeof p === 'number' ? `<param><value><int>${Math.trunc(p)}</int></value></param>` : `<param><value><string>${escapeXml(p)}</string></value></param>`))
    .join('');
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${ps}</params></methodCall>`;
}

export function decodeValue(value: XmlElement): XmlRpcValue {
  const typed = childElements(value)[0];
  if (typed === undefined) return textOf(value);
  const text = textOf(typed);
  switch (typed.name) {
    case 'string':
      return text;
    case 'int':
    case 'i4':
    case 'i8':
    case 'double': {
      const n = Number(text.trim());
      if (!Number.isFinite(n)) throw new VigilError('E_ARCHIVE', 'XML-RPC: bad number');
      return n;
    }
    case 'boolean':
      return text.trim() === '1';
    case 'nil':
      return null;
    case 'dateTime.iso8601':
    case 'base64':
      return text.trim();
    case 'array': {
      const data = firstChild(typed, 'data');
      return data === undefined ? [] : childElements(data, 'value').map(decodeValue);
    }
    case 'struct': {
      const out: { [key: string]: XmlRpcValue } = Object.create(null) as { [key: string]: XmlRpcValue };
      for (const m of childElements(typed, 'member')) {
        const v = firstChild(m, 'value');
        if (v !== undefined) out[textOf(firstChild(m, 'name'))] = decodeValue(v);
      }
      return out;
    }
    default:
      throw new VigilError('E_ARCHIVE', `XML-RPC: unsupported type <${typed.name.slice(0, 40)}>`);
  }
}

/** Decodes a methodResponse; a fault becomes a VigilError. */
export function decodeResponse(text: string): XmlRpcValue {
  const root = parseXml(text);
  if (root.name !== 'methodResponse') throw new VigilError('E_ARCHIVE', 'not an XML-RPC response');
  const fault = firstChild(root, 'fault');
  if (fault !== undefined) {
    const v = firstChild(fault, 'value');
    const decoded = v === undefined ? null : decodeValue(v);
    const msg = decoded !== null && typeof decoded === 'object' && !Array.isArray(decoded) ? String(decoded.faultString ?? 'fault') : 'fault';
    throw new VigilError('E_NETWORK', `XML-RPC fault: ${msg.slice(0, 200)}`);
  }
  const value = firstChild(firstChild(firstChild(root, 'params') ?? root, 'param') ?? root, 'value');
  if (value === undefined) throw new VigilError('E_ARCHIVE', 'XML-RPC response without a value');
  return decodeValue(value);
}
