/**
 * The search tables, kept inside the RSG's own database file (DESIGN.md, "Search").
 *
 * - `search_docs`  one row per indexed item (`id` = `items.id`): the text that was indexed
 *   (the external content of `search_text`, so it is stored once and serves snippets) and
 *   the per-item filter columns computed from the MIME.
 * - `search_text`  FTS5 over the text columns, tokenizer
 *   `unicode61 remove_diacritics 2 tokenchars '_'` (no stemming), `detail=full`: words with
 *   their positions. `_` joins words as in Xapian (`sally_beck` is one word). Quoted phrases match their
 *   exact words in order; suffix wildcards (`budg*`) expand over real words (as Xapian does).
 * - `search_stems` (stem, term) for every indexed word whose Porter2 stem differs from it
 *   (stem.ts), filled from the index's vocabulary after a build. A free word matches every
 *   indexed word with the same stem (`meeting` → meet OR meeting OR meetings OR meets): the
 *   English word forms notmuch/Xapian match, with Xapian's stemmer. This replaces a second,
 *   stemmed (`porter`) FTS5 table, which would tokenize every message a second time at build:
 *   on the 41k-message Enron sample it costs 1.2 MB where that table costs 24 MB and 3.9 s
 *   of CPU (+13% search data, +24% build CPU; README.md).
 * - `search_addr`  contentless FTS5 over the address headers, tokenizer
 *   `unicode61 remove_diacritics 2 tokenchars '@.-_+'`, so that an address stays one token.
 *   Each address is indexed with its parts: `sally.beck@enron.com`, `sally.beck`,
 *   `@enron.com`, `enron.com` (and every parent domain, `@com` excepted), so that
 *   `from:sally.beck@enron.com`, `from:sally.beck`, `from:@enron.com` and `from:enron.com`
 *   are exact token lookups. Names and the words of addresses are in `search_text`.
 * - `search_items_sent`  an index of `items` on (date_ms, internal_ms), for `sent:` terms.
 * - `search_docs_attachment`  a partial index of the documents with an attachment, for
 *   `hasattachment:` (the documents hold the body text: a scan of them reads the whole index).
 *
 * unicode61 splits on everything that is not a letter, digit, mark or private-use character
 * (as Xapian splits words), folds case and, with `remove_diacritics 2`, folds accents
 * (`café` = `cafe`; Xapian does not fold them).
 */
import type Database from 'better-sqlite3';
import { stmt } from '../store/stmt.js';

export const SEARCH_SCHEMA_VERSION = 1;

/** FTS column names of the text index, in table order (bm25 weights follow it). */
export const TEXT_COLUMNS = [
  'subject',
  'body',
  'attachments',
  'from_text',
  'to_text',
  'cc_text',
  'bcc_text',
] as const;
export type TextColumn = (typeof TEXT_COLUMNS)[number];

/** FTS column names of the address index. */
export const ADDRESS_COLUMNS = ['from_addr', 'to_addr', 'cc_addr', 'bcc_addr'] as const;
export type AddressColumn = (typeof ADDRESS_COLUMNS)[number];

export const TOKENIZE_TEXT = "unicode61 remove_diacritics 2 tokenchars '_'";
export const TOKENIZE_ADDRESS = "unicode61 remove_diacritics 2 tokenchars '@.-_+'";

const textCols = TEXT_COLUMNS.join(', ');

/** The search tables: everything but the index of `items` (a side database has no items). */
export const SEARCH_TABLES_SQL = `
CREATE TABLE IF NOT EXISTS search_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS search_docs (
  id             INTEGER PRIMARY KEY,   -- items.id
  subject        TEXT NOT NULL,
  body           TEXT NOT NULL,         -- body text (HTML converted), at most MAX_BODY_CHARS
  attachments    TEXT NOT NULL,         -- attachment file names, one per line
  from_text      TEXT NOT NULL,         -- 'Name <address>, ...' as parsed
  to_text        TEXT NOT NULL,
  cc_text        TEXT NOT NULL,
  bcc_text       TEXT NOT NULL,
  message_id     TEXT,                  -- Message-ID without angle brackets, as parsed
  has_attachment INTEGER NOT NULL,      -- 1: a part that is an attachment (not an embedded cid image)
  status         TEXT NOT NULL,         -- 'full' | 'limited' (body truncated) | 'headers' (headers only)
  reason         TEXT                   -- why the status is not 'full'
) STRICT;

CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5(
  ${textCols}, content='search_docs', content_rowid='id',
  tokenize="${TOKENIZE_TEXT.replaceAll('"', '""')}"
);

CREATE TABLE IF NOT EXISTS search_stems (
  stem TEXT NOT NULL,
  term TEXT NOT NULL,
  PRIMARY KEY (stem, term)
) STRICT, WITHOUT ROWID;

CREATE VIRTUAL TABLE IF NOT EXISTS search_addr USING fts5(
  ${ADDRESS_COLUMNS.join(', ')}, content='', columnsize=0,
  tokenize="${TOKENIZE_ADDRESS}"
);
`;

export const SEARCH_SCHEMA_SQL = `${SEARCH_TABLES_SQL}
-- hasattachment: the few documents with an attachment, found without reading every document
CREATE INDEX IF NOT EXISTS search_docs_attachment ON search_docs (id) WHERE has_attachment = 1;

-- sent: terms (a range of the Date header): an index, covering the sort key of date order, instead
-- of a scan of every item
CREATE INDEX IF NOT EXISTS search_items_sent ON items (date_ms, internal_ms);
`;

/**
 * Create the search tables in `db` (idempotent). Needs a writable handle: the lead calls it
 * at mount time, before the RSG is sealed read-only.
 */
export function createSearchSchema(db: Database.Database): void {
  db.exec(SEARCH_SCHEMA_SQL);
  db.prepare(`INSERT OR IGNORE INTO search_meta (key, value) VALUES ('schema_version', ?)`).run(
    String(SEARCH_SCHEMA_VERSION),
  );
}

/**
 * True when `db` holds the search tables (a read-only RSG mounted without an index has none),
 * in its own file or in an attached one (a `database` source's search.db).
 */
export function hasSearchSchema(db: Database.Database): boolean {
  if (withSearchSchema.has(db)) {
    return true;
  }
  const row = stmt(
    db,
    `SELECT count(*) AS n FROM pragma_table_list WHERE name IN ('search_docs', 'search_text')`,
  ).get() as {
    n: number;
  };
  if (row.n === 2) {
    withSearchSchema.add(db); // the tables are never dropped: a yes holds for the connection's life
  }
  return row.n === 2;
}

/** Connections known to hold the search tables (asked before every search). */
const withSearchSchema = new WeakSet<Database.Database>();
