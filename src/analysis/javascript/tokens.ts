/**
 * Token-level pass over JavaScript text: a triage regex that says whether a file is worth parsing, a
 * static-require extractor for files that are not parsed, and a bounded fallback scan for files that
 * cannot be parsed (TypeScript, JSX, Flow, syntax errors) or are too large to parse.
 */
import { destinationsIn, isDiscordWebhook, isTelegramBot } from './destinations.js';
import { decodeBase64, isReadable } from './decode.js';
import { LineIndex, type JsEvent, type JsFileFacts } from './facts.js';
import { analyzeShell } from './shell.js';
import { stringSource } from './sources.js';

/**
 * Every rule needs a sink (network, exec, eval, module loading by hidden name), a hook, an obfuscation
 * marker or a notable literal in the file; a file without any of these tokens cannot produce a finding,
 * so it is not parsed. Sources alone (process.env, os.hostname) and decoders alone are not enough.
 * Alternatives are plain literals or bounded classes (no nested quantifiers).
 */
const TRIAGE =
  /child_process|\beval\s*\(|\bFunction\s*\(|\bvm\b|\.request\s*\(|\bhttps?\.get\b|\bfetch\s*\(|axios|['"]got['"]|needle|['"]request['"]|XMLHttpRequest|WebSocket|sendBeacon|['"](?:node:)?(?:net|tls|dns|dgram|http2?|https)['"]|\bfetch\s*=|\bdns\.|webhook|\.npmrc|\.ssh\b|\.aws\b|_0x[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}\\x|unserialize|_compile|module\.constructor|ethereum|Local Storage|Login Data|leveldb|169\.254\.169\.254|WebhookClient|api\.telegram|\.github\/workflows|npm publish/;
const DECODERS = /\batob\b|base64|fromCharCode|['"]hex['"]|\\x[0-9a-fA-F]{2}/;
const DYNAMIC_REQUIRE = /\b(?:require|import)\s*\(\s*[^'"`\s)]/;
const WRITES = /writeFile|appendFile|createWriteStream|rmSync|rmdir|unlink|rimraf/;
const WRITE_CONTEXT = /node_modules\/|timeZone|resolvedOptions|navigator\.language/;

export function needsParse(text: string): boolean {
  return TRIAGE.test(text) || (WRITES.test(text) && WRITE_CONTEXT.test(text)) || (DYNAMIC_REQUIRE.test(text) && DECODERS.test(text));
}

const REQUIRE_RE = /\brequire\s*\(\s*(['"])([^'"\n]{1,200})\1\s*\)|\bfrom\s*(['"])([^'"\n]{1,200})\3|\bimport\s*(['"])([^'"\n]{1,200})\5/g;

/** Static require/import specifiers found by a regex (for files that are not parsed). */
export function scanRequires(text: string): string[] {
  const out: string[] = [];
  REQUIRE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  const limit = Math.min(text.length, 4 * 1024 * 1024);
  const t = text.length > limit ? text.slice(0, limit) : text;
  while ((m = REQUIRE_RE.exec(t)) !== null && out.length < 500) out.push(m[2] ?? m[4] ?? m[6] ?? '');
  return out;
}

interface TokenPattern {
  re: RegExp;
  make: (m: RegExpExecArray) => Partial<JsEvent> & Pick<JsEvent, 'kind' | 'name'>;
}

const PATTERNS: readonly TokenPattern[] = [
  {
    re: /\b(?:eval|Function)\s*\(\s*(?:atob|Buffer\.from|unescape|decodeURIComponent|String\.fromCharCode)\s*\(\s*(['"`])([A-Za-z0-9+/=%\\x]{8,4000})\1?/g,
    make: (m) => {
      const d = decodeBase64(m[2] ?? '', 64 * 1024);
      return { kind: 'sink', sink: 'eval', name: 'eval', decodedDepth: 1, ...(d !== undefined && isReadable(d) ? { decoded: d.slice(0, 300) } : {}) };
    },
  },
  {
    re: /\b(?:eval|Function)\s*\(\s*(?:atob|Buffer\.from|unescape|String\.fromCharCode)\b/g,
    make: () => ({ kind: 'sink', sink: 'eval', name: 'eval', decodedDepth: 1 }),
  },
  {
    re: /\b(?:exec|execSync|spawn|spawnSync)\s*\(\s*(['"`])([^'"`\n]{4,400})\1/g,
    make: (m) => ({ kind: 'sink', sink: 'exec', name: 'child_process.exec', text: m[2] ?? '', shell: analyzeShell(m[2] ?? '') }),
  },
  {
    re: /(['"`])(https?:\/\/[^'"`\s]{4,300})\1/g,
    make: (m) => {
      const url = m[2] ?? '';
      if (isDiscordWebhook(url) || isTelegramBot(url)) return { kind: 'string', name: 'webhook-url', text: url, destinations: destinationsIn(url) };
      const d = destinationsIn(url, 1);
      return d.some((x) => x.cls === 'oob') ? { kind: 'string', name: 'oob-url', text: url, destinations: d } : { kind: 'string', name: '' };
    },
  },
  {
    re: /XMLHttpRequest\.prototype\.(?:open|send)\s*=|window\.fetch\s*=|ethereum\.request\s*=/g,
    make: (m) => ({ kind: 'hook', name: m[0].replace(/\s*=$/, '').replace(/^window\./, '') }),
  },
  {
    re: /\.github\/workflows\/[A-Za-z0-9._-]{1,80}/g,
    make: (m) => ({ kind: 'string', name: 'workflow-path', text: m[0] }),
  },
  {
    re: /\bnpm\s+publish\b/g,
    make: (m) => ({ kind: 'sink', sink: 'exec', name: 'child_process.exec', text: m[0] }),
  },
  {
    re: /0x\[a-fA-F0-9\]\{40\}|\[13\]\[a-km-zA-HJ-NP-Z1-9\]\{25,34\}/g,
    make: (m) => ({ kind: 'string', name: 'wallet-regex', text: m[0] }),
  },
];

/** Bounded fallback: regex-level events for a file that could not be parsed. */
export function tokenFacts(text: string, path: string, parseError: string | undefined): JsFileFacts {
  const lines = new LineIndex(text);
  const facts: JsFileFacts = {
    path,
    mode: 'tokens',
    bytes: text.length,
    events: [],
    requires: scanRequires(text).map((spec) => ({ spec, topLevel: true })),
    obfuscation: { hexIdentifiers: 0, stringArray: false, escapedStrings: 0, strings: 0 },
    decodedCode: [],
    ...(parseError === undefined ? {} : { parseError }),
  };
  const t = text.length > 8 * 1024 * 1024 ? text.slice(0, 8 * 1024 * 1024) : text;
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    let count = 0;
    while ((m = p.re.exec(t)) !== null && count < 50) {
      const made = p.make(m);
      if (made.name === '') continue;
      count++;
      const pos = lines.position(m.index);
      facts.events.push({
        offset: m.index,
        line: pos.line,
        column: pos.column,
        evidence: lines.evidence(m.index),
        topLevel: false,
        taint: made.text === undefined ? 0 : stringSource(made.text),
        decodedDepth: 0,
        destinations: [],
        ...made,
      });
    }
  }
  const hex = t.match(/\b_0x[0-9a-f]{4,6}\b/g);
  facts.obfuscation.hexIdentifiers = hex === null ? 0 : Math.min(hex.length, 100_000);
  return facts;
}
