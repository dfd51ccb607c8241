import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, extractFixture } from './helpers.js';

// Expectations checked by hand against the fixture files (line numbers, pins, dev/direct flags).

test("pnpm/v5/pnpm-lock.yaml (npm/pnpm-lock)", () => {
  const { id, packages } = extractFixture("pnpm/v5/pnpm-lock.yaml");
  assert.equal(id, "npm/pnpm-lock");
  assert.deepEqual(packages.map(brief), [
    "lodash|4.17.20||P|L15|D|prod|registry",
    "@babel/core|7.12.3||P|L19|D|dev|registry",
    "supports-color|7.2.0||P|L25|T|dev|registry",
  ]);
});

test("pnpm/v6/pnpm-lock.yaml (npm/pnpm-lock)", () => {
  const { id, packages } = extractFixture("pnpm/v6/pnpm-lock.yaml");
  assert.equal(id, "npm/pnpm-lock");
  assert.deepEqual(packages.map(brief), [
    "accepts|1.3.8||P|L20|T|prod|registry",
    "array-flatten|1.1.1||P|L28|T|prod|registry",
    "body-parser|1.20.1||P|L32|T|prod|registry",
    "bytes|1.2.3-rc4||P|L52|T|prod|registry",
    "call-bind|1.0.2||P|L57|T|prod|registry",
    "content-disposition|0.5.4||P|L64|T|prod|registry",
    "content-type|1.0.5||P|L71|T|prod|registry",
    "cookie-signature|1.0.6||P|L76|T|prod|registry",
    "cookie|0.5.0||P|L80|T|prod|registry",
    "core-js|3.31.0||P|L85|D|prod|registry",
    "debug|2.6.9||P|L90|T|prod|registry",
    "depd|2.0.0||P|L101|T|prod|registry",
    "destroy|1.2.0||P|L106|T|prod|registry",
    "ee-first|1.1.1||P|L111|T|prod|registry",
    "encodeurl|1.0.2||P|L115|T|prod|registry",
    "escape-html|1.0.3||P|L120|T|prod|registry",
    "etag|1.8.1||P|L124|T|prod|registry",
    "express|4.18.2||P|L129|D|prod|registry",
    "finalhandler|1.2.0||P|L168|T|prod|registry",
    "forwarded|0.2.0||P|L183|T|prod|registry",
    "fresh|0.5.2||P|L188|T|prod|registry",
    "function-bind|1.1.1||P|L193|T|prod|registry",
    "get-intrinsic|1.2.1||P|L197|T|prod|registry",
    "has-proto|1.0.1||P|L206|T|prod|registry",
    "has-symbols|1.0.3||P|L211|T|prod|registry",
    "has|1.0.3||P|L216|T|prod|registry",
    "http-errors|2.0.0||P|L223|T|prod|registry",
    "iconv-lite|0.4.24||P|L234|T|prod|registry",
    "inherits|2.0.4||P|L241|T|prod|registry",
    "ipaddr.js|1.9.1||P|L245|T|prod|registry",
    "media-typer|0.3.0||P|L250|T|prod|registry",
    "merge-descriptors|1.0.1||P|L255|T|prod|registry",
    "methods|1.1.2||P|L259|T|prod|registry",
    "mime-db|1.52.0||P|L264|T|prod|registry",
    "mime-types|2.1.35||P|L269|T|prod|registry",
    "mime|1.6.0||P|L276|T|prod|registry",
    "ms|2.0.0||P|L282|T|prod|registry",
    "ms|2.1.3||P|L286|T|prod|registry",
    "negotiator|0.6.3||P|L290|T|prod|registry",
    "object-inspect|1.12.3||P|L295|T|prod|registry",
    "on-finished|2.4.1||P|L299|T|prod|registry",
    "parseurl|1.3.3||P|L306|T|prod|registry",
    "path-to-regexp|0.1.7||P|L311|T|prod|registry",
    "proxy-addr|2.0.7||P|L315|T|prod|registry",
    "qs|6.11.0||P|L323|T|prod|registry",
    "range-parser|1.2.1||P|L330|T|prod|registry",
    "raw-body|2.5.1||P|L335|T|prod|registry",
    "safe-buffer|5.2.1||P|L345|T|prod|registry",
    "safer-buffer|2.1.2||P|L349|T|prod|registry",
    "send|0.18.0||P|L353|T|prod|registry",
    "serve-static|1.15.0||P|L374|T|prod|registry",
    "setprototypeof|1.2.0||P|L386|T|prod|registry",
    "side-channel|1.0.4||P|L390|T|prod|registry",
    "statuses|2.0.1||P|L398|T|prod|registry",
    "toidentifier|1.0.1||P|L403|T|prod|registry",
    "type-is|1.6.18||P|L408|T|prod|registry",
    "unpipe|1.0.0||P|L416|T|prod|registry",
    "utils-merge|1.0.1||P|L421|T|prod|registry",
    "vary|1.1.2||P|L426|T|prod|registry",
    "bootstrap|5.3.0||P|L431|T|prod|registry",
    "@babel/core|7.22.5||P|L439|T|prod|registry",
    "typescript||https://codeload.github.com/Microsoft/TypeScript/tar.gz/a437de66b6d6f36f205eafcd21a732a29f905486|u|L462|T|prod|url",
    "demo||https://gitlab.com/api/v4/projects/Phylum%2demo/repository/archive.tar.gz?ref=ab3010efa019564710a03010abace10afeb0a2fe|u|L470|T|prod|url",
    "testing||ssh://git@git.sr.ht/~undeadleech/pnpm-test|u|L476|T|prod|git",
    "workspace_member||projects/workspace_member|u|L482|T|prod|path",
    "@emotion/use-insertion-effect-with-fallbacks|1.1.0||P|L487|T|prod|registry",
  ]);
});

test("pnpm/v9/pnpm-lock.yaml (npm/pnpm-lock)", () => {
  const { id, packages } = extractFixture("pnpm/v9/pnpm-lock.yaml");
  assert.equal(id, "npm/pnpm-lock");
  assert.deepEqual(packages.map(brief), [
    "asynckit|0.4.0||P|L24|T|dev|registry",
    "axios|1.3.2||P|L27|D|dev|registry",
    "call-bind-apply-helpers|1.0.2||P|L30|T|dev|registry",
    "combined-stream|1.0.8||P|L34|T|dev|registry",
    "delayed-stream|1.0.0||P|L38|T|dev|registry",
    "dunder-proto|1.0.1||P|L42|T|dev|registry",
    "es-define-property|1.0.1||P|L46|T|dev|registry",
    "es-errors|1.3.0||P|L50|T|dev|registry",
    "es-object-atoms|1.1.1||P|L54|T|dev|registry",
    "es-set-tostringtag|2.1.0||P|L58|T|dev|registry",
    "follow-redirects|1.15.11||P|L62|T|dev|registry",
    "form-data|4.0.4||P|L71|T|dev|registry",
    "function-bind|1.1.2||P|L75|T|dev|registry",
    "get-intrinsic|1.3.0||P|L78|T|dev|registry",
    "get-proto|1.0.1||P|L82|T|dev|registry",
    "gopd|1.2.0||P|L86|T|dev|registry",
    "has-symbols|1.1.0||P|L90|T|dev|registry",
    "has-tostringtag|1.0.2||P|L94|T|dev|registry",
    "hasown|2.0.2||P|L98|T|dev|registry",
    "lodash|4.17.20||P|L102|D|prod|registry",
    "math-intrinsics|1.1.0||P|L105|T|dev|registry",
    "mime-db|1.52.0||P|L109|T|dev|registry",
    "mime-types|2.1.35||P|L113|T|dev|registry",
    "on-headers|1.0.2||P|L117|D|prod|registry",
    "proxy-from-env|1.1.0||P|L121|T|dev|registry",
  ]);
});
