/**
 * A small, bounded shell-command reader for npm lifecycle scripts. It does not implement POSIX sh; it
 * splits a script into simple commands (on `;`, `&&`, `||`, `|`, newlines), keeps quoted words together,
 * records pipes and command substitutions, and says what each command does.
 */
import { destinationsIn, type Destination } from './destinations.js';

export interface ShellCommand {
  /** The command text as written (trimmed, bounded). */
  text: string;
  /** Program name without directory (after env assignments and wrappers). */
  program: string;
  args: string[];
  /** The program this command's output is piped into, when any. */
  pipedInto?: string;
  /** Contents of `$(…)` and backquote substitutions in the command. */
  substitutions: string[];
}

export type ShellBehaviour =
  | 'download-exec' // curl … | sh, wget -O- | bash, iwr | iex
  | 'encoded-exec' // base64 -d | sh, powershell -enc
  | 'host-exfil' // host info / environment sent over the network (incl. DNS)
  | 'network' // a network tool talking to a destination
  | 'node-inline' // node -e CODE
  | 'node-file' // node FILE
  | 'shell-file' // sh FILE
  | 'miner' // cryptocurrency miner command lines
  | 'native-build' // node-gyp, cmake-js, prebuild-install, node-gyp-build
  | 'benign-tool' // husky, patch-package, opencollective, echo, tsc, npm run …
  | 'other';

export interface ShellFact {
  behaviour: ShellBehaviour;
  command: ShellCommand;
  /** node FILE / sh FILE target; node -e code. */
  target?: string;
  destinations: Destination[];
  /** Found inside a `$(…)` or backquote substitution of another command. */
  nested?: boolean;
}

const MAX_SCRIPT = 16_384;
const MAX_COMMANDS = 64;

const NETWORK_TOOLS = new Set(['curl', 'wget', 'nc', 'ncat', 'netcat', 'nslookup', 'dig', 'host', 'ping', 'ftp', 'tftp', 'scp', 'ssh', 'telnet', 'socat']);
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish', 'python', 'python3', 'perl', 'ruby', 'node', 'php']);
const WRAPPERS = new Set(['sudo', 'env', 'exec', 'nohup', 'cross-env', 'npx', 'time', 'command', 'nice']);
const NATIVE = new Set(['node-gyp', 'node-gyp-build', 'prebuild-install', 'cmake-js', 'node-pre-gyp', 'prebuild', 'napi', 'node-gyp-build-optional-packages', 'neon', 'electron-rebuild']);
const BENIGN = new Set([
  'echo', 'true', 'exit', 'husky', 'patch-package', 'opencollective', 'opencollective-postinstall', 'tsc', 'npm', 'yarn',
  'pnpm', 'lerna', 'rimraf', 'mkdir', 'cp', 'mv', 'rm', 'shx', 'printf', 'test', 'is-ci', 'pinst', 'ngcc', 'prisma',
  'node-pre-gyp-github', 'simple-git-hooks', 'lefthook', 'git', 'chmod', 'cd', 'exit', 'babel', 'tsup', 'rollup', 'webpack',
  'esbuild', 'electron-builder', 'install-app-deps', 'ts-node', 'link-parent-bin', 'touch', ':', '[',
]);
/** What a substitution or argument reads from the host that has no business leaving it at install time. */
const HOST_INFO = /\b(?:hostname|whoami|uname|id|pwd|env|printenv|ifconfig|ip\s+a|cat\s+\/etc\/passwd)\b|\$(?:HOME|USER|HOSTNAME|PWD|NPM_TOKEN|GITHUB_TOKEN|\{?npm_config)|\/etc\/passwd|\.npmrc|\.ssh\//i;

/** Splits a script into simple commands, tracking quotes, pipes and substitutions. */
export function splitShell(script: string): ShellCommand[] {
  const src = script.length > MAX_SCRIPT ? script.slice(0, MAX_SCRIPT) : script;
  const commands: ShellCommand[] = [];
  const raw: { words: string[]; text: string; pipe: boolean; subs: string[] }[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let start = 0;
  let subs: string[] = [];
  const flushWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const flushCommand = (end: number, pipe: boolean): void => {
    flushWord();
    if (words.length > 0) raw.push({ words, text: src.slice(start, end).trim(), pipe, subs });
    words = [];
    subs = [];
  };
  let i = 0;
  while (i < src.length && raw.length < MAX_COMMANDS) {
    const c = src[i] ?? '';
    if (c === "'" ) {
      const j = src.indexOf("'", i + 1);
      const end = j < 0 ? src.length : j;
      word += src.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') j++;
        j++;
      }
      const inner = src.slice(i + 1, Math.min(j, src.length));
      collectSubs(inner, subs);
      word += inner.replace(/\\(["\\$`])/g, '$1');
      inWord = true;
      i = j + 1;
      continue;
    }
    if (c === '\\' && i + 1 < src.length) {
      word += src[i + 1] ?? '';
      inWord = true;
      i += 2;
      continue;
    }
    if (c === '`') {
      const j = src.indexOf('`', i + 1);
      const end = j < 0 ? src.length : j;
      subs.push(src.slice(i + 1, end));
      word += src.slice(i, end + 1);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === '$' && src[i + 1] === '(') {
      let depth = 0;
      let j = i + 1;
      for (; j < src.length; j++) {
        if (src[j] === '(') depth++;
        else if (src[j] === ')') {
          depth--;
          if (depth === 0) break;
        }
      }
      subs.push(src.slice(i + 2, j));
      word += src.slice(i, j + 1);
      inWord = true;
      i = j + 1;
      continue;
    }
    if (c === ';' || c === '\n' || c === '&' || c === '|') {
      const two = src.slice(i, i + 2);
      const pipe = c === '|' && two !== '||';
      flushCommand(i, pipe);
      i += two === '&&' || two === '||' ? 2 : 1;
      start = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      flushWord();
      i++;
      continue;
    }
    if (c === '>' || c === '<') {
      flushWord();
      // redirections: keep the operator as its own word so `-O- > x` stays visible
      words.push(c);
      i++;
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  flushCommand(src.length, false);
  for (let k = 0; k < raw.length; k++) {
    const r = raw[k];
    if (r === undefined) continue;
    let w = r.words;
    while (w.length > 0 && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0] ?? '') || WRAPPERS.has(baseName(w[0] ?? '')))) {
      const first = baseName(w[0] ?? '');
      w = w.slice(1);
      // `npx --yes tool` / `env -i tool`: drop the wrapper's flags too
      if (WRAPPERS.has(first)) while (w.length > 0 && (w[0] ?? '').startsWith('-')) w = w.slice(1);
    }
    const program = baseName(w[0] ?? '');
    const next = raw[k + 1];
    const cmd: ShellCommand = { text: r.text.slice(0, 300), program, args: w.slice(1), substitutions: r.subs };
    if (r.pipe && next !== undefined) cmd.pipedInto = pipeTarget(next.words);
    commands.push(cmd);
  }
  return commands;
}

function pipeTarget(words: readonly string[]): string {
  let w = [...words];
  while (w.length > 0 && WRAPPERS.has(baseName(w[0] ?? ''))) w = w.slice(1);
  return baseName(w[0] ?? '');
}

function collectSubs(text: string, subs: string[]): void {
  const re = /\$\(([^()]{0,400})\)|`([^`]{0,400})`/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) subs.push(m[1] ?? m[2] ?? '');
}

function baseName(word: string): string {
  const cleaned = word.replace(/^["']|["']$/g, '');
  const slash = Math.max(cleaned.lastIndexOf('/'), cleaned.lastIndexOf('\\'));
  return (slash >= 0 ? cleaned.slice(slash + 1) : cleaned).toLowerCase().replace(/\.exe$/, '');
}

const NODE_FLAGS_WITH_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--max-old-space-size', '--title']);

const MINER = /stratum\+(?:tcp|ssl)|\bxmrig\b|minexmr|nanopool|nicehash|--donate-level|\bcryptonight\b|--rig-id|moneroocean|supportxmr/i;

/** Says what every command of a lifecycle script does. */
export function analyzeShell(script: string, depth = 0): ShellFact[] {
  const facts: ShellFact[] = [];
  const downloaded = new Set<string>();
  for (const command of splitShell(script)) {
    const { program, args } = command;
    const text = command.text;
    const destinations = destinationsIn(text);
    const subsText = command.substitutions.join(' ');
    if (depth < 2) for (const sub of command.substitutions) for (const f of analyzeShell(sub, depth + 1)) facts.push({ ...f, nested: true });
    if (MINER.test(text)) {
      facts.push({ behaviour: 'miner', command, destinations });
      continue;
    }
    if (program === 'curl' || program === 'wget') {
      for (let k = 0; k < args.length; k++) if (/^(?:-o|-O|--output|--output-document)$/.test(args[k] ?? '') && args[k + 1] !== undefined) downloaded.add(baseName(args[k + 1] ?? ''));
    }
    if (downloaded.size > 0 && (downloaded.has(program) || (program === 'chmod' && args.some((a) => downloaded.has(baseName(a)))) || (program === 'start' && args.some((a) => downloaded.has(baseName(a)))))) {
      facts.push({ behaviour: 'download-exec', command, destinations });
      continue;
    }
    if (program === 'powershell' || program === 'pwsh') {
      const lower = args.join(' ').toLowerCase();
      if (/-e(?:nc(?:odedcommand)?)?\b/.test(lower) && /[A-Za-z0-9+/]{40,}/.test(args.join(' '))) {
        facts.push({ behaviour: 'encoded-exec', command, destinations });
      } else if (/\b(?:iex|invoke-expression)\b|downloadstring|downloadfile|invoke-webrequest|\biwr\b|start-process/.test(lower)) {
        facts.push({ behaviour: 'download-exec', command, destinations });
      } else {
        facts.push({ behaviour: 'other', command, destinations });
      }
      continue;
    }
    if (NETWORK_TOOLS.has(program)) {
      const pipedInto = command.pipedInto ?? '';
      if (SHELLS.has(pipedInto) || pipedInto === 'iex') {
        facts.push({ behaviour: 'download-exec', command, destinations });
      } else if (HOST_INFO.test(subsText) || (program !== 'curl' && program !== 'wget' && HOST_INFO.test(text)) || /(?:-d|--data(?:-binary|-raw)?|--post-data|-F)\b[^|]{0,200}\$/.test(text)) {
        facts.push({ behaviour: 'host-exfil', command, destinations });
      } else {
        facts.push({ behaviour: 'network', command, destinations });
      }
      continue;
    }
    if (program === 'base64' && args.some((a) => a === '-d' || a === '--decode' || a === '-D') && SHELLS.has(command.pipedInto ?? '')) {
      facts.push({ behaviour: 'encoded-exec', command, destinations });
      continue;
    }
    if (program === 'eval' && command.substitutions.some((s) => /\b(?:curl|wget|base64)\b/.test(s))) {
      facts.push({ behaviour: 'download-exec', command, destinations });
      continue;
    }
    if (program === 'node' || program === 'nodejs' || program === 'bun' || program === 'tsx' || program === 'ts-node') {
      let k = 0;
      let handled = false;
      while (k < args.length) {
        const a = args[k] ?? '';
        if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') {
          facts.push({ behaviour: 'node-inline', command, target: args[k + 1] ?? '', destinations });
          handled = true;
          break;
        }
        if (NODE_FLAGS_WITH_VALUE.has(a)) {
          k += 2;
          continue;
        }
        if (a.startsWith('-')) {
          k++;
          continue;
        }
        facts.push({ behaviour: 'node-file', command, target: a, destinations });
        handled = true;
        break;
      }
      if (!handled) facts.push({ behaviour: 'other', command, destinations });
      continue;
    }
    if (SHELLS.has(program) && args.length > 0) {
      const a0 = args[0] ?? '';
      if (a0 === '-c' && args[1] !== undefined) {
        for (const inner of analyzeShell(args[1], depth + 1)) facts.push(inner);
        continue;
      }
      if (!a0.startsWith('-')) {
        facts.push({ behaviour: 'shell-file', command, target: a0, destinations });
        continue;
      }
    }
    if (NATIVE.has(program)) {
      facts.push({ behaviour: 'native-build', command, destinations });
      continue;
    }
    if (BENIGN.has(program) || program === '') {
      facts.push({ behaviour: 'benign-tool', command, destinations });
      continue;
    }
    facts.push({ behaviour: 'other', command, destinations });
  }
  return facts;
}
