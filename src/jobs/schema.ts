/** The bulk-job table of the live database: one row per run of a job file, with its merges. */
import type BetterSqlite3 from 'better-sqlite3';
import type { ExtensionOp, StoreExtension } from '../store/index.js';

export const JOBS_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS bulk_jobs (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  doc_hash    TEXT NOT NULL,     -- sha256 of the job document: what --resume looks for
  document    TEXT NOT NULL,     -- the validated job document, JSON
  rsg_id      TEXT,
  state       TEXT NOT NULL,     -- running, stopped, done, failed
  merges      TEXT NOT NULL,     -- JSON: { "<from> <to>": mergeId }
  actor       TEXT,
  created_ms  INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL
) STRICT;
`;

export interface BulkJobRow {
  id: number;
  name: string;
  docHash: string;
  document: string;
  rsgId: string | null;
  state: string;
  merges: string;
  actor: string | null;
  createdMs: number;
  updatedMs: number;
}

function put(sql: BetterSqlite3.Database, j: Partial<BulkJobRow> & { id: number }): void {
  if (!sql.prepare('SELECT 1 FROM bulk_jobs WHERE id = ?').get(j.id)) {
    sql
      .prepare(
        `INSERT INTO bulk_jobs (id, name, doc_hash, document, rsg_id, state, merges, actor, created_ms, updated_ms)
         VALUES (@id, @name, @docHash, @document, @rsgId, @state, @merges, @actor, @createdMs, @updatedMs)`,
      )
      .run(j);
    sql
      .prepare(
        "INSERT INTO counters (name, next) VALUES ('bulk_jobs', ?) ON CONFLICT(name) DO UPDATE SET next = max(next, excluded.next)",
      )
      .run(j.id + 1);
    return;
  }
  for (const [k, c] of [
    ['state', 'state'],
    ['merges', 'merges'],
    ['rsgId', 'rsg_id'],
    ['updatedMs', 'updated_ms'],
  ] as const) {
    if (j[k] !== undefined) {
      sql.prepare(`UPDATE bulk_jobs SET ${c} = ? WHERE id = ?`).run(j[k], j.id);
    }
  }
}

export const jobsExtension: StoreExtension = {
  name: 'jobs',
  schemaSql: JOBS_SCHEMA_SQL,
  ops: { 'bulk.job': (sql, op) => put(sql, (op as ExtensionOp).job as BulkJobRow) },
};
