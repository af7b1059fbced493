/**
 * The dumpster for the edges: paged listing, audited restore and purge, and the end user's
 * self-restore guardrail (the user's SelfRestoreBudget).
 */
import type { AuditService } from '../audit/index.js';
import {
  type DumpsterItem,
  type PurgeResult,
  listDumpster,
  purgeDumpsterTx,
  restoreFromDumpsterTx,
} from '../dumpster/index.js';
import { type Page, decodeCursor, isInt, pageOf } from '../lib/cursor.js';
import type { Database } from '../store/index.js';
import { type Caller, auditContext, mailboxTarget } from './caller.js';
import type { SelfRestoreBudget } from './self-restore.js';
import type { PageRequest } from './mailbox-service.js';

const isKey = (k: unknown): k is [number, number] =>
  Array.isArray(k) && k.length === 2 && isInt(k[0]) && isInt(k[1]);

export class DumpsterService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly selfRestores: SelfRestoreBudget,
  ) {}

  /**
   * Dumpster items, most recently deleted first, each with its purge time and days left.
   * @throws MAILBOX_NOT_FOUND, VALIDATION_FAILED (cursor)
   */
  list(address: string, page: PageRequest): Page<DumpsterItem> {
    const key = page.cursor === undefined ? undefined : decodeCursor('dumpster', page.cursor, isKey);
    const rows = listDumpster(this.db, address, {
      after: key && { deletedMs: key[0], id: key[1] },
      limit: page.limit + 1,
    });
    return pageOf(rows, page.limit, 'dumpster', (d) => [d.deletedMs, d.id]);
  }

  /**
   * Put a dumpster item back into the folder it was deleted from (recreated if gone). A `user`
   * is held to the self-restore budget. Audited.
   * @throws MAILBOX_NOT_FOUND, MESSAGE_NOT_FOUND, RATE_LIMITED (details.retryAfterSeconds)
   */
  restore(caller: Caller, address: string, id: number): Promise<{ id: number; folder: string }> {
    return this.audit.auditedWrite(
      auditContext(caller),
      'restoreDumpsterItem',
      mailboxTarget(address, 'dumpster', id),
      (tx) => {
        // inside the write: a refusal is audited as denied, and a failed restore gives its unit back
        const release = caller.principal.role === 'user' ? this.selfRestores.take(address, 1) : undefined;
        try {
          return restoreFromDumpsterTx(tx, address, [id]).restored[0]!;
        } catch (err) {
          release?.();
          throw err;
        }
      },
      (r) => ({ folder: r.folder }),
    );
  }

  /**
   * Purge a mailbox's dumpster: items past the retention window, or the named items now. A
   * mailbox on hold is never purged. Leaves tombstones. Audited.
   * @throws MAILBOX_NOT_FOUND, MESSAGE_NOT_FOUND (a named item not in the dumpster)
   */
  purge(caller: Caller, address: string, ids?: readonly number[]): Promise<PurgeResult> {
    return this.audit.auditedWrite(
      auditContext(caller),
      'purgeDumpster',
      mailboxTarget(address, 'dumpster'),
      (tx) => purgeDumpsterTx(tx, { address, ids }),
      (r) => ({ purged: r.purged, onHold: r.onHold.length > 0, ...(ids ? { ids: [...ids] } : {}) }),
    );
  }
}
