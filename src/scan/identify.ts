import type { Ecosystem, FileTree } from '../core/types.js';

export interface PackageIdentity {
  ecosystem: Ecosystem | 'unknown';
  name: string;
  version: string;
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const MAX_METADATA_BYTES = 256 * 1024;

function headerField(text: string, field: string): string | undefined {
  // RFC 822 style headers (PKG-INFO, METADATA): first match only, bounded line scan.
  const prefix = `${field.toLowerCase()}:`;
  for (const line of text.split('\n', 200)) {
    if (line.toLowerCase().startsWith(prefix)) return line.slice(prefix.length).trim();
    if (line.trim() === '') break;
  }
  return undefined;
}

function depth(path: string): number {
  return path.split('/').length;
}

/** Reads name and version from the artifact's own metadata (PKG-INFO, METADATA, package.json). */
export function identifyPackage(tree: FileTree): PackageIdentity {
  const byDepth = [...tree.files].sort((a, b) => depth(a.path) - depth(b.path));
  for (const file of byDepth) {
    const base = file.path.split('/').pop() ?? '';
    if (file.size > MAX_METADATA_BYTES) continue;
    if (base === 'package.json' && depth(file.path) <= 2 && !file.path.includes('node_modules/')) {
      try {
        const doc: unknown = JSON.parse(decoder.decode(file.data));
        if (typeof doc === 'object' && doc !== null) {
          const rec = doc as Record<string, unknown>;
          const name = typeof rec.name === 'string' ? rec.name : '';
          const version = typeof rec.version === 'string' ? rec.version : '';
          if (name !== '') return { ecosystem: 'npm', name, version };
        }
      } catch {
        // Not JSON: keep looking.
      }
    }
    const isPkgInfo = base === 'PKG-INFO' && depth(file.path) <= 2;
    const isMetadata = base === 'METADATA' && /\.dist-info\/METADATA$/.test(file.path) && depth(file.path) <= 2;
    if (isPkgInfo || isMetadata) {
      const text = decoder.decode(file.data);
      const name = headerField(text, 'Name');
      if (name !== undefined && name !== '') return { ecosystem: 'pypi', name, version: headerField(text, 'Version') ?? '' };
    }
  }
  const hasSetup = tree.files.some((f) => /(^|\/)(setup\.py|setup\.cfg|pyproject\.toml)$/.test(f.path) && depth(f.path) <= 2);
  if (hasSetup || tree.files.some((f) => f.path.endsWith('.py'))) return { ecosystem: 'pypi', name: '', version: '' };
  if (tree.files.some((f) => /\.(c|m)?js$/.test(f.path))) return { ecosystem: 'npm', name: '', version: '' };
  return { ecosystem: 'unknown', name: '', version: '' };
}
