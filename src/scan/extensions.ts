import { setScanExtensions } from './scan.js';

/** Wires the feature areas' scan hooks (metadata signals, typosquatting). */
export function installDefaultExtensions(): void {
  setScanExtensions({});
}
