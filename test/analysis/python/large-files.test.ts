import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython, elideHugeLiterals } from '../../../src/analysis/python/index.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import type { FileEntry, FileTree } from '../../../src/core/types.js';
import { scoreFindings } from '../../../src/scoring/score.js';

function tree(files: Record<string, string>): FileTree {
  const entries: FileEntry[] = Object.entries(files).map(([path, text]) => {
    const data = new TextEncoder().encode(text);
    return { path, data, size: data.byteLength };
  });
  return { format: 'directory', files: entries, issues: [], totalBytes: entries.reduce((a, f) => a + f.size, 0) };
}

/** A dropper as the corpus has them: setup.py exec()s base64 code that writes an embedded .exe and runs it. */
function dropper(blobBytes: number): string {
  const exe = Buffer.alloc(blobBytes, 0x90);
  exe.write('MZ', 0);
  const inner = [
    'import os as o',
    'import tempfile as t',
    "p = o.path.join(t.gettempdir(), 'dropped.exe')",
    `open(p, 'wb').write(b'${[...exe].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}')`,
    'o.startfile(p)',
  ].join('\n');
  return [
    'from distutils.core import setup',
    "setup(name='x', version='1')",
    'from os import name',
    'from base64 import b64decode',
    "if name == 'nt':",
    `    exec(b64decode('${Buffer.from(inner).toString('base64')}').decode())`,
    '',
  ].join('\n');
}

test('huge encoded literals keep a block-aligned head and tail that still decode', () => {
  const blob = Buffer.from('A'.repeat(400_000) + 'THE-END').toString('base64');
  const out = elideHugeLiterals(`x = '${blob}'\ny = 1\n`);
  assert.ok(out.length < 70_000);
  const kept = /'([^']*)'/.exec(out)?.[1] ?? '';
  assert.equal(kept.length % 4, 0);
  assert.ok(Buffer.from(kept, 'base64').toString().endsWith('THE-END'));
  assert.ok(out.endsWith("'\ny = 1\n"));
  const small = "z = 'abc'\n";
  assert.equal(elideHugeLiterals(small), small);
});

for (const [label, size] of [
  ['1 MB', 250_000],
  ['over the 2 MiB parse limit', 1_200_000],
] as const) {
  test(`a setup.py dropper with a ${label} embedded executable is malicious, within the time budget`, async () => {
    const src = dropper(size);
    const started = performance.now();
    const out = await analyzePython(tree({ 'pkg-1/setup.py': src }), { ecosystem: 'pypi', artifact: 'pkg', limits: DEFAULT_LIMITS, deadline: performance.now() + 20_000 });
    const elapsed = performance.now() - started;
    const score = scoreFindings(out.findings);
    assert.equal(score.verdict, 'malicious', `${score.reason} ${out.findings.map((f) => f.ruleId).join(', ')} ${JSON.stringify(out.errors)}`);
    assert.ok(out.findings.some((f) => f.location.line === 6 && f.trigger === 'install'));
    assert.ok(elapsed < 10_000, `took ${Math.round(elapsed)} ms`);
  });
}
