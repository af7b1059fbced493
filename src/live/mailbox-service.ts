/** Live mailboxes for the edges: paged views, folder counts, message rendering, audited changes. */
import type BetterSqlite3 from 'better-sqlite3';
import type { AuditService } from '../audit/index.js';
import { isPrivileged } from '../auth/index.js';
import { type DumpsterItem, toDumpsterItem } from '../dumpster/index.js';
import { type Page, decodeCursor, isInt, pageOf } from '../lib/cursor.js';
import {
  type Database,
  type Item,
  type MailboxSummary,
  createMailboxTx,
  databaseRetentionDays,
  deleteItemsTx,
  getFolder,
  getItem,
  getMailbox,
  listFolders,
  listItems,
  readItemBytes,
  updateMailboxTx,
} from '../store/index.js';
import { type Caller, auditContext, mailboxTarget } from './caller.js';
import { type RenderedMessage, renderMessage } from './message-view.js';
import type { FolderView } from './views.js';

export interface PageRequest {
  cursor?: string;
  limit: number;
}

export interface NewMailbox {
  address: string;
  name?: string;
  retentionDays?: number | null;
  hold?: boolean;
}

const SUMMARY_SQL = `SELECT id, address, name, retention_days AS retentionDays, hold, created_ms AS createdMs,
    (SELECT count(*) FROM items i WHERE i.mailbox_id = m.id AND i.deleted_ms IS NULL) AS items,
    (SELECT count(*) FROM items i WHERE i.mailbox_id = m.id AND i.deleted_ms IS NOT NULL) AS dumpsterItems,
    (SELECT coalesce(sum(size), 0) FROM items i WHERE i.mailbox_id = m.id) AS bytes
  FROM mailboxes m`;

type SummaryRow = Omit<MailboxSummary, 'hold' | 'effectiveRetentionDays'> & { hold: number };

function summaries(sql: BetterSqlite3.Database, where: string, params: unknown[]): MailboxSummary[] {
  const def = databaseRetentionDays(sql);
  const rows = sql.prepare(`${SUMMARY_SQL} ${where}`).all(...params) as SummaryRow[];
  return rows.map((r) => ({ ...r, hold: r.hold === 1, effectiveRetentionDays: r.retentionDays ?? def }));
}

const isItemKey = (k: unknown): k is [number, number] =>
  Array.isArray(k) && k.length === 2 && isInt(k[0]) && isInt(k[1]);

export class MailboxService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
  ) {}

  /** Mailboxes by address, paged. @throws VALIDATION_FAILED (cursor) */
  list(page: PageRequest): Page<MailboxSummary> {
    const after = page.cursor === undefined ? undefined : decodeCursor('mailboxes', page.cursor, isString);
    const rows = summaries(
      this.db.sql,
      `${after === undefined ? '' : 'WHERE address > ?'} ORDER BY address LIMIT ?`,
      after === undefined ? [page.limit + 1] : [after, page.limit + 1],
    );
    return pageOf(rows, page.limit, 'mailboxes', (m) => m.address);
  }

  /** @throws MAILBOX_NOT_FOUND */
  get(address: string): MailboxSummary {
    const m = getMailbox(this.db.sql, address);
    return summaries(this.db.sql, 'WHERE id = ?', [m.id])[0]!;
  }

  /** @throws MAILBOX_EXISTS */
  async create(caller: Caller, input: NewMailbox): Promise<MailboxSummary> {
    await this.audit.auditedWrite(auditContext(caller), 'createMailbox', mailboxTarget(input.address), (tx) =>
      createMailboxTx(tx, input),
    );
    return this.get(input.address);
  }

  /** Put a mailbox on hold (its dumpster is never purged) or take it off. @throws MAILBOX_NOT_FOUND */
  async setHold(caller: Caller, address: string, hold: boolean): Promise<MailboxSummary> {
    await this.audit.auditedWrite(
      auditContext(caller),
      'setHold',
      mailboxTarget(address, 'hold'),
      (tx) => updateMailboxTx(tx, address, { hold }),
      () => ({ hold }),
    );
    return this.get(address);
  }

  /** Folders with their live item counts. @throws MAILBOX_NOT_FOUND */
  folders(address: string): FolderView[] {
    const m = getMailbox(this.db.sql, address);
    const counts = new Map(
      (
        this.db.sql
          .prepare(
            `SELECT folder_id AS id, count(*) AS items, coalesce(sum(size), 0) AS bytes,
               sum(CASE WHEN (' ' || flags || ' ') LIKE '% \\Seen %' THEN 0 ELSE 1 END) AS unread
             FROM items WHERE mailbox_id = ? AND deleted_ms IS NULL GROUP BY folder_id`,
          )
          .all(m.id) as { id: number; items: number; bytes: number; unread: number }[]
      ).map((r) => [r.id, r]),
    );
    const all = listFolders(this.db.sql, m.id);
    const pathOf = new Map(all.map((f) => [f.id, f.path]));
    return all.map((f) => ({
      path: f.path,
      name: f.name,
      parent: f.parentId === null ? null : (pathOf.get(f.parentId) ?? null),
      role: f.role,
      items: counts.get(f.id)?.items ?? 0,
      unread: counts.get(f.id)?.unread ?? 0,
      bytes: counts.get(f.id)?.bytes ?? 0,
    }));
  }

  /**
   * Live items, newest first (by arrival), paged by an opaque keyset cursor; `folder` includes
   * its subfolders. @throws MAILBOX_NOT_FOUND, FOLDER_NOT_FOUND, VALIDATION_FAILED (cursor)
   */
  items(address: string, opts: PageRequest & { folder?: string }): Page<Item> {
    const m = getMailbox(this.db.sql, address);
    if (opts.folder !== undefined) {
      getFolder(this.db.sql, m.id, opts.folder);
    }
    const key = opts.cursor === undefined ? undefined : decodeCursor('items', opts.cursor, isItemKey);
    const rows = listItems(this.db.sql, m.id, {
      folder: opts.folder,
      after: key && { internalMs: key[0], id: key[1] },
      limit: opts.limit + 1,
    });
    return pageOf(rows, opts.limit, 'items', (it) => [it.internalMs, it.id]);
  }

  /**
   * One item (live or in the dumpster) with its headers, text, sanitised html and attachment
   * list. A privileged role's read is audited. @throws MAILBOX_NOT_FOUND, MESSAGE_NOT_FOUND
   */
  async read(caller: Caller, address: string, id: number): Promise<{ item: Item; message: RenderedMessage }> {
    return this.readAudited(caller, 'getItem', address, id, async (item) => ({
      item,
      message: await renderMessage(readItemBytes(this.db, item.id)),
    }));
  }

  /** The exact bytes of an item (audited like `read`). @throws MAILBOX_NOT_FOUND, MESSAGE_NOT_FOUND */
  async raw(caller: Caller, address: string, id: number): Promise<{ item: Item; bytes: Buffer }> {
    return this.readAudited(caller, 'getItemRaw', address, id, (item) => ({
      item,
      bytes: readItemBytes(this.db, item.id),
    }));
  }

  /** Move an item to the dumpster. @throws MAILBOX_NOT_FOUND, MESSAGE_NOT_FOUND (not a live item) */
  async delete(caller: Caller, address: string, id: number): Promise<DumpsterItem> {
    await this.audit.auditedWrite(
      auditContext(caller),
      'deleteItem',
      mailboxTarget(address, 'items', id),
      (tx) => deleteItemsTx(tx, address, [id]),
    );
    const m = getMailbox(this.db.sql, address);
    return toDumpsterItem(this.db.sql, m, getItem(this.db.sql, m.id, id), this.db.clock.now());
  }

  private async readAudited<T>(
    caller: Caller,
    action: string,
    address: string,
    id: number,
    fn: (item: Item) => T | Promise<T>,
  ): Promise<T> {
    const run = async (): Promise<T> => {
      const m = getMailbox(this.db.sql, address);
      return fn(getItem(this.db.sql, m.id, id));
    };
    if (!isPrivileged(caller.principal)) {
      return run();
    }
    return this.audit.audited(auditContext(caller), action, mailboxTarget(address, 'items', id), run);
  }
}

const isString = (k: unknown): k is string => typeof k === 'string';
