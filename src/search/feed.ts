/**
 * Index items while a conversion stores them (the mount of a foreign source), instead of
 * reading every item back once it is converted: the conversion hands each stored message to
 * `add`, the parse workers parse it meanwhile, and the writer thread writes the documents into
 * a side database of their own (a file beside the database being loaded, which the load holds
 * with an exclusive lock: SQLite takes one writer per file). Once the conversion has stored
 * everything, `end` waits for the writer (and the stem table), and `copyInto` copies the
 * search tables, FTS5's shadow tables included, row for row into the loaded database, whose
 * search tables are then what a build on it would have written; the side file is removed.
 *
 * Memory stays bounded as in a build (pipeline.ts): a conversion hands out more only while
 * `hasRoom`, else waits on `room()`.
 */
import fs from 'node:fs';
import os from 'node:os';
import type Database from 'better-sqlite3';
import { BATCH_MAX_BYTES, BATCH_MAX_ITEMS } from './build.js';
import { IndexPipeline, type PipelineReport } from './pipeline.js';
import type { RawMessage } from './pool.js';
import { createSearchSchema } from './schema.js';
import { WriterThreadSink } from './sink.js';

export interface FeedOptions {
  /** Parse workers; default: the number of cores. */
  workers?: number;
  /** A batch not parsed within this time is retried message by message; default 30 s. */
  batchTimeoutMs?: number;
}

export class SearchIndexFeed {
  private readonly sink: WriterThreadSink;
  private readonly pipeline: IndexPipeline;
  private batch: RawMessage[] = [];
  private batchBytes = 0;
  private added = 0;
  private onProgress: (done: number, total: number) => void = () => undefined;

  /** Start the workers and the writer on a new side database `sideFile` (it must not exist). */
  constructor(
    private readonly sideFile: string,
    opts: FeedOptions = {},
  ) {
    this.sink = new WriterThreadSink(sideFile, Infinity, true);
    this.pipeline = new IndexPipeline(
      this.sink,
      { workers: opts.workers ?? os.availableParallelism(), batchTimeoutMs: opts.batchTimeoutMs ?? 30_000 },
      () => this.onProgress(Math.min(this.sink.written, this.added), this.added),
    );
  }

  /** Index this item: its full bytes, held (not copied) until its batch goes to a worker. */
  add(itemId: number, bytes: Uint8Array): void {
    this.batch.push({ itemId, bytes });
    this.batchBytes += bytes.length;
    this.added += 1;
    if (this.batch.length >= BATCH_MAX_ITEMS || this.batchBytes >= BATCH_MAX_BYTES) {
      this.submit();
    }
  }

  /** True when the feed takes more without holding more than its bounds. */
  get hasRoom(): boolean {
    return this.pipeline.hasRoom;
  }

  /** Resolves when a batch is parsed or the writer has written more. Rejects if the writer fails. */
  room(): Promise<void> {
    return this.pipeline.room();
  }

  /** Items written to the side database so far. */
  get written(): number {
    return this.sink.written;
  }

  /**
   * Every item is added: wait until all are written, and the stem table.
   * @throws when the index cannot be written
   */
  async end(onProgress?: (done: number, total: number) => void): Promise<PipelineReport> {
    this.onProgress = onProgress ?? this.onProgress;
    this.submit();
    this.sink.setTotal(this.added);
    try {
      await this.pipeline.finish();
    } finally {
      await this.pipeline.closePool();
    }
    return this.pipeline.report;
  }

  /**
   * Copy the search tables of the side database into `db` (writable, no transaction open),
   * in one transaction, and remove the side database. Writes FTS5's shadow tables directly,
   * which SQLite's defensive mode forbids: it is lifted for the copy alone.
   */
  copyInto(db: Database.Database): void {
    createSearchSchema(db);
    db.prepare('ATTACH ? AS search_side').run(this.sideFile);
    try {
      const tables = db
        .prepare(
          `SELECT name FROM search_side.sqlite_master
           WHERE type = 'table' AND name LIKE 'search%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`,
        )
        .pluck()
        .all() as string[];
      db.unsafeMode(true);
      try {
        db.transaction(() => {
          for (const t of tables.filter((name) => name !== 'search_meta')) {
            db.exec(`DELETE FROM main."${t}"; INSERT INTO main."${t}" SELECT * FROM search_side."${t}"`);
          }
        })();
      } finally {
        db.unsafeMode(false);
      }
    } finally {
      db.exec('DETACH search_side');
    }
    fs.rmSync(this.sideFile, { force: true });
  }

  /** Stop (after a failure): the workers and the writer. The caller removes the side file. */
  async close(): Promise<void> {
    await this.pipeline.close();
  }

  private submit(): void {
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    this.pipeline.submit(batch);
  }
}
