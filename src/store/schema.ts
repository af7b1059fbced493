/**
 * The SQLite schema of a Salvage database (live or RSG: the same native layout).
 * Every row here is written only by `applyOp` (apply.ts), from a txlog entry, so that a
 * replay of the log rebuilds exactly the same state.
 */
import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';

export const SCHEMA_VERSION = 2;

/**
 * The meta rows of a new, empty database (this schema version, an empty log), in the caller's
 * transaction: what Database.create and a bulk load both start from.
 */
export function writeNewDatabaseMeta(
  sql: BetterSqlite3.Database,
  nowMs: number,
  retentionDays: number,
): void {
  const meta: Record<string, string> = {
    db_id: randomUUID(),
    schema_version: String(SCHEMA_VERSION),
    created_ms: String(nowMs),
    applied_lsn: '0',
    log_segment: '1',
    log_offset: '0',
    'setting.retention_days': String(retentionDays),
  };
  const ins = sql.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  for (const [k, v] of Object.entries(meta)) {
    ins.run(k, v);
  }
}

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- next id per table; ids are decided before an operation is logged (deterministic replay)
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  next INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS mailboxes (
  id             INTEGER PRIMARY KEY,
  address        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name           TEXT NOT NULL DEFAULT '',
  retention_days INTEGER,               -- NULL: the database default
  hold           INTEGER NOT NULL DEFAULT 0,
  created_ms     INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS folders (
  id         INTEGER PRIMARY KEY,
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id),
  parent_id  INTEGER REFERENCES folders(id),
  name       TEXT NOT NULL,
  path       TEXT NOT NULL,             -- '/'-separated, e.g. 'Inbox/Projects'
  role       TEXT,                      -- inbox, sent, drafts, deleted, junk, archive, recoverable
  UNIQUE (mailbox_id, path)
) STRICT;

-- message content after the trace prefix, stored once per database (single-instance storage);
-- a row is written once and never updated: what changes per reference lives in blob_refs
CREATE TABLE IF NOT EXISTS blobs (
  hash     TEXT PRIMARY KEY,            -- sha256 hex of the content
  size     INTEGER NOT NULL,
  data     BLOB                         -- inline bytes; NULL when the blob is a file under blobs/
) STRICT;

-- the reference count of each blob (items that point at it), one narrow row per blob: a
-- single-instance hit rewrites a few dozen bytes here, not the page of the inline content
CREATE TABLE IF NOT EXISTS blob_refs (
  hash     TEXT PRIMARY KEY,            -- blobs.hash
  refcount INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS items (
  id              INTEGER PRIMARY KEY,
  mailbox_id      INTEGER NOT NULL REFERENCES mailboxes(id),
  folder_id       INTEGER REFERENCES folders(id),   -- NULL only for a dumpster item whose folder is gone
  folder_path     TEXT NOT NULL,        -- path of the folder (for dumpster items: where it was deleted from)
  blob_hash       TEXT NOT NULL REFERENCES blobs(hash),
  prefix          BLOB NOT NULL,        -- per-delivery trace header fields; prefix + blob = the message
  size            INTEGER NOT NULL,     -- bytes of the whole message
  sha256          TEXT NOT NULL,        -- sha256 of the whole message
  identity        TEXT NOT NULL,        -- normalised Message-ID, or 'sha256:<content hash>'
  message_id      TEXT,                 -- Message-ID as found (without angle brackets), if any
  subject         TEXT NOT NULL DEFAULT '',
  from_addr       TEXT NOT NULL DEFAULT '',
  to_addr         TEXT NOT NULL DEFAULT '',
  cc_addr         TEXT NOT NULL DEFAULT '',
  date_ms         INTEGER,              -- the Date: header (sent)
  internal_ms     INTEGER NOT NULL,     -- when it was received into its mailbox
  flags           TEXT NOT NULL DEFAULT '',  -- space-separated IMAP flags: \\Seen \\Flagged ...
  deleted_ms      INTEGER,              -- set: the item is in the dumpster since then
  created_ms      INTEGER NOT NULL,
  origin          TEXT                  -- provenance (e.g. 'merge:12:4711'), NULL for delivered mail
) STRICT;
CREATE INDEX IF NOT EXISTS items_by_folder ON items (mailbox_id, folder_id, internal_ms);
CREATE INDEX IF NOT EXISTS items_by_mailbox ON items (mailbox_id, deleted_ms, internal_ms);
CREATE INDEX IF NOT EXISTS items_by_identity ON items (mailbox_id, identity);
CREATE INDEX IF NOT EXISTS items_by_blob ON items (blob_hash);

-- left by the purge pass so that a merge does not bring back what policy purged
CREATE TABLE IF NOT EXISTS tombstones (
  id         INTEGER PRIMARY KEY,
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id),
  identity   TEXT NOT NULL,
  message_id TEXT,
  subject    TEXT NOT NULL DEFAULT '',
  purged_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS tombstones_by_identity ON tombstones (mailbox_id, identity);

-- file blobs whose refcount fell to zero while a backup was running: unlinked later
CREATE TABLE IF NOT EXISTS blob_gc (
  hash TEXT PRIMARY KEY
) STRICT;
`;

/**
 * Bring a database of an earlier schema version up to this one, inside the caller's write
 * transaction. Version 1 kept the refcount in the blobs row beside the inline content, so that
 * every reference rewrote the content's page.
 */
export const MIGRATIONS: Readonly<Record<number, string>> = {
  1: `
CREATE TABLE blob_refs (
  hash     TEXT PRIMARY KEY,
  refcount INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO blob_refs (hash, refcount) SELECT hash, refcount FROM blobs;
ALTER TABLE blobs DROP COLUMN refcount;
UPDATE meta SET value = '2' WHERE key = 'schema_version';
`,
};
