/**
 * The audit trail: who did what to which mailbox, item or token, when, and how it ended.
 *
 * Owns the `audit_log` table of the live database (a StoreExtension: rows only come from the
 * logged `audit.append` operation). Invariant: the log is append-only — no operation updates
 * or deletes an entry, and SQLite triggers refuse it.
 */
import { isAppError } from '../errors.js';
import type { Page } from '../lib/cursor.js';
import type { Database, WriteTx } from '../store/index.js';
import {
  type AuditActor,
  type AuditEntry,
  type AuditFilter,
  type AuditInput,
  listAudit,
  recordAudit,
  recordAuditTx,
} from './audit-log.js';

export * from './audit-log.js';

/** Who is acting, and in which request: what every audited service method receives. */
export interface AuditContext {
  actor: AuditActor;
  requestId: string | null;
}

/** The audit log of one live database. */
export class AuditService {
  constructor(private readonly db: Database) {}

  /** Append entries in a write of their own (the store's group commit batches it). */
  record(...inputs: AuditInput[]): Promise<AuditEntry[]> {
    return recordAudit(this.db, inputs);
  }

  /** Append entries inside a caller's write batch. */
  recordTx(tx: WriteTx, ...inputs: AuditInput[]): AuditEntry[] {
    return recordAuditTx(tx, inputs);
  }

  /** @throws VALIDATION_FAILED for a foreign cursor */
  list(filter: AuditFilter, page: { cursor?: string; limit: number }): Page<AuditEntry> {
    return listAudit(this.db.sql, filter, page);
  }

  /**
   * Run the write `plan` and record `ok` in the same write batch, so the change and its entry
   * commit (or vanish) together; a failure is recorded as `audited` does, in a write of its own
   * (the plan's changes rolled back). `detail` adds what the result says.
   */
  async auditedWrite<T>(
    ctx: AuditContext,
    action: string,
    target: string,
    plan: (tx: WriteTx) => T,
    detail?: (result: T) => Record<string, unknown>,
  ): Promise<T> {
    try {
      return await this.db.write((tx) => {
        const result = plan(tx);
        recordAuditTx(tx, [
          { ...ctx, action, target, outcome: 'ok', detail: detail ? detail(result) : null },
        ]);
        return result;
      });
    } catch (err) {
      await this.recordFailure(ctx, action, target, err);
      throw err;
    }
  }

  /** Record an attempt that ended in `err`: `denied` for a rate limit, else `failed`, with the error's code. */
  async recordFailure(ctx: AuditContext, action: string, target: string, err: unknown): Promise<void> {
    const code = isAppError(err) ? err.code : 'INTERNAL';
    await this.record({
      ...ctx,
      action,
      target,
      outcome: code === 'RATE_LIMITED' ? 'denied' : 'failed',
      code,
    });
  }

  /**
   * Run `fn` and record its outcome: `ok`, or `failed`/`denied` with the error's code (the
   * error is rethrown; `opts.recordFailure` may say that a failure is not worth a record).
   * `detail` adds what the result says (counts, folders). For a change to the live database,
   * prefer `auditedWrite`: this records the outcome in a write of its own.
   */
  async audited<T>(
    ctx: AuditContext,
    action: string,
    target: string,
    fn: () => Promise<T> | T,
    detail?: (result: T) => Record<string, unknown>,
    opts: { recordFailure?: (err: unknown) => boolean } = {},
  ): Promise<T> {
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      if (opts.recordFailure?.(err) ?? true) {
        await this.recordFailure(ctx, action, target, err);
      }
      throw err;
    }
    await this.record({ ...ctx, action, target, outcome: 'ok', detail: detail ? detail(result) : null });
    return result;
  }
}

export interface AuditEntryView {
  id: number;
  time: string;
  actor: AuditActor;
  action: string;
  target: string;
  outcome: AuditEntry['outcome'];
  code: string | null;
  requestId: string | null;
  detail: Record<string, unknown> | null;
}

/** The JSON shape of an entry (API and `salvage audit list --json`). */
export function toAuditView(e: AuditEntry): AuditEntryView {
  return {
    id: e.id,
    time: new Date(e.timeMs).toISOString(),
    actor: e.actor,
    action: e.action,
    target: e.target,
    outcome: e.outcome,
    code: e.code,
    requestId: e.requestId,
    detail: e.detail,
  };
}

/** The actor of commands run by the operator at the console. */
export const CLI_ACTOR: AuditActor = { tokenId: null, name: 'cli', role: 'admin' };
