export type { Extractor, ExtractContext, LockedPackage, PackageSource } from './types.js';
export { extractors, installedExtractors, findExtractor, extractorById } from './registry.js';
export { discoverLockfiles, extractFile, extractAll } from './discover.js';
export type { DiscoverOptions, DiscoveredFile, ExtractOutcome } from './discover.js';
