/**
 * Convert a foreign source (Maildir, eml-tree, mbox, PST) into a native database: the
 * source is only read; every message keeps its exact bytes (its blob + prefix hash to the
 * source's sha256), per-item problems are counted and listed, never fatal.
 *
 * A worker thread reads the source (convert-worker.ts) while this thread parses and stores the
 * batches it already has.
 *
 * With an indexer, each stored message also goes to its feed, which parses and indexes it
 * beside the conversion (into a side database copied in at the end): the conversion waits
 * whenever the feed holds as much as it may, so memory stays bounded when indexing lags.
 *
 * The database is filled by bulk load (store/bulk-load.ts: no log, no journal on disk,
 * secondary indexes built at the end) and made durable once when the conversion ends: a
 * conversion that fails or is cancelled leaves a directory the caller throws away.
 */
import nodePath from 'node:path';
import { AppError, isAppError } from '../errors.js';
import { type Clock } from '../lib/clock.js';
import { type SourceEstimate, type SourceKind, resolveSourceOptions } from '../sources/index.js';
import { BulkLoader, parseMessage } from '../store/index.js';
import { readSourceInWorker } from './convert-reader.js';
import { MAX_LISTED_PROBLEMS, type MountProblem, type MountProgress } from './catalogue-file.js';
import type { IndexCounts, IndexFeed, Indexer } from './indexer.js';

/** Items per bulk-load transaction (and per progress report). */
const BATCH_ITEMS = 4000;
/** The side database of the search index while it is built (inside the database directory). */
const INDEX_SIDE_FILE = 'search-build.db';

export interface ConvertResult {
  items: number;
  bytes: number;
  problems: MountProblem[];
  problemCount: number;
  /** With an indexer: what it indexed. */
  index?: IndexCounts;
}

export async function convertSource(
  dbDir: string,
  kind: SourceKind,
  path: string,
  opts: {
    mailbox?: string;
    clock: Clock;
    maxMessageBytes: number;
    onProgress?: (p: MountProgress) => void;
    signal?: AbortSignal;
    /** Index the items as they are stored. */
    indexer?: Indexer;
  },
): Promise<ConvertResult> {
  const db = BulkLoader.create(dbDir, { clock: opts.clock, retentionDays: 14 });
  let feed: IndexFeed | undefined;
  try {
    feed = opts.indexer?.feed?.(nodePath.join(dbDir, INDEX_SIDE_FILE));
  } catch (err) {
    db.close();
    throw err;
  }
  // The estimate (a stat of every file of a directory source) only feeds progress: the reading
  // worker counts it while its reading waits, and it is used once it is known.
  let estimate: SourceEstimate | undefined;
  const started = Date.now();
  const result: ConvertResult = { items: 0, bytes: 0, problems: [], problemCount: 0 };
  const problem = (p: MountProblem): void => {
    result.problemCount += 1;
    if (result.problems.length < MAX_LISTED_PROBLEMS) {
      result.problems.push(p);
    }
  };
  let inBatch = 0;
  const report = (): void => {
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = result.items / secs;
    opts.onProgress?.({
      phase: 'converting',
      items: result.items,
      bytes: result.bytes,
      totalItems: estimate?.messages,
      totalBytes: estimate?.bytes,
      itemsPerSecond: Math.round(rate),
      etaSeconds: !estimate
        ? undefined
        : estimate.messages !== undefined
          ? Math.max(0, Math.round((estimate.messages - result.items) / Math.max(rate, 1)))
          : Math.max(0, Math.round(((estimate.bytes - result.bytes) / Math.max(result.bytes, 1)) * secs)),
    });
  };
  let finished = false;
  try {
    // blocking reads: the worker has nothing else to do (see convert-worker.ts)
    const options = { mailbox: opts.mailbox, maxMessageBytes: opts.maxMessageBytes, blockingReads: true };
    const batches = readSourceInWorker(
      { kind, path, options: resolveSourceOptions(kind, path, options) },
      {
        // the store copies what it keeps; the feed holds the bytes until they are indexed
        reuseBuffers: !feed,
        onEstimate: (e) => (estimate = e),
      },
    );
    for await (const batch of batches) {
      if (opts.signal?.aborted) {
        throw new AppError('VALIDATION_FAILED', 'The mount was cancelled');
      }
      const { records, buffer } = batch;
      for (const r of records) {
        if (r.t === 'problem') {
          problem({ origin: r.origin, reason: r.reason });
        } else if (r.t === 'folder') {
          if (r.path !== '') {
            db.folder(db.mailbox(r.mailbox), r.path, r.role);
          }
        } else {
          const bytes = buffer.subarray(r.offset, r.offset + r.length);
          let parsed;
          try {
            parsed = parseMessage(bytes, opts.maxMessageBytes);
          } catch (err) {
            if (!isAppError(err)) {
              throw err;
            }
            // a bad message is a problem of its own, never a failed conversion
            problem({ origin: r.origin, reason: `${err.code}: ${err.message}` });
            continue;
          }
          const itemId = db.addItem({
            mailboxId: db.mailbox(r.mailbox),
            folderPath: r.folderPath || 'Inbox',
            bytes,
            parsed,
            flags: r.flags,
            internalMs: r.internalMs ?? parsed.dateMs ?? opts.clock.now(),
            deletedMs: r.deletedMs ?? null,
            origin: `source:${r.origin}`,
          });
          feed?.add(itemId, bytes);
          result.items += 1;
          result.bytes += r.length;
          inBatch += 1;
        }
      }
      if (inBatch >= BATCH_ITEMS) {
        inBatch = 0;
        db.commit();
        report();
      }
      while (feed && !feed.hasRoom) {
        await feed.room();
      }
    }
    if (feed) {
      db.commit();
      report();
      const index = await feed.end((done, total) =>
        opts.onProgress?.({
          phase: 'indexing',
          items: done,
          bytes: 0,
          totalItems: total,
          itemsPerSecond: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)),
        }),
      );
      result.index = index;
      const f = feed;
      db.betweenBatches((sql) => f.copyInto(sql));
    }
    await db.finish();
    finished = true;
    if (!feed) {
      report();
    }
  } finally {
    if (!finished) {
      await feed?.close();
      db.close();
    }
  }
  return result;
}
