/**
 * The snapshot of a full backup (backup.ts): the SQLite file as of a known LSN, copied while
 * the database is in use.
 *
 * Under the write lock a PASSIVE checkpoint copies every WAL frame into the database file, then
 * a second connection starts a read transaction. With every frame backfilled, SQLite lets that
 * reader ignore the WAL (read lock 0), and no checkpoint can write a page into the database
 * file while read lock 0 is held (wal.html: a checkpoint must stop at the end mark of any
 * reader; sqlite3.c: walTryBeginRead, and walCheckpoint takes read lock 0 exclusively before it
 * backfills). Should the reader get a read mark instead, the mark is the last frame, already
 * backfilled, and a checkpoint stops there too. So the write lock is released at once: writers
 * go on into the WAL (which grows meanwhile), and the file is copied as it stands. When a
 * reader elsewhere keeps the WAL from being backfilled completely, a few tries later the
 * snapshot falls back to VACUUM INTO, which needs no checkpoint but rebuilds the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { fsyncFile } from '../lib/fs.js';
import { copyHashed, digestFile } from './backup-files.js';
import { DB_FILE, type Database } from './database.js';

/** How long a full backup tries to find the WAL checkpointed completely before VACUUM INTO. */
const SNAPSHOT_TRIES = 20;
const SNAPSHOT_RETRY_MS = 5;

export function releasedBlobs(sql: BetterSqlite3.Database): string[] {
  return (sql.prepare('SELECT hash FROM blob_gc').all() as { hash: string }[]).map((r) => r.hash);
}

export interface SnapshotInfo {
  lsn: number;
  logSegment: number;
  logOffset: number;
  /** Blobs stored as files, which the backup copies. */
  fileBlobs: string[];
  /** Blobs released and not yet collected. */
  released: string[];
}

function snapshotInfo(db: Database, s: BetterSqlite3.Database): SnapshotInfo {
  const meta = (k: string): number =>
    Number(
      (s.prepare('SELECT value FROM meta WHERE key = ?').get(k) as { value: string } | undefined)?.value,
    );
  return {
    lsn: meta('applied_lsn'),
    logSegment: meta('log_segment'),
    logOffset: meta('log_offset'),
    fileBlobs: fileBlobsOf(db, s),
    released: releasedBlobs(s),
  };
}

const HASH_NAME = /^[0-9a-f]{64}$/;

/**
 * The blobs stored as files in the snapshot `s` sees: the files under blobs/ whose row there
 * has no inline data. Far cheaper than scanning the blobs table, whose pages hold every inline
 * content. A file written after the snapshot has no row in it; a temp file has no hash name.
 */
function fileBlobsOf(db: Database, s: BetterSqlite3.Database): string[] {
  const isFile = s.prepare('SELECT 1 FROM blobs WHERE hash = ? AND data IS NULL');
  const list = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);
  const root = path.join(db.dir, 'blobs');
  const out: string[] = [];
  for (const a of list(root)) {
    for (const b of list(path.join(root, a))) {
      for (const name of list(path.join(root, a, b))) {
        if (HASH_NAME.test(name) && name.startsWith(a + b) && isFile.get(name)) {
          out.push(name);
        }
      }
    }
  }
  return out;
}

export interface Snapshot {
  info: SnapshotInfo;
  file: { sha256: string; bytes: number };
  method: 'copy' | 'vacuum';
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * A connection in a read transaction that reads the database file alone (see the header), or
 * undefined when the WAL could not be checkpointed completely. Holds the write lock only for a
 * moment per try: the checkpoint before it does most of the work.
 */
function holdFileSnapshot(db: Database): BetterSqlite3.Database | undefined {
  // the database's background checkpointer would make these checkpoints busy: paused meanwhile
  return db.withoutBackgroundCheckpoint(() => tryFileSnapshot(db));
}

function tryFileSnapshot(db: Database): BetterSqlite3.Database | undefined {
  const reader = new BetterSqlite3(path.join(db.dir, DB_FILE), { fileMustExist: true });
  try {
    reader.pragma('synchronous = NORMAL'); // a checkpoint still syncs the file before the WAL restarts
    for (let i = 0; i < SNAPSHOT_TRIES; i++) {
      reader.pragma('wal_checkpoint(PASSIVE)');
      const held = db.withWriteLock(() => {
        const [r] = reader.pragma('wal_checkpoint(PASSIVE)') as {
          busy: number;
          log: number;
          checkpointed: number;
        }[];
        if (!r || r.busy !== 0 || r.log < 0 || r.checkpointed !== r.log) {
          return false; // another checkpoint runs, or a reader keeps frames from being backfilled
        }
        reader.exec('BEGIN');
        reader.prepare('SELECT value FROM meta LIMIT 1').get(); // the read transaction starts here
        return true;
      });
      if (held) {
        return reader;
      }
      sleepMs(SNAPSHOT_RETRY_MS * (i + 1));
    }
  } catch (err) {
    reader.close();
    throw err;
  }
  reader.close();
  return undefined;
}

/** Snapshot by copying the database file under a held read transaction (see the header). */
function snapshotByCopy(db: Database, to: string, onSnapshot?: (lsn: number) => void): Snapshot | undefined {
  const reader = holdFileSnapshot(db);
  if (!reader) {
    return undefined;
  }
  try {
    const info = snapshotInfo(db, reader);
    onSnapshot?.(info.lsn);
    return { info, file: copyHashed(path.join(db.dir, DB_FILE), to), method: 'copy' };
  } finally {
    reader.close(); // ends the read transaction: checkpoints may write the file again
  }
}

/** Snapshot with VACUUM INTO: needs no checkpoint, rebuilds the whole database (slower). */
function snapshotByVacuum(db: Database, to: string, onSnapshot?: (lsn: number) => void): Snapshot {
  db.sql.prepare('VACUUM INTO ?').run(to);
  const s = new BetterSqlite3(to, { fileMustExist: true });
  let info: SnapshotInfo;
  try {
    info = snapshotInfo(db, s);
  } finally {
    s.close();
  }
  onSnapshot?.(info.lsn);
  fsyncFile(to);
  return { info, file: digestFile(to), method: 'vacuum' };
}

/**
 * Take the snapshot into `to`: a copy of the file under a held read transaction, or VACUUM INTO
 * when the WAL cannot be checkpointed completely. `onSnapshot` is called once it is taken, before
 * its file is copied.
 */
export function takeSnapshot(db: Database, to: string, onSnapshot?: (lsn: number) => void): Snapshot {
  return snapshotByCopy(db, to, onSnapshot) ?? snapshotByVacuum(db, to, onSnapshot);
}
