import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sniffFormat, unpackArtifact } from '../../src/archive/index.js';
import { normaliseEntryPath } from '../../src/archive/tree.js';
import { isVigilError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { Limits } from '../../src/core/limits.js';
import type { ArchiveIssue, FileTree } from '../../src/core/types.js';
import { gzip, makeNpmTgz, makeSdist, makeTar, makeTarGz, makeWheel, makeZip, tarEntry, concatBytes } from '../helpers/archives.js';

const text = new TextDecoder();
const paths = (tree: FileTree): string[] => tree.files.map((f) => f.path);
const codes = (tree: FileTree): Array<ArchiveIssue['code']> => tree.issues.map((i) => i.code);
const content = (tree: FileTree, path: string): string | undefined => {
  const file = tree.files.find((f) => f.path === path);
  return file === undefined ? undefined : text.decode(file.data);
};
const limits = (overrides: Partial<Limits>): Limits => ({ ...DEFAULT_LIMITS, ...overrides });

describe('format recognition', () => {
  it('recognises an sdist, a wheel, an npm tarball and a plain tar by content', () => {
    const sdist = unpackArtifact(makeSdist('demo', '1.0', { 'setup.py': 'x' }), 'demo-1.0.tar.gz');
    assert.equal(sdist.format, 'sdist-tar');
    assert.deepEqual(paths(sdist), ['demo-1.0/PKG-INFO', 'demo-1.0/setup.py']);
    const wheel = unpackArtifact(makeWheel('demo', '1.0', { 'demo/__init__.py': 'x = 1' }), 'demo-1.0-py3-none-any.whl');
    assert.equal(wheel.format, 'wheel');
    assert.equal(content(wheel, 'demo/__init__.py'), 'x = 1');
    const npm = unpackArtifact(makeNpmTgz({ name: 'demo', version: '1.0.0' }, { 'index.js': 'module.exports = 1' }), 'demo.tgz');
    assert.equal(npm.format, 'npm-tgz');
    assert.equal(content(npm, 'package/index.js'), 'module.exports = 1');
    const tar = unpackArtifact(makeTar({ 'a/b.txt': 'b' }), 'x.tar');
    assert.equal(tar.format, 'tar');
    assert.equal(tar.totalBytes, 1);
    assert.equal(unpackArtifact(makeZip({ 'x/setup.py': 'x' }), 'x.zip').format, 'zip');
  });

  it('reads a wheel named .tar.gz as a wheel', () => {
    const tree = unpackArtifact(makeWheel('demo', '2.0', { 'demo.py': 'pass' }), 'demo-2.0.tar.gz');
    assert.equal(tree.format, 'wheel');
    assert.ok(paths(tree).includes('demo.py'));
    assert.deepEqual(tree.issues, []);
  });

  it('keeps a loose file under its basename', () => {
    const tree = unpackArtifact(new TextEncoder().encode('import os\n'), '/some/dir/setup.py');
    assert.equal(tree.format, 'file');
    assert.deepEqual(paths(tree), ['setup.py']);
    assert.equal(tree.totalBytes, 10);
  });

  it('sniffs magic bytes', () => {
    assert.equal(sniffFormat(gzip(new Uint8Array(3))), 'gzip');
    assert.equal(sniffFormat(makeZip({ a: 'a' })), 'zip');
    assert.equal(sniffFormat(makeTar({ a: 'a' })), 'tar');
    assert.equal(sniffFormat(new TextEncoder().encode('BZh91AY&SY')), 'bzip2');
    assert.equal(sniffFormat(new TextEncoder().encode('print(1)')), 'unknown');
    assert.equal(sniffFormat(new Uint8Array(0)), 'unknown');
  });

  it('reads long names through pax headers and keeps 0-byte files', () => {
    const long = `${'deep/'.repeat(40)}module.py`;
    const tree = unpackArtifact(makeTarGz({ [long]: 'x', 'empty.py': '' }), 'x.tgz');
    assert.deepEqual(paths(tree), [long, 'empty.py']);
    assert.equal(tree.files[1]?.size, 0);
    assert.deepEqual(tree.issues, []);
  });

  it('normalises paths', () => {
    assert.deepEqual(normaliseEntryPath('./a//b/./c'), { ok: true, path: 'a/b/c' });
    assert.deepEqual(normaliseEntryPath('a\\b'), { ok: true, path: 'a/b' });
    assert.equal(normaliseEntryPath('a/../../b').ok, false);
    assert.equal(normaliseEntryPath('C:/x').ok, false);
    assert.equal(normaliseEntryPath('\\\\server\\x').ok, false);
  });
});

describe('hostile tar entries', () => {
  const hostile = makeTarGz(
    { 'pkg/ok.py': 'ok' },
    {
      extra: [
        { name: '../../etc/cron.d/evil', data: 'x' },
        { name: '/etc/passwd', data: 'x' },
        { name: 'pkg/link', type: 'symlink', linkname: '/home/user/.ssh/id_rsa' },
        { name: 'pkg/hard', type: 'hardlink', linkname: 'pkg/ok.py' },
        { name: 'pkg/dev', type: 'char' },
        { name: 'pkg/blk', type: 'block' },
        { name: 'pkg/fifo', type: 'fifo' },
        { name: new Uint8Array([0x70, 0x6b, 0x67, 0x2f, 0xe9, 0x2e, 0x70, 0x79]), data: 'latin1' },
        { name: 'pkg/ok.py', data: 'second copy' },
      ],
    },
  );
  const tree = unpackArtifact(hostile, 'hostile.tar.gz');

  it('drops traversal, absolute paths, links and devices and reports each', () => {
    assert.deepEqual(paths(tree), ['pkg/\ufffd.py', 'pkg/ok.py']);
    const issues = codes(tree);
    for (const code of ['path-traversal', 'absolute-path', 'link', 'device', 'non-utf8-name', 'duplicate'] as const) {
      assert.ok(issues.includes(code), `missing ${code} in ${issues.join(',')}`);
    }
    assert.equal(issues.filter((c) => c === 'link').length, 2);
    assert.equal(issues.filter((c) => c === 'device').length, 3);
    assert.match(tree.issues.find((i) => i.code === 'link')?.message ?? '', /id_rsa/);
  });

  it('keeps the last copy of a duplicate path', () => {
    assert.equal(content(tree, 'pkg/ok.py'), 'second copy');
    assert.equal(tree.totalBytes, 'second copy'.length + 'latin1'.length);
  });
});

describe('hostile zip entries', () => {
  it('drops symlinks, devices, traversal (also with backslashes) and absolute names', () => {
    const zip = makeWheel('demo', '1.0', { 'demo/__init__.py': '' }, {
      extra: [
        { name: 'demo/link', type: 'symlink', linkname: '/etc' },
        { name: 'demo/fifo', type: 'fifo' },
        { name: '..\\..\\evil.pth', data: 'import os' },
        { name: '/abs.py', data: 'x' },
        { name: new Uint8Array([0x64, 0x65, 0x6d, 0x6f, 0x2f, 0xff, 0xfe]), data: 'bad name' },
      ],
    });
    const tree = unpackArtifact(zip, 'demo-1.0-py3-none-any.whl');
    assert.equal(tree.format, 'wheel');
    assert.ok(paths(tree).includes('demo/__init__.py'));
    assert.ok(paths(tree).includes('demo/\ufffd\ufffd'));
    assert.equal(tree.files.find((f) => f.path === 'demo/__init__.py')?.size, 0);
    for (const code of ['link', 'device', 'path-traversal', 'absolute-path', 'non-utf8-name'] as const) {
      assert.ok(codes(tree).includes(code), `missing ${code}`);
    }
    assert.ok(!paths(tree).some((p) => p.includes('evil') || p.includes('abs')));
  });

  it('stops a high-ratio zip bomb entry while inflating and reads the rest', () => {
    const zip = makeZip({ 'bomb.bin': new Uint8Array(5 * 1024 * 1024), 'after.py': 'print(1)' });
    assert.ok(zip.length < 20_000);
    const tree = unpackArtifact(zip, 'bomb.zip');
    assert.deepEqual(paths(tree), ['after.py']);
    assert.deepEqual(codes(tree), ['compression-ratio']);
  });

  it('does not trust a declared size that lies', () => {
    const zip = makeZip({}, { extra: [{ name: 'big.txt', data: 'A'.repeat(100_000), declaredSize: 10 }] });
    const tree = unpackArtifact(zip, 'liar.zip', limits({ maxFileBytes: 50_000 }));
    assert.deepEqual(paths(tree), []);
    assert.ok(codes(tree).includes('file-too-large'));
  });

  it('stops when the whole archive expands past the total limit', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 10; i++) files[`f${i}.txt`] = `${i}`.repeat(1000);
    const tree = unpackArtifact(makeZip(files), 'many.zip', limits({ maxTotalBytes: 3500 }));
    assert.equal(tree.files.length, 3);
    assert.ok(tree.totalBytes <= 3500);
    assert.ok(codes(tree).includes('too-large'));
  });

  it('reads a zip whose central directory is missing from its local headers', () => {
    const zip = makeZip({ 'a.py': 'a', 'b.py': 'b' });
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    let cd = -1;
    for (let i = 0; i + 4 <= zip.length; i++) if (view.getUint32(i, true) === 0x02014b50) { cd = i; break; }
    const tree = unpackArtifact(zip.subarray(0, cd), 'cut.whl');
    assert.deepEqual(paths(tree), ['a.py', 'b.py']);
    assert.ok(codes(tree).includes('corrupt'));
  });

  it('reports a corrupt entry and keeps the others', () => {
    const zip = makeZip({ 'a.py': 'x'.repeat(2000) + 'tail', 'b.py': 'b' }).slice();
    zip[40] = (zip[40] ?? 0) ^ 0xff; // inside a.py's deflate data
    zip[41] = (zip[41] ?? 0) ^ 0xff;
    const tree = unpackArtifact(zip, 'x.zip');
    assert.ok(paths(tree).includes('b.py'));
    assert.ok(codes(tree).includes('corrupt'));
  });

  it('refuses garbage that only starts like a zip', () => {
    assert.throws(() => unpackArtifact(new Uint8Array([0x50, 0x4b, 3, 4, 1, 2]), 'x.zip'), (e) => isVigilError(e) && e.code === 'E_ARCHIVE');
  });
});

describe('tar bombs and damage', () => {
  it('stops after too many files', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) files[`f${i}`] = 'x';
    const tree = unpackArtifact(makeTarGz(files), 'many.tgz', limits({ maxFiles: 10 }));
    assert.equal(tree.files.length, 10);
    assert.deepEqual(codes(tree), ['too-many-files']);
  });

  it('skips a file over the per-file limit and keeps reading', () => {
    const tree = unpackArtifact(makeTar({ 'big.bin': new Uint8Array(5000).fill(7), 'small.py': 's' }), 'x.tar', limits({ maxFileBytes: 1000 }));
    assert.deepEqual(paths(tree), ['small.py']);
    assert.deepEqual(codes(tree), ['file-too-large']);
  });

  it('stops a gzip stream that expands past the ratio and keeps the files before it', () => {
    const tgz = makeTarGz({ 'first.py': 'import os', 'bomb.bin': new Uint8Array(6 * 1024 * 1024), 'last.py': 'x' });
    assert.ok(tgz.length < 40_000);
    const tree = unpackArtifact(tgz, 'bomb.tar.gz');
    assert.deepEqual(paths(tree), ['first.py']);
    assert.deepEqual(codes(tree), ['compression-ratio']);
  });

  it('stops when the total limit is passed', () => {
    const tree = unpackArtifact(makeTar({ a: 'a'.repeat(600), b: 'b'.repeat(600) }), 'x.tar', limits({ maxTotalBytes: 1000 }));
    assert.deepEqual(paths(tree), ['a']);
    assert.deepEqual(codes(tree), ['too-large']);
  });

  it('returns what could be read from a truncated tar.gz with a corrupt issue', () => {
    const tgz = makeNpmTgz({ name: 'x', version: '1.0.0' }, { 'index.js': 'console.log(1)\n'.repeat(5000) });
    const tree = unpackArtifact(tgz.subarray(0, Math.floor(tgz.length * 0.6)), 'x.tgz');
    assert.deepEqual(paths(tree), ['package/package.json']);
    assert.ok(codes(tree).includes('corrupt'));
  });

  it('keeps the files before damage in the middle of a gzip stream', () => {
    const files: Record<string, string> = {};
    let seed = 7;
    const noise = (): string => {
      let out = '';
      for (let i = 0; i < 3000; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        out += String.fromCharCode(33 + (seed % 90));
      }
      return out;
    };
    for (let i = 0; i < 20; i++) files[`f${i}.py`] = noise();
    const tgz = makeTarGz(files).slice();
    const at = Math.floor(tgz.length * 0.6);
    for (let i = at; i < at + 50; i++) tgz[i] = (tgz[i] ?? 0) ^ 0x5a;
    const tree = unpackArtifact(tgz, 'x.tgz');
    assert.ok(tree.files.length >= 1 && tree.files.length < 20, `kept ${tree.files.length}`);
    assert.equal(content(tree, 'f0.py'), files['f0.py']);
    assert.ok(codes(tree).includes('corrupt'));
  });

  it('reports a truncated plain tar', () => {
    const tar = makeTar({ 'a.py': 'a', 'b.py': 'b'.repeat(2000) });
    const tree = unpackArtifact(tar.subarray(0, 1536), 'x.tar');
    assert.deepEqual(paths(tree), ['a.py']);
    assert.deepEqual(codes(tree), ['corrupt']);
  });

  it('stops at a header with a bad checksum', () => {
    const tar = makeTar({ 'a.py': 'a', 'b.py': 'b' }).slice();
    tar[1024] = 0x41; // first byte of the second header's name
    const tree = unpackArtifact(tar, 'x.tar');
    assert.deepEqual(paths(tree), ['a.py']);
    assert.deepEqual(codes(tree), ['corrupt']);
  });

  it('throws E_ARCHIVE for a gzip stream with nothing readable', () => {
    const bad = gzip(makeTar({ 'a.py': 'a'.repeat(5000) })).slice();
    for (let i = 10; i < 30; i++) bad[i] = 0xff;
    assert.throws(() => unpackArtifact(bad, 'x.tar.gz'), (e) => isVigilError(e) && e.code === 'E_ARCHIVE');
  });

  it('handles GNU base-256 sizes and ustar prefixes', () => {
    const entry = tarEntry({ name: 'a.py', data: 'hello' }).slice();
    // Rewrite the size field as base-256 and fix the checksum.
    entry.fill(0, 124, 136);
    entry[124] = 0x80;
    entry[135] = 5;
    entry.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += entry[i] ?? 0;
    entry.set(new TextEncoder().encode(sum.toString(8).padStart(6, '0') + '\0 '), 148);
    const tree = unpackArtifact(concatBytes([entry, new Uint8Array(1024)]), 'x.tar');
    assert.equal(content(tree, 'a.py'), 'hello');
  });
});

describe('bzip2 and xz', () => {
  const fixture = (name: string): Uint8Array =>
    new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../test/fixtures/archive/${name}`, import.meta.url))));

  it('reads a .tar.bz2 sdist', () => {
    const tree = unpackArtifact(fixture('demo-1.0.tar.bz2'), 'demo-1.0.tar.bz2');
    assert.equal(tree.format, 'sdist-tar');
    assert.deepEqual(paths(tree), ['demo-1.0/PKG-INFO', 'demo-1.0/setup.py']);
    assert.match(content(tree, 'demo-1.0/setup.py') ?? '', /setup\(name="demo"\)/);
    assert.deepEqual(tree.issues, []);
  });

  it('stops a bzip2 bomb at the ratio limit and keeps the files before it', () => {
    const bytes = fixture('bomb-1.0.tar.bz2');
    assert.ok(bytes.length < 1000);
    const tree = unpackArtifact(bytes, 'bomb-1.0.tar.bz2');
    assert.deepEqual(paths(tree), ['bomb-1.0/first.py']);
    assert.deepEqual(codes(tree), ['compression-ratio']);
  });

  it('reads a .tar.xz sdist, also when it is named .tar.gz', () => {
    for (const name of ['demo-1.0.tar.xz', 'demo-1.0.tar.gz']) {
      const tree = unpackArtifact(fixture('demo-1.0.tar.xz'), name);
      assert.equal(tree.format, 'sdist-tar');
      assert.deepEqual(paths(tree), ['demo-1.0/PKG-INFO', 'demo-1.0/setup.py']);
      assert.match(content(tree, 'demo-1.0/setup.py') ?? '', /setup\(name="demo"\)/);
      assert.deepEqual(tree.issues, []);
    }
    assert.equal(sniffFormat(fixture('demo-1.0.tar.xz')), 'xz');
  });

  it('stops an xz bomb at the ratio limit and keeps the files before it', () => {
    const bytes = fixture('bomb-1.0.tar.xz');
    assert.ok(bytes.length < 10_000);
    const tree = unpackArtifact(bytes, 'bomb-1.0.tar.xz');
    assert.deepEqual(paths(tree), ['bomb-1.0/first.py']);
    assert.deepEqual(codes(tree), ['compression-ratio']);
  });

  it('reports a truncated xz stream with what could be read', () => {
    const bytes = fixture('bomb-1.0.tar.xz');
    const tree = unpackArtifact(bytes.subarray(0, bytes.length - 200), 'x.tar.xz', limits({ maxRatio: 100_000 }));
    assert.ok(paths(tree).includes('bomb-1.0/first.py'));
    assert.ok(codes(tree).includes('corrupt'));
  });

  it('reports a truncated bzip2 stream', () => {
    const bytes = fixture('demo-1.0.tar.bz2');
    assert.throws(() => unpackArtifact(bytes.subarray(0, 60), 'x.tar.bz2'), (e) => isVigilError(e) && e.code === 'E_ARCHIVE');
  });
});

describe('nested archives', () => {
  it('expands a zip hidden under an innocent name inside an sdist', () => {
    const payload = makeZip({ '__main__.py': 'import os; os.system("id")' });
    const tree = unpackArtifact(makeSdist('plog', '1.0', { 'polaris/version': payload, 'setup.py': 'x' }), 'plog-1.0.tar.gz');
    assert.equal(tree.format, 'sdist-tar');
    assert.ok(paths(tree).includes('plog-1.0/polaris/version'));
    assert.equal(content(tree, 'plog-1.0/polaris/version!/__main__.py'), 'import os; os.system("id")');
    assert.deepEqual(tree.issues, []);
  });

  it('expands a wheel inside an sdist and a tgz inside that, up to maxNesting', () => {
    const innerTgz = makeTarGz({ 'deep.js': 'deep' });
    const wheel = makeWheel('inner', '1.0', { 'inner/__init__.py': 'x', 'inner/data.tgz': innerTgz });
    const sdist = makeSdist('outer', '1.0', { 'vendor/inner-1.0-py3-none-any.whl': wheel });
    const tree = unpackArtifact(sdist, 'outer-1.0.tar.gz');
    assert.equal(content(tree, 'outer-1.0/vendor/inner-1.0-py3-none-any.whl!/inner/__init__.py'), 'x');
    assert.equal(content(tree, 'outer-1.0/vendor/inner-1.0-py3-none-any.whl!/inner/data.tgz!/deep.js'), 'deep');
    const shallow = unpackArtifact(sdist, 'outer-1.0.tar.gz', limits({ maxNesting: 1 }));
    assert.ok(paths(shallow).includes('outer-1.0/vendor/inner-1.0-py3-none-any.whl!/inner/data.tgz'));
    assert.ok(!paths(shallow).some((p) => p.endsWith('deep.js')));
    assert.deepEqual(codes(shallow), ['nested-depth']);
  });

  it('drops hostile entries of nested archives quietly but still enforces limits', () => {
    const hostile = makeTar({ 'ok.txt': 'ok' }, { extra: [{ name: 'link', type: 'symlink', linkname: '/etc' }, { name: '../up', data: 'x' }] });
    const tree = unpackArtifact(makeNpmTgz({ name: 'tar-tests' }, { 'test/fixtures/bad.tar': hostile }), 'x.tgz');
    assert.equal(tree.format, 'npm-tgz');
    assert.deepEqual(tree.issues, []);
    assert.ok(paths(tree).includes('package/test/fixtures/bad.tar!/ok.txt'));
    const bomb = makeZip({ 'zeros.bin': new Uint8Array(5 * 1024 * 1024) });
    const withBomb = unpackArtifact(makeNpmTgz({ name: 'b' }, { 'data.zip': bomb }), 'b.tgz');
    assert.deepEqual(codes(withBomb), ['compression-ratio']);
  });
});

describe('nested zip ratio', () => {
  it('measures a small zip inside a big sdist by its own expansion, not by the whole tree so far', () => {
    const big = new Uint8Array(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    const jar = makeZip({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n' });
    // The jar comes after 12 MB of other files, as in grpc's sdist.
    const files: Record<string, Uint8Array | string> = { 'setup.py': 'x' };
    for (let i = 0; i < 4; i++) files[`data/blob${i}.bin`] = big;
    files['gradle/wrapper/gradle-wrapper.jar'] = jar;
    const tree = unpackArtifact(makeSdist('grpcish', '1.0', files), 'grpcish-1.0.tar.gz');
    assert.deepEqual(codes(tree), []);
    assert.equal(content(tree, 'grpcish-1.0/gradle/wrapper/gradle-wrapper.jar!/META-INF/MANIFEST.MF'), 'Manifest-Version: 1.0\n');
  });
});
