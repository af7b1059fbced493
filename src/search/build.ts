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
import { headerOnlyDocument } from './headers.js';
import { ParsePool, type DocSummary, type RawMessage } from './pool.js';
import { createSearchSchema } from './schema.js';
import { InThreadSink, WriterThreadSink, canUseWriterThread, type DocSink } from './sink.js';
import { updateStems } from './write-docs.js';
import { WriteWindow } from './write-window.js';

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

export interface IndexProblem {
  itemId: number;
  reason: string;
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

const BATCH_MAX_ITEMS = 128;
export const BATCH_MAX_BYTES = 4 * 1024 * 1024;
/**
 * Items handed out but not yet written, at most, in number and in bytes of their messages (a
 * document is smaller than its message, or at most twice as large as UTF-16 text): a new
 * batch is read only below both. Four writer transactions' worth (writer.ts): the writer never
 * waits for documents, and on the Enron sample the peak RSS of a mount was ~35 MiB lower than
 * with 8,192 documents, for the same CPU.
 */
const WRITE_WINDOW_ITEMS = 2048;
export const WRITE_WINDOW_BYTES = 16 * 1024 * 1024;

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
  const pool = new ParsePool(opts.workers ?? os.availableParallelism(), opts.batchTimeoutMs ?? 30_000, () =>
    sink.connect(),
  );
  const progress = (): void =>
    opts.onProgress?.({ done: Math.min(sink.written, ids.length), total: ids.length });
  const record = (summary: DocSummary[]): void => {
    for (const d of summary) {
      if (d.status === 'headers') {
        report.failed.push({ itemId: d.itemId, reason: d.reason ?? 'headers only' });
      } else if (d.status === 'limited') {
        report.limited.push({ itemId: d.itemId, reason: d.reason ?? 'limited' });
      }
    }
    report.indexed += summary.length;
  };
  const accept = (docs: SearchDocument[]): void => {
    record(docs.map((d) => ({ itemId: d.itemId, status: d.status, reason: d.reason })));
    sink.write(docs);
    progress();
  };
  const run = async (batch: RawMessage[]): Promise<void> => {
    if (batch.length === 0) {
      return;
    }
    try {
      const result = await pool.parse(batch);
      if (result.docs) {
        sink.write(result.docs);
      }
      record(result.summary);
      progress();
    } catch (err) {
      if (batch.length > 1) {
        await Promise.all(batch.map((m) => run([m]))); // find the message that stalls
      } else if (batch[0]) {
        const why = err instanceof Error ? err.message : String(err);
        accept([headerOnlyDocument(batch[0].itemId, batch[0].bytes, why)]);
      }
    }
  };
  let next = 0;
  const writeWindow = new WriteWindow(WRITE_WINDOW_ITEMS, WRITE_WINDOW_BYTES);
  const isFull = (): boolean => {
    writeWindow.written(sink.takeWritten());
    return writeWindow.isFull;
  };
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
        writeWindow.add(itemId, raw.length);
      } catch (err) {
        accept([unreadableDocument(db, itemId, err)]);
      }
    }
    return batch;
  });
  const inflight = new Set<Promise<void>>();
  try {
    while (next < ids.length || inflight.size > 0) {
      let full = isFull();
      while (next < ids.length && inflight.size < pool.size * 2 && !full) {
        const p: Promise<void> = run(readBatch()).finally(() => inflight.delete(p));
        inflight.add(p);
        full = isFull();
      }
      const waits: Promise<unknown>[] = [...inflight];
      if (full) {
        waits.push(sink.progress()); // the writer lags: wait until it has written more
      }
      await Promise.race(waits);
      progress(); // also as the writer writes, not only as batches are parsed
    }
    await sink.finish();
    progress();
  } catch (err) {
    await sink.close();
    throw err;
  } finally {
    await pool.close();
  }
  return { ...report, ms: Math.round(performance.now() - started) };
}
