/** Registry of Python rules, sorted by id. */
import type { PyRule } from '../../analysis/python/model.js';
import { browserCredentialTheft } from './browser-credential-theft.js';
import { credentialExfiltration } from './credential-exfiltration.js';
import { downloadExecute } from './download-execute.js';
import { entryPointShadowing } from './entry-point-shadowing.js';
import { execCode } from './exec-code.js';
import { execDecodedPayload } from './exec-decoded-payload.js';
import { extensionSideload } from './extension-sideload.js';
import { exfilServiceContact } from './exfil-service-contact.js';
import { hiddenCode } from './hidden-code.js';
import { hiddenCommand } from './hidden-command.js';
import { hiddenProcess } from './hidden-process.js';
import { hostDataExfiltration } from './host-data-exfiltration.js';
import { installBeacon } from './install-beacon.js';
import { installBinaryExec } from './install-binary-exec.js';
import { installCommand } from './install-command.js';
import { installHook } from './install-hook.js';
import { installNetwork } from './install-network.js';
import { messengerStealer } from './messenger-stealer.js';
import { miner } from './miner.js';
import { obfuscatedDestination } from './obfuscated-destination.js';
import { packer } from './packer.js';
import { parseError } from './parse-error.js';
import { persistence } from './persistence.js';
import { reverseShell } from './reverse-shell.js';
import { spyware } from './spyware.js';
import { urlDependency } from './url-dependency.js';
import { wiper } from './wiper.js';

export const pythonRuleSet: readonly PyRule[] = [
  browserCredentialTheft,
  credentialExfiltration,
  downloadExecute,
  entryPointShadowing,
  execCode,
  execDecodedPayload,
  extensionSideload,
  exfilServiceContact,
  hiddenCode,
  hiddenCommand,
  hiddenProcess,
  hostDataExfiltration,
  installBeacon,
  installBinaryExec,
  installCommand,
  installHook,
  installNetwork,
  messengerStealer,
  miner,
  obfuscatedDestination,
  packer,
  parseError,
  persistence,
  reverseShell,
  spyware,
  urlDependency,
  wiper,
].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
