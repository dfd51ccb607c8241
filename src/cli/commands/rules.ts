import { allRules } from '../../rules/index.js';
import { VigilError } from '../../core/errors.js';
import { parseCommandArgs, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';

const HELP = `Usage: vigil rules [--format text|json]

Lists the detection rules: id, kind (capability | threat), category, severity and description.
Each rule is documented in docs/rules/<id>.md (generated from the rule metadata).
`;

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'list the detection rules',
  async run(args, io) {
    const { values, help } = parseCommandArgs('rules', args, { format: { type: 'string' } });
    if (help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    const format = stringOption(values, 'format') ?? 'text';
    const rules = allRules();
    if (format === 'json') {
      const doc = rules.map(({ meta }) => ({
        id: meta.id,
        kind: meta.kind,
        category: meta.category,
        severity: meta.severity,
        confidence: meta.confidence,
        ecosystems: meta.ecosystems,
        description: meta.description,
      }));
      io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      return EXIT.OK;
    }
    if (format !== 'text') throw new VigilError('E_USAGE', `--format must be text or json (got '${format}')`);
    const width = Math.max(10, ...rules.map((r) => r.meta.id.length));
    for (const { meta } of rules) {
      io.stdout.write(`${meta.id.padEnd(width)}  ${meta.kind.padEnd(10)}  ${meta.severity.padEnd(8)}  ${meta.description}\n`);
    }
    io.stdout.write(`${rules.length} rules\n`);
    return EXIT.OK;
  },
};
