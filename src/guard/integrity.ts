/** Hash checks for artifacts passing through the guard. Verify before anything else looks at the bytes. */
import { createHash, timingSafeEqual } from 'node:crypto';

export const STRONG_HASHES = ['sha512', 'sha384', 'sha256'] as const;
export type StrongHash = (typeof STRONG_HASHES)[number];

export type HashCheck = { ok: true; algorithm: string } | { ok: false; reason: string };

function digestEquals(actual: Buffer, expected: Buffer): boolean {
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * PyPI: verifies every strong hash the index gave (hex digests keyed by algorithm name). Weak ones (md5,
 * sha1) are ignored. `ok: false` when a hash differs or none is usable.
 */
export function verifyHexHashes(bytes: Uint8Array, hashes: Readonly<Record<string, string>>): HashCheck {
  let checked: string | undefined;
  for (const algorithm of STRONG_HASHES) {
    const expected = hashes[algorithm];
    if (expected === undefined) continue;
    if (!/^[0-9a-fA-F]+$/.test(expected)) return { ok: false, reason: `the index gives a malformed ${algorithm} hash` };
    const actual = createHash(algorithm).update(bytes).digest();
    if (!digestEquals(actual, Buffer.from(expected.toLowerCase(), 'hex'))) {
      return { ok: false, reason: `${algorithm} of the downloaded file does not match the index` };
    }
    checked ??= algorithm;
  }
  return checked === undefined ? { ok: false, reason: 'the index gives no sha256/sha384/sha512 hash for this file' } : { ok: true, algorithm: checked };
}

/**
 * npm: verifies the strongest algorithm of an SRI `integrity` string ("sha512-…", several may be listed);
 * falls back to the hex sha1 `shasum` only when there is no integrity.
 */
export function verifyNpmIntegrity(bytes: Uint8Array, integrity: string | undefined, shasum: string | undefined): HashCheck {
  if (integrity !== undefined && integrity.trim() !== '') {
    const byAlgorithm = new Map<string, string[]>();
    for (const token of integrity.trim().split(/\s+/)) {
      const dash = token.indexOf('-');
      if (dash <= 0) continue;
      const algorithm = token.slice(0, dash).toLowerCase();
      const value = token.slice(dash + 1).split('?')[0] ?? '';
      byAlgorithm.set(algorithm, [...(byAlgorithm.get(algorithm) ?? []), value]);
    }
    for (const algorithm of STRONG_HASHES) {
      const candidates = byAlgorithm.get(algorithm);
      if (candidates === undefined) continue;
      const actual = createHash(algorithm).update(bytes).digest();
      const match = candidates.some((c) => digestEquals(actual, Buffer.from(c, 'base64')));
      return match ? { ok: true, algorithm } : { ok: false, reason: `${algorithm} integrity of the tarball does not match the registry` };
    }
    if (!byAlgorithm.has('sha1')) return { ok: false, reason: 'the registry gives no usable integrity for this tarball' };
    const actual = createHash('sha1').update(bytes).digest();
    const ok = (byAlgorithm.get('sha1') ?? []).some((c) => digestEquals(actual, Buffer.from(c, 'base64')));
    return ok ? { ok: true, algorithm: 'sha1' } : { ok: false, reason: 'sha1 integrity of the tarball does not match the registry' };
  }
  if (shasum !== undefined && /^[0-9a-fA-F]{40}$/.test(shasum)) {
    const actual = createHash('sha1').update(bytes).digest();
    return digestEquals(actual, Buffer.from(shasum.toLowerCase(), 'hex'))
      ? { ok: true, algorithm: 'sha1' }
      : { ok: false, reason: 'shasum of the tarball does not match the registry' };
  }
  return { ok: false, reason: 'the registry gives no integrity for this tarball' };
}
