import { resolve } from 'node:path';
import { importOsv } from '../../advisories/import.js';
import type { ImportStats } from '../../advisories/import.js';
import { defaultDbPath } from '../../advisories/paths.js';
import { AdvisoryStore } from '../../advisories/store.js';
import { OSV_EXPORT_ECOSYSTEMS, updateDatabase } from '../../advisories/update.js';
import type { OsvExportEcosystem } from '../../advisories/update.js';
import { VigilError, describeError, isVigilError } from '../../core/errors.js';
import { listOption, parseCommandArgs, stringOption } from '../args.js';
import type { CliIO, Command } from '../command.js';
import { EXIT } from '../command.js';

export const DB_HELP = `Usage: vigil db <command> [options]

Manages the offline advisory database (SQLite) used by 'vigil audit'.

Commands:
  import PATH...   import OSV records from folders of JSON files or OSV zip exports (all.zip);
                   adds to the current database unless --replace
  update           download the OSV exports for PyPI and npm and rebuild the database
                   (conditional requests; the old database stays until the new one is complete)
  status           show counts per ecosystem, malicious-package records, last update, source

Options:
  --db PATH            database file (default: $VIGIL_DATA_DIR/advisories.db,
                       $XDG_DATA_HOME/vigil/advisories.db or ~/.local/share/vigil/advisories.db)
  --replace            (import) start from an empty database
  --url URL            (update) export base URL, or a template with {ecosystem}
                       (default https://osv-vulnerabilities.storage.googleapis.com or $VIGIL_OSV_EXPORT_URL)
  --ecosystem NAME     (update) PyPI or npm; repeatable (default both)
  --force              (update) rebuild even when the exports did not change
  --json               (status) machine-readable output
  -h, --help           show this help

Exit codes: 0 success, 2 errors.
`;

function describeImport(stats: ImportStats): string {
  return `${stats.records} records read: ${stats.inserted} added, ${stats.replaced} replaced, ${stats.keptNewer} older copies skipped, ${stats.withdrawn} withdrawn skipped, ${stats.noPackages} without PyPI/npm packages, ${stats.invalid} invalid (${(stats.durationMs / 1000).toFixed(1)} s)`;
}

function progress(io: CliIO): ((ecosystem: string, received: number, total: number | undefined) => void) | undefined {
  if (io.stderr.isTTY !== true) return undefined;
  let last = 0;
  return (ecosystem, received, total) => {
    const now = Date.now();
    if (now - last < 100 && received !== total) return;
    last = now;
    const mib = (n: number): string => (n / 1048576).toFixed(1);
    const pct = total !== undefined && total > 0 ? ` ${Math.floor((received / total) * 100)}%` : '';
    io.stderr.write(`\r  ${ecosystem}: ${mib(received)}${total !== undefined ? `/${mib(total)}` : ''} MiB${pct}   `);
  };
}

async function runDb(args: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('db', args, {
    db: { type: 'string' },
    replace: { type: 'boolean' },
    url: { type: 'string' },
    ecosystem: { type: 'string', multiple: true },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const [sub, ...rest] = parsed.positionals;
  if (parsed.help || sub === undefined) {
    io.stdout.write(DB_HELP);
    return parsed.help ? EXIT.OK : EXIT.ERROR;
  }
  const dbPath = resolve(io.cwd, stringOption(parsed.values, 'db') ?? defaultDbPath(io.env));
  if (sub === 'import') {
    if (rest.length === 0) throw new VigilError('E_USAGE', "'vigil db import' needs at least one PATH");
    const stats = importOsv(
      dbPath,
      rest.map((p) => resolve(io.cwd, p)),
      { replace: parsed.values.replace === true },
    );
    io.stdout.write(`imported into ${dbPath}: ${describeImport(stats)}\n`);
    for (const p of stats.problems.slice(0, 5)) io.stderr.write(`vigil db: skipped ${p}\n`);
    return EXIT.OK;
  }
  if (sub === 'update') {
    const ecosystems = listOption(parsed.values, 'ecosystem');
    for (const e of ecosystems) {
      if (!(OSV_EXPORT_ECOSYSTEMS as readonly string[]).includes(e)) throw new VigilError('E_USAGE', `--ecosystem must be one of ${OSV_EXPORT_ECOSYSTEMS.join(', ')}`);
    }
    const url = stringOption(parsed.values, 'url') ?? io.env.VIGIL_OSV_EXPORT_URL;
    const onProgress = progress(io);
    const result = await updateDatabase({
      dbPath,
      ...(url !== undefined && url !== '' ? { baseUrl: url } : {}),
      ...(ecosystems.length > 0 ? { ecosystems: ecosystems as OsvExportEcosystem[] } : {}),
      ...(onProgress !== undefined ? { onProgress } : {}),
      force: parsed.values.force === true,
    });
    if (onProgress !== undefined) io.stderr.write('\n');
    for (const e of result.ecosystems) io.stdout.write(`${e.ecosystem}: ${e.status} (${(e.bytes / 1048576).toFixed(1)} MiB) from ${e.url}\n`);
    io.stdout.write(result.rebuilt && result.stats !== undefined ? `rebuilt ${dbPath}: ${describeImport(result.stats)}\n` : `${dbPath} is up to date\n`);
    return EXIT.OK;
  }
  if (sub === 'status') {
    const store = AdvisoryStore.openReadOnly(dbPath);
    try {
      const s = store.status();
      if (parsed.values.json === true) io.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      else {
        io.stdout.write(`database:    ${s.path}\n`);
        io.stdout.write(`advisories:  ${s.advisories} (${s.malicious} malicious-package records)\n`);
        for (const [eco, c] of Object.entries(s.perEcosystem)) io.stdout.write(`  ${eco.padEnd(5)} ${c.advisories} advisories (${c.malicious} malicious) for ${c.packages} packages\n`);
        io.stdout.write(`withdrawn:   ${s.withdrawnSkipped} skipped\n`);
        io.stdout.write(`last update: ${s.lastUpdate ?? 'unknown'}\n`);
        io.stdout.write(`source:      ${s.source ?? 'unknown'}\n`);
      }
    } finally {
      store.close();
    }
    return EXIT.OK;
  }
  throw new VigilError('E_USAGE', `unknown db command '${sub}' (see 'vigil db --help')`);
}

export const dbCommand: Command = {
  name: 'db',
  summary: 'manage the offline OSV advisory database (import, update, status)',
  async run(args, io) {
    try {
      return await runDb(args, io);
    } catch (error) {
      io.stderr.write(`vigil db: ${isVigilError(error) ? error.message : describeError(error)}\n`);
      return EXIT.ERROR;
    }
  },
};
