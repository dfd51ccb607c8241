import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { VigilError } from '../../core/errors.js';
import type { ScanResult, Verdict } from '../../core/types.js';
import { vigilVersion } from '../../core/version.js';
import { defaultCacheDir, defaultRegistryOptions } from '../../ecosystems/index.js';
import { renderJson } from '../../report/json.js';
import { renderSarif } from '../../report/sarif.js';
import { renderText } from '../../report/text.js';
import { allRules } from '../../rules/index.js';
import { defaultJobs, scanAll } from '../../scan/pool.js';
import type { ScanOptions } from '../../scan/scan.js';
import { defaultScanOptions } from '../../scan/scan.js';
import { installDefaultExtensions } from '../../scan/extensions.js';
import { applyAllowlist, dependencyConfusionFindings, loadConfig } from '../../config/index.js';
import type { VigilConfig } from '../../config/index.js';
import { scoreFindings } from '../../scoring/score.js';
import { intOption, listOption, parseCommandArgs, stringOption } from '../args.js';
import type { CliIO, Command } from '../command.js';
import { EXIT } from '../command.js';
import { Progress } from '../progress.js';

const HELP = `Usage: vigil scan [options] TARGET...

Vet packages without installing or running them. Prints a verdict (malicious | suspicious | clean)
with the evidence behind it.

Targets:
  pypi:NAME[==VERSION]          latest non-yanked release, or an exact version
  npm:NAME[@VERSION|@RANGE]     also npm:@scope/name@1.2.3; dist-tags work (npm:pkg@next)
  pkg:pypi/NAME@VERSION         purls (pkg:npm/%40scope/name@1.0.0)
  ./file                        sdist (.tar.gz/.tar.bz2/.zip), wheel, npm .tgz, or a loose file
                                (recognised by content, not by extension)
  ./directory                   an unpacked package or a source tree

Options:
  --from FILE             read more targets from FILE, one per line (# comments allowed)
  --format FORMAT         text (default), json, sarif
  --output FILE           write the report to FILE instead of standard output
  --fail-on LEVEL         malicious (default), suspicious, never
  --jobs N                targets scanned in parallel on worker threads (default: cores)
  --index-url URL         PEP 503/691 simple index (default: PyPI, or $PIP_INDEX_URL)
  --json-api-url URL      PyPI JSON API base for metadata (default: PyPI's, when the index is PyPI)
  --registry URL          npm registry (default: registry.npmjs.org, or $npm_config_registry)
  --pre                   allow pre-releases when no version is given
  --max-artifacts N       distinct files scanned per PyPI release (default 8)
  --no-metadata           skip registry metadata and name (typosquatting) signals
  --no-diff               do not compare a registry release with the previous one
  --min-age HOURS         report releases younger than this (policy; also in the config file)
  --internal NAME         an internal package name or prefix (acme-*, @acme/*): a public package of
                          that name is reported as dependency confusion (repeatable; also in config)
  --config FILE           read this configuration file instead of vigil.config.json / pyproject.toml
  --no-cache              do not read or write the download and result caches
  --cache-dir DIR         cache directory (default: $VIGIL_CACHE_DIR or ~/.cache/vigil)
  --timeout SECONDS       network timeout per request (default 30)
  --task-timeout SECONDS  give up on one target after this long (default 120)
  -h, --help              show this help

Exit codes: 0 nothing at or above --fail-on; 1 at least one target at or above it;
            2 usage error, or a target could not be scanned (integrity failure, not found, ...).
`;

const FAIL_LEVELS = ['malicious', 'suspicious', 'never'] as const;
type FailOn = (typeof FAIL_LEVELS)[number];

function reaches(verdict: Verdict, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  if (failOn === 'suspicious') return verdict !== 'clean';
  return verdict === 'malicious';
}


async function readTargetsFile(path: string, cwd: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new VigilError('E_USAGE', `cannot read --from file '${path}': ${error instanceof Error ? error.message : String(error)}`);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export function exitCodeFor(results: readonly ScanResult[], failOn: FailOn): number {
  if (results.some((r) => r.errors.length > 0 && r.artifacts.length === 0)) return EXIT.ERROR;
  if (results.some((r) => r.errors.some((e) => e.code === 'E_INTEGRITY'))) return EXIT.ERROR;
  return results.some((r) => reaches(r.verdict, failOn)) ? EXIT.FINDINGS : EXIT.OK;
}

/**
 * The user's policy, applied after scanning: allowlisted findings are removed (and listed with their
 * reason), internal names found on a public registry are dependency confusion, and the verdict is
 * recomputed from what remains.
 */
export function applyPolicy(result: ScanResult, config: VigilConfig, internalFromFlags: readonly string[]): ScanResult {
  if (result.ecosystem === 'unknown' || (result.errors.length > 0 && result.artifacts.length === 0)) return result;
  const extra: ScanResult['findings'] = [];
  const internal = [...config.internal[result.ecosystem], ...internalFromFlags];
  const fromRegistry = /^(pypi|npm|pkg):/i.test(result.target);
  if (internal.length > 0 && fromRegistry) extra.push(...dependencyConfusionFindings(result.ecosystem, result.name, internal, true));
  if (config.allow.length === 0 && extra.length === 0) return result;
  const { findings, suppressions } = applyAllowlist([...result.findings, ...extra], config, {
    ecosystem: result.ecosystem,
    name: result.name,
    version: result.version,
    sha256: result.artifacts.map((a) => a.sha256),
  });
  const score = scoreFindings(findings);
  return {
    ...result,
    findings,
    verdict: score.verdict,
    score: score.score,
    reason: score.reason,
    ...(suppressions.length > 0
      ? { suppressed: suppressions.map((s) => ({ ruleId: s.finding.ruleId, path: s.finding.location.path, reason: s.reason, source: s.source })) }
      : {}),
  };
}

export const scanCommand: Command = {
  name: 'scan',
  summary: 'vet packages (registry names, purls, artifacts, folders) before installing them',
  async run(args, io: CliIO) {
    const { values, positionals, help } = parseCommandArgs('scan', args, {
      from: { type: 'string', multiple: true },
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'fail-on': { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      'index-url': { type: 'string' },
      'json-api-url': { type: 'string' },
      registry: { type: 'string' },
      pre: { type: 'boolean' },
      'max-artifacts': { type: 'string' },
      'no-metadata': { type: 'boolean' },
      'no-diff': { type: 'boolean' },
      'min-age': { type: 'string' },
      internal: { type: 'string', multiple: true },
      config: { type: 'string' },
      'no-cache': { type: 'boolean' },
      'cache-dir': { type: 'string' },
      timeout: { type: 'string' },
      'task-timeout': { type: 'string' },
    });
    if (help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    const format = stringOption(values, 'format') ?? 'text';
    if (!['text', 'json', 'sarif'].includes(format)) throw new VigilError('E_USAGE', `--format must be text, json or sarif (got '${format}')`);
    const configFile = stringOption(values, 'config');
    const config = await loadConfig(io.cwd, { env: io.env, ...(configFile !== undefined ? { file: configFile } : {}) });
    const failOnRaw = stringOption(values, 'fail-on') ?? config.failOn ?? 'malicious';
    if (!(FAIL_LEVELS as readonly string[]).includes(failOnRaw)) {
      throw new VigilError('E_USAGE', `--fail-on must be malicious, suspicious or never (got '${failOnRaw}')`);
    }
    const failOn = failOnRaw as FailOn;
    const targets = [...positionals];
    for (const file of listOption(values, 'from')) targets.push(...(await readTargetsFile(file, io.cwd)));
    if (targets.length === 0) throw new VigilError('E_USAGE', "no targets given (see 'vigil scan --help')");

    const registry = defaultRegistryOptions(io.env);
    const indexUrl = stringOption(values, 'index-url');
    if (indexUrl !== undefined) {
      registry.pypiIndexUrl = indexUrl;
      delete registry.pypiJsonApiUrl;
    }
    const jsonApi = stringOption(values, 'json-api-url');
    if (jsonApi !== undefined) registry.pypiJsonApiUrl = jsonApi;
    const npmRegistry = stringOption(values, 'registry');
    if (npmRegistry !== undefined) registry.npmRegistryUrl = npmRegistry;
    if (values.pre === true) registry.includePrereleases = true;
    registry.maxArtifacts = intOption(values, 'max-artifacts', registry.maxArtifacts, 1);
    registry.timeoutMs = intOption(values, 'timeout', Math.round(registry.timeoutMs / 1000), 1) * 1000;
    const cacheDir = stringOption(values, 'cache-dir') ?? defaultCacheDir(io.env);
    const noCache = values['no-cache'] === true;
    if (noCache) delete registry.cacheDir;
    else registry.cacheDir = cacheDir;

    const minAge = stringOption(values, 'min-age') !== undefined ? intOption(values, 'min-age', 0, 0) : config.minAgeHours;
    const options: ScanOptions = {
      ...defaultScanOptions(registry, io.cwd),
      metadata: values['no-metadata'] !== true,
      compareWithPrevious: values['no-diff'] !== true,
      ...(minAge !== undefined ? { minAgeHours: minAge } : {}),
      ...(noCache ? {} : { resultCacheDir: cacheDir }),
    };
    installDefaultExtensions();
    const progress = new Progress(io.stderr, targets.length > 1);
    const raw = await scanAll(targets, options, {
      jobs: intOption(values, 'jobs', defaultJobs(), 1),
      taskTimeoutMs: intOption(values, 'task-timeout', 120, 1) * 1000,
      onResult: (r, done, total) => progress.update(done, total, r.target),
    });
    progress.done();
    const results = raw.map((r) => applyPolicy(r, config, listOption(values, 'internal')));

    const color = format === 'text' && stringOption(values, 'output') === undefined && io.stdout.isTTY === true && (io.env.NO_COLOR ?? '') === '';
    const report =
      format === 'json'
        ? renderJson(results, { version: vigilVersion() })
        : format === 'sarif'
          ? renderSarif(results, allRules().map((r) => r.meta), { version: vigilVersion() })
          : renderText(results, { color });
    const output = stringOption(values, 'output');
    if (output !== undefined) await writeFile(resolve(io.cwd, output), report);
    else io.stdout.write(report);
    for (const r of results) {
      for (const e of r.errors) {
        if (r.artifacts.length === 0 || e.code === 'E_INTEGRITY') io.stderr.write(`vigil: ${r.target}: ${e.message}\n`);
      }
    }
    return exitCodeFor(results, failOn);
  },
};
