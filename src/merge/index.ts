/**
 * The merge engine: selected RSG items back into a live mailbox — planned (pure), then
 * applied as a resumable job; single-instance (an existing content adds a reference, not a
 * blob); dumpster-aware (see plan.ts for the decision order); undoable.
 *
 * Invariants: every source item a job handles is recorded in the same transaction as the
 * write it caused, so a job never handles an item twice; a dry run writes nothing.
 */
export * from './types.js';
export { mergeExtension, type MergeItemRow } from './schema.js';
export {
  planMerge,
  selectItems,
  globTest,
  WELL_KNOWN,
  type QuerySelector,
  type AttachmentNames,
} from './plan.js';
export {
  createMergeJob,
  createMergeJobTx,
  dryRunMerge,
  loadJob,
  runMergeJob,
  toReport,
  type MergeDeps,
  type MergeProgress,
} from './run.js';
export { undoMerge, type UndoReport } from './undo.js';

import type { Database } from '../store/index.js';
import type { MergeItemRow } from './schema.js';

/** Every source item a job handled, in order (the per-item report). */
export function listMergeItems(live: Database, id: number): MergeItemRow[] {
  return live.sql
    .prepare(
      `SELECT job_id AS jobId, source_item_id AS sourceItemId, class, action, target_item_id AS targetItemId,
              target_folder AS targetFolder, flags, flags_before AS flagsBefore, reason
       FROM merge_items WHERE job_id = ? ORDER BY source_item_id`,
    )
    .all(id) as MergeItemRow[];
}
export { type GroupMessage, type LiveStatus, liveStatuses } from './live-status.js';
