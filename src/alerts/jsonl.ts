import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AlertRecord } from '../store/types.js';
import type { AlertSink } from './types.js';

/** Appends one JSON object per line: the alert plus its absolute evidence URL. */
export function jsonlSink(file: string): AlertSink {
  return {
    name: `jsonl:${file}`,
    async send(alert: AlertRecord, evidenceUrl: string): Promise<void> {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${JSON.stringify({ ...alert, evidenceUrl })}\n`, 'utf8');
    },
  };
}
