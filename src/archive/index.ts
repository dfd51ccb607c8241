import type { FileTree } from '../core/types.js';
import type { Limits } from '../core/limits.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { VigilError } from '../core/errors.js';

/** Placeholder: replaced by the safe in-memory unpacker. */
export function unpackArtifact(_bytes: Uint8Array, _filename: string, _limits: Limits = DEFAULT_LIMITS): FileTree {
  throw new VigilError('E_ARCHIVE', 'archive support not yet available');
}

/** Placeholder: replaced by the safe directory reader. */
export async function readDirectory(_path: string, _limits: Limits = DEFAULT_LIMITS): Promise<FileTree> {
  throw new VigilError('E_ARCHIVE', 'directory support not yet available');
}
