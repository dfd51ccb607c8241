import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { VigilError } from '../../core/errors.js';
import type { Ecosystem } from '../../core/types.js';
import { clearTopListCache, dataDirectory, parseTopList, topListFile } from '../../typosquat/lists.js';
import { clearTyposquatIndexes } from '../../typosquat/index.js';
import { DEFAULT_NPM_DOWNLOADS_API, DEFAULT_PYPI_TOP_URL, fetchPypiTop, refreshNpmList, writeTopList } from '../../typosquat/update.js';
import { intOption, parseCommandArgs, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';

const HELP = `Usage: vigil data <update|info> [options]

Manages the lists of most-used packages that typosquatting and star-jacking checks compare against.

  vigil data info      where the lists are, how many names, how old
  vigil data update    refresh the lists from public sources (needs network)

Options for update:
  --only ECOSYSTEM     npm or pypi (default both)
  --out DIR            write DIR/npm-top.tsv, DIR/pypi-top.tsv (default: the bundled data folder);
                       point VIGIL_DATA_DIR at DIR to use lists written elsewhere
  --npm-api URL        npm download-count API (default ${DEFAULT_NPM_DOWNLOADS_API})
  --pypi-url URL       JSON list { rows: [{ project, download_count }] } (default ${DEFAULT_PYPI_TOP_URL})
  --pypi-limit N       keep this many PyPI names (default 15000)
  --timeout MS         per-request timeout (default 30000)
  --concurrency N      parallel npm requests (default 4)
  -h, --help           show this help

npm counts are refreshed for the names already on the list (the registry has no "top" query), then
re-ranked. Names whose count cannot be fetched keep their previous count.
`;

async function countLines(path: string, ecosystem: Ecosystem): Promise<number | undefined> {
  try {
    return parseTopList(ecosystem, await readFile(path, 'utf8')).length;
  } catch {
    return undefined;
  }
}

export const dataCommand: Command = {
  name: 'data',
  summary: 'Show or refresh the bundled lists of most-used packages',
  async run(args, io) {
    const parsed = parseCommandArgs('data', args, {
      only: { type: 'string' },
      out: { type: 'string' },
      'npm-api': { type: 'string' },
      'pypi-url': { type: 'string' },
      'pypi-limit': { type: 'string' },
      timeout: { type: 'string' },
      concurrency: { type: 'string' },
    });
    const [sub, ...rest] = parsed.positionals;
    if (parsed.help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    if (sub === undefined) {
      io.stderr.write(`vigil data: missing sub-command (update or info)\n\n${HELP}`);
      return EXIT.ERROR;
    }
    if (rest.length > 0) throw new VigilError('E_USAGE', `unexpected argument '${rest[0] ?? ''}' (see 'vigil data --help')`);
    const only = stringOption(parsed.values, 'only');
    if (only !== undefined && only !== 'npm' && only !== 'pypi') throw new VigilError('E_USAGE', `--only must be npm or pypi, not '${only}'`);
    const ecosystems: Ecosystem[] = only === undefined ? ['npm', 'pypi'] : [only];

    if (sub === 'info') {
      for (const eco of ecosystems) {
        const path = topListFile(eco, io.env);
        const n = await countLines(path, eco);
        let when = 'missing';
        try {
          when = statSync(path).mtime.toISOString().slice(0, 10);
        } catch {
          // reported as missing
        }
        io.stdout.write(`${eco}: ${n ?? 0} names, ${path} (${when})\n`);
      }
      return EXIT.OK;
    }
    if (sub !== 'update') throw new VigilError('E_USAGE', `unknown sub-command '${sub}' (expected update or info; see 'vigil data --help')`);

    const envDir = io.env.VIGIL_DATA_DIR;
    const outDir = stringOption(parsed.values, 'out') ?? (envDir !== undefined && envDir !== '' ? envDir : dataDirectory());
    try {
      if (!statSync(outDir).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new VigilError('E_USAGE', `--out ${outDir}: not an existing directory`);
    }
    const options = {
      timeoutMs: intOption(parsed.values, 'timeout', 30_000, 1),
      retries: 2,
      concurrency: intOption(parsed.values, 'concurrency', 4, 1),
      log: (line: string) => {
        if (io.stderr.isTTY === true) io.stderr.write(`\r${line}   `);
      },
    };
    for (const eco of ecosystems) {
      if (eco === 'npm') {
        const currentPath = topListFile('npm', io.env);
        let current;
        try {
          current = parseTopList('npm', await readFile(currentPath, 'utf8'));
        } catch {
          throw new VigilError('E_USAGE', `cannot read the current npm list ${currentPath}`);
        }
        const { list, updated, stale } = await refreshNpmList(current, stringOption(parsed.values, 'npm-api') ?? DEFAULT_NPM_DOWNLOADS_API, options);
        const path = await writeTopList(outDir, 'npm', list);
        io.stdout.write(`npm: ${updated} download counts refreshed, ${stale.length} kept from the previous list; wrote ${list.length} names to ${path}\n`);
      } else {
        const url = stringOption(parsed.values, 'pypi-url') ?? DEFAULT_PYPI_TOP_URL;
        const list = await fetchPypiTop(url, intOption(parsed.values, 'pypi-limit', 15_000, 1), options);
        const path = await writeTopList(outDir, 'pypi', list);
        io.stdout.write(`pypi: wrote ${list.length} names to ${path}\n`);
      }
    }
    clearTopListCache();
    clearTyposquatIndexes();
    return EXIT.OK;
  },
};
