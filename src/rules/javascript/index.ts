/** Registry of npm / JavaScript rules, sorted by id. */
import type { JsRule } from '../../analysis/javascript/context.js';
import { binShadowing } from './bin-shadowing.js';
import { credentialExfiltration } from './credential-exfiltration.js';
import { cryptoClipper } from './crypto-clipper.js';
import { dynamicRequire } from './dynamic-require.js';
import { evalDecoded } from './eval-decoded.js';
import { hostFingerprinting } from './host-fingerprinting.js';
import { installScript } from './install-script.js';
import { installScriptDownload } from './install-script-download.js';
import { installScriptExfiltration } from './install-script-exfiltration.js';
import { installScriptNetwork } from './install-script-network.js';
import { manifestConfusion } from './manifest-confusion.js';
import { nativeBuild } from './native-build.js';
import { nodeModulesTampering } from './node-modules-tampering.js';
import { obfuscatedCode } from './obfuscated-code.js';
import { obfuscatedDestination } from './obfuscated-destination.js';
import { protestware } from './protestware.js';
import { remoteCodeExecution } from './remote-code-execution.js';
import { reverseShell } from './reverse-shell.js';
import { sensitiveFileAccess } from './sensitive-file-access.js';
import { suspiciousDestination } from './suspicious-destination.js';
import { tokenStealer } from './token-stealer.js';
import { wormPropagation } from './worm-propagation.js';

export const javascriptRuleDefinitions: readonly JsRule[] = [
  binShadowing,
  credentialExfiltration,
  cryptoClipper,
  dynamicRequire,
  evalDecoded,
  hostFingerprinting,
  installScript,
  installScriptDownload,
  installScriptExfiltration,
  installScriptNetwork,
  manifestConfusion,
  nativeBuild,
  nodeModulesTampering,
  obfuscatedCode,
  obfuscatedDestination,
  protestware,
  remoteCodeExecution,
  reverseShell,
  sensitiveFileAccess,
  suspiciousDestination,
  tokenStealer,
  wormPropagation,
];
