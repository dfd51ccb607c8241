/** Decision events of the guard, written as JSON lines. */
import type { Ecosystem, Verdict } from '../core/types.js';

export interface DecisionEvent {
  time: string;
  ecosystem: Ecosystem;
  package: string;
  version?: string;
  file?: string;
  sha256?: string;
  /** allow: served; block: refused; hide: versions removed from a listing; error: nothing could be served. */
  action: 'allow' | 'block' | 'hide' | 'error';
  reason: string;
  verdict?: Verdict;
  score?: number;
  /** The scan decision came from the cache. */
  cached?: boolean;
  /** Versions removed from a listing (action `hide`). */
  versions?: string[];
  /** Time spent in the proxy for this request, ms. */
  ms?: number;
  /** Of which waiting for the upstream download, ms (0 when another request's download was shared). */
  upstreamMs?: number;
}

export type DecisionSink = (event: DecisionEvent) => void;

/** A sink that writes one JSON object per line. */
export function jsonLineSink(stream: NodeJS.WritableStream): DecisionSink {
  return (event) => {
    stream.write(`${JSON.stringify(event)}\n`);
  };
}

/** A sink that forwards to several sinks. */
export function fanOut(...sinks: (DecisionSink | undefined)[]): DecisionSink {
  const live = sinks.filter((s): s is DecisionSink => s !== undefined);
  return (event) => {
    for (const s of live) s(event);
  };
}
