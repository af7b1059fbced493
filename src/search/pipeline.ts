/**
 * The moving part of an index build, whoever supplies the messages (build.ts reads them from
 * the database; feed.ts takes them from a conversion as it stores them): batches of raw
 * messages go to the parse pool (worker.ts), whose documents go to the sink (the writer
 * thread, or the calling thread); a batch that fails or stalls is retried message by message,
 * and a message that fails alone is indexed by its headers. The items handed out and not yet
 * written are bounded by count and by bytes (write-window.ts): the supplier hands out a new
 * batch only while `hasRoom`, else waits on `room()`.
 */
import { headerOnlyDocument } from './headers.js';
import type { SearchDocument } from './document.js';
import { ParsePool, type DocSummary, type RawMessage } from './pool.js';
import type { DocSink } from './sink.js';
import { WriteWindow } from './write-window.js';

/**
 * Items handed out but not yet written, at most, in number and in bytes of their messages (a
 * document is smaller than its message, or at most twice as large as UTF-16 text): a new
 * batch is handed out only below both. Four writer transactions' worth (writer.ts): the writer
 * never waits for documents, and on the Enron sample the peak RSS of a mount was ~35 MiB lower
 * than with 8,192 documents, for the same CPU.
 */
export const WRITE_WINDOW_ITEMS = 2048;
export const WRITE_WINDOW_BYTES = 16 * 1024 * 1024;

export interface IndexProblem {
  itemId: number;
  reason: string;
}

export interface PipelineReport {
  indexed: number;
  failed: IndexProblem[];
  limited: IndexProblem[];
}

export class IndexPipeline {
  readonly report: PipelineReport = { indexed: 0, failed: [], limited: [] };
  private readonly pool: ParsePool;
  private readonly window = new WriteWindow(WRITE_WINDOW_ITEMS, WRITE_WINDOW_BYTES);
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    readonly sink: DocSink,
    opts: { workers: number; batchTimeoutMs: number },
    private readonly onProgress: () => void = () => undefined,
  ) {
    this.pool = new ParsePool(opts.workers, opts.batchTimeoutMs, () => sink.connect());
  }

  /** True when a new batch may be handed out: the write window is open and a worker is free. */
  get hasRoom(): boolean {
    this.window.written(this.sink.takeWritten());
    return !this.window.isFull && this.inflight.size < this.pool.size * 2;
  }

  /** Batches handed out and not yet parsed. */
  get busy(): boolean {
    return this.inflight.size > 0;
  }

  /** Hand out a batch (each item counted in the write window until it is written). */
  submit(batch: RawMessage[]): void {
    if (batch.length === 0) {
      return;
    }
    for (const m of batch) {
      this.window.add(m.itemId, m.bytes.length);
    }
    const p: Promise<void> = this.run(batch).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** Documents made on the calling thread (an unreadable message indexed from its row). */
  accept(docs: SearchDocument[]): void {
    this.record(docs.map((d) => ({ itemId: d.itemId, status: d.status, reason: d.reason })));
    this.sink.write(docs);
    this.onProgress();
  }

  /**
   * Resolves when a batch in flight is parsed or, while the write window is full, when the
   * writer has written more. Rejects if the writer fails.
   */
  async room(): Promise<void> {
    const waits: Promise<unknown>[] = [...this.inflight];
    this.window.written(this.sink.takeWritten());
    if (this.window.isFull || waits.length === 0) {
      waits.push(this.sink.progress()); // the writer lags: wait until it has written more
    }
    await Promise.race(waits);
    this.onProgress(); // also as the writer writes, not only as batches are parsed
  }

  /** Wait for every batch handed out, then for the sink to write everything (and the stems). */
  async finish(): Promise<void> {
    while (this.inflight.size > 0) {
      await Promise.race([...this.inflight, this.sink.progress()]);
      this.onProgress();
    }
    await this.sink.finish();
    this.onProgress();
  }

  /** Stop after a failure: the sink and the workers. */
  async close(): Promise<void> {
    this.closed = true;
    await this.sink.close();
    await this.pool.close();
  }

  /** The workers only (after `finish`). */
  async closePool(): Promise<void> {
    await this.pool.close();
  }

  private record(summary: DocSummary[]): void {
    for (const d of summary) {
      if (d.status === 'headers') {
        this.report.failed.push({ itemId: d.itemId, reason: d.reason ?? 'headers only' });
      } else if (d.status === 'limited') {
        this.report.limited.push({ itemId: d.itemId, reason: d.reason ?? 'limited' });
      }
    }
    this.report.indexed += summary.length;
  }

  private async run(batch: RawMessage[]): Promise<void> {
    try {
      const result = await this.pool.parse(batch);
      if (result.docs) {
        this.sink.write(result.docs);
      }
      this.record(result.summary);
      this.onProgress();
    } catch (err) {
      if (this.closed) {
        return; // stopped after a failure: nothing is written any more
      }
      if (batch.length > 1) {
        await Promise.all(batch.map((m) => this.run([m]))); // find the message that stalls
      } else if (batch[0]) {
        const why = err instanceof Error ? err.message : String(err);
        this.accept([headerOnlyDocument(batch[0].itemId, batch[0].bytes, why)]);
      }
    }
  }
}
