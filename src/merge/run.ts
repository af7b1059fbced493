/**
 * Applying a merge: a job in the live database that executes its plan in batches. Each batch
 * writes the items and records every source item it handled in the same transaction, so a
 * crash resumes exactly where it stopped and running a finished job again adds nothing.
 */
import { AppError, isAppError } from '../errors.js';
import type { RecoveryGroup } from '../rsg/index.js';
import type BetterSqlite3 from 'better-sqlite3';
import { sha256Hex } from '../lib/hash.js';
import {
  type AddedItem,
  type Database,
  type ItemMessageFields,
  type ParsedMessage,
  type SharedItemWriter,
  type WriteTx,
  addItemTx,
  findItem,
  getMailbox,
  sharedItemWriter,
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
 * Items per write batch (one transaction, one log fsync): large batches amortise the commit
 * (a batch of single-instance hits rewrites the same pages of the reference counts and the
 * blob index whatever its size: fewer, larger batches write them fewer times); the bytes read
 * ahead for items that are copied bound a batch too, and so keep batches of copies small.
 */
const BATCH_ITEMS = 10_000;
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
  return deps.live.writeSync((tx) => createMergeJobTx(tx, group, req, actor));
}

/**
 * Record a new merge job inside a write batch, so that a caller can record it with its own
 * bookkeeping in one transaction (a bulk job records each mailbox's merge id).
 * @throws MAILBOX_NOT_FOUND
 */
export function createMergeJobTx(
  tx: WriteTx,
  group: RecoveryGroup,
  req: MergeRequest,
  actor: string | null,
): number {
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
}

/** Actions that write a new item into the target. */
function createsItem(p: PlannedItem): boolean {
  return p.action === 'create' || p.action === 'create-in-dumpster' || p.action === 'keep-both';
}

interface Prepared {
  p: PlannedItem;
  /** For an item to create: every field of the new item (the source's, with its trace prefix). */
  fields?: ItemMessageFields;
  /**
   * For an item to create whose content the live database did not hold when the batch was
   * read: the content, read from the RSG. Without it the item is added as a reference.
   */
  content?: Buffer;
  failure?: string;
}

/** The fields of a source item planning did not read. */
type SourceFields = Pick<ItemMessageFields, 'prefix' | 'sha256' | 'from' | 'to' | 'cc' | 'dateMs'> & {
  id: number;
};

/**
 * Reads what a batch of items takes from the RSG, outside the write transaction, with one
 * query per batch rather than per item: the fields planning did not read (trace prefix,
 * hashes, addresses) of the items to create, and the contents the live database does not hold
 * yet. A content the live database holds already (a single-instance hit; both databases key
 * contents by SHA-256) is not read at all, and no content is parsed or hashed again: the RSG
 * stored each item's fields and hashes when it was mounted. The one exception is a content
 * kept as a file, which a damaged disk can change without an error: it is hashed on reading,
 * so that wrong bytes are never merged.
 */
class BatchReader {
  private readonly liveHas: BetterSqlite3.Statement;
  private readonly fields: BetterSqlite3.Statement;
  private readonly contents: BetterSqlite3.Statement;

  constructor(
    live: Database,
    private readonly group: RecoveryGroup,
  ) {
    this.liveHas = live.sql
      .prepare('SELECT hash FROM blobs WHERE hash IN (SELECT value FROM json_each(?))')
      .pluck();
    this.fields = group.sql.prepare(
      `SELECT id, prefix, sha256, from_addr AS "from", to_addr AS "to", cc_addr AS cc, date_ms AS dateMs
       FROM items WHERE id IN (SELECT value FROM json_each(?))`,
    );
    this.contents = group.sql.prepare(
      'SELECT hash, data FROM blobs WHERE hash IN (SELECT value FROM json_each(?))',
    );
  }

  /** The contents of `hashes` the live database holds now. */
  known(hashes: Iterable<string>): Set<string> {
    return new Set(this.liveHas.all(JSON.stringify([...new Set(hashes)])) as string[]);
  }

  /** Prepare `items`; the contents in `known` are not read (the items become references). */
  read(items: readonly PlannedItem[], known: ReadonlySet<string>): Prepared[] {
    const creating = items.filter(createsItem);
    const rowOf = new Map(
      (this.fields.all(JSON.stringify(creating.map((p) => p.sourceItemId))) as SourceFields[]).map((r) => [
        r.id,
        r,
      ]),
    );
    const toRead = new Set(creating.map((p) => p.blobHash).filter((h) => !known.has(h)));
    const dataOf = new Map(
      (this.contents.all(JSON.stringify([...toRead])) as { hash: string; data: Buffer | null }[]).map((r) => [
        r.hash,
        r.data,
      ]),
    );
    return items.map((p) => {
      if (!createsItem(p)) {
        return { p };
      }
      const r = rowOf.get(p.sourceItemId);
      if (r === undefined) {
        return {
          p,
          failure: `MESSAGE_NOT_FOUND: No item ${p.sourceItemId} in recovery group ${this.group.id}`,
        };
      }
      const fields: ItemMessageFields = {
        blobHash: p.blobHash,
        prefix: r.prefix,
        size: p.size,
        sha256: r.sha256,
        identity: p.identity,
        messageId: p.messageId,
        subject: p.subject,
        from: r.from,
        to: r.to,
        cc: r.cc,
        dateMs: r.dateMs,
      };
      if (!toRead.has(p.blobHash)) {
        return { p, fields };
      }
      return this.contentOf(p, fields, dataOf.get(p.blobHash));
    });
  }

  /** Prepare an item that was to be a reference as a copy: its content was released since. */
  copy(p: PlannedItem, fields: ItemMessageFields): Prepared {
    const rows = this.contents.all(JSON.stringify([p.blobHash])) as { data: Buffer | null }[];
    return this.contentOf(p, fields, rows[0]?.data);
  }

  /** `data`: the RSG's inline content, null when it is a file, undefined when the RSG lacks it. */
  private contentOf(p: PlannedItem, fields: ItemMessageFields, data: Buffer | null | undefined): Prepared {
    if (data === undefined) {
      return { p, failure: `BLOB_MISSING: Blob ${p.blobHash} is not stored` };
    }
    return data === null ? this.readFile(p, fields) : { p, fields, content: data };
  }

  /** A content kept as a file: read through the RSG and checked against its hash. */
  private readFile(p: PlannedItem, fields: ItemMessageFields): Prepared {
    try {
      const content = this.group.readItemBytes(p.sourceItemId).subarray(fields.prefix.length);
      if (sha256Hex(content) !== p.blobHash) {
        // a damaged blob file reads without error: never merge bytes that are not the item's
        return {
          p,
          failure: `SOURCE_CORRUPT: the content of item ${p.sourceItemId} does not match its hash ${p.blobHash}`,
        };
      }
      return { p, fields, content };
    } catch (err) {
      if (isAppError(err)) {
        return { p, failure: `${err.code}: ${err.message}` };
      }
      throw err;
    }
  }
}

/** The parse of a message, known without parsing it: the RSG stored every field. */
function parsedOf(f: ItemMessageFields): ParsedMessage {
  return {
    prefixLength: f.prefix.length,
    sha256: f.sha256,
    contentHash: f.blobHash,
    messageId: f.messageId,
    identity: f.identity,
    subject: f.subject,
    from: f.from,
    to: f.to,
    cc: f.cc,
    dateMs: f.dateMs,
  };
}

/**
 * The next batch of `todo` from `next`: at most `batchItems` items and about BATCH_BYTES of
 * contents to copy, ending early at the failure that goes over the bad-item limit (nothing
 * after it is handled).
 */
function nextBatch(
  reader: BatchReader,
  todo: readonly PlannedItem[],
  next: number,
  batchItems: number,
  failed: number,
  badItemLimit: number,
): Prepared[] {
  const window = todo.slice(next, next + batchItems);
  const known = reader.known(window.filter(createsItem).map((p) => p.blobHash));
  let n = 0;
  let bytes = 0;
  while (n < window.length && bytes < BATCH_BYTES) {
    const p = window[n]!;
    if (createsItem(p) && !known.has(p.blobHash)) {
      bytes += p.size;
    }
    n += 1;
  }
  const prepared = reader.read(window.slice(0, n), known);
  let failures = failed;
  const cut = prepared.findIndex((b) => b.failure !== undefined && ++failures > badItemLimit);
  return cut < 0 ? prepared : prepared.slice(0, cut + 1);
}

/**
 * Write a prepared item: a reference to the content the live database holds (through `shared`,
 * which logs the batch's references as one record), or the item with its content. Returns the
 * item (undefined when it failed) and the prepared item as written.
 */
function addPrepared(
  tx: WriteTx,
  reader: BatchReader,
  shared: SharedItemWriter,
  b: Prepared,
  place: Omit<Parameters<typeof addItemTx>[1], 'bytes' | 'parsed' | 'maxBytes'>,
): { b: Prepared; added?: AddedItem } {
  if (b.failure !== undefined || !b.fields) {
    return { b };
  }
  if (b.content === undefined) {
    const added = shared.add({ ...place, ...b.fields });
    if (added) {
      return { b, added };
    }
    b = reader.copy(b.p, b.fields); // the content was released since it was looked up: copy it
    if (b.failure !== undefined || !b.fields || b.content === undefined) {
      return { b };
    }
  }
  const bytes = b.fields.prefix.length === 0 ? b.content : Buffer.concat([b.fields.prefix, b.content]);
  return { b, added: addItemTx(tx, { ...place, bytes, parsed: parsedOf(b.fields) }) };
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
  const reader = new BatchReader(deps.live, group);
  let state = JSON.parse(job.counts) as JobState;
  let done = job.done;
  // what this job already did, for a run that finds the database moved under it: per batch
  const handledIn = deps.live.sql
    .prepare(
      'SELECT source_item_id FROM merge_items WHERE job_id = ? AND source_item_id IN (SELECT value FROM json_each(?))',
    )
    .pluck();
  const createdIn = deps.live.sql.prepare(
    `SELECT id, origin FROM items WHERE mailbox_id = ? AND identity IN (SELECT value FROM json_each(?))
       AND origin IN (SELECT value FROM json_each(?))`,
  );
  const refcount = deps.live.sql.prepare('SELECT refcount FROM blob_refs WHERE hash = ?').pluck();
  let outcome: { state: MergeReport['state']; error: string | null } | undefined;
  let recorded = false; // the outcome was stored with the last batch
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
    const batch = nextBatch(reader, todo, next, batchItems, state.counts.failed, req.badItemLimit);
    next += batch.length;
    const last = next >= todo.length;
    // asynchronous: the batches of merges that run side by side share a commit and its fsync
    outcome = await deps.live.write((tx) => {
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
      moved ||= deps.live.tail().lsn !== seenLsn || current.done !== done;
      state = JSON.parse(current.counts) as JobState;
      done = current.done;
      const target = getMailbox(tx.sql, req.target);
      const origin = (p: PlannedItem): string => `merge:${jobId}:${req.rsg}:${p.sourceItemId}`;
      const ids = JSON.stringify(batch.map((b) => b.p.sourceItemId));
      const handledNow = new Set(moved ? (handledIn.all(jobId, ids) as number[]) : []);
      const creating = moved ? batch.filter((b) => b.failure === undefined && createsItem(b.p)) : [];
      const createdNow = new Map(
        creating.length === 0
          ? []
          : (
              createdIn.all(
                target.id,
                JSON.stringify(creating.map((b) => b.p.identity)),
                JSON.stringify(creating.map((b) => origin(b.p))),
              ) as { id: number; origin: string }[]
            ).map((r) => [r.origin, r.id]),
      );
      const rows: MergeItemRow[] = [];
      const shared = sharedItemWriter(
        tx,
        batch.filter((b) => b.fields && b.content === undefined).map((b) => b.p.blobHash),
      );
      for (let b of batch) {
        const p = b.p;
        if (handledNow.has(p.sourceItemId)) {
          continue;
        }
        const place = {
          mailboxId: target.id,
          folderPath: p.targetFolder ?? undefined,
          flags: p.flags,
          internalMs: p.internalMs,
          deletedMs: p.action === 'create-in-dumpster' ? p.deletedMs : null,
          origin: origin(p),
        };
        const prior = b.failure === undefined && createsItem(p) ? createdNow.get(place.origin) : undefined;
        if (prior !== undefined) {
          // created by this job in a batch whose record of it was lost: record it now
          const size = b.fields?.prefix.length ?? 0;
          if (refcount.get(p.blobHash) === 1) {
            state.bytesCopied += p.size - size;
          } else {
            state.bytesShared += p.size - size;
          }
          countItem(state.counts, p.class, p.action);
          rows.push({ ...rowOf(jobId, p), targetItemId: prior, flags: p.flags.join(' ') });
          continue;
        }
        let added: AddedItem | undefined;
        ({ b, added } = addPrepared(tx, reader, shared, b, place));
        const row = rowOf(jobId, p);
        if (b.failure !== undefined) {
          row.class = 'failed';
          row.action = 'fail';
          row.reason = b.failure;
          if (state.failures.length < MAX_LISTED_FAILURES) {
            state.failures.push({ sourceItemId: p.sourceItemId, reason: b.failure });
          }
        } else if (added) {
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
      shared.finish();
      done += rows.length;
      // the batch that ends the job records its outcome too: no write of its own for it
      const end =
        state.counts.failed > req.badItemLimit
          ? { state: 'failed' as const, error: overLimit() }
          : last
            ? { state: 'done' as const, error: null }
            : undefined;
      tx.emit({ t: 'merge.items', items: rows });
      tx.emit({
        t: 'merge.job',
        job: {
          id: jobId,
          state: end?.state ?? 'running',
          ...(end ? { error: end.error } : {}),
          counts: JSON.stringify(state),
          total: plan.length,
          done,
          updatedMs: tx.now,
        },
      });
      return end;
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
    if (outcome) {
      recorded = true;
      break;
    }
  }
  if (!recorded) {
    const end = outcome ?? { state: 'done', error: null };
    await deps.live.write((tx) =>
      tx.emit({
        t: 'merge.job',
        job: {
          id: jobId,
          state: end.state,
          error: end.error,
          total: plan.length,
          done,
          updatedMs: tx.now,
        },
      }),
    );
  }
  return toReport(loadJob(deps.live, jobId));
}
