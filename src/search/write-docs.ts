/**
 * Writing documents to the search tables, and the stem table after a build. Used on the
 * writer thread (writer.ts), or on the calling thread when a writer thread cannot be used.
 */
import type Database from 'better-sqlite3';
import type { SearchDocument } from './document.js';
import { ADDRESS_COLUMNS, TEXT_COLUMNS } from './schema.js';
import { stem } from './stem.js';

/**
 * FTS5's in-memory buffer of new index entries (per FTS5 table) in a side database
 * (`sideDocWriter`), against its default of 1 MiB: each time a buffer is written out it makes
 * a new segment, which FTS5 later merges with the others; fewer, larger segments mean less
 * merging. Measured with the Enron sample's 40,960 documents written alone (CPU, medians of 3,
 * loaded machine): 512-document transactions and the default buffer 4.7 s, 4,096-document
 * transactions and a 16 MiB buffer 3.5 s; an indexed mount of the sample (all threads, three
 * runs interleaved with the former code, load 2–3): 14.9 → 14.0 s of CPU, 9.1 → 8.6 s, its peak
 * RSS ~10–20 MiB higher (433 → 444–455 MiB).
 */
export const SIDE_HASH_BYTES = 16 * 1024 * 1024;
/** Documents per transaction in a side database: the buffers are written out at each commit. */
export const SIDE_COMMIT_DOCS = 4096;

/**
 * A function that writes documents in one transaction and returns how many were new. A
 * document already indexed (a batch retried after a timeout) is skipped: one search_docs
 * row, one search_text entry and at most one search_addr entry per item.
 */
export function docWriter(db: Database.Database): (docs: SearchDocument[]) => number {
  return db.transaction(docInserter(db));
}

/**
 * docWriter for a side database (feed.ts), which nobody reads before the build is over: its
 * transactions span several calls — a commit every SIDE_COMMIT_DOCS documents, and one when
 * `commit` is called at the end — and FTS5 buffers SIDE_HASH_BYTES of entries before it writes
 * a segment. (A savepoint per call would not do: FTS5 writes its buffer out at each savepoint.)
 */
export function sideDocWriter(db: Database.Database): {
  write: (docs: SearchDocument[]) => number;
  commit: () => void;
} {
  for (const t of ['search_text', 'search_addr']) {
    // an FTS5 setting is given as a command row; it must be an integer literal (a bound
    // parameter arrives as a float and is refused)
    db.exec(`INSERT INTO ${t} (${t}, rank) VALUES ('hashsize', ${SIDE_HASH_BYTES})`);
  }
  const insert = docInserter(db);
  let sinceCommit = 0;
  const commit = (): void => {
    if (db.inTransaction) {
      db.exec('COMMIT');
    }
    sinceCommit = 0;
  };
  return {
    write: (docs) => {
      if (!db.inTransaction) {
        db.exec('BEGIN');
      }
      const added = insert(docs);
      sinceCommit += docs.length;
      if (sinceCommit >= SIDE_COMMIT_DOCS) {
        commit();
      }
      return added;
    },
    commit,
  };
}

function docInserter(db: Database.Database): (docs: SearchDocument[]) => number {
  const cols = TEXT_COLUMNS.join(', ');
  const marks = TEXT_COLUMNS.map(() => '?').join(', ');
  const insDoc = db.prepare(
    `INSERT OR IGNORE INTO search_docs (id, ${cols}, message_id, has_attachment, status, reason)
     VALUES (?, ${marks}, ?, ?, ?, ?)`,
  );
  const insText = db.prepare(`INSERT INTO search_text (rowid, ${cols}) VALUES (?, ${marks})`);
  const insAddr = db.prepare(
    `INSERT INTO search_addr (rowid, ${ADDRESS_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?)`,
  );
  return (docs: SearchDocument[]): number => {
    let added = 0;
    for (const d of docs) {
      const text = [d.subject, d.body, d.attachments, d.fromText, d.toText, d.ccText, d.bccText];
      if (
        insDoc.run(d.itemId, ...text, d.messageId, d.hasAttachment ? 1 : 0, d.status, d.reason ?? null)
          .changes === 0
      ) {
        continue;
      }
      added++;
      insText.run(d.itemId, ...text);
      if (d.fromAddr || d.toAddr || d.ccAddr || d.bccAddr) {
        insAddr.run(d.itemId, d.fromAddr, d.toAddr, d.ccAddr, d.bccAddr);
      }
    }
    return added;
  };
}

/**
 * Record the Porter2 stem of every indexed word that has one different from itself
 * (search_stems), reading the vocabulary of search_text. Idempotent.
 */
export function updateStems(db: Database.Database): number {
  db.exec(
    `CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_text_vocab USING fts5vocab(main, search_text, row)`,
  );
  const ins = db.prepare('INSERT OR IGNORE INTO search_stems (stem, term) VALUES (?, ?)');
  const terms = db.prepare('SELECT term FROM temp.search_text_vocab').pluck().all() as string[];
  let n = 0;
  db.transaction(() => {
    for (const term of terms) {
      const s = stem(term);
      if (s !== term) {
        n += ins.run(s, term).changes;
      }
    }
  })();
  db.exec('DROP TABLE temp.search_text_vocab');
  return n;
}
