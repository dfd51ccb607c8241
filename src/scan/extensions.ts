import { metadataFindings } from '../metadata/index.js';
import { typosquatFindings } from '../typosquat/index.js';
import { setScanExtensions } from './scan.js';

/** Wires the feature areas' scan hooks: registry metadata signals and look-alike names. */
export function installDefaultExtensions(): void {
  setScanExtensions({
    releaseFindings: (release, options) => metadataFindings(release, options.minAgeHours !== undefined ? { minAgeHours: options.minAgeHours } : {}),
    nameFindings: (ecosystem, name) => typosquatFindings(ecosystem, name),
  });
}
