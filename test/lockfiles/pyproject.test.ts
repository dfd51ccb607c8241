import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, extractFixture } from './helpers.js';

// Expectations checked by hand against the fixture files (line numbers, pins, dev/direct flags).

test("pyproject/poetry-demo/pyproject.toml (pypi/pyproject)", () => {
  const { id, packages } = extractFixture("pyproject/poetry-demo/pyproject.toml");
  assert.equal(id, "pypi/pyproject");
  assert.deepEqual(packages.map(brief), [
    "requests||^2.6|u|L23|D|prod|registry",
    "pytest||^2.7.3|u|L24|D|prod|registry",
    "pytest-cov||*|u|L25|D|prod|registry",
    "sphinx||*|u|L26|D|prod|registry",
  ]);
});

test("pyproject/poetry2/pyproject.toml (pypi/pyproject)", () => {
  const { id, packages } = extractFixture("pyproject/poetry2/pyproject.toml");
  assert.equal(id, "pypi/pyproject");
  assert.deepEqual(packages.map(brief), [
    "google-cloud-ndb||>=2.3|u|L12|D|prod|registry",
    "google-cloud-logging||>=3.10|u|L13|D|prod|registry",
    "google-cloud-pubsub||>=2.31.1|u|L14|D|prod|registry",
    "google-cloud-storage||>=2.17|u|L15|D|prod|registry",
    "semver||>=3.0|u|L16|D|prod|registry",
    "packageurl-python||>=0.17.0|u|L17|D|prod|registry",
    "pyyaml||>=6.0|u|L18|D|prod|registry",
    "pygit2||>=1.14.0|u|L19|D|prod|registry",
    "attrs||>=23.2|u|L20|D|prod|registry",
    "jsonschema||>=4.0|u|L21|D|prod|registry",
    "grpcio||>=1.0|u|L22|D|prod|registry",
    "packaging-legacy||>=23.0.post0|u|L23|D|prod|registry",
    "requests||>=2.33|u|L24|D|prod|registry",
    "yapf||*|u|L29|D|dev|registry",
    "pylint||*|u|L30|D|dev|registry",
    "protobuf||>=6.33.6,<7.0.0|u|L31|D|dev|registry",
    "grpcio-tools||*|u|L32|D|dev|registry",
    "mypy-protobuf||^5.0.0|u|L33|D|dev|registry",
    "vcrpy||*|u|L34|D|dev|registry",
    "hypothesis||*|u|L35|D|dev|registry",
  ]);
});

test("pyproject/uv-groups/pyproject.toml (pypi/pyproject)", () => {
  const { id, packages } = extractFixture("pyproject/uv-groups/pyproject.toml");
  assert.equal(id, "pypi/pyproject");
  assert.deepEqual(packages.map(brief), [
    "httpx||>=0.27.2|u|L9|D|prod|registry",
    "psutil||>=6.1.0|u|L10|D|prod|registry",
    "pyarrow||>=17.0.0|u|L11|D|prod|registry",
    "pydantic-core||>=2.23.4|u|L12|D|prod|registry",
    "pydantic||>=2.9.2|u|L13|D|prod|registry",
    "pygithub||*|u|L14|D|prod|registry",
    "requests||*|u|L15|D|prod|registry",
    "structlog||>=24.4.0|u|L16|D|prod|registry",
    "tenacity||>=9.0.0|u|L17|D|prod|registry",
    "tqdm||*|u|L18|D|prod|registry",
    "typer-slim||>=0.12.5|u|L19|D|prod|registry",
    "ruff||>=0.8.2|u|L31|D|dev|registry",
  ]);
});
