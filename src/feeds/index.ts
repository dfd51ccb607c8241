export type { FeedAdapter, FeedEvent, FeedPoll } from './types.js';
export { pypiRssFeed, parseRss, parseRssItem } from './pypi-rss.js';
export type { PypiRssOptions } from './pypi-rss.js';
export { pypiChangelogFeed, parseChangelogRows } from './pypi-changelog.js';
export type { PypiChangelogOptions } from './pypi-changelog.js';
export { npmChangesFeed, parseChanges } from './npm-changes.js';
export type { NpmChangesOptions } from './npm-changes.js';
export { pollFeedOnce } from './runner.js';
export type { FeedRunOptions, FeedRunStats } from './runner.js';
export { parseXml, textOf } from './xml.js';
export { decodeResponse, encodeCall } from './xmlrpc.js';

import { VigilError } from '../core/errors.js';
import { npmChangesFeed } from './npm-changes.js';
import { pypiChangelogFeed } from './pypi-changelog.js';
import { pypiRssFeed } from './pypi-rss.js';
import type { FeedAdapter } from './types.js';

export const FEED_NAMES = ['pypi-rss', 'pypi-packages', 'pypi-changelog', 'npm-changes'] as const;
export type FeedName = (typeof FEED_NAMES)[number];

export interface FeedEndpoints {
  /** Base of PyPI (RSS at /rss/…, XML-RPC at /pypi). Default https://pypi.org. */
  pypiUrl: string;
  /** npm replication base. Default https://replicate.npmjs.com/registry. */
  npmReplicateUrl: string;
}

export const DEFAULT_FEED_ENDPOINTS: FeedEndpoints = {
  pypiUrl: 'https://pypi.org',
  npmReplicateUrl: 'https://replicate.npmjs.com/registry',
};

export function createFeed(name: string, endpoints: FeedEndpoints): FeedAdapter {
  const pypi = endpoints.pypiUrl.replace(/\/+$/, '');
  switch (name) {
    case 'pypi-rss':
      return pypiRssFeed({ url: `${pypi}/rss/updates.xml`, kind: 'updates' });
    case 'pypi-packages':
      return pypiRssFeed({ url: `${pypi}/rss/packages.xml`, kind: 'packages' });
    case 'pypi-changelog':
      return pypiChangelogFeed({ url: `${pypi}/pypi` });
    case 'npm-changes':
      return npmChangesFeed({ url: endpoints.npmReplicateUrl });
    default:
      throw new VigilError('E_USAGE', `unknown feed '${name}' (${FEED_NAMES.join(', ')})`);
  }
}
