/**
 * The audit log: an append-only table in the live database, written only through a logged
 * operation (`audit.append`), so backups, restores and replays keep it. SQLite triggers refuse
 * any UPDATE or DELETE of its rows.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { type Page, decodeCursor, isInt, pageOf } from '../lib/cursor.js';
import { type Database, type Op, type StoreExtension, type WriteTx, stmt } from '../store/index.js';

/** Who did something: a token (id, name, role), the CLI operator, or nobody (no token). */
export interface AuditActor {
  tokenId: number | null;
  name: string;
  role: string | null;
}

/** ok: done; denied: refused by authentication, authorisation, scope or a rate limit; failed: an error. */
export type AuditOutcome = 'ok' | 'denied' | 'failed';

export interface AuditInput {
  actor: AuditActor;
  /** What was attempted: the API's operationId (`restoreDumpsterItem`, `getItem`, …). */
  action: string;
  /** What it was aimed at, as an API path (`/mailboxes/alice@example.com/items/12`). */
  target: string;
  outcome: AuditOutcome;
  /** The error code of a denial or failure. */
  code?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown> | null;
}

export interface AuditEntry {
  id: number;
  timeMs: number;
  actor: AuditActor;
  action: string;
  target: string;
  outcome: AuditOutcome;
  code: string | null;
  requestId: string | null;
  detail: Record<string, unknown> | null;
}

const COUNTER = 'audit';
/** Bounds per field, so hostile input (a 10 KB path) cannot bloat the log. */
const MAX_FIELD_CHARS = 1024;

export const AUDIT_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS audit_log (
  id          INTEGER PRIMARY KEY,
  time_ms     INTEGER NOT NULL,
  actor_id    INTEGER,                -- token id; NULL for the CLI operator or no token
  actor_name  TEXT NOT NULL,
  role        TEXT,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
  code        TEXT,
  request_id  TEXT,
  detail      TEXT                    -- JSON object or NULL
) STRICT;
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit_log (actor_id, action, time_ms);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

interface AppendOp {
  t: 'audit.append';
  entries: AuditEntry[];
}

function applyAppend(sql: BetterSqlite3.Database, op: Op): void {
  const { entries } = op as unknown as AppendOp;
  const ins = stmt(
    sql,
    `INSERT INTO audit_log (id, time_ms, actor_id, actor_name, role, action, target, outcome, code, request_id, detail)
     VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
  );
  let last = 0;
  for (const e of entries) {
    ins.run(
      e.id,
      e.timeMs,
      e.actor.tokenId,
      e.actor.name,
      e.actor.role,
      e.action,
      e.target,
      e.outcome,
      e.code,
      e.requestId,
      e.detail === null ? null : JSON.stringify(e.detail),
    );
    last = Math.max(last, e.id);
  }
  stmt(
    sql,
    'INSERT INTO counters (name, next) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET next = max(next, excluded.next)',
  ).run(COUNTER, last + 1);
}

/** The audit module's tables and logged operations in the live database. */
export const AUDIT_EXTENSION: StoreExtension = {
  name: 'audit',
  schemaSql: AUDIT_SCHEMA_SQL,
  ops: { 'audit.append': applyAppend },
};

function clip(s: string): string {
  return s.length > MAX_FIELD_CHARS ? s.slice(0, MAX_FIELD_CHARS) + '…' : s;
}

/** Append entries inside a write batch: they commit (or roll back) with the batch's own changes. */
export function recordAuditTx(tx: WriteTx, inputs: readonly AuditInput[]): AuditEntry[] {
  const entries = inputs.map((i): AuditEntry => ({
    id: tx.nextId(COUNTER),
    timeMs: tx.now,
    actor: { tokenId: i.actor.tokenId, name: clip(i.actor.name), role: i.actor.role },
    action: clip(i.action),
    target: clip(i.target),
    outcome: i.outcome,
    code: i.code ?? null,
    requestId: i.requestId ? clip(i.requestId) : null,
    detail: i.detail ?? null,
  }));
  if (entries.length > 0) {
    tx.emit({ t: 'audit.append', entries });
  }
  return entries;
}

/** Append entries in a write of their own (group commit batches it with concurrent writes). */
export function recordAudit(db: Database, inputs: readonly AuditInput[]): Promise<AuditEntry[]> {
  return db.write((tx) => recordAuditTx(tx, inputs));
}

export interface AuditFilter {
  /** A token id or an actor name (`cli`, a token's name). */
  actor?: string;
  action?: string;
  /** A target prefix: `/mailboxes/alice@example.com` matches everything under it. */
  target?: string;
  outcome?: AuditOutcome;
  /** Inclusive lower bound, ms. */
  sinceMs?: number;
  /** Exclusive upper bound, ms. */
  untilMs?: number;
}

interface AuditRow {
  id: number;
  timeMs: number;
  actorId: number | null;
  actorName: string;
  role: string | null;
  action: string;
  target: string;
  outcome: AuditOutcome;
  code: string | null;
  requestId: string | null;
  detail: string | null;
}

const CURSOR_KIND = 'audit';

/**
 * Audit entries, newest first (by id: the order they were recorded), paged by keyset.
 * @throws VALIDATION_FAILED for a cursor that is not one of this list
 */
export function listAudit(
  sql: BetterSqlite3.Database,
  filter: AuditFilter,
  page: { cursor?: string; limit: number },
): Page<AuditEntry> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.actor !== undefined) {
    where.push('(actor_name = ? OR CAST(actor_id AS TEXT) = ?)');
    params.push(filter.actor, filter.actor);
  }
  if (filter.action !== undefined) {
    where.push('action = ?');
    params.push(filter.action);
  }
  if (filter.target !== undefined) {
    where.push("(target = ? OR target LIKE ? ESCAPE '\\')");
    params.push(filter.target, filter.target.replace(/[\\%_]/g, (c) => '\\' + c) + '%');
  }
  if (filter.outcome !== undefined) {
    where.push('outcome = ?');
    params.push(filter.outcome);
  }
  if (filter.sinceMs !== undefined) {
    where.push('time_ms >= ?');
    params.push(filter.sinceMs);
  }
  if (filter.untilMs !== undefined) {
    where.push('time_ms < ?');
    params.push(filter.untilMs);
  }
  if (page.cursor !== undefined) {
    where.push('id < ?');
    params.push(decodeCursor(CURSOR_KIND, page.cursor, isInt));
  }
  const rows = sql
    .prepare(
      `SELECT id, time_ms AS timeMs, actor_id AS actorId, actor_name AS actorName, role, action, target, outcome,
         code, request_id AS requestId, detail
       FROM audit_log ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`,
    )
    .all(...params, page.limit + 1) as AuditRow[];
  const { items, nextCursor } = pageOf(rows, page.limit, CURSOR_KIND, (r) => r.id);
  return {
    items: items.map((r): AuditEntry => ({
      id: r.id,
      timeMs: r.timeMs,
      actor: { tokenId: r.actorId, name: r.actorName, role: r.role },
      action: r.action,
      target: r.target,
      outcome: r.outcome,
      code: r.code,
      requestId: r.requestId,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
    })),
    nextCursor,
  };
}
