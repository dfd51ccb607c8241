import type { Ecosystem } from '../core/types.js';

/** A release (or a changed package, when the feed does not say which version) seen in a feed. */
export interface FeedEvent {
  ecosystem: Ecosystem;
  name: string;
  /** Undefined when the feed only names the package (npm `_changes`, PyPI new-project RSS). */
  version?: string;
  /** ISO time, when the feed gives one. */
  time?: string;
}

export interface FeedPoll {
  events: FeedEvent[];
  /** Opaque resume point, stored after the events were queued. */
  checkpoint: string;
  /** True when the feed has more events right now (poll again without waiting). */
  more: boolean;
}

export interface FeedAdapter {
  /** Stable id, also the checkpoint key: `pypi-rss`, `pypi-changelog`, `npm-changes`. */
  readonly id: string;
  readonly ecosystem: Ecosystem;
  poll(checkpoint: string | undefined): Promise<FeedPoll>;
}
