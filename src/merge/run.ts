/**
 * Applying a merge: a job in the live database that executes its plan in batches. Each batch
 * writes the items and records every source item it handled in the same transaction, so a
 * crash resumes exactly where it stopped and running a finished job again adds nothing.
 */
import { AppError, isAppError } from '../errors.js';
import type { RecoveryGroup } from '../rsg/index.js';
import type BetterSqlite3 from 'better-sqlite3';
import {
  type Database,
  type ItemMessageFields,
  type ParsedMessage,
  addItemTx,
  addSharedItemTx,
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

/**
 * Items per write batch (one transaction, one log fsync): large batches amortise the commit;
 * the bytes read ahead for items that are copied bound a batch too.
 */
const BATCH_ITEMS = 2000;
const BATCH_BYTES = 8 * 1024 * 1024;
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
  /** The live database holds the content already: the item is added as a reference. */
  shared?: ItemMessageFields;
  bytes?: Buffer;
  parsed?: ParsedMessage;
  failure?: string;
}

/** What preparing an item needs besides the item: the RSG, and two cheap look-ups. */
interface Sources {
  group: RecoveryGroup;
  /** Does the live database store this content already? */
  liveHas: BetterSqlite3.Statement;
  /** The source item's own fields (its prefix, hashes, addresses) from the RSG, without its content. */
  row: BetterSqlite3.Statement;
}

function sourcesOf(live: Database, group: RecoveryGroup): Sources {
  return {
    group,
    liveHas: live.sql.prepare('SELECT 1 FROM blobs WHERE hash = ?').pluck(),
    row: group.sql.prepare(
      `SELECT prefix, sha256, from_addr AS "from", to_addr AS "to", cc_addr AS cc, date_ms AS dateMs
       FROM items WHERE id = ?`,
    ),
  };
}

/**
 * Read what writing an item takes, outside the write transaction. An item whose content the
 * live database already holds (a single-instance hit) needs only its prefix and fields: its
 * content is neither read nor parsed again. Any other item is read and checked against its hash.
 */
function prepare(src: Sources, p: PlannedItem): Prepared {
  if (p.action !== 'create' && p.action !== 'create-in-dumpster' && p.action !== 'keep-both') {
    return { p };
  }
  if (src.liveHas.get(p.blobHash) !== undefined) {
    const r = src.row.get(p.sourceItemId) as
      Omit<ItemMessageFields, 'blobHash' | 'size' | 'identity' | 'messageId' | 'subject'> | undefined;
    if (r) {
      return {
        p,
        shared: {
          ...r,
          blobHash: p.blobHash,
          size: p.size,
          identity: p.identity,
          messageId: p.messageId,
          subject: p.subject,
        },
      };
    }
  }
  return readSource(src.group, p);
}

function readSource(group: RecoveryGroup, p: PlannedItem): Prepared {
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

/** The record of one handled item, as planned (the write fills in what it did). */
function rowOf(jobId: number, p: PlannedItem): MergeItemRow {
  return {
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
}

/**
 * Run (or resume) a merge job: plan against the target's current state, skip the source
 * items this job already handled, write the rest in batches.
 * @throws MERGE_NOT_FOUND, MERGE_CONFLICT (the job is undone)
 */
export async function runMergeJob(
  deps: MergeDeps,
  jobId: number,
  opts: { onProgress?: (p: MergeProgress) => void; signal?: AbortSignal; batchItems?: number } = {},
): Promise<MergeReport> {
  const job = loadJob(deps.live, jobId);
  const batchItems = opts.batchItems ?? BATCH_ITEMS;
  if (job.state === 'undone') {
    throw new AppError('MERGE_CONFLICT', `Merge ${jobId} was undone; plan a new one`, { mergeId: jobId });
  }
  const req = JSON.parse(job.request) as MergeRequest;
  const group = deps.group(req.rsg);
  const started = Date.now();
  // the log position this run's view of the database comes from: a write batch that finds the
  // log moved on since (another writer, or records of a process that died, replayed when the
  // batch took the write lock) checks each item against what is in the database now
  let seenLsn = deps.live.tail().lsn;
  let moved = false;
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
  const src = sourcesOf(deps.live, group);
  let state = JSON.parse(job.counts) as JobState;
  let done = job.done;
  const handledBy = deps.live.sql.prepare(
    'SELECT 1 FROM merge_items WHERE job_id = ? AND source_item_id = ?',
  );
  const createdBy = deps.live.sql.prepare(
    'SELECT id FROM items WHERE mailbox_id = ? AND identity = ? AND origin = ? LIMIT 1',
  );
  const refcount = deps.live.sql.prepare('SELECT refcount FROM blobs WHERE hash = ?').pluck();
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
    let bytes = 0;
    while (next < todo.length && batch.length < batchItems && bytes < BATCH_BYTES) {
      const b = prepare(src, todo[next]!);
      next += 1;
      batch.push(b);
      bytes += b.bytes?.length ?? 0;
      if (b.failure !== undefined && ++failures > req.badItemLimit) {
        break;
      }
    }
    deps.live.writeSync((tx) => {
      // The job as the database has it now, under the write lock: taking the lock may have
      // replayed what another process made durable before it died (a whole batch, or — when it
      // died while writing the log — the first records of one), or another runner may have
      // gone on with this job. Its counts are the truth, and no item is handled twice: not one
      // this job recorded since this run planned, nor one it created without recording it yet.
      const current = loadJob(deps.live, jobId);
      if (current.state === 'undone') {
        throw new AppError('MERGE_CONFLICT', `Merge ${jobId} was undone while it ran`, { mergeId: jobId });
      }
      // once the database moved under this run, its plan is stale for every later batch too
      moved ||= deps.live.tail().lsn !== seenLsn;
      state = JSON.parse(current.counts) as JobState;
      done = current.done;
      const target = getMailbox(tx.sql, req.target);
      const rows: MergeItemRow[] = [];
      for (let b of batch) {
        const p = b.p;
        if (moved && handledBy.get(jobId, p.sourceItemId) !== undefined) {
          continue;
        }
        const place = {
          mailboxId: target.id,
          folderPath: p.targetFolder ?? undefined,
          flags: p.flags,
          internalMs: p.internalMs,
          deletedMs: p.action === 'create-in-dumpster' ? p.deletedMs : null,
          origin: `merge:${jobId}:${req.rsg}:${p.sourceItemId}`,
        };
        const prior =
          moved && b.failure === undefined
            ? (createdBy.get(target.id, p.identity, place.origin) as { id: number } | undefined)
            : undefined;
        if (prior) {
          // created by this job in a batch whose record of it was lost: record it now
          const size = (src.row.get(p.sourceItemId) as { prefix: Buffer } | undefined)?.prefix.length ?? 0;
          if (refcount.get(p.blobHash) === 1) {
            state.bytesCopied += p.size - size;
          } else {
            state.bytesShared += p.size - size;
          }
          countItem(state.counts, p.class, p.action);
          rows.push({ ...rowOf(jobId, p), targetItemId: prior.id, flags: p.flags.join(' ') });
          continue;
        }
        const shared = b.shared ? addSharedItemTx(tx, { ...place, ...b.shared }) : undefined;
        if (b.shared && !shared) {
          b = readSource(group, p); // the content was released since it was looked up: copy it
        }
        const row = rowOf(jobId, p);
        if (b.failure !== undefined) {
          row.class = 'failed';
          row.action = 'fail';
          row.reason = b.failure;
          if (state.failures.length < MAX_LISTED_FAILURES) {
            state.failures.push({ sourceItemId: p.sourceItemId, reason: b.failure });
          }
        } else if (shared || (b.bytes && b.parsed)) {
          const added = shared ?? addItemTx(tx, { ...place, bytes: b.bytes!, parsed: b.parsed });
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
    seenLsn = deps.live.tail().lsn;
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
