/**
 * Evidence comes from attacker-controlled files: escape control characters, bidi overrides and other
 * invisible formatting so a terminal or a reviewer sees exactly what is there (Trojan Source).
 */
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

export function escapeEvidence(text: string, maxLength = 240): string {
  const escaped = text.replace(UNSAFE, (ch) => {
    if (ch === '\n') return '\\n';
    const code = ch.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return escaped.length > maxLength ? `${escaped.slice(0, maxLength - 1)}…` : escaped;
}
