/**
 * `db check`: open the database as the service would (a torn tail is cut and mentioned, not
 * counted as a problem), then verify every log record, every blob's bytes and every refcount.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';
import { sha256Hex } from '../lib/hash.js';
import { Database, type DatabaseOptions, blobFilePath } from './database.js';
import { ScanBuffer, listSegments, scanSegment } from './txlog.js';

export interface CheckProblem {
  kind: 'log' | 'blob' | 'refcount' | 'item' | 'open';
  message: string;
  [key: string]: unknown;
}

export interface CheckReport {
  ok: boolean;
  problems: CheckProblem[];
  notices: string[];
  logSegments: number;
  logRecords: number;
  blobs: number;
  items: number;
}

function checkLog(db: Database, report: CheckReport): void {
  const segs = listSegments(db.logsDir);
  report.logSegments = segs.length;
  let expect: number | undefined;
  const into = new ScanBuffer();
  for (const seg of segs) {
    try {
      scanSegment(db.logsDir, seg, 0, { mayBeTorn: false, committedEnd: 0, expectLsn: expect, into }, (r) => {
        report.logRecords += 1;
        expect = r.lsn + 1;
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'LOG_CORRUPT') {
        report.problems.push({ kind: 'log', message: err.message, ...err.details });
        expect = undefined;
      } else {
        throw err;
      }
    }
  }
  const applied = db.tail().lsn;
  if (expect !== undefined && expect - 1 < applied) {
    report.problems.push({
      kind: 'log',
      message: `The log ends at LSN ${expect - 1} but the database has applied LSN ${applied}`,
    });
  }
}

function checkBlobs(db: Database, report: CheckReport): void {
  const rows = db.sql.prepare('SELECT hash, size, data FROM blobs').iterate() as IterableIterator<{
    hash: string;
    size: number;
    data: Buffer | null;
  }>;
  for (const b of rows) {
    report.blobs += 1;
    let bytes: Buffer | undefined = b.data ?? undefined;
    if (!bytes) {
      try {
        bytes = fs.readFileSync(blobFilePath(db.dir, b.hash));
      } catch {
        report.problems.push({ kind: 'blob', hash: b.hash, message: `Blob ${b.hash}: its file is missing` });
        continue;
      }
    }
    if (bytes.length !== b.size) {
      report.problems.push({
        kind: 'blob',
        hash: b.hash,
        message: `Blob ${b.hash}: ${bytes.length} bytes stored, ${b.size} recorded`,
      });
    } else if (sha256Hex(bytes) !== b.hash) {
      report.problems.push({
        kind: 'blob',
        hash: b.hash,
        message: `Blob ${b.hash}: its bytes do not match its hash`,
      });
    }
  }
  // every blob has one blob_refs row and no other blob_refs row exists
  const bad = db.sql
    .prepare(
      `SELECT b.hash, r.refcount, (SELECT count(*) FROM items i WHERE i.blob_hash = b.hash) AS refs
         FROM blobs b LEFT JOIN blob_refs r ON r.hash = b.hash
        WHERE r.refcount IS NULL OR r.refcount != (SELECT count(*) FROM items i WHERE i.blob_hash = b.hash)
       UNION ALL
       SELECT r.hash, r.refcount, -1 FROM blob_refs r WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.hash = r.hash)`,
    )
    .all() as { hash: string; refcount: number | null; refs: number }[];
  for (const r of bad) {
    report.problems.push({
      kind: 'refcount',
      hash: r.hash,
      message:
        r.refs < 0
          ? `Blob ${r.hash}: a refcount (${r.refcount}) is kept, but the blob is not stored`
          : r.refcount === null
            ? `Blob ${r.hash}: no refcount is kept, but ${r.refs} items refer to it`
            : `Blob ${r.hash}: refcount ${r.refcount}, but ${r.refs} items refer to it`,
    });
  }
  const dangling = db.sql
    .prepare(
      'SELECT i.id, i.blob_hash AS hash FROM items i LEFT JOIN blobs b ON b.hash = i.blob_hash WHERE b.hash IS NULL',
    )
    .all() as { id: number; hash: string }[];
  for (const d of dangling) {
    report.problems.push({
      kind: 'item',
      itemId: d.id,
      message: `Item ${d.id} refers to blob ${d.hash}, which is not stored`,
    });
  }
  report.items = (db.sql.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n;
}

function orphanFiles(db: Database, report: CheckReport): void {
  const root = path.join(db.dir, 'blobs');
  if (!fs.existsSync(root)) {
    return;
  }
  const known = db.sql.prepare('SELECT 1 FROM blobs WHERE hash = ?');
  const released = db.sql.prepare('SELECT 1 FROM blob_gc WHERE hash = ?');
  let orphans = 0;
  let waiting = 0;
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /^[0-9a-f]{64}$/.test(entry.name) && !known.get(entry.name)) {
      if (released.get(entry.name)) {
        waiting += 1;
      } else {
        orphans += 1;
      }
    }
  }
  if (orphans > 0) {
    report.notices.push(`${orphans} blob files are not referenced (left by an interrupted write; harmless)`);
  }
  if (waiting > 0) {
    report.notices.push(`${waiting} released blob files are kept until a backup covers their release`);
  }
}

/** Check a database directory. Never throws for a problem it finds: they are in the report. */
export function checkDatabase(dir: string, opts: DatabaseOptions = {}): CheckReport {
  const report: CheckReport = {
    ok: true,
    problems: [],
    notices: [],
    logSegments: 0,
    logRecords: 0,
    blobs: 0,
    items: 0,
  };
  let db: Database;
  try {
    db = Database.open(dir, opts);
  } catch (err) {
    if (err instanceof AppError && err.code !== 'DATABASE_NOT_FOUND') {
      report.problems.push({ kind: 'open', message: err.message, code: err.code, ...err.details });
      report.ok = false;
      return report;
    }
    throw err;
  }
  try {
    const torn = db.recovery.tornTail;
    if (torn) {
      report.notices.push(
        `A torn record at the end of ${torn.segment} (offset ${torn.offset}, ${torn.bytesCut} bytes: ${torn.reason}) was cut off, as after a crash`,
      );
    }
    if (db.recovery.replayed > 0) {
      report.notices.push(`${db.recovery.replayed} log records were replayed on open`);
    }
    checkLog(db, report);
    checkBlobs(db, report);
    orphanFiles(db, report);
  } finally {
    db.close();
  }
  report.ok = report.problems.length === 0;
  return report;
}
