/**
 * Writing documents to the search tables, and the stem table after a build. Used on the
 * writer thread (writer.ts), or on the calling thread when a writer thread cannot be used.
 */
import type Database from 'better-sqlite3';
import type { SearchDocument } from './document.js';
import { ADDRESS_COLUMNS, TEXT_COLUMNS } from './schema.js';
import { stem } from './stem.js';

/**
 * A function that writes documents in one transaction and returns how many were new. A
 * document already indexed (a batch retried after a timeout) is skipped: one search_docs
 * row, one search_text entry and at most one search_addr entry per item.
 */
export function docWriter(db: Database.Database): (docs: SearchDocument[]) => number {
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
  return db.transaction((docs: SearchDocument[]): number => {
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
  });
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
