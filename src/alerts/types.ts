import type { AlertRecord } from '../store/types.js';

/** Where an alert goes (webhook, e-mail, file). `send` throws on failure. */
export interface AlertSink {
  /** For messages: `webhook:slack`, `smtp:host:25`, `jsonl:/path`. */
  readonly name: string;
  send(alert: AlertRecord, evidenceUrl: string): Promise<void>;
}

/** Records an alert (deduplicated by key) and delivers it when new. */
export interface AlertRaiser {
  /** Returns true when the alert was new and was handed to the sinks. */
  raise(alert: AlertRecord): Promise<boolean>;
}
