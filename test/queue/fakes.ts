/** Deterministic fakes for pipeline tests: an in-memory registry and a marker-based scanner. */
import { createHash } from 'node:crypto';
import type { Ecosystem, Finding } from '../../src/core/types.js';
import type { ArtifactScanner, FetchedRelease, ReleaseFetcher, ReleaseRef } from '../../src/queue/index.js';

export const MALICIOUS_MARKER = 'VIGIL-TEST-MALICIOUS';
export const SUSPICIOUS_MARKER = 'VIGIL-TEST-SUSPICIOUS';

/** Flags the marker strings found in the raw bytes (no unpacking): critical threat / medium capability. */
export const markerScanner: ArtifactScanner = async (bytes, filename) => {
  const text = Buffer.from(bytes).toString('utf8');
  const findings: Finding[] = [];
  if (text.includes(MALICIOUS_MARKER)) {
    findings.push({
      ruleId: 'test/marker-malicious', severity: 'critical', kind: 'threat', category: 'download-execute', confidence: 'high',
      message: 'Install script downloads and runs a payload', location: { path: 'package/install.js', line: 1, artifact: filename },
      evidence: `<img src=x onerror=alert(1)> ${MALICIOUS_MARKER}`, trigger: 'install',
    });
  }
  if (text.includes(SUSPICIOUS_MARKER)) {
    findings.push({
      ruleId: 'test/marker-suspicious', severity: 'high', kind: 'threat', category: 'network', confidence: 'medium',
      message: 'Contacts a remote host at import', location: { path: 'package/index.js', line: 2, artifact: filename },
      evidence: SUSPICIOUS_MARKER, trigger: 'import',
    });
  }
  return {
    artifact: { filename, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength },
    findings, errors: [], stats: { files: 1, parsedFiles: 1, parsedBytes: bytes.byteLength, totalBytes: bytes.byteLength },
  };
};

export interface FakeRegistry {
  publish(ecosystem: Ecosystem, name: string, version: string, content: string): void;
  fetch: ReleaseFetcher;
  latest(ecosystem: Ecosystem, name: string): Promise<string | undefined>;
  fetched: string[];
  /** Fail the next N fetches. */
  failNext: number;
  /** Delay each fetch by this many ms. */
  delayMs: number;
}

export function fakeRegistry(): FakeRegistry {
  const releases = new Map<string, { version: string; content: string }[]>();
  const reg: FakeRegistry = {
    fetched: [],
    failNext: 0,
    delayMs: 0,
    publish(ecosystem, name, version, content) {
      const k = `${ecosystem}:${name}`;
      const list = releases.get(k) ?? [];
      list.push({ version, content });
      releases.set(k, list);
    },
    async fetch(ref: ReleaseRef): Promise<FetchedRelease> {
      if (reg.delayMs > 0) await new Promise((r) => setTimeout(r, reg.delayMs));
      if (reg.failNext > 0) {
        reg.failNext--;
        throw new Error('registry unavailable');
      }
      reg.fetched.push(`${ref.name}@${ref.version}`);
      const list = releases.get(`${ref.ecosystem}:${ref.name}`) ?? [];
      const i = list.findIndex((r) => r.version === ref.version);
      const rel = list[i];
      if (rel === undefined) throw new Error(`not found: ${ref.name}@${ref.version}`);
      const prev = i > 0 ? list[i - 1]?.version : undefined;
      return {
        ecosystem: ref.ecosystem, name: ref.name, version: ref.version,
        ...(prev !== undefined ? { previousVersion: prev } : {}),
        artifacts: [{ filename: `${ref.name}-${ref.version}.tgz`, bytes: Buffer.from(rel.content) }],
      };
    },
    async latest(ecosystem, name) {
      const list = releases.get(`${ecosystem}:${name}`);
      return list?.[list.length - 1]?.version;
    },
  };
  return reg;
}
