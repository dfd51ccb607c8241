/**
 * Reads a directory (an unpacked package or a source tree) into memory with the same limits as
 * archives. Symbolic links inside the tree are never followed (reported instead), files are opened with O_NOFOLLOW,
 * and `.git` / `node_modules` at the top level are skipped.
 */
import { constants } from 'node:fs';
import type { Dirent } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VigilError, describeError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import type { FileTree } from '../core/types.js';
import { StopReading, TreeBuilder, decodeName } from './tree.js';

const SKIPPED_AT_TOP = new Set(['.git', 'node_modules']);

function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

async function readRegularFile(fsPath: Buffer, relative: string, tree: TreeBuilder): Promise<void> {
  let handle;
  try {
    handle = await open(fsPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') tree.issue('link', `symbolic link not followed: ${relative}`, relative);
    else tree.issue('corrupt', `cannot read ${relative}: ${describeError(error)}`, relative);
    return;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      tree.issue('device', `special file skipped: ${relative}`, relative);
      return;
    }
    if (tree.admit(relative, stat.size) === 'skip') return;
    const data = new Uint8Array(stat.size);
    let offset = 0;
    while (offset < data.length) {
      const { bytesRead } = await handle.read(data, offset, data.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    tree.add(relative, offset === data.length ? data : data.subarray(0, offset));
  } finally {
    await handle.close();
  }
}

/** Reads every regular file under `root` (iteratively, sorted by name for determinism). */
export async function readDirectory(root: string, limits: Limits = DEFAULT_LIMITS): Promise<FileTree> {
  let rootStat;
  try {
    // The root the user named may itself be a link to a directory; links inside it are never followed.
    rootStat = await stat(root);
  } catch (error) {
    throw new VigilError('E_TARGET', `cannot read directory ${root}: ${describeError(error)}`, { cause: error });
  }
  if (!rootStat.isDirectory()) throw new VigilError('E_TARGET', `${root} is not a directory`);

  const tree = new TreeBuilder(limits);
  const rootBuffer = Buffer.from(root);
  // Stack of [filesystem path, relative path]; children pushed in reverse so they pop in order.
  const stack: Array<[Buffer, string]> = [[rootBuffer, '']];
  try {
    while (stack.length > 0) {
      const next = stack.pop();
      if (next === undefined) break;
      const [dirPath, relDir] = next;
      let entries: Dirent<Buffer>[];
      try {
        entries = await readdir(dirPath, { withFileTypes: true, encoding: 'buffer' });
      } catch (error) {
        tree.issue('corrupt', `cannot list ${relDir === '' ? '.' : relDir}: ${describeError(error)}`, relDir);
        continue;
      }
      entries.sort((a, b) => compareBytes(a.name, b.name));
      const subdirs: Array<[Buffer, string]> = [];
      for (const entry of entries) {
        const { name, lossy } = decodeName(entry.name);
        if (relDir === '' && SKIPPED_AT_TOP.has(name)) continue;
        const relative = relDir === '' ? name : `${relDir}/${name}`;
        const fsPath = Buffer.from(join(dirPath.toString('latin1'), entry.name.toString('latin1')), 'latin1');
        tree.countEntry();
        if (lossy) tree.issue('non-utf8-name', `file name is not valid UTF-8 (decoded lossily): ${relative}`, relative);
        if (entry.isSymbolicLink()) {
          tree.issue('link', `symbolic link not followed: ${relative}`, relative);
        } else if (entry.isDirectory()) {
          subdirs.push([fsPath, relative]);
        } else if (entry.isFile()) {
          await readRegularFile(fsPath, relative, tree);
        } else {
          tree.issue('device', `special file skipped: ${relative}`, relative);
        }
      }
      for (let i = subdirs.length - 1; i >= 0; i--) {
        const sub = subdirs[i];
        if (sub !== undefined) stack.push(sub);
      }
    }
  } catch (error) {
    if (!(error instanceof StopReading)) throw error;
  }
  return tree.finish('directory');
}
