/**
 * What a mount needs from the search index (wired by the caller: rsg does not import search):
 * a build over a database (a restored backup), and a feed that indexes a conversion's items
 * as they are stored, beside the conversion.
 */
import type BetterSqlite3 from 'better-sqlite3';

export interface IndexCounts {
  indexed: number;
  failed: number;
}

/** Indexes items as a conversion stores them, into a side file copied in at the end. */
export interface IndexFeed {
  /** A stored item: its id and full bytes (held until handed to a parser: not to be changed). */
  add(itemId: number, bytes: Uint8Array): void;
  /** False while the feed holds as much as it may: wait on `room()` before adding more. */
  readonly hasRoom: boolean;
  room(): Promise<void>;
  /** Every item is added: resolves once all are indexed. */
  end(onProgress: (done: number, total: number) => void): Promise<IndexCounts>;
  /** Copy the index into the loaded database (no transaction open) and remove the side file. */
  copyInto(sql: BetterSqlite3.Database): void;
  /** Stop after a failure. */
  close(): Promise<void>;
}

export interface Indexer {
  /** Build the search index of a database (a restored backup) before it is sealed. */
  build: (
    sql: BetterSqlite3.Database,
    readMessage: (itemId: number) => Buffer,
    onProgress: (done: number, total: number) => void,
  ) => Promise<IndexCounts>;
  /**
   * Start a feed whose side database is `sideFile` (a new file). Without it, a conversion is
   * indexed by `build` once it is stored.
   */
  feed?: (sideFile: string) => IndexFeed;
}
