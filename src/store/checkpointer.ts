/**
 * The background checkpointer of a writable database (database.ts): a worker thread with its
 * own SQLite connection to salvage.db that runs `PRAGMA wal_checkpoint(PASSIVE)` when the writer
 * asks, so that copying the WAL into the database file (and its fsyncs) happens beside the write
 * path instead of inside the commit of whichever batch crossed SQLite's auto-checkpoint.
 *
 * - Started lazily, by the first request; unref'd, so it never keeps a process alive.
 * - Driven through a SharedArrayBuffer, not messages: the worker is a loop that sleeps in
 *   Atomics.wait, so requests, pause and close work while the calling thread is blocked (close
 *   is synchronous) and cost the writer an atomic add and a notify.
 * - Requests coalesce: the writer asks only when no checkpoint is running or queued.
 * - `pause()`/`resume()` keep it from starting a checkpoint (and wait for a running one to end)
 *   while the database runs a checkpoint of its own that must be complete: SQLite lets one
 *   checkpoint run at a time, and a second one fails at once with `busy` set (no busy handler).
 * - `close()` closes the worker's connection before the database closes its own, so that the
 *   last connection's close checkpoints everything into salvage.db as before. Bounded: it
 *   throws INTERNAL rather than hang.
 *
 * The worker runs plain JavaScript (below) that needs only better-sqlite3: it loads neither our
 * modules nor a TypeScript loader, in tests and in dist/ alike.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';

/** How long `close()` waits for a running checkpoint to end and the worker to close (ms). */
export const CHECKPOINTER_CLOSE_TIMEOUT_MS = 60_000;
/** How long `pause()` waits for a running checkpoint before letting the caller try anyway (ms). */
const PAUSE_TIMEOUT_MS = 60_000;

/** Int32 slots of the shared control block. */
const S = {
  /** Bumped (and notified) by the owner on every change the worker must look at. */
  wake: 0,
  /** Requests made by the owner, and the last one the worker has handled. */
  requested: 1,
  done: 2,
  /** 1 while the worker runs a checkpoint. */
  running: 3,
  /** > 0: start no checkpoint (a count: pauses nest). */
  paused: 4,
  /** Set by the owner: close the connection and end. */
  closing: 5,
  /** Set by the worker once its connection is closed (or was never opened). */
  closed: 6,
  /** Checkpoints run, and those that threw. */
  runs: 7,
  failures: 8,
  /** The last checkpoint's result: busy, WAL frames, frames checkpointed. */
  busy: 9,
  log: 10,
  checkpointed: 11,
} as const;
const SLOTS = 12;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const c = new Int32Array(workerData.control);
let db;
try {
  for (;;) {
    const wake = Atomics.load(c, ${S.wake});
    if (Atomics.load(c, ${S.closing}) !== 0) break;
    const req = Atomics.load(c, ${S.requested});
    if (req !== Atomics.load(c, ${S.done}) && Atomics.load(c, ${S.paused}) === 0) {
      Atomics.store(c, ${S.running}, 1);
      if (Atomics.load(c, ${S.paused}) === 0 && Atomics.load(c, ${S.closing}) === 0) {
        try {
          if (db === undefined) {
            const Sqlite = require(workerData.sqlite);
            db = new Sqlite(workerData.file, { fileMustExist: true });
            db.pragma('synchronous = NORMAL');
          }
          const [r] = db.pragma('wal_checkpoint(PASSIVE)');
          Atomics.store(c, ${S.busy}, r.busy);
          Atomics.store(c, ${S.log}, r.log);
          Atomics.store(c, ${S.checkpointed}, r.checkpointed);
        } catch (err) {
          Atomics.add(c, ${S.failures}, 1);
          parentPort.postMessage({ error: String(err && err.message ? err.message : err) });
        }
        Atomics.store(c, ${S.done}, req);
        Atomics.add(c, ${S.runs}, 1);
      }
      Atomics.store(c, ${S.running}, 0);
      Atomics.notify(c, ${S.running});
      continue;
    }
    Atomics.wait(c, ${S.wake}, wake);
  }
} finally {
  try {
    if (db !== undefined) db.close();
  } finally {
    Atomics.store(c, ${S.closed}, 1);
    Atomics.notify(c, ${S.closed});
  }
}
`;

/** What the checkpointer has done, for tests and diagnostics. */
export interface CheckpointerStatus {
  started: boolean;
  requested: number;
  /** Checkpoints run (each PASSIVE: it copies what no reader still needs). */
  runs: number;
  running: boolean;
  failures: number;
  lastError?: string;
  /** The last checkpoint's result, as `PRAGMA wal_checkpoint` gives it. */
  last?: { busy: number; log: number; checkpointed: number };
}

/** The WAL-index header (the -shm file), https://sqlite.org/walformat.html: version, frames. */
const WAL_INDEX_VERSION = 3007000;
const WAL_INDEX_HEADER_BYTES = 136;
const WAL_FRAME_HEADER_BYTES = 24;

export class Checkpointer {
  private readonly file: string;
  private readonly control = new SharedArrayBuffer(SLOTS * 4);
  private readonly c = new Int32Array(this.control);
  private worker: Worker | undefined;
  private dead = false;
  private lastError: string | undefined;
  private shmFd: number | undefined;
  private readonly header = Buffer.alloc(WAL_INDEX_HEADER_BYTES);

  /**
   * @param file   the database file (salvage.db)
   * @param pages  WAL frames not yet copied into the file after which a checkpoint is asked for
   */
  constructor(
    file: string,
    private readonly pages: number,
    private readonly pageBytes = 4096,
  ) {
    this.file = path.resolve(file); // the worker opens it later: a relative path must not move
  }

  /** After a commit: ask for a checkpoint when the WAL holds `pages` frames not yet copied. */
  afterCommit(): void {
    if (this.dead || !this.idle() || this.framesPending() < this.pages) {
      return;
    }
    this.start();
    Atomics.add(this.c, S.requested, 1);
    this.wake();
  }

  /** Neither running nor queued. */
  private idle(): boolean {
    return (
      Atomics.load(this.c, S.running) === 0 &&
      Atomics.load(this.c, S.requested) === Atomics.load(this.c, S.done)
    );
  }

  /**
   * WAL frames not yet copied into the database file, from the WAL-index header in the -shm
   * file (mxFrame - nBackfill; a read of 136 bytes). The -wal file's size is no measure: it
   * keeps its size (up to journal_size_limit) when the WAL restarts. When the header cannot be
   * read or is not one this code knows, the size of the -wal file stands in for it.
   */
  framesPending(): number {
    try {
      this.shmFd ??= fs.openSync(`${this.file}-shm`, 'r');
      const b = this.header;
      if (fs.readSync(this.shmFd, b, 0, b.length, 0) === b.length) {
        const le = os.endianness() === 'LE';
        const u32 = (at: number): number => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
        // two copies of the header: equal unless a writer is changing it right now
        if (u32(0) === WAL_INDEX_VERSION && b[12] === 1 && b.subarray(0, 48).equals(b.subarray(48, 96))) {
          return Math.max(0, u32(16) - u32(96));
        }
      }
    } catch {
      // no -shm file to read (yet): fall through to the -wal file's size
    }
    try {
      return Math.floor(fs.statSync(`${this.file}-wal`).size / (this.pageBytes + WAL_FRAME_HEADER_BYTES));
    } catch {
      return 0;
    }
  }

  private start(): void {
    if (this.worker) {
      return;
    }
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: {
        control: this.control,
        file: this.file,
        sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
      },
    });
    // a 'message' listener refs the worker: added before unref(), or it would keep the process alive
    worker.on('message', (m: { error?: string }) => (this.lastError = m.error));
    worker.unref();
    worker.on('error', (err) => {
      this.dead = true;
      this.lastError = err.message;
    });
    worker.on('exit', () => (this.dead = true));
    this.worker = worker;
  }

  private wake(): void {
    Atomics.add(this.c, S.wake, 1);
    Atomics.notify(this.c, S.wake);
  }

  /**
   * Start no checkpoint until `resume()`, and wait (bounded) for a running one to end: for a
   * caller about to run a checkpoint that must not find another one running.
   */
  pause(): void {
    Atomics.add(this.c, S.paused, 1);
    if (this.worker && !this.dead) {
      waitWhile(this.c, S.running, 1, PAUSE_TIMEOUT_MS);
    }
  }

  resume(): void {
    Atomics.sub(this.c, S.paused, 1);
    this.wake();
  }

  status(): CheckpointerStatus {
    const runs = Atomics.load(this.c, S.runs);
    return {
      started: this.worker !== undefined,
      requested: Atomics.load(this.c, S.requested),
      runs,
      running: Atomics.load(this.c, S.running) === 1,
      failures: Atomics.load(this.c, S.failures),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...(runs > 0
        ? {
            last: {
              busy: Atomics.load(this.c, S.busy),
              log: Atomics.load(this.c, S.log),
              checkpointed: Atomics.load(this.c, S.checkpointed),
            },
          }
        : {}),
    };
  }

  /**
   * Close the worker's connection (after a running checkpoint ends) and let the worker end.
   * @throws INTERNAL when it has not closed within `timeoutMs` (the worker is terminated; the
   *   database file may then lack what is still in the WAL, which the WAL and the log keep)
   */
  close(timeoutMs = CHECKPOINTER_CLOSE_TIMEOUT_MS): void {
    if (this.shmFd !== undefined) {
      fs.closeSync(this.shmFd);
      this.shmFd = undefined;
    }
    const worker = this.worker;
    this.worker = undefined;
    if (!worker || this.dead) {
      return;
    }
    Atomics.store(this.c, S.closing, 1);
    this.wake();
    if (!waitWhile(this.c, S.closed, 0, timeoutMs)) {
      void worker.terminate();
      throw new AppError(
        'INTERNAL',
        `The WAL checkpointer of ${this.file} did not stop within ${timeoutMs} ms; the database file may lack the latest writes until the next open (they are in the WAL and the log)`,
        { file: this.file, timeoutMs },
      );
    }
  }
}

/** Wait while `c[slot] === value`, at most `ms`; false when it still is. */
function waitWhile(c: Int32Array, slot: number, value: number, ms: number): boolean {
  const deadline = Date.now() + ms;
  while (Atomics.load(c, slot) === value) {
    const left = deadline - Date.now();
    if (left <= 0) {
      return false;
    }
    Atomics.wait(c, slot, value, left);
  }
  return true;
}
