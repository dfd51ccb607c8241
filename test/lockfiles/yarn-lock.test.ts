import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, extractFixture } from './helpers.js';

// Expectations checked by hand against the fixture files (line numbers, pins, dev/direct flags).

test("yarn-classic/yarn.lock (npm/yarn-lock)", () => {
  const { id, packages } = extractFixture("yarn-classic/yarn.lock");
  assert.equal(id, "npm/yarn-lock");
  assert.deepEqual(packages.map(brief), [
    "asynckit|0.4.0||P|L5|?|?|registry",
    "axios|1.3.2||P|L10|?|?|registry",
    "combined-stream|1.0.8||P|L19|?|?|registry",
    "delayed-stream|1.0.0||P|L26|?|?|registry",
    "follow-redirects|1.15.11||P|L31|?|?|registry",
    "form-data|4.0.4||P|L36|?|?|registry",
    "lodash|4.17.20||P|L45|?|?|registry",
    "mime-db|1.52.0||P|L50|?|?|registry",
    "mime-types|2.1.35||P|L55|?|?|registry",
    "on-headers|1.0.2||P|L62|?|?|registry",
    "proxy-from-env|1.1.0||P|L67|?|?|registry",
  ]);
});

test("yarn-berry/minimal/yarn.lock (npm/yarn-lock)", () => {
  const { id, packages } = extractFixture("yarn-berry/minimal/yarn.lock");
  assert.equal(id, "npm/yarn-lock");
  assert.deepEqual(packages.map(brief), [
    "test-yarn-minimal||test-yarn-minimal@workspace:.|u|L8|?|?|workspace",
  ]);
});

test("yarn-berry/phylum/yarn.lock (npm/yarn-lock)", () => {
  const { id, packages } = extractFixture("yarn-berry/phylum/yarn.lock");
  assert.equal(id, "npm/yarn-lock");
  assert.deepEqual(packages.map(brief), [
    "accepts|1.3.8||P|L8|?|?|registry",
    "array-flatten|1.1.1||P|L18|?|?|registry",
    "body-parser|1.19.2||P|L25|?|?|registry",
    "bytes|3.1.2||P|L43|?|?|registry",
    "content-disposition|0.5.4||P|L50|?|?|registry",
    "content-type|1.0.4||P|L59|?|?|registry",
    "cookie-signature|1.0.6||P|L66|?|?|registry",
    "cookie|0.4.2||P|L73|?|?|registry",
    "debug|2.6.9||P|L80|?|?|registry",
    "depd|1.1.2||P|L89|?|?|registry",
    "destroy|1.0.4||P|L96|?|?|registry",
    "ee-first|1.1.1||P|L103|?|?|registry",
    "encodeurl|1.0.2||P|L110|?|?|registry",
    "escape-html|1.0.3||P|L117|?|?|registry",
    "etag|1.8.1||P|L124|?|?|registry",
    "express|4.17.3||P|L131|?|?|registry",
    "finalhandler|1.1.2||P|L169|?|?|registry",
    "forwarded|0.2.0||P|L184|?|?|registry",
    "fresh|0.5.2||P|L191|?|?|registry",
    "http-errors|1.8.1||P|L198|?|?|registry",
    "iconv-lite|0.4.24||P|L211|?|?|registry",
    "inherits|2.0.4||P|L220|?|?|registry",
    "ipaddr.js|1.9.1||P|L227|?|?|registry",
    "media-typer|0.3.0||P|L234|?|?|registry",
    "merge-descriptors|1.0.1||P|L241|?|?|registry",
    "methods|1.1.2||P|L248|?|?|registry",
    "mime-db|1.52.0||P|L255|?|?|registry",
    "mime-types|2.1.35||P|L262|?|?|registry",
    "mime|1.6.0||P|L271|?|?|registry",
    "ms|2.0.0||P|L280|?|?|registry",
    "ms|2.1.3||P|L287|?|?|registry",
    "negotiator|0.6.3||P|L294|?|?|registry",
    "on-finished|2.3.0||P|L301|?|?|registry",
    "parseurl|1.3.3||P|L310|?|?|registry",
    "path-to-regexp|0.1.7||P|L317|?|?|registry",
    "proxy-addr|2.0.7||P|L324|?|?|registry",
    "qs|6.9.7||P|L334|?|?|registry",
    "range-parser|1.2.1||P|L341|?|?|registry",
    "raw-body|2.4.3||P|L348|?|?|registry",
    "safe-buffer|5.2.1||P|L360|?|?|registry",
    "safer-buffer|2.1.2||P|L367|?|?|registry",
    "send|0.17.2||P|L374|?|?|registry",
    "serve-static|1.14.2||P|L395|?|?|registry",
    "setprototypeof|1.2.0||P|L407|?|?|registry",
    "statuses|1.5.0||P|L414|?|?|registry",
    "testing||testing@workspace:.|u|L421|?|?|workspace",
    "toidentifier|1.0.1||P|L429|?|?|registry",
    "type-is|1.6.18||P|L436|?|?|registry",
    "unpipe|1.0.0||P|L446|?|?|registry",
    "utils-merge|1.0.1||P|L453|?|?|registry",
    "vary|1.1.2||P|L460|?|?|registry",
    "ethereumjs-abi||ethereumjs-abi@https://github.com/ethereumjs/ethereumjs-abi.git#commit=ee3994657fa7a427238e6ba92a84d0b529bbcde0|u|L474|?|?|git",
    "xxx||xxx@link:../xxx::locator=xxx%40workspace%3A.|u|L488|?|?|path",
    "ondisk||ondisk@file:/home/user/ondisk#/home/user/ondisk::hash=4cecb0&locator=testing%40workspace%3A.|u|L494|?|?|path",
    "testing||testing@file:../../testing#../../testing::hash=2d4eff&locator=workspace-a%40workspace%3Aworkspace-a|u|L501|?|?|path",
    "@fake/package|1.2.3||P|L467|?|?|registry",
    "@me/remote-patch||@me/remote-patch@patch:@me/remote-patch@ssh%3A//git@github.com%3Aphylum/remote-patch%23commit=d854c43ea177d1faeea56189249fff8c24a764bd#.yarn/patches/@me-remote-patch-0deadbeef0::version=1.2.3&hash=ff00ff&locator=root%40workspace%3A.|u|L481|?|?|git",
  ]);
});

test('yarn.lock with a sibling package.json: direct and dev from the manifest and the lock graph', () => {
  const classic = extractFixture('yarn-classic-manifest/yarn.lock').packages.map(brief);
  assert.deepEqual(classic, [
    'asynckit|0.4.0||P|L5|T|dev|registry',
    'axios|1.3.2||P|L10|D|dev|registry',
    'combined-stream|1.0.8||P|L19|T|dev|registry',
    'delayed-stream|1.0.0||P|L26|T|dev|registry',
    'follow-redirects|1.15.11||P|L31|T|dev|registry',
    'form-data|4.0.4||P|L36|T|dev|registry',
    'lodash|4.17.20||P|L45|D|prod|registry',
    'mime-db|1.52.0||P|L50|T|dev|registry',
    'mime-types|2.1.35||P|L55|T|dev|registry',
    'on-headers|1.0.2||P|L62|D|prod|registry',
    'proxy-from-env|1.1.0||P|L67|T|dev|registry',
  ]);
  const berry = extractFixture('yarn-berry-manifest/yarn.lock').packages;
  const flags = (name: string): string => {
    const p = berry.find((x) => x.name === name);
    return `${String(p?.direct)}/${String(p?.dev)}`;
  };
  assert.equal(flags('express'), 'true/false');
  assert.equal(flags('debug'), 'true/false', 'a dev dependency that express also needs is prod');
  assert.equal(flags('accepts'), 'false/false');
  assert.equal(flags('ethereumjs-abi'), 'false/undefined', 'not reachable from the manifest');
});
