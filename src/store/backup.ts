/**
 * Online backup and restore (DESIGN.md "Backup", "Restore").
 *
 * A backup set is a directory of parts: `0000-full/` (a consistent SQLite snapshot at a known
 * LSN, the blob files it references, manifest.json) then `0001-incr/`, `0002-incr/`, … (the
 * log segments since the previous part, rolled first, and the blob files their records
 * reference). Every part's manifest lists the sha256 of each of its files.
 *
 * Invariants: while a backup runs it holds a lease that stops blob files from being
 * unlinked; once a database has backups, a released blob file is unlinked only after a backup
 * covers its release, so a point-in-time restore never lacks a file; log segments are purged
 * only once a backup covers them (unless kept), and only after SQLite's WAL is checkpointed, so
 * replay never needs a purged segment.
 *
 * The full backup's snapshot is a plain copy of the SQLite file, taken online
 * (backup-snapshot.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.js';
import { fsyncDir, writeFileDurable } from '../lib/fs.js';
import { type PartFile, copyDurable, copyHashed, hashFile } from './backup-files.js';
import { releasedBlobs, takeSnapshot } from './backup-snapshot.js';
import { DB_FILE, Database, type DatabaseOptions, blobFilePath } from './database.js';
import { decodeOp } from './ops.js';
import { ScanBuffer, cutLog, listSegments, scanSegment, segmentFileName, segmentPath } from './txlog.js';

export const BACKUP_FORMAT = 'salvage-backup/1';
const LEASE_MS = 6 * 3_600_000;

export interface Manifest {
  format: typeof BACKUP_FORMAT;
  kind: 'full' | 'incremental';
  databaseId: string;
  /** full: the snapshot's LSN; incremental: the LSN it starts after. */
  fromLsn: number;
  /** The last LSN the part holds. */
  toLsn: number;
  createdMs: number;
  /** full only: where the snapshot's log tail was. */
  logSegment?: number;
  logOffset?: number;
  files: Record<string, string>;
  missingBlobs?: string[];
}

export interface BackupResult {
  part: string;
  kind: 'full' | 'incremental';
  fromLsn: number;
  toLsn: number;
  files: number;
  bytes: number;
  purgedSegments: string[];
  /** Why the segments the backup covers were not purged, when they could not be. */
  logsKept?: string;
  ms: number;
  /** full only: how the snapshot was taken (`copy` of the file, or `vacuum` when that was not possible). */
  snapshot?: 'copy' | 'vacuum';
}

export interface BackupOptions {
  keepLogs?: boolean;
  /**
   * full only: called once the snapshot is taken, before its file is copied (progress, and the
   * tests that let other processes write and checkpoint while a backup copies).
   */
  onSnapshot?: (lsn: number) => void;
}

function listParts(backupDir: string): string[] {
  if (!fs.existsSync(backupDir)) {
    return [];
  }
  return fs
    .readdirSync(backupDir)
    .filter((n) => /^\d{4}-(full|incr)$/.test(n))
    .sort();
}

function readManifest(partDir: string): Manifest {
  const file = path.join(partDir, 'manifest.json');
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (err) {
    throw new AppError(
      'BACKUP_CORRUPT',
      `${path.basename(partDir)}/manifest.json is missing or not JSON`,
      {},
      { cause: err },
    );
  }
  if (m.format !== BACKUP_FORMAT || typeof m.toLsn !== 'number' || typeof m.files !== 'object') {
    throw new AppError(
      'BACKUP_CORRUPT',
      `${path.basename(partDir)}/manifest.json is not a Salvage backup manifest`,
    );
  }
  return m;
}

function finishPart(
  partDir: string,
  manifest: Omit<Manifest, 'files'>,
  files: readonly PartFile[],
): { bytes: number } {
  const hashes: Record<string, string> = {};
  let bytes = 0;
  const dirs = new Set<string>();
  for (const f of files) {
    hashes[f.rel] = f.sha256;
    bytes += f.bytes;
    for (let d = path.dirname(f.rel); d !== '.'; d = path.dirname(d)) {
      dirs.add(d);
    }
  }
  for (const d of dirs) {
    fsyncDir(path.join(partDir, d)); // the copies' names are durable before the manifest is
  }
  writeFileDurable(
    path.join(partDir, 'manifest.json'),
    JSON.stringify({ ...manifest, files: hashes }, null, 2) + '\n',
  );
  fsyncDir(path.dirname(partDir));
  return { bytes };
}

/**
 * Run a backup under a lease that keeps blob files from being unlinked. `fn` adds to `covered`
 * the released blobs whose files no later restore point needs from the live database (released
 * at or before the part's LSN, or copied into the part); they are collected when it ends.
 */
function withLease<T>(db: Database, fn: (covered: Set<string>) => T): T {
  db.withWriteLock(() => db.setMeta('backup_lease_until', String(db.clock.now() + LEASE_MS)));
  const covered = new Set<string>();
  let done = false;
  try {
    const v = fn(covered);
    done = true;
    return v;
  } finally {
    db.withWriteLock(() => db.setMeta('backup_lease_until', null));
    db.collectGarbageNow(done ? covered : new Set());
  }
}

/** Delete closed log segments that hold no record after `lsn`, after making SQLite durable. */
function purgeSegments(db: Database, below: number): { purged: string[]; logsKept?: string } {
  // SQLite's WAL is not fsynced at commit (the log is the durability): a segment may go only
  // once every WAL frame is in the database file, synced, or a power loss could take records
  // that exist nowhere else
  // (the database's background checkpointer is paused meanwhile: it would make this one busy)
  const r = db.checkpoint('FULL');
  if (r.busy !== 0 || r.checkpointed < r.log) {
    return {
      purged: [],
      logsKept:
        'the covered log segments were kept: the WAL could not be checkpointed completely (a reader holds an older snapshot, or another process checkpoints); the next backup purges them',
    };
  }
  const purged: string[] = [];
  for (const seg of listSegments(db.logsDir)) {
    if (seg < below) {
      fs.rmSync(segmentPath(db.logsDir, seg));
      purged.push(segmentFileName(seg));
    }
  }
  if (purged.length > 0) {
    fsyncDir(db.logsDir);
  }
  return { purged };
}

/** What a full backup needs to know of its snapshot, read through a connection that sees it. */
/**
 * Full backup of a database that may be in use: snapshot at a known LSN, referenced blob
 * files, manifest; then purge the log segments it covers unless `keepLogs`. Writers in this
 * process wait for it (it is synchronous); writers in other processes go on, apart from a
 * moment at the start.
 * @throws BACKUP_EXISTS when the directory already holds a backup set
 */
export function backupFull(db: Database, backupDir: string, opts: BackupOptions = {}): BackupResult {
  const started = Date.now();
  if (listParts(backupDir).length > 0) {
    throw new AppError(
      'BACKUP_EXISTS',
      `${backupDir} already holds a backup set; use a new directory for a full backup`,
      {
        dir: backupDir,
      },
    );
  }
  const part = path.join(backupDir, '0000-full');
  fs.mkdirSync(part, { recursive: true });
  return withLease(db, (covered) => {
    const snapFile = path.join(part, DB_FILE);
    const snap = takeSnapshot(db, snapFile, opts.onSnapshot);
    const { lsn, logSegment, logOffset, fileBlobs, released } = snap.info;
    for (const h of [...released, ...fileBlobs]) {
      covered.add(h);
    }
    const files: PartFile[] = [{ rel: DB_FILE, ...snap.file }];
    for (const h of fileBlobs) {
      const src = blobFilePath(db.dir, h);
      const rel = path.relative(db.dir, src);
      files.push({ rel, ...copyHashed(src, path.join(part, rel)) });
    }
    const { bytes } = finishPart(
      part,
      {
        format: BACKUP_FORMAT,
        kind: 'full',
        databaseId: db.id,
        fromLsn: lsn,
        toLsn: lsn,
        createdMs: db.clock.now(),
        logSegment,
        logOffset,
      },
      files,
    );
    db.withWriteLock(() => db.setMeta('last_backup_lsn', String(lsn)));
    const purge = opts.keepLogs ? { purged: [] } : purgeSegments(db, logSegment);
    return {
      part: path.basename(part),
      kind: 'full' as const,
      fromLsn: lsn,
      toLsn: lsn,
      files: files.length,
      bytes,
      purgedSegments: purge.purged,
      ...(purge.logsKept ? { logsKept: purge.logsKept } : {}),
      ms: Date.now() - started,
      snapshot: snap.method,
    };
  });
}

/**
 * Incremental backup: roll the current segment, copy every segment with records after the
 * previous part, and the blob files those records reference.
 * @throws BACKUP_NOT_FOUND (no full backup there), BACKUP_CORRUPT (another database's set),
 *   VALIDATION_FAILED (the log records it needs were purged)
 */
export function backupIncremental(
  db: Database,
  backupDir: string,
  opts: Pick<BackupOptions, 'keepLogs'> = {},
): BackupResult {
  const started = Date.now();
  const parts = listParts(backupDir);
  if (parts.length === 0 || !parts[0]!.endsWith('-full')) {
    throw new AppError('BACKUP_NOT_FOUND', `${backupDir} holds no full backup to continue`, {
      dir: backupDir,
    });
  }
  const last = readManifest(path.join(backupDir, parts.at(-1)!));
  if (last.databaseId !== db.id) {
    throw new AppError('BACKUP_CORRUPT', `${backupDir} is a backup of another database (${last.databaseId})`);
  }
  const fromLsn = last.toLsn;
  const part = path.join(backupDir, `${String(parts.length).padStart(4, '0')}-incr`);
  return withLease(db, (covered) => {
    const { tail, released } = db.withWriteLock(() => ({
      tail: db.rollLog(),
      released: releasedBlobs(db.sql),
    }));
    const toLsn = tail.lsn;
    const files: PartFile[] = [];
    const blobs = new Set<string>();
    let firstSeen: number | undefined;
    fs.mkdirSync(path.join(part, 'logs'), { recursive: true });
    const copied: number[] = [];
    const into = new ScanBuffer();
    for (const seg of listSegments(db.logsDir).filter((s) => s < tail.segment)) {
      let holds = false;
      scanSegment(db.logsDir, seg, 0, { mayBeTorn: false, committedEnd: 0, into }, (r) => {
        if (r.lsn > fromLsn && r.lsn <= toLsn) {
          holds = true;
          firstSeen ??= r.lsn;
          const op = decodeOp(r.payload);
          if (op.t === 'blob.put' && op.data === null) {
            blobs.add(op.hash as string);
          }
        }
      });
      if (holds) {
        const rel = path.join('logs', segmentFileName(seg));
        files.push({ rel, ...copyHashed(segmentPath(db.logsDir, seg), path.join(part, rel)) });
        copied.push(seg);
      }
    }
    if (toLsn > fromLsn && firstSeen !== fromLsn + 1) {
      fs.rmSync(part, { recursive: true, force: true });
      throw new AppError(
        'VALIDATION_FAILED',
        `The log records after LSN ${fromLsn} are no longer on disk (purged by another backup); take a full backup`,
        { fromLsn },
      );
    }
    const missingBlobs: string[] = [];
    for (const h of blobs) {
      const src = blobFilePath(db.dir, h);
      const rel = path.relative(db.dir, src);
      if (fs.existsSync(src)) {
        files.push({ rel, ...copyHashed(src, path.join(part, rel)) });
        covered.add(h);
      } else {
        missingBlobs.push(h); // released and collected before the database had backups
      }
    }
    for (const h of released) {
      covered.add(h);
    }
    const { bytes } = finishPart(
      part,
      {
        format: BACKUP_FORMAT,
        kind: 'incremental',
        databaseId: db.id,
        fromLsn,
        toLsn,
        createdMs: db.clock.now(),
        ...(missingBlobs.length > 0 ? { missingBlobs } : {}),
      },
      files,
    );
    db.withWriteLock(() => db.setMeta('last_backup_lsn', String(toLsn)));
    const purge = opts.keepLogs ? { purged: [] } : purgeSegments(db, tail.segment);
    return {
      part: path.basename(part),
      kind: 'incremental' as const,
      fromLsn,
      toLsn,
      files: files.length,
      bytes,
      purgedSegments: purge.purged,
      ...(purge.logsKept ? { logsKept: purge.logsKept } : {}),
      ms: Date.now() - started,
    };
  });
}

export interface RestoreResult {
  dir: string;
  databaseId: string;
  snapshotLsn: number;
  lsn: number;
  replayed: number;
  parts: string[];
}

/** Verify every part's manifest checksums. @throws BACKUP_NOT_FOUND, BACKUP_CORRUPT */
export function verifyBackup(backupDir: string): { part: string; manifest: Manifest }[] {
  const parts = listParts(backupDir);
  if (parts.length === 0 || !parts[0]!.endsWith('-full')) {
    throw new AppError('BACKUP_NOT_FOUND', `No Salvage backup set in ${backupDir}`, { dir: backupDir });
  }
  const out = parts.map((p) => ({ part: p, manifest: readManifest(path.join(backupDir, p)) }));
  for (const [i, { part, manifest }] of out.entries()) {
    if (i > 0 && manifest.fromLsn !== out[i - 1]!.manifest.toLsn) {
      throw new AppError(
        'BACKUP_CORRUPT',
        `${part} starts after LSN ${manifest.fromLsn}, the part before ends at ${out[i - 1]!.manifest.toLsn}`,
      );
    }
    for (const [rel, want] of Object.entries(manifest.files)) {
      const file = path.join(backupDir, part, rel);
      if (!fs.existsSync(file)) {
        throw new AppError('BACKUP_CORRUPT', `${part}/${rel} is listed in the manifest but missing`, {
          file: `${part}/${rel}`,
        });
      }
      if (hashFile(file) !== want) {
        throw new AppError('BACKUP_CORRUPT', `${part}/${rel} does not match its manifest checksum`, {
          file: `${part}/${rel}`,
        });
      }
    }
  }
  return out;
}

export type RestorePoint = { lsn: number } | { timeMs: number };

/**
 * Restore a backup set into a new database directory: verify, copy the snapshot and blobs,
 * copy the logs (cut at `until` when given), then open it, which replays them.
 * @throws BACKUP_NOT_FOUND, BACKUP_CORRUPT, DATABASE_EXISTS, VALIDATION_FAILED (until before the snapshot)
 */
export function restoreBackup(
  backupDir: string,
  targetDir: string,
  opts: { until?: RestorePoint } & DatabaseOptions = {},
): RestoreResult {
  const parts = verifyBackup(backupDir);
  const full = parts[0]!.manifest;
  if (fs.existsSync(targetDir) && fs.readdirSync(targetDir).length > 0) {
    throw new AppError('DATABASE_EXISTS', `${targetDir} is not empty; restore into a new directory`, {
      dir: targetDir,
    });
  }
  const until = opts.until;
  if (until && 'lsn' in until && until.lsn < full.toLsn) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The full backup is at LSN ${full.toLsn}; --until must not be earlier`,
    );
  }
  if (until && 'timeMs' in until && until.timeMs < full.createdMs && full.toLsn > 0) {
    // records before the snapshot are inside it: a time before the backup cannot be reached
    throw new AppError(
      'VALIDATION_FAILED',
      `The full backup was taken at ${new Date(full.createdMs).toISOString()}; --until must not be earlier`,
    );
  }
  fs.mkdirSync(path.join(targetDir, 'logs'), { recursive: true });
  fs.mkdirSync(path.join(targetDir, 'blobs'), { recursive: true });
  for (const { part, manifest } of parts) {
    for (const rel of Object.keys(manifest.files)) {
      copyDurable(path.join(backupDir, part, rel), path.join(targetDir, rel));
    }
  }
  const logsDir = path.join(targetDir, 'logs');
  if (until) {
    cutLogs(logsDir, full.toLsn, until);
  }
  forgetBackups(path.join(targetDir, DB_FILE));
  fsyncDir(targetDir);
  const db = Database.open(targetDir, opts);
  try {
    return {
      dir: targetDir,
      databaseId: db.id,
      snapshotLsn: full.toLsn,
      lsn: db.tail().lsn,
      replayed: db.recovery.replayed,
      parts: parts.map((p) => p.part),
    };
  } finally {
    db.close();
  }
}

/**
 * A restored copy is a new line of history: it has no backups yet and no lease. (The snapshot
 * is a copy of the live file, which holds both.)
 */
function forgetBackups(file: string): void {
  const s = new BetterSqlite3(file, { fileMustExist: true });
  try {
    s.prepare("DELETE FROM meta WHERE key IN ('backup_lease_until', 'last_backup_lsn')").run();
  } finally {
    s.close();
  }
}

/** Keep only the whole write batches up to the restore point; drop the segments after it. */
function cutLogs(logsDir: string, snapshotLsn: number, until: RestorePoint): void {
  cutLog(logsDir, (r) =>
    'lsn' in until ? r.lsn > until.lsn : r.lsn > snapshotLsn && r.timeMs > until.timeMs,
  );
}
