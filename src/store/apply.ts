/**
 * applyOp: the only code that changes the rows of a database. The write path and log replay
 * both call it, inside the batch's SQLite transaction, so replay is deterministic.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.js';
import { type CoreOp, type ItemRow, type ItemTuple, type Op, toItemTuple } from './ops.js';
import { stmt } from './stmt.js';

export type OpHandler = (sql: BetterSqlite3.Database, op: Op) => void;

/** A module that keeps its own tables in the database and its own operations in the log. */
export interface StoreExtension {
  name: string;
  schemaSql: string;
  ops: Record<string, OpHandler>;
}

function bumpCounter(sql: BetterSqlite3.Database, name: string, id: number): void {
  stmt(
    sql,
    'INSERT INTO counters (name, next) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET next = max(next, excluded.next)',
  ).run(name, id + 1);
}

function releaseBlob(sql: BetterSqlite3.Database, hash: string): void {
  const left = stmt(sql, 'UPDATE blob_refs SET refcount = refcount - 1 WHERE hash = ? RETURNING refcount')
    .pluck()
    .get(hash) as number | undefined;
  if (left !== undefined && left <= 0) {
    const isFile = stmt(sql, 'DELETE FROM blobs WHERE hash = ? RETURNING data IS NULL').pluck().get(hash) as
      number | undefined;
    stmt(sql, 'DELETE FROM blob_refs WHERE hash = ?').run(hash);
    if (isFile) {
      // the file is unlinked by the collector once no backup is running (database.ts)
      stmt(sql, 'INSERT OR IGNORE INTO blob_gc (hash) VALUES (?)').run(hash);
    }
  }
}

const INSERT_ITEM = `INSERT INTO items (id, mailbox_id, folder_id, folder_path, blob_hash, prefix, size, sha256, identity,
     message_id, subject, from_addr, to_addr, cc_addr, date_ms, internal_ms, flags, deleted_ms, created_ms, origin)
   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`;

/** Insert an item row (ItemTuple order) and count its reference to its blob. */
function insertItemTuple(sql: BetterSqlite3.Database, t: ItemTuple): void {
  stmt(sql, INSERT_ITEM).run(t);
  // the narrow blob_refs row, not the blobs row: a shared content's page is never rewritten
  const r = stmt(sql, 'UPDATE blob_refs SET refcount = refcount + 1 WHERE hash = ?').run(t[4]);
  if (r.changes !== 1) {
    throw new AppError('BLOB_MISSING', `Item ${t[0]} refers to blob ${t[4]}, which is not stored`);
  }
}

function insertItem(sql: BetterSqlite3.Database, it: ItemRow): void {
  insertItemTuple(sql, toItemTuple(it));
  bumpCounter(sql, 'items', it.id);
}

/** The rows of an `item.addMany`, in order; the items counter moves past the largest id once. */
function insertItems(sql: BetterSqlite3.Database, rows: readonly ItemTuple[]): void {
  let last = 0;
  for (const t of rows) {
    insertItemTuple(sql, t);
    last = Math.max(last, t[0]);
  }
  if (rows.length > 0) {
    bumpCounter(sql, 'items', last);
  }
}

function subtreeIds(sql: BetterSqlite3.Database, folderId: number): number[] {
  return (
    stmt(
      sql,
      `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT f.id FROM folders f JOIN sub ON f.parent_id = sub.id)
         SELECT id FROM sub`,
    ).all(folderId) as { id: number }[]
  ).map((r) => r.id);
}

export function applyCoreOp(sql: BetterSqlite3.Database, op: CoreOp): void {
  switch (op.t) {
    case 'mailbox.create':
      stmt(
        sql,
        'INSERT INTO mailboxes (id, address, name, retention_days, hold, created_ms) VALUES (?,?,?,?,?,?)',
      ).run(op.id, op.address, op.name, op.retentionDays, op.hold ? 1 : 0, op.createdMs);
      bumpCounter(sql, 'mailboxes', op.id);
      return;
    case 'mailbox.update':
      if (op.name !== undefined) {
        stmt(sql, 'UPDATE mailboxes SET name = ? WHERE id = ?').run(op.name, op.id);
      }
      if (op.retentionDays !== undefined) {
        stmt(sql, 'UPDATE mailboxes SET retention_days = ? WHERE id = ?').run(op.retentionDays, op.id);
      }
      if (op.hold !== undefined) {
        stmt(sql, 'UPDATE mailboxes SET hold = ? WHERE id = ?').run(op.hold ? 1 : 0, op.id);
      }
      return;
    case 'folder.create':
      stmt(sql, 'INSERT INTO folders (id, mailbox_id, parent_id, name, path, role) VALUES (?,?,?,?,?,?)').run(
        op.id,
        op.mailboxId,
        op.parentId,
        op.name,
        op.path,
        op.role,
      );
      bumpCounter(sql, 'folders', op.id);
      return;
    case 'folder.delete': {
      const ids = subtreeIds(sql, op.id);
      const place = ids.map(() => '?').join(',');
      stmt(sql, `UPDATE items SET deleted_ms = ? WHERE folder_id IN (${place}) AND deleted_ms IS NULL`).run(
        op.deletedMs,
        ...ids,
      );
      stmt(sql, `UPDATE items SET folder_id = NULL WHERE folder_id IN (${place})`).run(...ids);
      for (const id of ids.reverse()) {
        stmt(sql, 'DELETE FROM folders WHERE id = ?').run(id);
      }
      return;
    }
    case 'blob.put':
      stmt(sql, 'INSERT INTO blobs (hash, size, data) VALUES (?,?,?) ON CONFLICT(hash) DO NOTHING').run(
        op.hash,
        op.size,
        op.data,
      );
      stmt(sql, 'INSERT INTO blob_refs (hash, refcount) VALUES (?,0) ON CONFLICT(hash) DO NOTHING').run(
        op.hash,
      );
      stmt(sql, 'DELETE FROM blob_gc WHERE hash = ?').run(op.hash);
      return;
    case 'item.add':
      insertItem(sql, op.item);
      return;
    case 'item.addMany':
      insertItems(sql, op.rows);
      return;
    case 'item.delete': {
      const st = stmt(sql, 'UPDATE items SET deleted_ms = ? WHERE id = ? AND deleted_ms IS NULL');
      for (const id of op.ids) {
        st.run(op.deletedMs, id);
      }
      return;
    }
    case 'item.restore': {
      const st = stmt(sql, 'UPDATE items SET deleted_ms = NULL, folder_id = ?, folder_path = ? WHERE id = ?');
      for (const m of op.moves) {
        st.run(m.folderId, m.folderPath, m.id);
      }
      return;
    }
    case 'item.purge': {
      const get = stmt(
        sql,
        'SELECT mailbox_id, blob_hash, identity, message_id, subject FROM items WHERE id = ?',
      );
      for (const id of op.ids) {
        const row = get.get(id) as
          | {
              mailbox_id: number;
              blob_hash: string;
              identity: string;
              message_id: string | null;
              subject: string;
            }
          | undefined;
        if (!row) {
          continue;
        }
        stmt(sql, 'DELETE FROM items WHERE id = ?').run(id);
        releaseBlob(sql, row.blob_hash);
        if (op.tombstones) {
          stmt(
            sql,
            'INSERT INTO tombstones (mailbox_id, identity, message_id, subject, purged_ms) VALUES (?,?,?,?,?)',
          ).run(row.mailbox_id, row.identity, row.message_id, row.subject, op.purgedMs);
        }
      }
      return;
    }
    case 'item.update':
      if (op.flags !== undefined) {
        stmt(sql, 'UPDATE items SET flags = ? WHERE id = ?').run(op.flags, op.id);
      }
      if (op.folderId !== undefined && op.folderPath !== undefined) {
        stmt(sql, 'UPDATE items SET folder_id = ?, folder_path = ? WHERE id = ?').run(
          op.folderId,
          op.folderPath,
          op.id,
        );
      }
      return;
    case 'setting':
      stmt(sql, 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(`setting.${op.key}`, op.value);
      return;
  }
}

const CORE_TYPES = new Set([
  'mailbox.create',
  'mailbox.update',
  'folder.create',
  'folder.delete',
  'blob.put',
  'item.add',
  'item.addMany',
  'item.delete',
  'item.restore',
  'item.purge',
  'item.update',
  'setting',
]);

/** Apply one operation of any kind. @throws LOG_CORRUPT for an operation no module knows. */
export function applyOp(sql: BetterSqlite3.Database, op: Op, extensions: readonly StoreExtension[]): void {
  if (CORE_TYPES.has(op.t)) {
    applyCoreOp(sql, op as CoreOp);
    return;
  }
  for (const ext of extensions) {
    const h = ext.ops[op.t];
    if (h) {
      h(sql, op);
      return;
    }
  }
  throw new AppError('LOG_CORRUPT', `The log holds an operation of unknown type '${op.t}'`, { type: op.t });
}
