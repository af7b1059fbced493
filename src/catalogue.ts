/**
 * Wires the recovery-group catalogue of a home: where RSGs live, and the search index that a
 * mount builds before sealing. Shared by the service and the CLI.
 */
import { type Config, homePaths } from './config.js';
import { LIVE_EXTENSIONS } from './extensions.js';
import type { Clock } from './lib/clock.js';
import { type Indexer, type RecoveryGroup, RsgCatalogue } from './rsg/index.js';
import { type LiveStatus, type MergeDeps, type QuerySelector, liveStatuses } from './merge/index.js';
import {
  type Hit,
  type SearchOptions,
  type SearchResult,
  attachmentNamesOf,
  SearchIndexFeed,
  buildSearchIndex,
  search,
  searchIdentified,
} from './search/index.js';
import type { Database } from './store/index.js';

export const searchIndexer: Indexer = {
  build: async (sql, readMessage, onProgress) => {
    const r = await buildSearchIndex(sql, { readMessage, onProgress: (p) => onProgress(p.done, p.total) });
    return { indexed: r.indexed, failed: r.failed.length };
  },
  feed: (sideFile) => {
    const feed = new SearchIndexFeed(sideFile);
    return {
      add: (itemId, bytes) => feed.add(itemId, bytes),
      get hasRoom() {
        return feed.hasRoom;
      },
      room: () => feed.room(),
      end: async (onProgress) => {
        const r = await feed.end(onProgress);
        return { indexed: r.indexed, failed: r.failed.length };
      },
      copyInto: (sql) => feed.copyInto(sql),
      close: () => feed.close(),
    };
  },
};

export function openRsgCatalogue(config: Config, clock: Clock): RsgCatalogue {
  return new RsgCatalogue(homePaths(config.home).rsg, {
    clock,
    maxMessageBytes: config.maxMessageBytes,
    indexer: searchIndexer,
    extensions: LIVE_EXTENSIONS,
  });
}

/** Query selection for merges and jobs: every hit of a search-language query in an RSG. */
export function querySelector(clock: Clock): QuerySelector {
  return (group, query, mailbox) =>
    search(group.sql, query, { mailbox, all: true, now: clock.now() }).hits.map((h) => h.itemId);
}

/** What the merge engine needs from a home. */
export function mergeDeps(live: Database, catalogue: RsgCatalogue, clock: Clock): MergeDeps {
  return {
    live,
    group: (id) => catalogue.group(id),
    selectQuery: querySelector(clock),
    attachmentNames: (group, itemId) => attachmentNamesOf(group.sql, itemId),
  };
}

/** A search of an RSG, each hit with where it stands in the live mailbox of the same address. */
export function searchRsg(
  live: Database,
  group: RecoveryGroup,
  query: string,
  opts: Omit<SearchOptions, 'now'>,
): Omit<SearchResult, 'hits'> & { hits: (Hit & { live: LiveStatus })[] } {
  const { result: r, identities } = searchIdentified(group.sql, query, { ...opts, now: live.clock.now() });
  const statuses = liveStatuses(
    live,
    r.hits.map((h, i) => ({ mailbox: h.mailbox, identity: identities[i]! })),
  );
  return { ...r, hits: r.hits.map((h, i) => ({ ...h, live: statuses[i]! })) };
}
