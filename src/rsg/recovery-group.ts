/**
 * A mounted recovery group, read-only by construction: its database is opened read-only and
 * this type has no method that writes (STYLE.md: read-only is a matter of types).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.js';
import {
  Database,
  type Folder,
  type Item,
  type ListItemsOptions,
  type Mailbox,
  getItem,
  getMailbox,
  listFolders,
  listItems,
  readItemBytes,
} from '../store/index.js';
import type { RsgInfo } from './catalogue-file.js';
import { attachSearchSidecar } from './search-sidecar.js';

export interface RsgMailbox extends Mailbox {
  items: number;
  dumpsterItems: number;
  bytes: number;
}

export interface RsgFolder extends Folder {
  items: number;
  bytes: number;
}

export class RecoveryGroup {
  readonly #db: Database;

  /** `rsgDir`: the RSG's own directory, whose search.db (a `database` source's index) is attached. */
  constructor(
    readonly info: RsgInfo,
    dir: string,
    rsgDir?: string,
  ) {
    this.#db = Database.open(dir, { readOnly: true });
    if (rsgDir !== undefined) {
      try {
        attachSearchSidecar(this.#db.sql, rsgDir);
      } catch (err) {
        this.#db.close();
        throw err;
      }
    }
  }

  get id(): string {
    return this.info.id;
  }

  /** Read-only SQL handle (query_only), for search. */
  get sql(): BetterSqlite3.Database {
    return this.#db.sql;
  }

  listMailboxes(): RsgMailbox[] {
    return this.#db.sql
      .prepare(
        `SELECT m.id, m.address, m.name, m.retention_days AS retentionDays, m.hold = 1 AS hold, m.created_ms AS createdMs,
           count(i.id) FILTER (WHERE i.deleted_ms IS NULL) AS items,
           count(i.id) FILTER (WHERE i.deleted_ms IS NOT NULL) AS dumpsterItems,
           coalesce(sum(i.size), 0) AS bytes
         FROM mailboxes m LEFT JOIN items i ON i.mailbox_id = m.id GROUP BY m.id ORDER BY m.address`,
      )
      .all()
      .map((r) => ({ ...(r as RsgMailbox), hold: Boolean((r as { hold: number }).hold) }));
  }

  /** @throws MAILBOX_NOT_FOUND */
  mailbox(address: string): Mailbox {
    return getMailbox(this.#db.sql, address);
  }

  /** Folders with item counts (subfolders not included in a parent's count). */
  listFolders(address: string): RsgFolder[] {
    const m = this.mailbox(address);
    const counts = new Map(
      (
        this.#db.sql
          .prepare(
            'SELECT folder_id AS id, count(*) AS n, sum(size) AS bytes FROM items WHERE mailbox_id = ? GROUP BY folder_id',
          )
          .all(m.id) as { id: number; n: number; bytes: number }[]
      ).map((r) => [r.id, r]),
    );
    return listFolders(this.#db.sql, m.id).map((f) => ({
      ...f,
      items: counts.get(f.id)?.n ?? 0,
      bytes: counts.get(f.id)?.bytes ?? 0,
    }));
  }

  listItems(address: string, opts: ListItemsOptions = {}): Item[] {
    const m = this.mailbox(address);
    return listItems(this.#db.sql, m.id, { state: 'all', ...opts });
  }

  /** An item of this RSG (any mailbox). @throws MESSAGE_NOT_FOUND */
  item(id: number): Item {
    const row = this.#db.sql.prepare('SELECT mailbox_id AS m FROM items WHERE id = ?').get(id) as
      { m: number } | undefined;
    if (!row) {
      throw new AppError('MESSAGE_NOT_FOUND', `No item ${id} in recovery group ${this.id}`, { itemId: id });
    }
    return getItem(this.#db.sql, row.m, id);
  }

  mailboxOf(item: Item): Mailbox {
    const r = this.#db.sql
      .prepare(
        'SELECT id, address, name, retention_days AS retentionDays, hold, created_ms AS createdMs FROM mailboxes WHERE id = ?',
      )
      .get(item.mailboxId) as Omit<Mailbox, 'hold'> & { hold: number };
    return { ...r, hold: r.hold === 1 };
  }

  /** The exact bytes of an item. */
  readItemBytes(id: number): Buffer {
    return readItemBytes(this.#db, id);
  }

  close(): void {
    this.#db.close();
  }
}
