/**
 * Mailboxes and items: the operations every edge and every other module builds on.
 * Every change goes through `Database.write*` and so through the txlog.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.js';
import type { Database, WriteTx } from './database.js';
import {
  DEFAULT_FOLDERS,
  ensureFolder,
  type FolderRole,
  findFolder,
  findFolderByRole,
  getFolder,
  normaliseFolderPath,
} from './folders.js';
import { DEFAULT_MAX_MESSAGE_BYTES, type ParsedMessage, parseMessage } from './message.js';
import { type ItemRow, type ItemTuple, toItemTuple } from './ops.js';
import { stmt } from './stmt.js';

export interface Mailbox {
  id: number;
  address: string;
  name: string;
  /** null: the database default applies. */
  retentionDays: number | null;
  hold: boolean;
  createdMs: number;
}

export interface MailboxSummary extends Mailbox {
  items: number;
  dumpsterItems: number;
  bytes: number;
  effectiveRetentionDays: number;
}

export interface Item {
  id: number;
  mailboxId: number;
  folderId: number | null;
  folder: string;
  messageId: string | null;
  identity: string;
  subject: string;
  from: string;
  to: string;
  cc: string;
  dateMs: number | null;
  internalMs: number;
  size: number;
  sha256: string;
  blobHash: string;
  flags: string[];
  deletedMs: number | null;
  origin: string | null;
}

const MAILBOX_COLS = 'id, address, name, retention_days AS retentionDays, hold, created_ms AS createdMs';
const ITEM_COLS = `id, mailbox_id AS mailboxId, folder_id AS folderId, folder_path AS folder, message_id AS messageId,
  identity, subject, from_addr AS "from", to_addr AS "to", cc_addr AS cc, date_ms AS dateMs, internal_ms AS internalMs,
  size, sha256, blob_hash AS blobHash, flags, deleted_ms AS deletedMs, origin`;

type MailboxRow = Omit<Mailbox, 'hold'> & { hold: number };
type ItemRowOut = Omit<Item, 'flags'> & { flags: string };

function toMailbox(r: MailboxRow): Mailbox {
  return { ...r, hold: r.hold === 1 };
}

export function toItem(r: ItemRowOut): Item {
  return { ...r, flags: r.flags === '' ? [] : r.flags.split(' ') };
}

export function databaseRetentionDays(sql: BetterSqlite3.Database): number {
  const v = stmt(sql, "SELECT value FROM meta WHERE key = 'setting.retention_days'").get() as
    { value: string } | undefined;
  return v ? Number(v.value) : 14;
}

export function findMailbox(sql: BetterSqlite3.Database, address: string): Mailbox | undefined {
  const r = stmt(sql, `SELECT ${MAILBOX_COLS} FROM mailboxes WHERE address = ?`).get(address) as
    MailboxRow | undefined;
  return r ? toMailbox(r) : undefined;
}

/** @throws MAILBOX_NOT_FOUND */
export function getMailbox(sql: BetterSqlite3.Database, address: string): Mailbox {
  const m = findMailbox(sql, address);
  if (!m) {
    throw new AppError('MAILBOX_NOT_FOUND', `No mailbox '${address}'`, { mailbox: address });
  }
  return m;
}

export function listMailboxes(sql: BetterSqlite3.Database): MailboxSummary[] {
  const def = databaseRetentionDays(sql);
  const rows = stmt(
    sql,
    `SELECT ${MAILBOX_COLS},
        (SELECT count(*) FROM items i WHERE i.mailbox_id = m.id AND i.deleted_ms IS NULL) AS items,
        (SELECT count(*) FROM items i WHERE i.mailbox_id = m.id AND i.deleted_ms IS NOT NULL) AS dumpsterItems,
        (SELECT coalesce(sum(size), 0) FROM items i WHERE i.mailbox_id = m.id) AS bytes
       FROM mailboxes m ORDER BY address`,
  ).all() as (MailboxRow & { items: number; dumpsterItems: number; bytes: number })[];
  return rows.map((r) => ({ ...r, hold: r.hold === 1, effectiveRetentionDays: r.retentionDays ?? def }));
}

export interface CreateMailboxInput {
  address: string;
  name?: string;
  retentionDays?: number | null;
  hold?: boolean;
  /** false: no default folders (a converted source brings its own). */
  defaultFolders?: boolean;
}

/** Create a mailbox inside a write batch. @throws MAILBOX_EXISTS */
export function createMailboxTx(tx: WriteTx, input: CreateMailboxInput): Mailbox {
  if (findMailbox(tx.sql, input.address)) {
    throw new AppError('MAILBOX_EXISTS', `A mailbox '${input.address}' already exists`, {
      mailbox: input.address,
    });
  }
  const m: Mailbox = {
    id: tx.nextId('mailboxes'),
    address: input.address,
    name: input.name ?? '',
    retentionDays: input.retentionDays ?? null,
    hold: input.hold ?? false,
    createdMs: tx.now,
  };
  tx.emit({ t: 'mailbox.create', ...m });
  if (input.defaultFolders !== false) {
    for (const f of DEFAULT_FOLDERS) {
      ensureFolder(tx, m.id, f.path, f.role);
    }
  }
  return m;
}

export function createMailbox(db: Database, input: CreateMailboxInput): Promise<Mailbox> {
  return db.write((tx) => createMailboxTx(tx, input));
}

export function updateMailboxTx(
  tx: WriteTx,
  address: string,
  change: { name?: string; retentionDays?: number | null; hold?: boolean },
): Mailbox {
  const m = getMailbox(tx.sql, address);
  tx.emit({ t: 'mailbox.update', id: m.id, ...change });
  return getMailbox(tx.sql, address);
}

export function updateMailbox(
  db: Database,
  address: string,
  change: { name?: string; retentionDays?: number | null; hold?: boolean },
): Promise<Mailbox> {
  return db.write((tx) => updateMailboxTx(tx, address, change));
}

export interface AddItemInput {
  mailboxId: number;
  /** Folder path; created if missing. Default: the mailbox's inbox. */
  folderPath?: string;
  folderRole?: FolderRole | null;
  bytes: Buffer;
  parsed?: ParsedMessage;
  flags?: readonly string[];
  internalMs?: number;
  /** Put the item straight into the dumpster, deleted at this time. */
  deletedMs?: number | null;
  origin?: string | null;
  maxBytes?: number;
}

export interface AddedItem {
  id: number;
  /** true: the content was stored now; false: an existing blob was shared. */
  newBlob: boolean;
  contentBytes: number;
}

/** Store one message in a mailbox, inside a write batch: prefix with the item, content once. */
export function addItemTx(tx: WriteTx, input: AddItemInput): AddedItem {
  const parsed = input.parsed ?? parseMessage(input.bytes, input.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
  const content = input.bytes.subarray(parsed.prefixLength);
  const { isNew } = tx.ensureBlob(content, parsed.contentHash);
  const id = emitItem(tx, input, {
    ...parsed,
    blobHash: parsed.contentHash,
    prefix: Buffer.from(input.bytes.subarray(0, parsed.prefixLength)),
    size: input.bytes.length,
  });
  return { id, newBlob: isNew, contentBytes: content.length };
}

/** What an item row records about its message (besides where it is filed and its state). */
export interface ItemMessageFields {
  /** The content's hash: the blob the item points at. */
  blobHash: string;
  /** The item's own bytes before the shared content (its trace prefix). */
  prefix: Buffer;
  /** Bytes of the whole message (prefix + content). */
  size: number;
  sha256: string;
  identity: string;
  messageId: string | null;
  subject: string;
  from: string;
  to: string;
  cc: string;
  dateMs: number | null;
}

export type AddSharedItemInput = Omit<AddItemInput, 'bytes' | 'parsed' | 'maxBytes'> & ItemMessageFields;

/** Adds references to contents the database holds, many items logged as one record. */
export interface SharedItemWriter {
  /**
   * Add an item (its id is reserved now, in call order) whose content is one of the hashes the
   * writer was made for. Returns undefined, and adds nothing, when that content is not stored.
   */
  add(input: AddSharedItemInput): AddedItem | undefined;
  /** Log and apply every item added: one `item.addMany` operation. */
  finish(): void;
}

/**
 * A writer for a run of single-instance hits in one write request (a merge batch): items whose
 * content this database already holds — references, without their bytes, so that nothing is
 * read or parsed again — with the contents' presence looked up once for all of `hashes`, each
 * folder resolved once, and the items logged as one compact record rather than one record
 * each. The items exist only once `finish` is called, inside the same request.
 */
export function sharedItemWriter(tx: WriteTx, hashes: Iterable<string>): SharedItemWriter {
  const stored = new Set(
    stmt(tx.sql, 'SELECT hash FROM blob_refs WHERE hash IN (SELECT value FROM json_each(?))')
      .pluck()
      .all(JSON.stringify([...new Set(hashes)])) as string[],
  );
  const places = new Map<string, { folderId: number | null; folderPath: string }>();
  const rows: ItemTuple[] = [];
  return {
    add(input) {
      if (!stored.has(input.blobHash)) {
        return undefined;
      }
      const inDumpster = input.deletedMs !== undefined && input.deletedMs !== null;
      const key = `${input.mailboxId}\n${inDumpster ? 'd' : 'l'}\n${input.folderRole ?? ''}\n${input.folderPath ?? ''}`;
      let place = places.get(key);
      if (!place) {
        place = fileItem(tx, input);
        if (place.folderId !== null) {
          // not a dumpster item's missing folder: a later item may create that folder
          places.set(key, place);
        }
      }
      const id = tx.nextId('items');
      rows.push(
        toItemTuple({
          ...itemRow(tx, input, input, place),
          id,
        }),
      );
      // prefix + content = the message: the content's size without reading its row
      return { id, newBlob: false, contentBytes: input.size - input.prefix.length };
    },
    finish() {
      if (rows.length > 0) {
        tx.emit({ t: 'item.addMany', rows: rows.splice(0) });
      }
    },
  };
}

/** Where an item is filed: its folder (created if missing), or for a dumpster item the folder it left. */
function fileItem(
  tx: WriteTx,
  input: Omit<AddItemInput, 'bytes' | 'parsed' | 'maxBytes'>,
): { folderId: number | null; folderPath: string } {
  const folderPath = input.folderPath ? normaliseFolderPath(input.folderPath) : '';
  if (input.deletedMs !== undefined && input.deletedMs !== null && folderPath !== '') {
    // straight into the dumpster: remember where it came from, create no folder for it
    return { folderId: findFolder(tx.sql, input.mailboxId, folderPath)?.id ?? null, folderPath };
  }
  if (folderPath === '') {
    const inbox =
      findFolderByRole(tx.sql, input.mailboxId, 'inbox') ??
      ensureFolder(tx, input.mailboxId, 'Inbox', 'inbox');
    return { folderId: inbox.id, folderPath: inbox.path };
  }
  return { folderId: ensureFolder(tx, input.mailboxId, folderPath, input.folderRole ?? null).id, folderPath };
}

/** The row of a new item (id 0: the caller reserves it). */
function itemRow(
  tx: WriteTx,
  input: Omit<AddItemInput, 'bytes' | 'parsed' | 'maxBytes'>,
  m: ItemMessageFields,
  place: { folderId: number | null; folderPath: string },
): ItemRow {
  return {
    id: 0,
    mailboxId: input.mailboxId,
    folderId: place.folderId,
    folderPath: place.folderPath,
    blobHash: m.blobHash,
    prefix: m.prefix,
    size: m.size,
    sha256: m.sha256,
    identity: m.identity,
    messageId: m.messageId,
    subject: m.subject,
    from: m.from,
    to: m.to,
    cc: m.cc,
    dateMs: m.dateMs,
    internalMs: input.internalMs ?? tx.now,
    flags: (input.flags ?? []).join(' '),
    deletedMs: input.deletedMs ?? null,
    createdMs: tx.now,
    origin: input.origin ?? null,
  };
}

/** File an item (folder created if missing; straight into the dumpster with `deletedMs`) and log it. */
function emitItem(
  tx: WriteTx,
  input: Omit<AddItemInput, 'bytes' | 'parsed' | 'maxBytes'>,
  m: ItemMessageFields,
): number {
  const place = fileItem(tx, input);
  const id = tx.nextId('items');
  tx.emit({ t: 'item.add', item: { ...itemRow(tx, input, m, place), id } });
  return id;
}

export interface DeliverResult {
  /** One entry per message: the item id in each recipient mailbox, in `to` order. */
  delivered: { ids: number[]; sha256: string; messageId: string | null }[];
}

/**
 * Deliver messages to one or more mailboxes. Every message and every mailbox is checked
 * before anything is written: one bad input fails the call and leaves the database unchanged.
 * @throws MAILBOX_NOT_FOUND, MESSAGE_INVALID, MESSAGE_TOO_LARGE
 */
export function deliver(
  db: Database,
  messages: readonly Buffer[],
  opts: { to: readonly string[]; folder?: string; maxBytes?: number; names?: readonly string[] },
): DeliverResult {
  const parsed = messages.map((m, i) => {
    try {
      return parseMessage(m, opts.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    } catch (err) {
      const name = opts.names?.[i];
      if (name && err instanceof AppError) {
        throw new AppError(
          err.code,
          `${name}: ${err.message}`,
          { ...err.details, file: name },
          { cause: err },
        );
      }
      throw err;
    }
  });
  return db.writeSync((tx) => {
    const boxes = opts.to.map((a) => getMailbox(tx.sql, a));
    return {
      delivered: messages.map((bytes, i) => ({
        ids: boxes.map(
          (b) => addItemTx(tx, { mailboxId: b.id, bytes, parsed: parsed[i]!, folderPath: opts.folder }).id,
        ),
        sha256: parsed[i]!.sha256,
        messageId: parsed[i]!.messageId,
      })),
    };
  });
}

export function findItem(sql: BetterSqlite3.Database, id: number): Item | undefined {
  const r = stmt(sql, `SELECT ${ITEM_COLS} FROM items WHERE id = ?`).get(id) as ItemRowOut | undefined;
  return r ? toItem(r) : undefined;
}

/** An item of one mailbox. @throws MESSAGE_NOT_FOUND */
export function getItem(sql: BetterSqlite3.Database, mailboxId: number, id: number): Item {
  const it = findItem(sql, id);
  if (!it || it.mailboxId !== mailboxId) {
    throw new AppError('MESSAGE_NOT_FOUND', `No item ${id} in this mailbox`, { itemId: id });
  }
  return it;
}

/** The exact bytes of an item: its trace prefix followed by its content. @throws BLOB_MISSING */
export function readItemBytes(db: Database, id: number): Buffer {
  const r = stmt(db.sql, 'SELECT prefix, blob_hash AS h FROM items WHERE id = ?').get(id) as
    { prefix: Buffer; h: string } | undefined;
  if (!r) {
    throw new AppError('MESSAGE_NOT_FOUND', `No item ${id}`, { itemId: id });
  }
  const content = db.readBlob(r.h);
  return r.prefix.length === 0 ? content : Buffer.concat([r.prefix, content]);
}

export interface ListItemsOptions {
  folder?: string;
  /** 'live' (default): not deleted; 'dumpster': deleted; 'all': both. */
  state?: 'live' | 'dumpster' | 'all';
  /** Keyset cursor: items after (internalMs, id) in date order, newest first. */
  after?: { internalMs: number; id: number };
  /**
   * Dumpster order instead: most recently deleted first (deletedMs, id), after this key when
   * given. For `state: 'dumpster'`.
   */
  byDeletion?: { after?: { deletedMs: number; id: number } };
  limit?: number;
}

/** Items of a mailbox, newest first, paged by keyset. */
export function listItems(
  sql: BetterSqlite3.Database,
  mailboxId: number,
  opts: ListItemsOptions = {},
): Item[] {
  const where = ['mailbox_id = ?'];
  const params: unknown[] = [mailboxId];
  const state = opts.state ?? 'live';
  if (state === 'live') {
    where.push('deleted_ms IS NULL');
  } else if (state === 'dumpster') {
    where.push('deleted_ms IS NOT NULL');
  }
  if (opts.folder !== undefined) {
    where.push("(folder_path = ? OR folder_path LIKE ? ESCAPE '\\')");
    params.push(opts.folder, opts.folder.replace(/[\\%_]/g, (c) => '\\' + c) + '/%');
  }
  if (opts.after) {
    where.push('(internal_ms < ? OR (internal_ms = ? AND id < ?))');
    params.push(opts.after.internalMs, opts.after.internalMs, opts.after.id);
  }
  const afterDeleted = opts.byDeletion?.after;
  if (afterDeleted) {
    where.push('(deleted_ms < ? OR (deleted_ms = ? AND id < ?))');
    params.push(afterDeleted.deletedMs, afterDeleted.deletedMs, afterDeleted.id);
  }
  const order = opts.byDeletion ? 'deleted_ms DESC, id DESC' : 'internal_ms DESC, id DESC';
  const limit = opts.limit ?? -1;
  const rows = stmt(
    sql,
    `SELECT ${ITEM_COLS} FROM items WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`,
  ).all(...params, limit) as ItemRowOut[];
  return rows.map(toItem);
}

/** Move live items to the dumpster, inside a write batch. @throws MAILBOX_NOT_FOUND, MESSAGE_NOT_FOUND */
export function deleteItemsTx(tx: WriteTx, address: string, ids: readonly number[]): { deleted: number[] } {
  const m = getMailbox(tx.sql, address);
  for (const id of ids) {
    const it = getItem(tx.sql, m.id, id);
    if (it.deletedMs !== null) {
      throw new AppError('MESSAGE_NOT_FOUND', `Item ${id} is already in the dumpster`, { itemId: id });
    }
  }
  tx.emit({ t: 'item.delete', ids: [...ids], deletedMs: tx.now });
  return { deleted: [...ids] };
}

/** Move items to the mailbox's dumpster. @throws MESSAGE_NOT_FOUND when one is not a live item of the mailbox */
export function deleteItems(
  db: Database,
  address: string,
  ids: readonly number[],
): Promise<{ deleted: number[] }> {
  return db.write((tx) => deleteItemsTx(tx, address, ids));
}

/**
 * Delete a folder with its subfolders. Their live items move to the mailbox's dumpster and
 * keep their folder path, so a dumpster restore recreates the folder. Special-use folders
 * (inbox, sent, …) cannot be deleted.
 * @throws MAILBOX_NOT_FOUND, FOLDER_NOT_FOUND, VALIDATION_FAILED (a special-use folder)
 */
export function deleteFolder(
  db: Database,
  address: string,
  folderPath: string,
): Promise<{ folder: string; items: number }> {
  return db.write((tx) => {
    const m = getMailbox(tx.sql, address);
    const f = getFolder(tx.sql, m.id, normaliseFolderPath(folderPath));
    if (f.role !== null) {
      throw new AppError(
        'VALIDATION_FAILED',
        `'${f.path}' is a special-use folder (${f.role}) and cannot be deleted`,
        {
          folder: f.path,
        },
      );
    }
    const live = listItems(tx.sql, m.id, { folder: f.path }).length;
    tx.emit({ t: 'folder.delete', id: f.id, deletedMs: tx.now });
    return { folder: f.path, items: live };
  });
}

export interface StoreStats {
  mailboxes: number;
  items: number;
  dumpsterItems: number;
  blobs: number;
  inlineBlobs: number;
  fileBlobs: number;
  /** Bytes of every item as a user sees it. */
  logicalBytes: number;
  /** Bytes actually stored: contents once, plus every trace prefix. */
  physicalBytes: number;
  /** logicalBytes / physicalBytes. */
  ratio: number;
  tombstones: number;
  appliedLsn: number;
}

export function stats(db: Database): StoreStats {
  const q = <T>(s: string): T => stmt(db.sql, s).get() as T;
  const items = q<{ n: number; live: number; bytes: number; prefix: number }>(
    'SELECT count(*) AS n, count(*) FILTER (WHERE deleted_ms IS NULL) AS live, coalesce(sum(size),0) AS bytes, coalesce(sum(length(prefix)),0) AS prefix FROM items',
  );
  const blobs = q<{ n: number; inl: number; bytes: number }>(
    'SELECT count(*) AS n, count(*) FILTER (WHERE data IS NOT NULL) AS inl, coalesce(sum(size),0) AS bytes FROM blobs',
  );
  const physical = blobs.bytes + items.prefix;
  return {
    mailboxes: q<{ n: number }>('SELECT count(*) AS n FROM mailboxes').n,
    items: items.live,
    dumpsterItems: items.n - items.live,
    blobs: blobs.n,
    inlineBlobs: blobs.inl,
    fileBlobs: blobs.n - blobs.inl,
    logicalBytes: items.bytes,
    physicalBytes: physical,
    ratio: physical === 0 ? 1 : Math.round((items.bytes / physical) * 1000) / 1000,
    tombstones: q<{ n: number }>('SELECT count(*) AS n FROM tombstones').n,
    appliedLsn: db.tail().lsn,
  };
}
