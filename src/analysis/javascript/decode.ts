/** Bounded decoders used by constant folding. Every input is attacker-controlled. */

const BASE64_RE = /^[A-Za-z0-9+/_-]+={0,2}$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})+$/;

/** Share of printable characters (tabs/newlines allowed); decoded garbage is not a finding. */
export function printableRatio(text: string): number {
  if (text.length === 0) return 0;
  let ok = 0;
  const n = Math.min(text.length, 4096);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13 || (c >= 160 && c < 0xd800)) ok++;
  }
  return ok / n;
}

export function decodeBase64(input: string, maxBytes: number): string | undefined {
  const s = input.replace(/\s+/g, '');
  if (s.length < 4 || s.length > maxBytes * 2 || !BASE64_RE.test(s)) return undefined;
  const out = Buffer.from(s, s.includes('-') || s.includes('_') ? 'base64url' : 'base64').toString('utf8');
  return out.length > maxBytes ? out.slice(0, maxBytes) : out;
}

export function decodeHex(input: string, maxBytes: number): string | undefined {
  const s = input.replace(/\s+/g, '');
  if (s.length < 2 || s.length > maxBytes * 2 || !HEX_RE.test(s)) return undefined;
  return Buffer.from(s, 'hex').toString('utf8');
}

export function fromCharCodes(codes: readonly number[], maxBytes: number): string | undefined {
  if (codes.length === 0 || codes.length > maxBytes) return undefined;
  let out = '';
  for (const c of codes) {
    if (!Number.isInteger(c) || c < 0 || c > 0x10ffff) return undefined;
    out += String.fromCodePoint(c);
  }
  return out;
}

/** True when the decoded text looks like program text worth re-analysing as JavaScript. */
export function looksLikeCode(text: string): boolean {
  if (text.length < 12) return false;
  return /\brequire\s*\(|\bimport\s*\(|\bfunction\b|=>|\beval\s*\(|\bprocess\.|\bchild_process\b|;\s*\w/.test(text.slice(0, 8192));
}

/** True when decoding produced readable text (not random bytes). */
export function isReadable(text: string): boolean {
  return text.length >= 3 && printableRatio(text) > 0.9;
}
