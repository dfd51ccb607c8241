import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readDirectory } from '../../src/archive/index.js';
import { isVigilError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';

describe('readDirectory', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'vigil-dir-'));
    await mkdir(join(root, 'pkg', 'sub'), { recursive: true });
    await mkdir(join(root, '.git'));
    await mkdir(join(root, 'node_modules', 'dep'), { recursive: true });
    await mkdir(join(root, 'pkg', 'node_modules'));
    await writeFile(join(root, 'setup.py'), 'import os\n');
    await writeFile(join(root, 'pkg', '__init__.py'), '');
    await writeFile(join(root, 'pkg', 'sub', 'big.bin'), Buffer.alloc(2000));
    await writeFile(join(root, 'pkg', 'node_modules', 'kept.js'), '1');
    await writeFile(join(root, '.git', 'config'), 'x');
    await writeFile(join(root, 'node_modules', 'dep', 'index.js'), 'x');
    await writeFile(join(root, Buffer.from([0x6e, 0xe9, 0x2e, 0x70, 0x79]).toString('latin1')), 'latin');
    await symlink('/etc/passwd', join(root, 'pkg', 'passwd'));
    await symlink(join(root, 'pkg'), join(root, 'loop'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads regular files, skips .git and node_modules at the top, never follows links', async () => {
    const tree = await readDirectory(root, { ...DEFAULT_LIMITS, maxFileBytes: 1000 });
    assert.equal(tree.format, 'directory');
    const paths = tree.files.map((f) => f.path).sort();
    assert.deepEqual(paths, ['n\u00e9.py', 'pkg/__init__.py', 'pkg/node_modules/kept.js', 'setup.py']);
    const codes = tree.issues.map((i) => i.code).sort();
    assert.deepEqual(codes, ['file-too-large', 'link', 'link']);
    assert.equal(tree.files.find((f) => f.path === 'pkg/__init__.py')?.size, 0);
  });

  it('enforces the file count', async () => {
    const tree = await readDirectory(root, { ...DEFAULT_LIMITS, maxFiles: 2 });
    assert.ok(tree.issues.some((i) => i.code === 'too-many-files'));
    assert.ok(tree.files.length <= 2);
  });

  it('rejects a path that is not a directory', async () => {
    await assert.rejects(readDirectory(join(root, 'setup.py')), (e) => isVigilError(e) && e.code === 'E_TARGET');
  });
});
