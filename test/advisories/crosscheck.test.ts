import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { isAffected } from '../../src/advisories/match.js';
import { parseOsvRecord } from '../../src/advisories/osv.js';
import { referenceIsAffected } from './reference-osv.js';

const OSV = join(process.cwd(), '..', 'shared', 'osv');

/** Versions around every boundary a record names, plus a few fixed probes. */
function probes(eco: 'pypi' | 'npm', versions: string[]): string[] {
  const out = new Set<string>(['0.0.1', '1.0.0', '2.0', '99.0.0', 'not a version', '']);
  for (const v of versions) {
    out.add(v);
    if (eco === 'npm') {
      const p = semver.parse(v);
      if (p !== null) {
        out.add(`${p.major}.${p.minor}.${p.patch}-0`);
        out.add(`${p.major}.${p.minor}.${p.patch + 1}`);
        if (p.patch > 0) out.add(`${p.major}.${p.minor}.${p.patch - 1}`);
        out.add(`${p.major}.${p.minor + 1}.0-rc.1`);
      }
    } else {
      out.add(`${v}.post1`);
      out.add(`${v}.dev0`);
      out.add(`${v}.1`);
      out.add(`${v}rc1`);
    }
  }
  return [...out];
}

test('OSV matching agrees with an independent reference implementation on ../shared/osv', (t) => {
  if (!existsSync(OSV)) {
    t.skip('../shared/osv is not present');
    return;
  }
  let records = 0;
  let checks = 0;
  let affectedHits = 0;
  for (const dir of ['PyPI', 'npm']) {
    const names = readdirSync(join(OSV, dir)).filter((n) => n.endsWith('.json')).sort();
    // Every 10th PyPI record (about 270) and every npm record keep the run short but broad.
    const sample = dir === 'PyPI' ? names.filter((_, i) => i % 10 === 0) : names;
    for (const name of sample) {
      const raw: unknown = JSON.parse(readFileSync(join(OSV, dir, name), 'utf8'));
      const record = parseOsvRecord(raw);
      records++;
      const rawAffected = (raw as { affected?: { package?: { ecosystem?: string }; ranges?: { type: string; events: Record<string, string>[] }[]; versions?: string[] }[] }).affected ?? [];
      const relevant = rawAffected.filter((a) => a.package?.ecosystem === 'PyPI' || a.package?.ecosystem === 'npm');
      assert.equal(record.affected.length, relevant.filter((a) => (a.ranges ?? []).some((r) => r.type === 'ECOSYSTEM' || r.type === 'SEMVER') || (a.versions ?? []).length > 0).length, name);
      for (const [i, a] of record.affected.entries()) {
        const eco = a.ecosystem;
        const ref = relevant.filter((r) => (r.ranges ?? []).some((x) => x.type === 'ECOSYSTEM' || x.type === 'SEMVER') || (r.versions ?? []).length > 0)[i];
        assert.ok(ref !== undefined);
        const boundary = [...(ref.ranges ?? []).flatMap((r) => r.events.map((e) => Object.values(e)[0] ?? '')), ...(ref.versions ?? []).slice(0, 20)];
        for (const v of probes(eco, boundary.slice(0, 16)).slice(0, 60)) {
          const mine = isAffected(eco, a.spec, v);
          const theirs = referenceIsAffected(eco, { ranges: (ref.ranges ?? []) as never, versions: ref.versions ?? [] }, v);
          assert.equal(mine, theirs, `${name} ${a.name} ${v}: match.ts=${mine} reference=${theirs}`);
          checks++;
          if (mine) affectedHits++;
        }
      }
    }
  }
  assert.ok(records > 600, `only ${records} records`);
  assert.ok(checks > 10_000, `only ${checks} checks`);
  assert.ok(affectedHits > checks / 10, 'suspiciously few affected versions');
  t.diagnostic(`${records} records, ${checks} version checks, ${affectedHits} affected`);
});
