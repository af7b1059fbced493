/**
 * Build the search index of a database: every item not indexed yet is read (on the calling
 * thread: readMessage is the caller's), parsed by the worker pool (worker.ts) and written in
 * large transactions by the writer thread (writer.ts), or on the calling thread when the
 * database cannot take a second connection (sink.ts). Up to two batches per parse worker
 * are in flight, and the items handed out but not yet written are bounded by count
 * (WRITE_WINDOW_ITEMS) and by bytes (WRITE_WINDOW_BYTES): what the build holds in memory —
 * raw batches, documents in transit and waiting in the writer — stays bounded however far
 * the writer lags (it is the serial part) and whatever the size of the messages.
 */
import os from 'node:os';
import type Database from 'better-sqlite3';
import { parseAddressHeader } from 'mailparser';
import { headerDocument, type SearchDocument } from './document.js';
import { IndexPipeline, type IndexProblem } from './pipeline.js';
import type { RawMessage } from './pool.js';
import { createSearchSchema } from './schema.js';
import { InThreadSink, WriterThreadSink, canUseWriterThread, type DocSink } from './sink.js';
import { updateStems } from './write-docs.js';

export { WRITE_WINDOW_BYTES, WRITE_WINDOW_ITEMS, type IndexProblem } from './pipeline.js';

export interface BuildOptions {
  /** The full bytes of an item (trace prefix + content). May throw (e.g. BLOB_MISSING). */
  readMessage: (itemId: number) => Buffer;
  /** Called as batches complete. */
  onProgress?: (progress: { done: number; total: number }) => void;
  /** Parse workers; default: the number of cores (os.availableParallelism()). */
  workers?: number;
  /** A batch not parsed within this time is retried message by message; default 30 s. */
  batchTimeoutMs?: number;
  /**
   * Write on a writer thread with its own connection (default true; used only when the
   * database is a file in WAL mode and no transaction is open), else on the calling thread.
   */
  writerThread?: boolean;
}

export interface IndexReport {
  /** Items written to the index by this run (including the two lists below). */
  indexed: number;
  /** Indexed by their headers only: unreadable, unparseable or beyond a limit. */
  failed: IndexProblem[];
  /** Parsed, but part of the text was left out (body truncated, HTML not converted). */
  limited: IndexProblem[];
  /** Wall time of the build, in milliseconds. */
  ms: number;
}

export const BATCH_MAX_ITEMS = 128;
export const BATCH_MAX_BYTES = 4 * 1024 * 1024;

interface ItemRow {
  subject: string;
  from_addr: string;
  to_addr: string;
  cc_addr: string;
  message_id: string | null;
}

function addrs(v: string): ReturnType<typeof parseAddressHeader>['value'] {
  try {
    return v ? parseAddressHeader(v, { flatten: true }).value : [];
  } catch {
    return []; // the items row holds an address list we cannot read: index none
  }
}

/** The document of an item whose bytes cannot be read: what the items row says. */
function unreadableDocument(db: Database.Database, itemId: number, err: unknown): SearchDocument {
  const row = db
    .prepare('SELECT subject, from_addr, to_addr, cc_addr, message_id FROM items WHERE id = ?')
    .get(itemId) as ItemRow;
  const why = err instanceof Error ? err.message : String(err);
  return headerDocument(
    itemId,
    row.subject,
    { from: addrs(row.from_addr), to: addrs(row.to_addr), cc: addrs(row.cc_addr), bcc: [] },
    row.message_id,
    `message bytes unreadable: ${why}`,
  );
}

/**
 * Index every item of `db` that is not indexed yet (so a build interrupted by a crash can be
 * run again). `db` must be writable; the caller seals it afterwards.
 * Never throws for a bad message: each is indexed as well as it can be and reported.
 * @throws when the index cannot be written (disk full, database locked)
 */
export async function buildSearchIndex(db: Database.Database, opts: BuildOptions): Promise<IndexReport> {
  const started = performance.now();
  createSearchSchema(db);
  const ids = db
    .prepare('SELECT id FROM items WHERE id NOT IN (SELECT id FROM search_docs) ORDER BY id')
    .pluck()
    .all() as number[];
  const report: IndexReport = { indexed: 0, failed: [], limited: [], ms: 0 };
  if (ids.length === 0) {
    updateStems(db);
    return { ...report, ms: Math.round(performance.now() - started) };
  }
  const sink: DocSink =
    opts.writerThread !== false && canUseWriterThread(db)
      ? new WriterThreadSink(db.name, ids.length)
      : new InThreadSink(db);
  const progress = (): void =>
    opts.onProgress?.({ done: Math.min(sink.written, ids.length), total: ids.length });
  const pipeline = new IndexPipeline(
    sink,
    { workers: opts.workers ?? os.availableParallelism(), batchTimeoutMs: opts.batchTimeoutMs ?? 30_000 },
    progress,
  );
  let next = 0;
  // one read transaction per batch: each read of a message then skips taking and releasing
  // its own snapshot, which halves the cost of reading (~37 µs a statement on the sample)
  const readBatch = db.transaction((): RawMessage[] => {
    const batch: RawMessage[] = [];
    let bytes = 0;
    while (next < ids.length && batch.length < BATCH_MAX_ITEMS && bytes < BATCH_MAX_BYTES) {
      const itemId = ids[next++] as number;
      try {
        const raw = opts.readMessage(itemId);
        batch.push({ itemId, bytes: raw });
        bytes += raw.length;
      } catch (err) {
        pipeline.accept([unreadableDocument(db, itemId, err)]);
      }
    }
    return batch;
  });
  try {
    while (next < ids.length) {
      while (next < ids.length && pipeline.hasRoom) {
        pipeline.submit(readBatch());
      }
      if (next < ids.length) {
        await pipeline.room();
      }
    }
    await pipeline.finish();
  } catch (err) {
    await pipeline.close();
    throw err;
  } finally {
    await pipeline.closePool();
  }
  const { indexed, failed, limited } = pipeline.report;
  return { indexed, failed, limited, ms: Math.round(performance.now() - started) };
}
