/**
 * Bulk load: fill a brand-new database directory outside the write path, for a database that
 * nobody reads or writes until the loader is finished — a foreign source converted into an
 * RSG. Rows are the ones the write path would produce for the same calls (`createMailboxTx`
 * without default folders, `ensureFolder`, `addItemTx`), ids in the same order; only the way
 * there differs:
 *
 * - no transaction log: a sealed RSG drops its log anyway, and a load that fails or is
 *   interrupted is thrown away whole (the caller removes the directory), so nothing written
 *   here is ever acknowledged before `finish`;
 * - SQLite without a rollback journal on disk (journal in memory), synchronous OFF, exclusive
 *   lock, one transaction per `commit()`, 16 KiB pages;
 * - two statements per item (the item row; its content's row, kept when it is stored already),
 *   mailboxes and folders looked up in memory; the reference counts are counted in one pass at
 *   the end;
 * - secondary indexes dropped while loading and created once at the end (one sort instead of
 *   a random B-tree insert per item and index);
 * - `finish` makes everything durable once: large blob files, their directories, the
 *   database file (fsync) — before the caller seals or acknowledges anything; the database
 *   file is flushed in the background after each batch, so that little is left by then.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { fsyncDir } from '../lib/fs.js';
import { DB_FILE, DEFAULT_INLINE_MAX_BYTES, blobFilePath } from './database.js';
import { type FolderRole, normaliseFolderPath } from './folders.js';
import type { ParsedMessage } from './message.js';
import { SCHEMA_SQL, writeNewDatabaseMeta } from './schema.js';

export interface BulkLoadOptions {
  clock?: Clock;
  retentionDays?: number;
  inlineMaxBytes?: number;
}

/** One message to store: what `addItemTx` takes, with the message already parsed. */
export interface BulkItemInput {
  mailboxId: number;
  /** Folder path; created if missing. Empty: the mailbox's inbox (created if missing). */
  folderPath: string;
  bytes: Buffer;
  parsed: ParsedMessage;
  flags: readonly string[];
  internalMs: number;
  /** Straight into the dumpster, deleted at this time: no folder is created for it. */
  deletedMs: number | null;
  origin: string | null;
}

/** Page size of a bulk-loaded database file (SQLite's default: 4 KiB). */
export const BULK_PAGE_SIZE = 16384;

const INSERT_ITEM = `INSERT INTO items (id, mailbox_id, folder_id, folder_path, blob_hash, prefix, size, sha256,
    identity, message_id, subject, from_addr, to_addr, cc_addr, date_ms, internal_ms, flags, deleted_ms, created_ms, origin)
  VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`;
/** A content's row, unless it is stored already (then nothing changes). */
const INSERT_BLOB = 'INSERT INTO blobs (hash, size, data) VALUES (?,?,?) ON CONFLICT(hash) DO NOTHING';
/** Every content's reference count, once the items are in (and items_by_blob sorts them). */
const COUNT_REFS = `INSERT INTO blob_refs (hash, refcount)
  SELECT blob_hash, count(*) FROM items GROUP BY blob_hash ORDER BY blob_hash`;

/** A database directory being filled by bulk load. Not a `Database`: it has no write path. */
export class BulkLoader {
  private readonly sql: BetterSqlite3.Database;
  private readonly clock: Clock;
  private readonly inlineMax: number;
  private readonly deferredIndexes: string[];
  private readonly insertItem: BetterSqlite3.Statement;
  private readonly insertBlob: BetterSqlite3.Statement;
  private readonly insertFolder: BetterSqlite3.Statement;
  private readonly insertMailbox: BetterSqlite3.Statement;
  /** Folded address → mailbox id; and each address as given → id. */
  private readonly mailboxes = new Map<string, number>();
  private readonly mailboxIds = new Map<string, number>();
  /** Folder paths as given → normalised (a source gives each folder's path over and over). */
  private readonly normalised = new Map<string, string>();
  /** `${mailboxId}\0${path}` → folder id. */
  private readonly folders = new Map<string, number>();
  /** The first folder created with role 'inbox', per mailbox (what `findFolderByRole` finds). */
  private readonly inboxes = new Map<number, { id: number; path: string }>();
  private readonly next = { mailboxes: 1, folders: 1, items: 1 };
  private now: number;
  private closed = false;
  /** The background flush of the database file started by `commit`, while it runs. */
  private flushing: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    opts: BulkLoadOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.inlineMax = opts.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES;
    fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'blobs'), { recursive: true });
    this.sql = new BetterSqlite3(path.join(dir, DB_FILE));
    try {
      // set before the first table: the file's page size for good. A converted database is
      // written once and then read: most inline contents (a few KiB) fit a 16 KiB page whole
      // instead of spilling into overflow pages, and a batch commits in a quarter of the writes
      this.sql.pragma(`page_size = ${BULK_PAGE_SIZE}`);
      this.sql.pragma('journal_mode = MEMORY');
      this.sql.pragma('synchronous = OFF');
      this.sql.pragma('locking_mode = EXCLUSIVE');
      this.sql.pragma('temp_store = MEMORY');
      this.sql.pragma('cache_size = -32768');
      this.sql.exec(SCHEMA_SQL);
      // secondary indexes (not the automatic ones of UNIQUE / PRIMARY KEY): created in finish()
      const indexes = this.sql
        .prepare(
          "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY rowid",
        )
        .all() as { name: string; sql: string }[];
      for (const ix of indexes) {
        this.sql.exec(`DROP INDEX "${ix.name}"`);
      }
      this.deferredIndexes = indexes.map((ix) => ix.sql);
      this.now = this.clock.now();
      writeNewDatabaseMeta(this.sql, this.now, opts.retentionDays ?? 14);
      this.insertItem = this.sql.prepare(INSERT_ITEM);
      this.insertBlob = this.sql.prepare(INSERT_BLOB);
      this.insertFolder = this.sql.prepare(
        'INSERT INTO folders (id, mailbox_id, parent_id, name, path, role) VALUES (?,?,?,?,?,?)',
      );
      this.insertMailbox = this.sql.prepare(
        'INSERT INTO mailboxes (id, address, name, retention_days, hold, created_ms) VALUES (?,?,?,?,?,?)',
      );
      this.sql.exec('BEGIN');
    } catch (err) {
      this.sql.close();
      throw err;
    }
  }

  /**
   * Start filling a new database directory. On any failure the caller removes `dir`.
   * @throws DATABASE_EXISTS
   */
  static create(dir: string, opts: BulkLoadOptions = {}): BulkLoader {
    if (fs.existsSync(path.join(dir, DB_FILE))) {
      throw new AppError('DATABASE_EXISTS', `A Salvage database already exists in ${dir}`, { dir });
    }
    return new BulkLoader(dir, opts);
  }

  /** The mailbox `address`, created (without default folders) when it is new. */
  mailbox(address: string): number {
    const known = this.mailboxIds.get(address);
    if (known !== undefined) {
      return known;
    }
    // addresses are unique COLLATE NOCASE, which folds ASCII letters only
    const key = address.replace(/[A-Z]+/g, (c) => c.toLowerCase());
    let id = this.mailboxes.get(key);
    if (id === undefined) {
      id = this.next.mailboxes++;
      this.insertMailbox.run(id, address, '', null, 0, this.now);
      this.mailboxes.set(key, id);
    }
    this.mailboxIds.set(address, id);
    return id;
  }

  /**
   * The folder at `folderPath`, created with its missing ancestors, as `ensureFolder` does: a
   * role only applies to a new top-level folder.
   * @throws VALIDATION_FAILED for a path that is empty once normalised
   */
  folder(mailboxId: number, folderPath: string, role: FolderRole | null = null): number {
    const norm = normaliseFolderPath(folderPath);
    if (norm === '') {
      throw new AppError('VALIDATION_FAILED', 'A folder path must not be empty');
    }
    const known = this.folders.get(`${mailboxId}\0${norm}`);
    if (known !== undefined) {
      return known;
    }
    const segs = norm.split('/');
    let parent: number | null = null;
    for (let i = 1; i <= segs.length; i++) {
      const p = segs.slice(0, i).join('/');
      const key = `${mailboxId}\0${p}`;
      let id = this.folders.get(key);
      if (id === undefined) {
        id = this.next.folders++;
        const r = i === segs.length && segs.length === 1 ? role : null;
        this.insertFolder.run(id, mailboxId, parent, segs[i - 1]!, p, r);
        this.folders.set(key, id);
        if (r === 'inbox' && !this.inboxes.has(mailboxId)) {
          this.inboxes.set(mailboxId, { id, path: p });
        }
      }
      parent = id;
    }
    return parent!;
  }

  /** Store one message: its row, its content once (inline, or a file when large). Returns its id. */
  addItem(input: BulkItemInput): number {
    let folderPath = this.normalised.get(input.folderPath);
    if (folderPath === undefined) {
      folderPath = normaliseFolderPath(input.folderPath);
      this.normalised.set(input.folderPath, folderPath);
    }
    let folderId: number | null;
    if (input.deletedMs !== null && folderPath !== '') {
      folderId = this.folders.get(`${input.mailboxId}\0${folderPath}`) ?? null;
    } else if (folderPath === '') {
      const inbox = this.inboxes.get(input.mailboxId);
      folderId = inbox?.id ?? this.folder(input.mailboxId, 'Inbox', 'inbox');
      folderPath = inbox?.path ?? 'Inbox';
    } else {
      folderId = this.folder(input.mailboxId, folderPath);
    }
    const p = input.parsed;
    const content = input.bytes.subarray(p.prefixLength);
    const large = content.length > this.inlineMax;
    if (this.insertBlob.run(p.contentHash, content.length, large ? null : content).changes === 1 && large) {
      // a content first seen now: stored once, its row never touched again
      this.writeBlobFile(p.contentHash, content);
    }
    const id = this.next.items++;
    this.insertItem.run(
      id,
      input.mailboxId,
      folderId,
      folderPath,
      p.contentHash,
      input.bytes.subarray(0, p.prefixLength),
      input.bytes.length,
      p.sha256,
      p.identity,
      p.messageId,
      p.subject,
      p.from,
      p.to,
      p.cc,
      p.dateMs,
      input.internalMs,
      input.flags.join(' '),
      input.deletedMs,
      this.now,
      input.origin,
    );
    return id;
  }

  /**
   * End the current batch (its rows reach the OS) and start the next one. The database file is
   * then flushed to disk in the background (one flush at a time, on the thread pool), so that
   * the flush in `finish` has little left to write.
   */
  commit(): void {
    this.sql.exec('COMMIT');
    this.now = this.clock.now();
    this.sql.exec('BEGIN');
    if (this.flushing === undefined) {
      this.flushing = fsyncFile(path.join(this.dir, DB_FILE)).then(
        () => (this.flushing = undefined),
        // only an early start: the flush in `finish` reports a failing disk; after a failed
        // conversion the directory may already be gone
        () => (this.flushing = undefined),
      );
    }
  }

  /**
   * Run `fn` on the connection with no transaction open (between two batches): to attach and
   * copy in tables built beside the load (a mount's search index). What it writes is made
   * durable by `finish`, as the rest.
   */
  betweenBatches(fn: (sql: BetterSqlite3.Database) => void): void {
    this.sql.exec('COMMIT');
    try {
      fn(this.sql);
    } finally {
      this.sql.exec('BEGIN');
    }
  }

  /**
   * Create the secondary indexes and the id counters, then make the directory durable (blob
   * files, directories, the database file: fsync) and close. The database then opens as any
   * other.
   */
  async finish(): Promise<void> {
    this.sql.exec('COMMIT');
    this.sql.exec('BEGIN');
    const counter = this.sql.prepare('INSERT INTO counters (name, next) VALUES (?, ?)');
    for (const name of ['mailboxes', 'folders', 'items'] as const) {
      if (this.next[name] > 1) {
        counter.run(name, this.next[name]);
      }
    }
    for (const ix of this.deferredIndexes) {
      this.sql.exec(ix);
    }
    this.sql.exec(COUNT_REFS);
    this.sql.exec('COMMIT');
    this.sql.pragma('journal_mode = DELETE');
    const blobFiles = this.sql.prepare('SELECT hash FROM blobs WHERE data IS NULL').pluck().all() as string[];
    this.close();
    await this.flushing;
    const dirs = new Set<string>();
    const files = [path.join(this.dir, DB_FILE)];
    for (const hash of blobFiles) {
      const file = blobFilePath(this.dir, hash);
      files.push(file);
      dirs.add(path.dirname(file));
      dirs.add(path.dirname(path.dirname(file)));
    }
    await inParallel(files, fsyncFile);
    for (const d of [...dirs, path.join(this.dir, 'blobs'), path.join(this.dir, 'logs'), this.dir]) {
      fsyncDir(d);
    }
  }

  /** Give up: close without making anything durable (the caller removes the directory). */
  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    if (this.sql.inTransaction) {
      this.sql.exec('ROLLBACK');
    }
    this.sql.close();
  }

  /** A large content as an immutable file (temp + rename; fsynced in `finish`). */
  private writeBlobFile(hash: string, content: Buffer): void {
    const file = blobFilePath(this.dir, hash);
    if (fs.existsSync(file)) {
      return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  }
}

/** fsync a file through the thread pool. */
async function fsyncFile(file: string): Promise<void> {
  const fh = await fsp.open(file, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Run `fn` over `items`, a few at a time (the thread pool runs four). */
async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>, width = 8): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      await fn(items[next++]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
