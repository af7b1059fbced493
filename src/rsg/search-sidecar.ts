/**
 * The search index of a `database` source, which is opened read-only in place and so cannot
 * hold its own index: the index lives in `<home>/rsg/<id>/search.db` (SEARCH_FILE) and is
 * attached, read-only, to the RSG's read-only connection, where the search tables resolve by
 * their unqualified names beside the source's `items`.
 *
 * Building it: the sidecar is the main database of a writable connection; the indexer reads
 * the few `items` columns it needs from a TEMP copy (temp is searched before main, and goes
 * with the connection), filled from a read-only connection to the source, and each message's
 * bytes through that connection. The source's files are only ever read (a read-only open of a
 * WAL database neither checkpoints nor removes its WAL).
 *
 * The index is of the source as it was when mounted: a source that is changed afterwards (it
 * should not be: it is a restored database) has its new items unsearchable and its removed
 * items dropped from results.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Database, readItemBytes } from '../store/index.js';
import type { Indexer } from './indexer.js';

export const SEARCH_FILE = 'search.db';

/** The `items` columns the search schema and the indexer read (an index on sent dates included). */
const ITEM_COLUMNS = [
  'id',
  'subject',
  'from_addr',
  'to_addr',
  'cc_addr',
  'message_id',
  'date_ms',
  'internal_ms',
];

/** Build `<rsgDir>/search.db` for the database in `dbDir`, left in rollback-journal mode so it opens read-only. */
export async function buildSearchSidecar(
  rsgDir: string,
  dbDir: string,
  indexer: Indexer,
  onProgress: (done: number, total: number) => void,
): Promise<{ indexed: number; failed: number }> {
  const file = path.join(rsgDir, SEARCH_FILE);
  fs.rmSync(file, { force: true }); // a mount run again after a crash starts over
  const source = Database.open(dbDir, { readOnly: true });
  const side = new BetterSqlite3(file);
  try {
    side.pragma('journal_mode = DELETE');
    const cols = ITEM_COLUMNS.join(', ');
    side.exec(`CREATE TEMP TABLE items (id INTEGER PRIMARY KEY, ${ITEM_COLUMNS.slice(1).join(', ')})`);
    const insert = side.prepare(
      `INSERT INTO temp.items (${cols}) VALUES (${ITEM_COLUMNS.map(() => '?').join(', ')})`,
    );
    side.transaction(() => {
      for (const row of source.sql.prepare(`SELECT ${cols} FROM items`).raw().iterate()) {
        insert.run(row);
      }
    })();
    const r = await indexer.build(side, (itemId) => readItemBytes(source, itemId), onProgress);
    side.exec('DROP TABLE temp.items');
    return r;
  } finally {
    side.close();
    source.close();
  }
}

/** Attach `<rsgDir>/search.db`, when there is one, to a read-only connection (read-only too). */
export function attachSearchSidecar(sql: BetterSqlite3.Database, rsgDir: string): void {
  const file = path.join(rsgDir, SEARCH_FILE);
  if (fs.existsSync(file)) {
    sql.prepare('ATTACH DATABASE ? AS search').run(file);
  }
}
