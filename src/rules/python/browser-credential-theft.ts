import { defineRule } from '../types.js';
import type { PyPackage, PyReport } from '../../analysis/python/model.js';
import { lineTrigger, textHits, when } from './util.js';

const STORE_RE = /Login Data|logins\.json|key[34]\.db|\bCookies\b['"\\/]|cookies\.sqlite|Web Data|Local State/;
const DECRYPT_RE = /CryptUnprotectData|encrypted_key|os_crypt|password_value|encrypted_value|decrypt_password|AESGCM|AES\.MODE_GCM/;
const WALLET_RE = /nkbihfbeogaeaoehlefnkodbefgpgknn|Exodus[\\/]{1,2}exodus\.wallet|Electrum[\\/]{1,2}wallets|atomic[\\/]{1,2}Local Storage|Ethereum[\\/]{1,2}keystore|wallet\.dat\b|com\.liberty\.jaxx|Coinomi[\\/]{1,2}wallets|Armory[\\/]|Guarda[\\/]{1,2}Local Storage/i;

export const browserCredentialTheft = defineRule<PyPackage, PyReport>({
  meta: {
    id: 'py/browser-credential-theft',
    kind: 'threat',
    category: 'credential-access',
    severity: 'critical',
    confidence: 'high',
    ecosystems: ['pypi'],
    description: 'Decrypts browser password/cookie stores or collects crypto-wallet files.',
    examples: {
      positive: [
        {
          files: {
            'pkg/b.py': "import os, sqlite3, win32crypt\ndef dump():\n    db = os.path.join(os.getenv('LOCALAPPDATA'), 'Google', 'Chrome', 'User Data', 'Default', 'Login Data')\n    for row in sqlite3.connect(db).execute('select password_value from logins'):\n        win32crypt.CryptUnprotectData(row[0])\n",
          },
        },
      ],
      negative: [{ files: { 'pkg/c.py': "import http.cookiejar\njar = http.cookiejar.CookieJar()\n" } }],
    },
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      const store = textHits(file, STORE_RE, 1)[0];
      const decrypt = store !== undefined ? textHits(file, DECRYPT_RE, 1)[0] : undefined;
      if (store !== undefined && decrypt !== undefined) {
        const trigger = lineTrigger(file, store.line);
        report({ path: file.path, line: store.line, col: store.col, trigger, ...(store.decoded !== undefined ? { decoded: store.decoded } : {}), message: `Reads and decrypts browser credential stores (${store.match.replace(/['"\\/]$/, '')} + ${decrypt.match}) ${when(trigger)}.` });
        continue;
      }
      const wallet = textHits(file, WALLET_RE, 1)[0];
      if (wallet !== undefined) {
        const trigger = lineTrigger(file, wallet.line);
        report({ path: file.path, line: wallet.line, col: wallet.col, trigger, ...(wallet.decoded !== undefined ? { decoded: wallet.decoded } : {}), message: `Collects crypto-wallet data (${wallet.match}) ${when(trigger)}.` });
      }
    }
  },
});
