import { describeError } from '../core/errors.js';
import type { AlertRecord, ResultStore } from '../store/types.js';
import { evidenceUrl } from './format.js';
import type { AlertRaiser, AlertSink } from './types.js';

export interface DispatcherOptions {
  store: ResultStore;
  sinks: readonly AlertSink[];
  /** Base URL of `vigil serve`, used for evidence links. */
  dashboardUrl: string;
  /** Called when a sink fails (the alert stays recorded in the store and on the dashboard). */
  onError?: (sink: string, alert: AlertRecord, message: string) => void;
  /** Called for every new alert after delivery was attempted. */
  onAlert?: (alert: AlertRecord) => void;
}

/**
 * Deduplicates through the store (an alert key is delivered once, ever, even across processes: the
 * insert is the lock) and fans new alerts out to every sink concurrently.
 */
export function createAlertDispatcher(options: DispatcherOptions): AlertRaiser {
  return {
    async raise(alert: AlertRecord): Promise<boolean> {
      const isNew = await options.store.addAlert(alert);
      if (!isNew) return false;
      const url = evidenceUrl(options.dashboardUrl, alert);
      const results = await Promise.allSettled(options.sinks.map((s) => s.send(alert, url)));
      results.forEach((r, i) => {
        if (r.status === 'rejected') options.onError?.(options.sinks[i]?.name ?? '?', alert, describeError(r.reason));
      });
      options.onAlert?.(alert);
      return true;
    },
  };
}
