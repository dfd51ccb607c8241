import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, extractFixture } from './helpers.js';

// Expectations checked by hand against the fixture files (line numbers, pins, dev/direct flags).

test("requirements/includes/requirements.txt (pypi/requirements)", () => {
  const { id, packages } = extractFixture("requirements/includes/requirements.txt");
  assert.equal(id, "pypi/requirements");
  assert.deepEqual(packages.map(brief), [
    "requests|2.19.0||P|L2|?|?|registry",
    "Django|3.2.1||P|L4|?|?|registry",
    "project||git+https://github.com/example/project.git@v1.0#egg=project|u|L1|?|?|git",
    ".||.|u|L2|?|?|path",
    "somepkg||https://example.invalid/packages/somepkg-1.0.0-py3-none-any.whl|u|L3|?|?|url",
    "numpy||==1.21.*|u|L4|?|?|registry",
    "flask||>=2.0|u|L6|?|?|registry",
    "urllib3|1.24.1|*|P|L7|?|?|registry",
  ]);
});

test("requirements/locked/requirements.txt (pypi/requirements)", () => {
  const { id, packages } = extractFixture("requirements/locked/requirements.txt");
  assert.equal(id, "pypi/requirements");
  assert.deepEqual(packages.map(brief), [
    "alembic|1.10.3||P|L8|?|?|registry",
    "amqp|5.0.9||P|L10|?|?|registry",
    "attrs|20.2.0||P|L15|?|?|registry",
    "flask|2.2.2||P|L18|?|?|registry",
    "requests|2.28.1||P|L20|?|?|registry",
    "werkzeug|2.9.2||P|L22|?|?|registry",
    "localversion|2.3.4+1.0.99.local||P|L24|?|?|registry",
    "attr||file:///tmp/attr|u|L26|?|?|path",
    "numpy||file:///tmp/testing/numpy-1.23.5-pp38-pypy38_pp73-win_amd64.whl|u|L28|?|?|path",
    "git-for-pip-example||git+https://github.com/matiascodesal/git-for-pip-example.git@v1.0.0|u|L30|?|?|git",
    "tomli||https://files.pythonhosted.org/packages/97/75/10a9ebee3fd790d20926a90a2547f0bf78f371b2f13aa822c759680ca7b9/tomli-2.0.1-py3-none-any.whl|u|L33|?|?|url",
    "phylum||git+ssh://git@github.com/phylum-dev/phylum-ci.git@7d6d859ad368d1ab0a933f24679e3d3c08a40eac#egg=phylum|u|L35|?|?|git",
    "/tmp/editable||/tmp/editable|u|L37|?|?|path",
    "other-registry-a|3.2.1||P|L41|?|?|registry",
    "other-registry|1.2.3||P|L44|?|?|registry",
  ]);
});

test("requirements/unlocked/requirements.txt (pypi/requirements)", () => {
  const { id, packages } = extractFixture("requirements/unlocked/requirements.txt");
  assert.equal(id, "pypi/requirements");
  assert.deepEqual(packages.map(brief), [
    "nose||*|u|L1|?|?|registry",
    "nose-cov||*|u|L2|?|?|registry",
    "beautifulsoup4||*|u|L3|?|?|registry",
    "keyring||>=4.1.1|u|L4|?|?|registry",
    "coverage||!=3.5|u|L5|?|?|registry",
    "Mopidy-Dirble||~=1.1|u|L6|?|?|registry",
    "numpy||./downloads/numpy-1.9.2-cp34-none-win32.whl|u|L8|?|?|path",
    "wxPython_Phoenix||http://wxpython.org/Phoenix/snapshot-builds/wxPython_Phoenix-3.0.3.dev1820+49a8884-cp34-none-win_amd64.whl|u|L9|?|?|url",
    "rejected||*|u|L10|?|?|registry",
    "green||*|u|L11|?|?|registry",
    "SomeProject1||*|u|L12|?|?|registry",
    "SomeProject3||>=1.*,!=2.0|u|L13|?|?|registry",
    "SomeProject4||*|u|L14|?|?|registry",
    "SomeProject5||~=1.4.2|u|L15|?|?|registry",
    "SomeProject7||*|u|L16|?|?|registry",
    "SomeProject8||==1.*|u|L17|?|?|registry",
    "SomeProject10||>=1.2|u|L18|?|?|registry",
    "SomeProject11|1.2||P|L21|?|?|registry",
    "requests||!=2.12.3,>2.12.1|u|L23|?|?|registry",
    "requests||>=2.8.1,!=2.8.2|u|L24|?|?|registry",
    "FooProject1||>1.0|u|L25|?|?|registry",
    "FooProject2||<1.2|u|L26|?|?|registry",
    "FooProject3||<=1.3|u|L27|?|?|registry",
    "FooProject4||>=1.4|u|L28|?|?|registry",
    "FooProject6||!=1.6|u|L29|?|?|registry",
    "FooProject7||~=1.7|u|L30|?|?|registry",
    "FooProject8||>1.8.*|u|L31|?|?|registry",
    "FooProject9||>2.0.*,!=2.1|u|L32|?|?|registry",
    "FooProject10|1.2.3||P|L33|?|?|registry",
    "my-git-package||git+https://github.com/matiascodesal/git-for-pip-example.git@v1.0.0#egg=my-git-package|u|L34|?|?|git",
    "localversion||>=2.3.4+1.0.99.local|u|L35|?|?|registry",
  ]);
});
