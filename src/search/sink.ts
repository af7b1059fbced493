/**
 * Where parsed documents go: a writer thread with its own connection (writer.ts), or, when
 * the database cannot take a second writer connection (in memory, not in WAL mode, inside
 * a transaction), the calling thread.
 */
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { SearchDocument } from './document.js';
import { startWorker } from './pool.js';
import { docWriter, updateStems } from './write-docs.js';
import type { WriterCommand, WriterEvent } from './writer.js';

export interface DocSink {
  /** A port for a new parse worker to send its documents to, or undefined: send them back. */
  connect(): MessagePort | undefined;
  /** Write documents produced or received on the calling thread. */
  write(docs: SearchDocument[]): void;
  /** Documents written (or, on the calling thread, accepted) so far. */
  readonly written: number;
  /** The items of the documents written (accepted) since the last call; one may repeat. */
  takeWritten(): number[];
  /** Resolves when `written` next grows (rejects if the writer fails). */
  progress(): Promise<void>;
  /** Write what is left and the stem table. */
  finish(): Promise<void>;
  /** Stop (after a failure). */
  close(): Promise<void>;
}

const FLUSH_DOCS = 4096;

/** True when a writer thread can open `db` beside the caller's connection. */
export function canUseWriterThread(db: Database.Database): boolean {
  return (
    !db.memory &&
    !db.readonly &&
    !db.inTransaction &&
    db.name !== '' &&
    String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal'
  );
}

export class InThreadSink implements DocSink {
  written = 0;
  private pending: SearchDocument[] = [];
  private ids: number[] = [];
  private readonly writeDocs: (docs: SearchDocument[]) => number;

  constructor(private readonly db: Database.Database) {
    this.writeDocs = docWriter(db);
  }
  connect(): undefined {
    return undefined;
  }
  write(docs: SearchDocument[]): void {
    this.pending.push(...docs);
    this.written += docs.length;
    for (const d of docs) {
      this.ids.push(d.itemId);
    }
    if (this.pending.length >= FLUSH_DOCS) {
      this.writeDocs(this.pending);
      this.pending = [];
    }
  }
  takeWritten(): number[] {
    const ids = this.ids;
    this.ids = [];
    return ids;
  }
  progress(): Promise<void> {
    // never needed: documents are accepted as they arrive, so the write window never fills
    return new Promise(() => undefined);
  }
  finish(): Promise<void> {
    this.writeDocs(this.pending);
    this.pending = [];
    updateStems(this.db);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class WriterThreadSink implements DocSink {
  written = 0;
  private ids: number[] = [];
  private readonly worker: Worker;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;
  private readonly done: Promise<void>;

  /**
   * @param total  the documents to expect; Infinity until `setTotal`
   * @param side   `file` is a side database the writer creates (writer.ts)
   */
  constructor(file: string, total: number, side = false) {
    this.worker = startWorker('writer');
    let resolveDone: () => void = () => undefined;
    let rejectDone: (e: Error) => void = () => undefined;
    this.done = new Promise<void>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    this.done.catch(() => undefined); // observed through finish() or progress()
    const fail = (message: string): void => {
      this.failure ??= new Error(`search index writer failed: ${message}`);
      rejectDone(this.failure);
      this.wake();
    };
    this.worker.on('message', (e: WriterEvent) => {
      if (e.type === 'failed') {
        fail(e.message);
        return;
      }
      this.written = e.count;
      for (const id of e.ids) {
        this.ids.push(id);
      }
      if (e.type === 'done') {
        resolveDone();
      }
      this.wake();
    });
    this.worker.on('error', (err) => fail(err.message));
    this.worker.on('exit', (code) => fail(`exited (code ${code})`));
    this.send({ type: 'init', file, total, side });
  }

  /** The documents to expect, once known: the writer finishes when it has written them all. */
  setTotal(total: number): void {
    this.send({ type: 'total', total });
  }

  private send(cmd: WriterCommand, transfer: MessagePort[] = []): void {
    this.worker.postMessage(cmd, transfer);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      if (this.failure) {
        w.reject(this.failure);
      } else {
        w.resolve();
      }
    }
  }

  connect(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.send({ type: 'port', port: port2 }, [port2]);
    return port1;
  }
  write(docs: SearchDocument[]): void {
    this.send({ type: 'docs', docs });
  }
  takeWritten(): number[] {
    const ids = this.ids;
    this.ids = [];
    return ids;
  }
  progress(): Promise<void> {
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
  async finish(): Promise<void> {
    await this.done;
    await this.close();
  }
  async close(): Promise<void> {
    this.worker.removeAllListeners();
    this.worker.on('error', () => undefined); // stopping: nothing waits on it any more
    await this.worker.terminate();
  }
}
