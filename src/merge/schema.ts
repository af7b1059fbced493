/**
 * The merge module's own tables in the live database, and its logged operations: a merge is
 * a job that records each source item it handled in the same transaction as the write, so a
 * crash resumes where it stopped and nothing is merged twice.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ExtensionOp, StoreExtension } from '../store/index.js';

export const MERGE_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS merge_jobs (
  id          INTEGER PRIMARY KEY,
  rsg_id      TEXT NOT NULL,
  rsg_label   TEXT NOT NULL,
  target      TEXT NOT NULL,
  request     TEXT NOT NULL,   -- the MergeRequest, JSON
  state       TEXT NOT NULL,   -- running, stopped, done, failed, undone
  counts      TEXT NOT NULL,   -- MergeCounts, JSON
  total       INTEGER NOT NULL,
  done        INTEGER NOT NULL,
  error       TEXT,
  actor       TEXT,
  created_ms  INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS merge_items (
  job_id          INTEGER NOT NULL,
  source_item_id  INTEGER NOT NULL,
  class           TEXT NOT NULL,
  action          TEXT NOT NULL,
  target_item_id  INTEGER,
  target_folder   TEXT,
  flags           TEXT,          -- flags the merge set (created or updated)
  flags_before    TEXT,          -- for 'updated': the target's flags before
  reason          TEXT,
  PRIMARY KEY (job_id, source_item_id)
) STRICT, WITHOUT ROWID;
`;

export interface MergeJobRow {
  id: number;
  rsgId: string;
  rsgLabel: string;
  target: string;
  request: string;
  state: string;
  counts: string;
  total: number;
  done: number;
  error: string | null;
  actor: string | null;
  createdMs: number;
  updatedMs: number;
}

export interface MergeItemRow {
  jobId: number;
  sourceItemId: number;
  class: string;
  action: string;
  targetItemId: number | null;
  targetFolder: string | null;
  flags: string | null;
  flagsBefore: string | null;
  reason: string | null;
}

function put(sql: BetterSqlite3.Database, job: Partial<MergeJobRow> & { id: number }): void {
  const exists = sql.prepare('SELECT 1 FROM merge_jobs WHERE id = ?').get(job.id);
  if (!exists) {
    sql
      .prepare(
        `INSERT INTO merge_jobs (id, rsg_id, rsg_label, target, request, state, counts, total, done, error, actor, created_ms, updated_ms)
         VALUES (@id, @rsgId, @rsgLabel, @target, @request, @state, @counts, @total, @done, @error, @actor, @createdMs, @updatedMs)`,
      )
      .run(job);
    sql
      .prepare(
        "INSERT INTO counters (name, next) VALUES ('merge_jobs', ?) ON CONFLICT(name) DO UPDATE SET next = max(next, excluded.next)",
      )
      .run(job.id + 1);
    return;
  }
  const cols: Record<string, string> = {
    state: 'state',
    counts: 'counts',
    total: 'total',
    done: 'done',
    error: 'error',
    updatedMs: 'updated_ms',
  };
  for (const [k, c] of Object.entries(cols)) {
    const v = (job as Record<string, unknown>)[k];
    if (v !== undefined) {
      sql.prepare(`UPDATE merge_jobs SET ${c} = ? WHERE id = ?`).run(v, job.id);
    }
  }
}

export const mergeExtension: StoreExtension = {
  name: 'merge',
  schemaSql: MERGE_SCHEMA_SQL,
  ops: {
    'merge.job': (sql, op) => put(sql, (op as ExtensionOp).job as MergeJobRow),
    'merge.items': (sql, op) => {
      const ins = sql.prepare(
        `INSERT OR REPLACE INTO merge_items (job_id, source_item_id, class, action, target_item_id, target_folder, flags, flags_before, reason)
         VALUES (@jobId, @sourceItemId, @class, @action, @targetItemId, @targetFolder, @flags, @flagsBefore, @reason)`,
      );
      for (const r of (op as ExtensionOp).items as MergeItemRow[]) {
        ins.run(r);
      }
    },
  },
};
