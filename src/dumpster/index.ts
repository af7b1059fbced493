/**
 * The dumpster: a live mailbox's recoverable items. Deleting moves an item here with its
 * deletion time and original folder; restore puts it back (the folder recreated if gone);
 * purge removes what is older than the retention window — never for a mailbox on hold — and
 * leaves a tombstone (identity + purge time) so that a merge does not bring it back.
 *
 * Retention: an item deleted at D is purged by a pass at T when T - D > retention days.
 */
import { AppError } from '../errors.js';
import { DAY_MS } from '../lib/clock.js';
import {
  type Database,
  type Item,
  type Mailbox,
  databaseRetentionDays,
  ensureFolder,
  getItem,
  getMailbox,
  listItems,
  listMailboxes,
  type WriteTx,
} from '../store/index.js';
import type BetterSqlite3 from 'better-sqlite3';

export interface DumpsterItem extends Item {
  deletedMs: number;
  /** When the purge pass will remove it (deletedMs + retention), or null while on hold. */
  purgeAtMs: number | null;
  /** Whole days left before purge (0 on the last day), or null while on hold. */
  daysLeft: number | null;
}

export function retentionDaysOf(sql: BetterSqlite3.Database, m: Mailbox): number {
  return m.retentionDays ?? databaseRetentionDays(sql);
}

export function toDumpsterItem(sql: BetterSqlite3.Database, m: Mailbox, it: Item, now: number): DumpsterItem {
  const deletedMs = it.deletedMs ?? now;
  const purgeAtMs = m.hold ? null : deletedMs + retentionDaysOf(sql, m) * DAY_MS;
  return {
    ...it,
    deletedMs,
    purgeAtMs,
    daysLeft: purgeAtMs === null ? null : Math.max(0, Math.floor((purgeAtMs - now) / DAY_MS)),
  };
}

/**
 * The dumpster of a mailbox, most recently deleted first: all of it, or a page of `limit` items
 * after the key `after` (keyset paging in SQL, so a large dumpster is never read whole).
 */
export function listDumpster(
  db: Database,
  address: string,
  page: { after?: { deletedMs: number; id: number }; limit?: number } = {},
): DumpsterItem[] {
  const m = getMailbox(db.sql, address);
  const now = db.clock.now();
  return listItems(db.sql, m.id, {
    state: 'dumpster',
    byDeletion: { after: page.after },
    limit: page.limit,
  }).map((it) => toDumpsterItem(db.sql, m, it, now));
}

/**
 * Restore dumpster items to the folder they were deleted from, recreating it if it is gone.
 * @throws MAILBOX_NOT_FOUND, MESSAGE_NOT_FOUND (not in this mailbox's dumpster)
 */
export function restoreFromDumpsterTx(
  tx: WriteTx,
  address: string,
  ids: readonly number[],
): { restored: { id: number; folder: string }[] } {
  const m = getMailbox(tx.sql, address);
  const moves = ids.map((id) => {
    const it = getItem(tx.sql, m.id, id);
    if (it.deletedMs === null) {
      throw new AppError('MESSAGE_NOT_FOUND', `Item ${id} is not in the dumpster`, { itemId: id });
    }
    const folder = ensureFolder(tx, m.id, it.folder);
    return { id, folderId: folder.id, folderPath: folder.path };
  });
  tx.emit({ t: 'item.restore', moves });
  return { restored: moves.map((x) => ({ id: x.id, folder: x.folderPath })) };
}

export function restoreFromDumpster(
  db: Database,
  address: string,
  ids: readonly number[],
): Promise<{ restored: { id: number; folder: string }[] }> {
  return db.write((tx) => restoreFromDumpsterTx(tx, address, ids));
}

export interface PurgeResult {
  purged: number;
  /** Mailboxes skipped because they are on hold. */
  onHold: string[];
  bytesReleased: number;
}

/**
 * The purge pass: remove dumpster items past the retention window (or, with `ids`, those
 * items now — an administrator's purge), except in mailboxes on hold. Leaves tombstones.
 */
export function purgeDumpsterTx(
  tx: WriteTx,
  opts: { address?: string; ids?: readonly number[] } = {},
): PurgeResult {
  const boxes = opts.address ? [getMailbox(tx.sql, opts.address)] : listMailboxes(tx.sql);
  const result: PurgeResult = { purged: 0, onHold: [], bytesReleased: 0 };
  const ids: number[] = [];
  for (const m of boxes) {
    if (m.hold) {
      result.onHold.push(m.address);
      continue;
    }
    const limit = tx.now - retentionDaysOf(tx.sql, m) * DAY_MS;
    const candidates = opts.ids
      ? opts.ids.map((id) => {
          const it = getItem(tx.sql, m.id, id);
          if (it.deletedMs === null) {
            throw new AppError('MESSAGE_NOT_FOUND', `Item ${id} is not in the dumpster`, { itemId: id });
          }
          return it;
        })
      : listItems(tx.sql, m.id, { state: 'dumpster' }).filter((it) => (it.deletedMs ?? tx.now) < limit);
    for (const it of candidates) {
      ids.push(it.id);
      result.bytesReleased += it.size;
    }
  }
  if (ids.length > 0) {
    tx.emit({ t: 'item.purge', ids, purgedMs: tx.now, tombstones: true });
  }
  result.purged = ids.length;
  return result;
}

export function purgeDumpster(
  db: Database,
  opts: { address?: string; ids?: readonly number[] } = {},
): Promise<PurgeResult> {
  return db.write((tx) => purgeDumpsterTx(tx, opts));
}

export interface Tombstone {
  identity: string;
  messageId: string | null;
  subject: string;
  purgedMs: number;
}

export function listTombstones(db: Database, address: string): Tombstone[] {
  const m = getMailbox(db.sql, address);
  return db.sql
    .prepare(
      'SELECT identity, message_id AS messageId, subject, purged_ms AS purgedMs FROM tombstones WHERE mailbox_id = ? ORDER BY purged_ms DESC, id DESC',
    )
    .all(m.id) as Tombstone[];
}
