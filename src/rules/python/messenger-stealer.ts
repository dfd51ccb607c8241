import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { isAuto, lineTrigger, textHits, when } from './util.js';

const SESSION_STORE_RE = /\.ROBLOSECURITY\b|discord(?:canary|ptb)?[\\/]{1,2}Local Storage|Local Storage[\\/]{1,2}leveldb|\\{1,2}discord(?:canary|ptb)?\\{1,2}|\/discord(?:canary|ptb)?\//i;
const TOKEN_RE = /\[\\w-\]\{24(?:,26)?\}\\\.\[\\w-\]\{6\}|mfa\\\.\[\\w-\]\{84\}|dQw4w9WgXcQ:|\[\\w-\]\{24\}\\\.|discord(?:app)?\.com\/api\/v\d+\/users\/@me|\bencrypted_key\b/i;
const WEBHOOK_RE = /discord(?:app)?\.com\/api\/webhooks\/\d{5,}|api\.telegram\.org\/bot\d{5,}/i;
const TDATA_RE = /Telegram Desktop[\\/]{1,2}tdata|\btdata[\\/]{1,2}/i;

export const messengerStealer = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/messenger-stealer',
    kind: 'threat',
    category: 'credential-access',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Steals Discord tokens, Telegram sessions or game session cookies, or ships loot to a Discord webhook / Telegram bot.',
    details: 'A webhook that is only present in encoded form (base64, reversed, ...) is critical wherever it is used.',
    examples: {
      positive: [
        {
          files: {
            'pkg/grab.py':
              "import os, re\ndef grab():\n    p = os.getenv('APPDATA') + '\\\\discord\\\\Local Storage\\\\leveldb'\n    for f in os.listdir(p):\n        for t in re.findall(r'[\\w-]{24}\\.[\\w-]{6}\\.[\\w-]{27}', open(p + f, errors='ignore').read()):\n            print(t)\n",
          },
        },
      ],
      negative: [{ files: { 'pkg/bot.py': "import discord\nclient = discord.Client()\n" }, note: 'a Discord bot library user is not a stealer' }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      const store = textHits(file, SESSION_STORE_RE, 1)[0];
      const token = textHits(file, TOKEN_RE, 1)[0];
      const webhook = textHits(file, WEBHOOK_RE, 1)[0];
      const tdata = textHits(file, TDATA_RE, 1)[0];
      const lead = store !== undefined && (token !== undefined || webhook !== undefined) ? store : tdata !== undefined && webhook !== undefined ? tdata : undefined;
      if (lead !== undefined) {
        const trigger = lineTrigger(file, lead.line);
        report({ path: file.path, line: lead.line, col: lead.col, trigger, ...(lead.decoded !== undefined ? { decoded: lead.decoded } : {}), message: `Reads session data (${lead.match.slice(0, 40)}) to steal tokens ${when(trigger)}.` });
        continue;
      }
      if (webhook !== undefined) {
        const trigger = lineTrigger(file, webhook.line);
        // A webhook kept in encoded form is a drop box someone meant to keep out of a reviewer's sight.
        const hidden = webhook.decoded !== undefined;
        const bad = isAuto(trigger) || hidden;
        report({ path: file.path, line: webhook.line, col: webhook.col, trigger, severity: bad ? 'critical' : 'high', confidence: bad ? 'high' : 'medium', ...(hidden ? { decoded: webhook.decoded } : {}), message: `Embeds ${hidden ? 'a hidden' : 'a'} messenger webhook/bot endpoint (${webhook.match.slice(0, 50)}) used to ship data out ${when(trigger)}.` });
      }
    }
  },
});
