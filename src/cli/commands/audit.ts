import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultDbPath } from '../../advisories/paths.js';
import { failsThreshold } from '../../audit/audit.js';
import { loadIgnoreFile } from '../../audit/ignore.js';
import { AUDIT_FORMATS, auditRenderers } from '../../audit/report/index.js';
import type { AuditFormat } from '../../audit/report/index.js';
import { runAudit } from '../../audit/run.js';
import type { ScanPackagesFn } from '../../audit/types.js';
import { VigilError, describeError, isVigilError } from '../../core/errors.js';
import type { Severity } from '../../core/types.js';
import { parseCommandArgs, stringOption } from '../args.js';
import type { CliIO, Command } from '../command.js';
import { EXIT } from '../command.js';

const FAIL_ON = ['critical', 'high', 'medium', 'low', 'never'] as const;

export const AUDIT_HELP = `Usage: vigil audit [PATH...] [options]

Finds lockfiles, manifests (and, with --include-installed, installed packages) under each PATH
(default: .) and reports packages with known vulnerabilities or known-malicious releases.

Options:
  --db PATH             advisory database (default: $VIGIL_DATA_DIR/advisories.db,
                        $XDG_DATA_HOME/vigil/advisories.db or ~/.local/share/vigil/advisories.db)
  --online              query the OSV API instead of the local database
  --osv-api URL         OSV API base URL (default https://api.osv.dev or $VIGIL_OSV_API_URL)
  -f, --format FORMAT   text (default), json, sarif, markdown
  -o, --output FILE     write the report to FILE instead of stdout
  --fail-on LEVEL       exit 1 when a finding is at or above LEVEL:
                        critical, high (default), medium, low, never
  --ignore-file FILE    ignore rules (default: .vigilignore.yaml in the current directory)
  --include-installed   also read node_modules and virtualenvs / site-packages
  --deep                also scan every pinned package with Vigil's own analysis
  -h, --help            show this help

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 errors (unreadable
lockfile, missing database, bad options). See docs/AUDIT.md.
`;

export interface AuditCommandDeps {
  /** Deep-scan hook; without it `--deep` is a usage error. */
  scanPackages?: ScanPackagesFn;
  fetchImpl?: typeof fetch;
  now?: () => Date;
}

function isOneOf<T extends string>(list: readonly T[], v: string): v is T {
  return (list as readonly string[]).includes(v);
}

async function runAuditCommand(args: readonly string[], io: CliIO, deps: AuditCommandDeps): Promise<number> {
  const parsed = parseCommandArgs('audit', args, {
    db: { type: 'string' },
    online: { type: 'boolean' },
    'osv-api': { type: 'string' },
    format: { type: 'string', short: 'f' },
    output: { type: 'string', short: 'o' },
    'fail-on': { type: 'string' },
    'ignore-file': { type: 'string' },
    'include-installed': { type: 'boolean' },
    deep: { type: 'boolean' },
  });
  if (parsed.help) {
    io.stdout.write(AUDIT_HELP);
    return EXIT.OK;
  }
  const format = stringOption(parsed.values, 'format') ?? 'text';
  if (!isOneOf<AuditFormat>(AUDIT_FORMATS, format)) throw new VigilError('E_USAGE', `--format must be one of ${AUDIT_FORMATS.join(', ')}`);
  const failOn = stringOption(parsed.values, 'fail-on') ?? 'high';
  if (!isOneOf<Severity | 'never'>(FAIL_ON, failOn)) throw new VigilError('E_USAGE', `--fail-on must be one of ${FAIL_ON.join(', ')}`);
  const deep = parsed.values.deep === true;
  if (deep && deps.scanPackages === undefined) throw new VigilError('E_USAGE', '--deep is not available in this build');
  const ignoreFile = stringOption(parsed.values, 'ignore-file');
  const ignores = loadIgnoreFile(ignoreFile === undefined ? undefined : resolve(io.cwd, ignoreFile), io.cwd);
  const apiUrl = stringOption(parsed.values, 'osv-api') ?? io.env.VIGIL_OSV_API_URL;
  const report = await runAudit({
    paths: parsed.positionals.length > 0 ? parsed.positionals : ['.'],
    cwd: io.cwd,
    dbPath: resolve(io.cwd, stringOption(parsed.values, 'db') ?? defaultDbPath(io.env)),
    online: parsed.values.online === true,
    installed: parsed.values['include-installed'] === true,
    ignores: ignores.rules,
    now: deps.now?.() ?? new Date(),
    ...(apiUrl !== undefined && apiUrl !== '' ? { apiUrl } : {}),
    ...(deps.fetchImpl !== undefined ? { fetchImpl: deps.fetchImpl } : {}),
    ...(deep && deps.scanPackages !== undefined ? { scanPackages: deps.scanPackages } : {}),
  });
  const rendered = auditRenderers[format](report);
  const output = stringOption(parsed.values, 'output');
  if (output !== undefined) writeFileSync(resolve(io.cwd, output), rendered);
  else io.stdout.write(rendered);
  if (format !== 'text' || output !== undefined) {
    for (const r of report.expiredIgnores) io.stderr.write(`vigil audit: warning: ignore rule for ${r.id} (${r.origin}) expired on ${r.expires ?? '?'}\n`);
    for (const e of report.errors) io.stderr.write(`vigil audit: error: ${e}\n`);
  }
  if (report.errors.length > 0) return EXIT.ERROR;
  return failsThreshold(report.findings, failOn) ? EXIT.FINDINGS : EXIT.OK;
}

/** Builds the `audit` command; the lead injects `scanPackages` for `--deep`. */
export function createAuditCommand(deps: AuditCommandDeps = {}): Command {
  return {
    name: 'audit',
    summary: 'audit lockfiles against OSV advisories (vulnerable and malicious packages)',
    async run(args, io) {
      try {
        return await runAuditCommand(args, io, deps);
      } catch (error) {
        io.stderr.write(`vigil audit: ${isVigilError(error) ? error.message : describeError(error)}\n`);
        return EXIT.ERROR;
      }
    },
  };
}

export const auditCommand: Command = createAuditCommand();
