/**
 * Undo a merge: what it created goes to the dumpster (recoverable, not destroyed), flags it
 * updated are set back — except where the user touched the item since (moved, re-flagged,
 * deleted), which is left alone and counted.
 */
import { AppError } from '../errors.js';
import { type Database, findItem } from '../store/index.js';
import { loadJob } from './run.js';
import type { MergeItemRow } from './schema.js';

export interface UndoReport {
  id: number;
  removed: number;
  flagsRestored: number;
  /** Items left alone because the user changed them after the merge. */
  touched: number;
  /** Items already gone (deleted or purged since). */
  gone: number;
}

/** @throws MERGE_NOT_FOUND, MERGE_CONFLICT (running or already undone) */
export function undoMerge(live: Database, id: number): UndoReport {
  const job = loadJob(live, id);
  if (job.state === 'undone') {
    throw new AppError('MERGE_CONFLICT', `Merge ${id} is already undone`, { mergeId: id });
  }
  if (job.state === 'running') {
    // it may be running right now, or interrupted: resume it (or let it stop) first
    throw new AppError(
      'MERGE_CONFLICT',
      `Merge ${id} has not finished; resume it to its end before undoing it`,
      {
        mergeId: id,
      },
    );
  }
  return live.writeSync((tx) => {
    const rows = tx.sql
      .prepare(
        `SELECT job_id AS jobId, source_item_id AS sourceItemId, class, action, target_item_id AS targetItemId,
                target_folder AS targetFolder, flags, flags_before AS flagsBefore, reason
         FROM merge_items WHERE job_id = ? AND action IN ('create', 'keep-both', 'update', 'create-in-dumpster')`,
      )
      .all(id) as MergeItemRow[];
    const report: UndoReport = { id, removed: 0, flagsRestored: 0, touched: 0, gone: 0 };
    const toDelete: number[] = [];
    for (const r of rows) {
      const it = r.targetItemId === null ? undefined : findItem(tx.sql, r.targetItemId);
      if (!it) {
        report.gone += 1;
        continue;
      }
      const sameFlags = it.flags.join(' ') === (r.flags ?? '');
      if (r.action === 'update') {
        if (sameFlags) {
          tx.emit({ t: 'item.update', id: it.id, flags: r.flagsBefore ?? '' });
          report.flagsRestored += 1;
        } else {
          report.touched += 1;
        }
      } else if (r.action === 'create-in-dumpster') {
        if (it.deletedMs === null) {
          report.touched += 1; // the user restored it: leave it
        }
      } else if (it.deletedMs !== null) {
        report.gone += 1;
      } else if (!sameFlags || it.folder !== r.targetFolder) {
        report.touched += 1;
      } else {
        toDelete.push(it.id);
      }
    }
    if (toDelete.length > 0) {
      tx.emit({ t: 'item.delete', ids: toDelete, deletedMs: tx.now });
    }
    report.removed = toDelete.length;
    tx.emit({ t: 'merge.job', job: { id, state: 'undone', updatedMs: tx.now } });
    return report;
  });
}
