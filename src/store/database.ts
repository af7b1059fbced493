/**
 * A database directory: `salvage.db` (SQLite, WAL), `blobs/` (large contents, immutable,
 * content-addressed) and `logs/` (the transaction log).
 *
 * Write path (DESIGN.md): under SQLite's write lock (BEGIN IMMEDIATE, which also serialises
 * writers in other processes) first replay any log records another process made durable but
 * did not apply, then let each queued request plan its operations — each is applied at once
 * inside the transaction, so later requests see it — then append all records to the log with
 * one fsync, store the new tail and `applied_lsn`, and commit. A request is acknowledged only
 * after that. A crash before the fsync loses nothing acknowledged; a crash after it is
 * repaired by replay on the next open or write.
 *
 * SQLite itself runs with synchronous=NORMAL and a large WAL: its commits are not fsynced, so
 * after a power loss it may come back at an earlier `applied_lsn` (never torn: the WAL's
 * checksums keep a valid prefix), and replay of the log brings it forward again. Only a
 * checkpoint makes salvage.db durable; log segments are purged only after a FULL checkpoint
 * (backup.ts, through `checkpoint()`), so replay never needs a purged segment.
 *
 * Checkpoints are off the write path: once a commit leaves `checkpointPages` WAL frames (64 MiB)
 * not yet copied into salvage.db, the database asks its checkpointer (checkpointer.ts: a worker
 * thread with its own connection, started then) to run a PASSIVE checkpoint beside the writer.
 * SQLite's own auto-checkpoint on the writer's connection stays as a ceiling, at four times
 * that, for when the checkpointer falls behind. `checkpoint()` runs one on the writer's
 * connection with the checkpointer paused, for callers that need it complete; `close()` stops
 * the checkpointer's connection first, so that the writer's close, the last one, checkpoints
 * everything into salvage.db. Read-only databases have no checkpointer.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { fsyncDir } from '../lib/fs.js';
import { sha256Hex } from '../lib/hash.js';
import { applyOp, type StoreExtension } from './apply.js';
import { Checkpointer, type CheckpointerStatus } from './checkpointer.js';
import { decodeOp, encodeOpParts, type Op } from './ops.js';
import { MIGRATIONS, SCHEMA_SQL, SCHEMA_VERSION, writeNewDatabaseMeta } from './schema.js';
import {
  DEFAULT_SEGMENT_BYTES,
  type LogTail,
  LogWriter,
  type Payload,
  ScanBuffer,
  listSegments,
  scanSegment,
  segmentFileName,
  segmentPath,
  truncateSegment,
} from './txlog.js';
import { stmt } from './stmt.js';

export const DB_FILE = 'salvage.db';
/** Contents up to this size live inline in SQLite; larger ones are files under blobs/. */
export const DEFAULT_INLINE_MAX_BYTES = 64 * 1024;
/** WAL pages (4 KiB) after which the checkpointer copies the WAL into salvage.db: 64 MiB. */
export const WAL_CHECKPOINT_PAGES = 16_384;
/** The writer checkpoints itself (SQLite's auto-checkpoint) at this many times that. */
const WAL_CEILING_FACTOR = 4;

export type CheckpointMode = 'PASSIVE' | 'FULL' | 'RESTART' | 'TRUNCATE';

/** `PRAGMA wal_checkpoint`'s answer: busy 1 when another checkpoint ran (log and checkpointed -1 then). */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface DatabaseOptions {
  clock?: Clock;
  /** Open read-only: no write method works, nothing on disk changes. */
  readOnly?: boolean;
  segmentBytes?: number;
  inlineMaxBytes?: number;
  extensions?: readonly StoreExtension[];
  /**
   * WAL pages (4 KiB) not yet in salvage.db after which a background checkpoint starts
   * (default WAL_CHECKPOINT_PAGES; tests make it small). Also sets journal_size_limit.
   */
  checkpointPages?: number;
}

export interface CreateOptions extends DatabaseOptions {
  retentionDays?: number;
}

/** What a request may do inside a write batch. */
export interface WriteTx {
  /** The batch's time (ms). */
  readonly now: number;
  /** For reads only: every change goes through `emit`. */
  readonly sql: BetterSqlite3.Database;
  /** Apply `op` now (inside the transaction) and log it with the batch. */
  emit(op: Op): void;
  /** Reserve the next id of a counter ('items', 'mailboxes', 'folders', or an extension's). */
  nextId(counter: string): number;
  /**
   * Make sure a content is stored once: returns true when it was new (its bytes stored now),
   * false when an existing blob is shared.
   */
  ensureBlob(content: Buffer, hash?: string): { hash: string; isNew: boolean };
}

interface Pending {
  plan: (tx: WriteTx) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface RecoveryReport {
  replayed: number;
  tornTail?: { segment: string; offset: number; bytesCut: number; reason: string };
}

export function blobFilePath(dir: string, hash: string): string {
  return path.join(dir, 'blobs', hash.slice(0, 2), hash.slice(2, 4), hash);
}

export class Database {
  readonly sql: BetterSqlite3.Database;
  readonly clock: Clock;
  readonly readOnly: boolean;
  readonly logsDir: string;
  /** What the last open found and repaired in the log. */
  recovery: RecoveryReport = { replayed: 0 };
  private readonly extensions: readonly StoreExtension[];
  private readonly inlineMax: number;
  private readonly writer: LogWriter | undefined;
  private readonly checkpointer: Checkpointer | undefined;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private closed = false;

  private constructor(
    readonly dir: string,
    opts: DatabaseOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.readOnly = opts.readOnly ?? false;
    this.extensions = opts.extensions ?? [];
    this.inlineMax = opts.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES;
    this.logsDir = path.join(dir, 'logs');
    const file = path.join(dir, DB_FILE);
    if (!fs.existsSync(file)) {
      throw new AppError('DATABASE_NOT_FOUND', `No Salvage database in ${dir}`, { dir });
    }
    this.sql = new BetterSqlite3(file, { readonly: this.readOnly, fileMustExist: true });
    if (!this.readOnly) {
      this.sql.pragma('journal_mode = WAL');
      this.sql.pragma('synchronous = NORMAL');
      this.sql.pragma('busy_timeout = 60000');
      // The log, not SQLite, makes writes durable (see the header): the WAL is checkpointed
      // (copied into salvage.db + 2 fsyncs) once it holds `pages`, by the checkpointer, not after
      // every commit of a batch of a few MB as SQLite's default of 1,000 pages would; the
      // writer's own auto-checkpoint is only the ceiling.
      const pages = opts.checkpointPages ?? WAL_CHECKPOINT_PAGES;
      this.sql.pragma(`wal_autocheckpoint = ${pages * WAL_CEILING_FACTOR}`);
      this.sql.pragma(`journal_size_limit = ${pages * 4096}`);
      this.checkpointer = new Checkpointer(file, pages);
      this.writer = new LogWriter(this.logsDir, opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES);
    } else {
      this.sql.pragma('query_only = ON');
    }
  }

  /** Create a new, empty database directory. @throws DATABASE_EXISTS */
  static create(dir: string, opts: CreateOptions = {}): Database {
    if (fs.existsSync(path.join(dir, DB_FILE))) {
      throw new AppError('DATABASE_EXISTS', `A Salvage database already exists in ${dir}`, { dir });
    }
    fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'blobs'), { recursive: true });
    const sql = new BetterSqlite3(path.join(dir, DB_FILE));
    sql.pragma('journal_mode = WAL');
    sql.exec(SCHEMA_SQL);
    for (const ext of opts.extensions ?? []) {
      sql.exec(ext.schemaSql);
    }
    const now = (opts.clock ?? systemClock).now();
    sql.transaction(() => writeNewDatabaseMeta(sql, now, opts.retentionDays ?? 14))();
    sql.close();
    fsyncDir(dir);
    return Database.open(dir, opts);
  }

  /**
   * Open a database directory. Read-write: brings an earlier schema version up to this one,
   * replays log records past `applied_lsn`, cuts a torn tail (reported in `recovery`).
   * Read-only: refuses a database that needs replay or migration.
   * @throws DATABASE_NOT_FOUND, DATABASE_VERSION_UNSUPPORTED, LOG_CORRUPT
   */
  static open(dir: string, opts: DatabaseOptions = {}): Database {
    const db = new Database(dir, opts);
    try {
      const version = db.schemaVersion();
      if (!db.readOnly) {
        db.sql.exec('BEGIN IMMEDIATE');
        try {
          db.migrate(version);
          for (const ext of db.extensions) {
            db.sql.exec(ext.schemaSql);
          }
          db.recovery = db.recoverTail(true);
          db.collectGarbage();
          db.sql.exec('COMMIT');
        } catch (err) {
          db.sql.exec('ROLLBACK');
          throw err;
        }
      } else {
        db.assertNoPendingLog();
      }
    } catch (err) {
      db.sql.close();
      throw err;
    }
    return db;
  }

  /**
   * The schema version of the database file. @throws DATABASE_VERSION_UNSUPPORTED for a later
   * version than this code knows, or an earlier one opened read-only (it cannot be migrated).
   */
  private schemaVersion(): number {
    const version = Number(this.meta('schema_version') ?? 0);
    const tooOld = version < SCHEMA_VERSION && (this.readOnly || !(version in MIGRATIONS));
    if (version > SCHEMA_VERSION || tooOld) {
      throw new AppError(
        'DATABASE_VERSION_UNSUPPORTED',
        version > SCHEMA_VERSION
          ? `The database in ${this.dir} has schema version ${version}, newer than this Salvage (${SCHEMA_VERSION})`
          : `The database in ${this.dir} has schema version ${version}; open it read-write once to bring it up to version ${SCHEMA_VERSION}`,
        { dir: this.dir, version, supported: SCHEMA_VERSION },
      );
    }
    return version;
  }

  /** Run the migrations from `version` up to SCHEMA_VERSION (inside the open transaction). */
  private migrate(version: number): void {
    for (let v = version; v < SCHEMA_VERSION; v++) {
      const step = MIGRATIONS[v];
      if (step === undefined) {
        throw new AppError('DATABASE_VERSION_UNSUPPORTED', `No migration from schema version ${v}`, {
          dir: this.dir,
          version: v,
          supported: SCHEMA_VERSION,
        });
      }
      this.sql.exec(step);
    }
  }

  meta(key: string): string | undefined {
    return (stmt(this.sql, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)
      ?.value;
  }

  get id(): string {
    return this.meta('db_id') ?? '';
  }

  tail(): LogTail {
    return {
      segment: Number(this.meta('log_segment')),
      offset: Number(this.meta('log_offset')),
      lsn: Number(this.meta('applied_lsn')),
    };
  }

  /** Queue a write; batches queued in the same tick share one fsync (group commit). */
  write<T>(plan: (tx: WriteTx) => T): Promise<T> {
    this.assertWritable();
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ plan, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Run one write batch now (for callers that batch their own work, like a CLI delivery). */
  writeSync<T>(plan: (tx: WriteTx) => T): T {
    this.assertWritable();
    let out: { ok: true; v: T } | { ok: false; e: unknown } | undefined;
    this.runBatch([
      {
        plan,
        resolve: (v) => (out = { ok: true, v: v as T }),
        reject: (e) => (out = { ok: false, e }),
      },
    ]);
    if (!out) {
      throw new AppError('INTERNAL', 'write batch finished without a result');
    }
    if (!out.ok) {
      throw out.e;
    }
    return out.v;
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) {
      this.runBatch(batch);
    }
  }

  private assertWritable(): void {
    if (this.readOnly) {
      throw new AppError('RSG_READ_ONLY', 'This database is opened read-only; nothing can be written to it', {
        dir: this.dir,
      });
    }
    if (this.closed) {
      throw new AppError('INTERNAL', 'The database is closed');
    }
  }

  private runBatch(batch: Pending[]): void {
    const results: { p: Pending; ok: boolean; v: unknown }[] = [];
    this.sql.exec('BEGIN IMMEDIATE');
    try {
      this.recoverTail(false);
      const now = this.clock.now();
      const payloads: Payload[] = [];
      for (const p of batch) {
        const mine: Payload[] = [];
        this.sql.exec('SAVEPOINT req');
        try {
          const v = p.plan(this.makeTx(now, mine));
          this.sql.exec('RELEASE req');
          payloads.push(...mine);
          results.push({ p, ok: true, v });
        } catch (err) {
          this.sql.exec('ROLLBACK TO req');
          this.sql.exec('RELEASE req');
          results.push({ p, ok: false, v: err });
        }
      }
      if (payloads.length > 0) {
        const tail = this.writer!.append(this.tail(), now, payloads);
        this.storeTail(tail);
        this.collectGarbage();
      }
      this.sql.exec('COMMIT');
    } catch (err) {
      if (this.sql.inTransaction) {
        this.sql.exec('ROLLBACK');
      }
      for (const p of batch) {
        p.reject(err);
      }
      return;
    }
    this.checkpointer?.afterCommit();
    for (const r of results) {
      if (r.ok) {
        r.p.resolve(r.v);
      } else {
        r.p.reject(r.v);
      }
    }
  }

  private makeTx(now: number, payloads: Payload[]): WriteTx {
    const reserved = new Map<string, number>();
    const sql = this.sql;
    const emit = (op: Op): void => {
      applyOp(sql, op, this.extensions);
      payloads.push(encodeOpParts(op));
    };
    return {
      now,
      sql,
      emit,
      nextId: (counter) => {
        const row = stmt(sql, 'SELECT next FROM counters WHERE name = ?').get(counter) as
          { next: number } | undefined;
        const id = Math.max(row?.next ?? 1, reserved.get(counter) ?? 0);
        reserved.set(counter, id + 1);
        return id;
      },
      ensureBlob: (content, hash = sha256Hex(content)) => {
        const exists = stmt(sql, 'SELECT 1 FROM blobs WHERE hash = ?').get(hash);
        if (exists) {
          return { hash, isNew: false };
        }
        if (content.length > this.inlineMax) {
          this.writeBlobFile(hash, content);
          emit({ t: 'blob.put', hash, size: content.length, data: null });
        } else {
          emit({ t: 'blob.put', hash, size: content.length, data: content });
        }
        return { hash, isNew: true };
      },
    };
  }

  /** Large contents: temp file + fsync + rename, before the log record that references them. */
  private writeBlobFile(hash: string, content: Buffer): void {
    const file = blobFilePath(this.dir, hash);
    if (fs.existsSync(file)) {
      return;
    }
    const dir = path.dirname(file);
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      fsyncDir(path.dirname(dir));
      fsyncDir(path.join(this.dir, 'blobs'));
    }
    const tmp = `${file}.tmp-${process.pid}`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    fsyncDir(dir);
  }

  private storeTail(t: LogTail): void {
    const put = stmt(this.sql, 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    put.run('log_segment', String(t.segment));
    put.run('log_offset', String(t.offset));
    put.run('applied_lsn', String(t.lsn));
  }

  /**
   * Apply records that are durable in the log but not in SQLite (another writer died between
   * its fsync and its commit), and cut a torn tail. Runs inside the write transaction.
   */
  private recoverTail(full: boolean): RecoveryReport {
    const report: RecoveryReport = { replayed: 0 };
    let tail = this.tail();
    // runs before every batch: a missing file answers undefined, not a thrown (costly) error
    const sizeOf = (seg: number): number =>
      fs.statSync(segmentPath(this.logsDir, seg), { throwIfNoEntry: false })?.size ?? -1;
    if (!full && sizeOf(tail.segment) <= tail.offset && sizeOf(tail.segment + 1) < 0) {
      return report;
    }
    const segs = listSegments(this.logsDir).filter((s) => s >= tail.segment);
    const into = new ScanBuffer();
    for (const [i, seg] of segs.entries()) {
      const isLast = i === segs.length - 1;
      const start = seg === tail.segment ? tail.offset : 0;
      const end = scanSegment(
        this.logsDir,
        seg,
        start,
        { mayBeTorn: isLast, committedEnd: start, expectLsn: tail.lsn + 1, into },
        (rec) => {
          applyOp(this.sql, decodeOp(rec.payload, true), this.extensions);
          report.replayed += 1;
          tail = { segment: seg, offset: rec.end, lsn: rec.lsn };
        },
      );
      if (end.kind === 'torn') {
        truncateSegment(this.logsDir, seg, end.offset);
        report.tornTail = {
          segment: segmentFileName(seg),
          offset: end.offset,
          bytesCut: end.size - end.offset,
          reason: end.reason,
        };
      }
      if (seg !== tail.segment) {
        tail = { segment: seg, offset: end.kind === 'clean' ? end.end : end.offset, lsn: tail.lsn };
      }
    }
    this.storeTail(tail);
    return report;
  }

  private assertNoPendingLog(): void {
    const tail = this.tail();
    const later = listSegments(this.logsDir).filter((s) => s >= tail.segment);
    for (const seg of later) {
      const size = fs.statSync(segmentPath(this.logsDir, seg)).size;
      if (size > (seg === tail.segment ? tail.offset : 0)) {
        throw new AppError(
          'LOG_CORRUPT',
          `The database in ${this.dir} has log records that are not applied yet; open it read-write once to replay them`,
          { segment: segmentFileName(seg) },
        );
      }
    }
  }

  /**
   * Unlink files of blobs whose refcount fell to zero — at once while the database has no
   * backups. Once it has, a file waits until a backup covers its release (backup.ts collects it
   * then): a point-in-time restore to a moment before the release needs the file, and only the
   * backup set can give it back.
   */
  private collectGarbage(): void {
    if (this.meta('last_backup_lsn') === undefined) {
      this.unlinkReleased();
    }
  }

  /** Unlink released blob files (only those in `covered`, if given), unless a backup holds a lease. */
  private unlinkReleased(covered?: ReadonlySet<string>): void {
    const pending = stmt(this.sql, 'SELECT hash FROM blob_gc').all() as { hash: string }[];
    if (pending.length === 0 || this.backupLeaseActive()) {
      return;
    }
    for (const { hash } of pending) {
      if (covered && !covered.has(hash)) {
        continue;
      }
      if (!stmt(this.sql, 'SELECT 1 FROM blobs WHERE hash = ?').get(hash)) {
        fs.rmSync(blobFilePath(this.dir, hash), { force: true });
      }
      stmt(this.sql, 'DELETE FROM blob_gc WHERE hash = ?').run(hash);
    }
  }

  /**
   * Run `fn` under the write lock, outside the log: for operational state that is not part
   * of the logical database (backup leases, backup bookkeeping, rolling the log).
   */
  withWriteLock<T>(fn: () => T): T {
    this.assertWritable();
    this.sql.exec('BEGIN IMMEDIATE');
    try {
      this.recoverTail(false);
      const v = fn();
      this.sql.exec('COMMIT');
      this.checkpointer?.afterCommit();
      return v;
    } catch (err) {
      if (this.sql.inTransaction) {
        this.sql.exec('ROLLBACK');
      }
      throw err;
    }
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) {
      stmt(this.sql, 'DELETE FROM meta WHERE key = ?').run(key);
    } else {
      stmt(this.sql, 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
    }
  }

  /** Close the current log segment: the next record starts a new one. Call under the write lock. */
  rollLog(): LogTail {
    const t = this.tail();
    if (t.offset > 0) {
      this.writer?.close();
      this.storeTail({ segment: t.segment + 1, offset: 0, lsn: t.lsn });
    }
    return this.tail();
  }

  /**
   * Unlink released blob files now if no backup holds a lease (under the write lock): those in
   * `covered` (released before a backup that has just ended, or copied into it), else all of
   * them as the write path would.
   */
  collectGarbageNow(covered?: ReadonlySet<string>): void {
    this.withWriteLock(() => (covered ? this.unlinkReleased(covered) : this.collectGarbage()));
  }

  backupLeaseActive(): boolean {
    return Number(this.meta('backup_lease_until') ?? 0) > this.clock.now();
  }

  /** The content of a blob. @throws BLOB_MISSING */
  readBlob(hash: string): Buffer {
    const row = stmt(this.sql, 'SELECT data FROM blobs WHERE hash = ?').get(hash) as
      { data: Buffer | null } | undefined;
    if (!row) {
      throw new AppError('BLOB_MISSING', `Blob ${hash} is not stored`, { hash });
    }
    if (row.data) {
      return row.data;
    }
    try {
      return fs.readFileSync(blobFilePath(this.dir, hash));
    } catch (err) {
      throw new AppError('BLOB_MISSING', `The file of blob ${hash} is missing`, { hash }, { cause: err });
    }
  }

  /**
   * Run `fn` with the background checkpointer paused (a checkpoint it is running ends first):
   * for a caller that runs a checkpoint of its own, on any connection, and needs it not to
   * find another one running (SQLite runs one at a time and fails a second at once).
   */
  withoutBackgroundCheckpoint<T>(fn: () => T): T {
    this.checkpointer?.pause();
    try {
      return fn();
    } finally {
      this.checkpointer?.resume();
    }
  }

  /**
   * Checkpoint the WAL on this connection now, the background checkpointer paused meanwhile.
   * FULL/RESTART/TRUNCATE wait (busy_timeout) for writers and readers of other connections;
   * `busy` is still 1 when one outlasted that, or another process was checkpointing.
   */
  checkpoint(mode: CheckpointMode): CheckpointResult {
    return this.withoutBackgroundCheckpoint(() => {
      const [r] = this.sql.pragma(`wal_checkpoint(${mode})`) as CheckpointResult[];
      return r ?? { busy: 1, log: -1, checkpointed: -1 };
    });
  }

  /** What the background checkpointer has done (none for a read-only database). */
  checkpointerStatus(): CheckpointerStatus | undefined {
    return this.checkpointer?.status();
  }

  /**
   * Close. When it returns, salvage.db holds every commit (this connection, the last one in
   * this process, checkpoints the WAL as it closes), unless another process has it open.
   * @throws INTERNAL when the checkpointer's connection did not close in time (everything else
   *   is closed then, and the WAL and the log still hold every write)
   */
  close(): void {
    if (this.closed) {
      return;
    }
    this.flush();
    this.closed = true;
    try {
      this.checkpointer?.close();
    } finally {
      this.writer?.close();
      this.sql.close();
    }
  }
}
