/**
 * Wires the recovery-group catalogue of a home: where RSGs live, and the search index that a
 * mount builds before sealing. Shared by the service and the CLI.
 */
import { type Config, homePaths } from './config.js';
import type { Clock } from './lib/clock.js';
import { type Indexer, RsgCatalogue } from './rsg/index.js';
import type { MergeDeps, QuerySelector } from './merge/index.js';
import { buildSearchIndex, search } from './search/index.js';
import type { Database } from './store/index.js';

export const searchIndexer: Indexer = async (sql, readMessage, onProgress) => {
  const r = await buildSearchIndex(sql, { readMessage, onProgress: (p) => onProgress(p.done, p.total) });
  return { indexed: r.indexed, failed: r.failed.length };
};

export function openRsgCatalogue(config: Config, clock: Clock): RsgCatalogue {
  return new RsgCatalogue(homePaths(config.home).rsg, {
    clock,
    maxMessageBytes: config.maxMessageBytes,
    indexer: searchIndexer,
  });
}

/** Query selection for merges and jobs: every hit of a search-language query in an RSG. */
export function querySelector(clock: Clock): QuerySelector {
  return (group, query, mailbox) =>
    search(group.sql, query, { mailbox, all: true, now: clock.now() }).hits.map((h) => h.itemId);
}

/** What the merge engine needs from a home. */
export function mergeDeps(live: Database, catalogue: RsgCatalogue, clock: Clock): MergeDeps {
  return { live, group: (id) => catalogue.group(id), selectQuery: querySelector(clock) };
}
