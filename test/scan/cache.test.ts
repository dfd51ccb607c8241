/**
 * The per-artifact result cache for npm registry scans: keyed by the tarball's sha256 and a hash of the
 * registry's manifest (the manifest-confusion check compares the two), so a repeated `scan npm:x@1` is
 * served from the cache and a changed registry manifest is scanned again.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { ScanResult } from '../../src/core/types.js';
import { registryContextKey } from '../../src/scan/cache.js';
import { scanTarget } from '../../src/scan/scan.js';
import type { ScanOptions } from '../../src/scan/scan.js';
import { npmVersion, registryOptionsFor, startRegistryServer } from '../helpers/registry-server.js';
import type { NpmVersionFixture, RegistryServer } from '../helpers/registry-server.js';

const SCRIPTS = { postinstall: 'node install.js' };
// The tarball's package.json declares the postinstall script; the packument starts out saying the same.
const version: NpmVersionFixture = npmVersion('cache-probe', '1.0.0', { 'index.js': 'module.exports = 1;\n', 'install.js': "console.log('installed');\n" }, { manifest: { scripts: SCRIPTS } });

let server: RegistryServer;
let work = '';

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'vigil-scan-cache-'));
  server = await startRegistryServer({ npm: [{ name: 'cache-probe', versions: [version] }] });
});

after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

function options(): ScanOptions {
  return { registry: registryOptionsFor(server), limits: DEFAULT_LIMITS, metadata: false, compareWithPrevious: false, resultCacheDir: join(work, 'cache'), cwd: work };
}

/** Every cached result file (path relative to the cache's engine folder). */
function cachedFiles(): string[] {
  const root = join(work, 'cache', 'scans');
  const out: string[] = [];
  for (const engine of readdirSync(root)) {
    for (const prefix of readdirSync(join(root, engine))) for (const file of readdirSync(join(root, engine, prefix))) out.push(join(root, engine, prefix, file));
  }
  return out;
}

const confusion = (r: ScanResult): boolean => r.findings.some((f) => f.ruleId === 'npm/manifest-confusion');

test('registry context key: the manifest as the analysis reads it, not publish metadata or key order', () => {
  const base = registryContextKey({ versionManifest: { name: 'p', version: '1.0.0', scripts: SCRIPTS, dependencies: { a: '1', b: '2' } } });
  assert.match(base, /^[0-9a-f]{32}$/);
  assert.equal(
    registryContextKey({ versionManifest: { dependencies: { b: '2', a: '1' }, scripts: SCRIPTS, version: '1.0.0', name: 'p', dist: { tarball: 'https://x.invalid/p.tgz' }, _npmUser: { name: 'u' } } }),
    base,
  );
  assert.notEqual(registryContextKey({ versionManifest: { name: 'p', version: '1.0.0', scripts: {}, dependencies: { a: '1', b: '2' } } }), base);
  assert.notEqual(registryContextKey({ versionManifest: { name: 'p', version: '1.0.0', scripts: SCRIPTS, dependencies: { a: '1' } } }), base);
  assert.notEqual(registryContextKey({}), base);
});

test('a repeated npm registry scan is served from the cache; a changed registry manifest misses it', async () => {
  const first = await scanTarget('npm:cache-probe@1.0.0', options());
  assert.deepEqual(first.errors, []);
  assert.equal(confusion(first), false);
  const files = cachedFiles();
  assert.equal(files.length, 1, 'the registry scan was cached');
  const sha256 = first.artifacts[0]!.sha256;
  assert.match(files[0]!, new RegExp(`${sha256}-[0-9a-f]{32}\\.json$`));

  // Mark the cached entry: a result that carries the mark came from the cache, not from a new analysis.
  const entry = JSON.parse(readFileSync(files[0]!, 'utf8')) as { stats: { files: number } };
  entry.stats.files = 4242;
  writeFileSync(files[0]!, JSON.stringify(entry));
  const second = await scanTarget('npm:cache-probe@1.0.0', options());
  assert.equal(second.stats?.files, 4242, 'the second scan was served from the cache');
  assert.equal(second.verdict, first.verdict);

  // The registry now hides the install script the tarball still runs: same bytes, different manifest.
  version.manifest = {};
  try {
    const third = await scanTarget('npm:cache-probe@1.0.0', options());
    assert.equal(third.artifacts[0]!.sha256, sha256);
    assert.notEqual(third.stats?.files, 4242, 'a changed registry manifest is not served from the cache');
    assert.ok(confusion(third), JSON.stringify(third.findings.map((f) => f.ruleId)));
    assert.equal(cachedFiles().length, 2);
  } finally {
    version.manifest = { scripts: SCRIPTS };
  }
});
