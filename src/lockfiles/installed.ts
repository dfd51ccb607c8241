import type { Extractor, LockedPackage } from './types.js';
import { asString, parseJsonDoc } from './util.js';

/** Core metadata headers (RFC 822 style) up to the first blank line. */
function metadataHeaders(text: string): Map<string, { value: string; line: number }> {
  const out = new Map<string, { value: string; line: number }>();
  const lines = text.split(/\r?\n/, 2000);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (l.trim() === '') break;
    const m = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(l);
    if (m?.[1] !== undefined && m[2] !== undefined && !out.has(m[1].toLowerCase())) out.set(m[1].toLowerCase(), { value: m[2].trim(), line: i + 1 });
  }
  return out;
}

/** Installed Python distributions: `*.dist-info/METADATA` and `*.egg-info/PKG-INFO`. */
export const distInfoExtractor: Extractor = {
  id: 'pypi/installed',
  ecosystem: 'pypi',
  description: 'installed Python packages (site-packages/*.dist-info/METADATA, *.egg-info/PKG-INFO)',
  matches: (path) => /\.dist-info\/METADATA$/.test(path) || /\.egg-info\/PKG-INFO$/.test(path),
  extract(text, context) {
    const headers = metadataHeaders(text);
    const name = headers.get('name');
    const version = headers.get('version');
    if (name === undefined || name.value === '') return [];
    const pkg: LockedPackage = { ecosystem: 'pypi', name: name.value, pinned: false, file: context.file, line: name.line, source: 'registry' };
    if (version !== undefined && version.value !== '') {
      pkg.version = version.value;
      pkg.pinned = true;
    }
    return [pkg];
  },
};

/** Installed npm packages: `node_modules/<name>/package.json` (and nested node_modules). */
export const nodeModulesExtractor: Extractor = {
  id: 'npm/installed',
  ecosystem: 'npm',
  description: 'installed npm packages (node_modules/*/package.json)',
  matches: (path) => /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(path),
  extract(text, context) {
    const doc = parseJsonDoc(text, context.file);
    const name = asString(doc.name);
    const version = asString(doc.version);
    if (name === undefined || name === '') return [];
    const pkg: LockedPackage = { ecosystem: 'npm', name, pinned: false, file: context.file, line: 1, source: 'registry' };
    if (version !== undefined && version !== '') {
      pkg.version = version;
      pkg.pinned = true;
    }
    return [pkg];
  },
};
