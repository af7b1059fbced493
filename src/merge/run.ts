/**
 * Applying a merge: a job in the live database that executes its plan in batches. Each batch
 * writes the items and records every source item it handled in the same transaction, so a
 * crash resumes exactly where it stopped and running a finished job again adds nothing.
 */
import { AppError, isAppError } from '../errors.js';
import type { RecoveryGroup } from '../rsg/index.js';
import {
  type Database,
  type ParsedMessage,
  addItemTx,
  findItem,
  getMailbox,
  parseMessage,
} from '../store/index.js';
import type { MergeItemRow, MergeJobRow } from './schema.js';
import { type AttachmentNames, type QuerySelector, planMerge } from './plan.js';
import {
  type MergeCounts,
  type MergeReport,
  type MergeRequest,
  type PlannedItem,
  countItem,
  emptyCounts,
} from './types.js';

const BATCH = 500;
const MAX_LISTED_FAILURES = 1000;

interface JobState {
  counts: MergeCounts;
  bytesCopied: number;
  bytesShared: number;
  failures: { sourceItemId: number; reason: string }[];
}

export interface MergeDeps {
  live: Database;
  group: (rsgId: string) => RecoveryGroup;
  selectQuery?: QuerySelector;
  attachmentNames?: AttachmentNames;
}

export interface MergeProgress {
  jobId: number;
  done: number;
  total: number;
  counts: MergeCounts;
  bytesCopied: number;
  itemsPerSecond: number;
  etaSeconds: number;
}

export function loadJob(live: Database, id: number): MergeJobRow {
  const row = live.sql
    .prepare(
      `SELECT id, rsg_id AS rsgId, rsg_label AS rsgLabel, target, request, state, counts, total, done, error, actor,
              created_ms AS createdMs, updated_ms AS updatedMs FROM merge_jobs WHERE id = ?`,
    )
    .get(id) as MergeJobRow | undefined;
  if (!row) {
    throw new AppError('MERGE_NOT_FOUND', `No merge ${id}`, { mergeId: id });
  }
  return row;
}

export function toReport(row: MergeJobRow): MergeReport {
  const st = JSON.parse(row.counts) as JobState;
  return {
    id: row.id,
    rsg: row.rsgId,
    target: row.target,
    dryRun: false,
    state: row.state as MergeReport['state'],
    counts: st.counts,
    bytesCopied: st.bytesCopied,
    bytesShared: st.bytesShared,
    total: row.total,
    done: row.done,
    error: row.error,
    failures: st.failures,
    createdMs: row.createdMs,
    updatedMs: row.updatedMs,
  };
}

/** What applying would do, computed without writing anything. */
export function dryRunMerge(
  deps: MergeDeps,
  req: MergeRequest,
  opts: { assumeEmptyTarget?: boolean } = {},
): MergeReport & { items: PlannedItem[] } {
  const now = deps.live.clock.now();
  const group = deps.group(req.rsg);
  const plan = planMerge(deps.live.sql, group, req, {
    now,
    selectQuery: deps.selectQuery,
    attachmentNames: deps.attachmentNames,
    ...opts,
  });
  const counts = emptyCounts();
  let bytesCopied = 0;
  let bytesShared = 0;
  const known = deps.live.sql.prepare('SELECT 1 FROM blobs WHERE hash = ?');
  // bytes are counted as a real run counts them: the content (the blob), without the trace prefix
  const contentSize = group.sql.prepare('SELECT size FROM blobs WHERE hash = ?').pluck();
  const newBlobs = new Set<string>();
  for (const p of plan) {
    countItem(counts, p.class, p.action);
    if (p.action === 'create' || p.action === 'create-in-dumpster' || p.action === 'keep-both') {
      const size = (contentSize.get(p.blobHash) as number | undefined) ?? p.size;
      if (known.get(p.blobHash) || newBlobs.has(p.blobHash)) {
        bytesShared += size;
      } else {
        newBlobs.add(p.blobHash);
        bytesCopied += size;
      }
    }
  }
  return {
    id: null,
    rsg: req.rsg,
    target: req.target,
    dryRun: true,
    state: 'planned',
    counts,
    bytesCopied,
    bytesShared,
    total: plan.length,
    done: 0,
    error: null,
    failures: [],
    createdMs: now,
    updatedMs: now,
    items: plan,
  };
}

/** Record a new merge job (state 'running', nothing merged yet). @throws MAILBOX_NOT_FOUND, RSG_* */
export function createMergeJob(deps: MergeDeps, req: MergeRequest, actor: string | null): number {
  const group = deps.group(req.rsg);
  return deps.live.writeSync((tx) => {
    getMailbox(tx.sql, req.target);
    const id = tx.nextId('merge_jobs');
    const state: JobState = { counts: emptyCounts(), bytesCopied: 0, bytesShared: 0, failures: [] };
    tx.emit({
      t: 'merge.job',
      job: {
        id,
        rsgId: req.rsg,
        rsgLabel: group.info.label,
        target: req.target,
        request: JSON.stringify(req),
        state: 'running',
        counts: JSON.stringify(state),
        total: 0,
        done: 0,
        error: null,
        actor,
        createdMs: tx.now,
        updatedMs: tx.now,
      },
    });
    return id;
  });
}

interface Prepared {
  p: PlannedItem;
  bytes?: Buffer;
  parsed?: ParsedMessage;
  failure?: string;
}

function prepare(group: RecoveryGroup, p: PlannedItem): Prepared {
  if (p.action !== 'create' && p.action !== 'create-in-dumpster' && p.action !== 'keep-both') {
    return { p };
  }
  try {
    const bytes = group.readItemBytes(p.sourceItemId);
    const parsed = parseMessage(bytes, Number.MAX_SAFE_INTEGER);
    if (parsed.contentHash !== p.blobHash) {
      // a damaged blob file reads without error: never merge bytes that are not the item's
      return {
        p,
        failure: `SOURCE_CORRUPT: the content of item ${p.sourceItemId} does not match its hash ${p.blobHash}`,
      };
    }
    return { p, bytes, parsed };
  } catch (err) {
    if (isAppError(err)) {
      return { p, failure: `${err.code}: ${err.message}` };
    }
    throw err;
  }
}

/**
 * Run (or resume) a merge job: plan against the target's current state, skip the source
 * items this job already handled, write the rest in batches.
 * @throws MERGE_NOT_FOUND, MERGE_CONFLICT (the job is undone)
 */
export async function runMergeJob(
  deps: MergeDeps,
  jobId: number,
  opts: { onProgress?: (p: MergeProgress) => void; signal?: AbortSignal } = {},
): Promise<MergeReport> {
  const job = loadJob(deps.live, jobId);
  if (job.state === 'undone') {
    throw new AppError('MERGE_CONFLICT', `Merge ${jobId} was undone; plan a new one`, { mergeId: jobId });
  }
  const req = JSON.parse(job.request) as MergeRequest;
  const group = deps.group(req.rsg);
  const started = Date.now();
  const plan = planMerge(deps.live.sql, group, req, {
    now: job.createdMs,
    selectQuery: deps.selectQuery,
    attachmentNames: deps.attachmentNames,
  });
  const handled = new Set(
    (
      deps.live.sql.prepare('SELECT source_item_id AS s FROM merge_items WHERE job_id = ?').all(jobId) as {
        s: number;
      }[]
    ).map((r) => r.s),
  );
  const todo = plan.filter((p) => !handled.has(p.sourceItemId));
  const state = JSON.parse(job.counts) as JobState;
  let done = handled.size;
  let outcome: { state: MergeReport['state']; error: string | null } = { state: 'done', error: null };
  const overLimit = (): string =>
    `stopped: ${state.counts.failed} item(s) failed, more than the bad-item limit of ${req.badItemLimit}`;
  let next = 0;
  while (next < todo.length) {
    if (opts.signal?.aborted) {
      outcome = { state: 'stopped', error: 'stopped on request; resume to continue' };
      break;
    }
    if (state.counts.failed > req.badItemLimit) {
      outcome = { state: 'failed', error: overLimit() };
      break;
    }
    // a batch ends early at the failure that goes over the limit: nothing after it is handled
    const batch: Prepared[] = [];
    let failures = state.counts.failed;
    while (next < todo.length && batch.length < BATCH) {
      const b = prepare(group, todo[next]!);
      next += 1;
      batch.push(b);
      if (b.failure !== undefined && ++failures > req.badItemLimit) {
        break;
      }
    }
    deps.live.writeSync((tx) => {
      if (loadJob(deps.live, jobId).state === 'undone') {
        throw new AppError('MERGE_CONFLICT', `Merge ${jobId} was undone while it ran`, { mergeId: jobId });
      }
      const target = getMailbox(tx.sql, req.target);
      const rows: MergeItemRow[] = [];
      for (const b of batch) {
        const p = b.p;
        const row: MergeItemRow = {
          jobId,
          sourceItemId: p.sourceItemId,
          class: p.class,
          action: p.action,
          targetItemId: p.targetItemId,
          targetFolder: p.targetFolder,
          flags: null,
          flagsBefore: null,
          reason: p.reason,
        };
        if (b.failure !== undefined) {
          row.class = 'failed';
          row.action = 'fail';
          row.reason = b.failure;
          if (state.failures.length < MAX_LISTED_FAILURES) {
            state.failures.push({ sourceItemId: p.sourceItemId, reason: b.failure });
          }
        } else if (b.bytes && b.parsed) {
          const added = addItemTx(tx, {
            mailboxId: target.id,
            folderPath: p.targetFolder ?? undefined,
            bytes: b.bytes,
            parsed: b.parsed,
            flags: p.flags,
            internalMs: p.internalMs,
            deletedMs: p.action === 'create-in-dumpster' ? p.deletedMs : null,
            origin: `merge:${jobId}:${req.rsg}:${p.sourceItemId}`,
          });
          row.targetItemId = added.id;
          row.flags = p.flags.join(' ');
          if (added.newBlob) {
            state.bytesCopied += added.contentBytes;
          } else {
            state.bytesShared += added.contentBytes;
          }
        } else if (p.action === 'update' && p.targetItemId !== null) {
          row.flagsBefore = findItem(tx.sql, p.targetItemId)?.flags.join(' ') ?? '';
          row.flags = p.flags.join(' ');
          tx.emit({ t: 'item.update', id: p.targetItemId, flags: row.flags });
        }
        countItem(state.counts, row.class as PlannedItem['class'], row.action as PlannedItem['action']);
        rows.push(row);
      }
      done += rows.length;
      tx.emit({ t: 'merge.items', items: rows });
      tx.emit({
        t: 'merge.job',
        job: {
          id: jobId,
          state: 'running',
          counts: JSON.stringify(state),
          total: plan.length,
          done,
          updatedMs: tx.now,
        },
      });
    });
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = (done - handled.size) / secs;
    opts.onProgress?.({
      jobId,
      done,
      total: plan.length,
      counts: state.counts,
      bytesCopied: state.bytesCopied,
      itemsPerSecond: Math.round(rate),
      etaSeconds: Math.round((plan.length - done) / Math.max(rate, 1)),
    });
    if (state.counts.failed > req.badItemLimit) {
      outcome = { state: 'failed', error: overLimit() };
      break;
    }
    await new Promise((r) => setImmediate(r));
  }
  deps.live.writeSync((tx) =>
    tx.emit({
      t: 'merge.job',
      job: {
        id: jobId,
        state: outcome.state,
        error: outcome.error,
        total: plan.length,
        done,
        updatedMs: tx.now,
      },
    }),
  );
  return toReport(loadJob(deps.live, jobId));
}
