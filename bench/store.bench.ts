/**
 * The store's throughput, each figure beside the raw limit measured in the same run:
 *
 * - deliver: realistic 5–50 KB messages from the Enron sample through `deliver()` in batches
 *   of 500 (as the CLI does: one write batch, one log fsync each); raw limit: the same bytes
 *   written with one fsync per batch by a plain loop;
 * - deliver ×10: the same, each message to 10 mailboxes (single-instance storage);
 * - replay: log records applied on open (a database whose SQLite file lags its log) and a
 *   whole restore (verify + copy + replay); raw limit: reading (through one ScanBuffer, as
 *   replay does) and checksumming the records; floor: the same operations, decoded beforehand,
 *   applied straight to SQLite in one transaction (what storing the mail costs without the log);
 * - full backup: MB/s of `backupFull`; raw limit: a plain copy (copyFile + fsync) of the
 *   database's files; also the CPU time of both (the machine is shared: CPU time is steadier
 *   than wall time), and the restore of that full backup (verify + copy, nothing to replay).
 *
 * Deliver, replay, the raw write loop and the raw scan record their CPU time (user + system) too.
 * Medians of BENCH_RUNS runs (default 3). Reads the team corpus (`../shared/corpus` beside the
 * repository, or $SALVAGE_CORPUS) and unpacks the Enron sample once into a cache under the OS
 * temp dir. Run alone: `node --import tsx bench/store.bench.ts`; or through bench/run.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DB_FILE,
  Database,
  backupFull,
  backupIncremental,
  createMailbox,
  deleteItems,
  deliver,
  restoreBackup,
} from '../src/store/index.js';
import { fsyncFile } from '../src/lib/fs.js';
import { applyOp } from '../src/store/apply.js';
import { type Op, decodeOp } from '../src/store/ops.js';
import { ScanBuffer, listSegments, scanSegment } from '../src/store/txlog.js';
import { ENRON_CACHE, enronTree, median } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5000);
const BATCH = 500;
const MIN_BYTES = 5_000;
const MAX_BYTES = 50_000;

const log = (s: string): void => void process.stderr.write(`  store: ${s}\n`);

/** The first `n` messages of 5–50 KB, in path order (the same set on every run). */
function pickMessages(n: number): Buffer[] {
  const root = enronTree();
  const listFile = path.join(ENRON_CACHE, `.selection-${MIN_BYTES}-${MAX_BYTES}.json`);
  let files: string[];
  if (fs.existsSync(listFile)) {
    files = JSON.parse(fs.readFileSync(listFile, 'utf8')) as string[];
  } else {
    files = (fs.readdirSync(root, { recursive: true }) as string[])
      .filter((f) => !path.basename(f).startsWith('.'))
      .sort()
      .filter((f) => {
        const st = fs.statSync(path.join(root, f));
        return st.isFile() && st.size >= MIN_BYTES && st.size <= MAX_BYTES;
      });
    fs.writeFileSync(listFile, JSON.stringify(files));
  }
  if (files.length < n) {
    throw new Error(`only ${files.length} messages of ${MIN_BYTES}-${MAX_BYTES} bytes in the sample`);
  }
  return files.slice(0, n).map((f) => fs.readFileSync(path.join(root, f)));
}

function batches<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) {
    out.push(xs.slice(i, i + size));
  }
  return out;
}

/** CPU time (user + system, every thread of the process) since `from`, in ms. */
const cpuMsSince = (from: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
const MB = 1e6;

/** Raw limit of a delivery: the batch's bytes appended to one file, one fsync per batch. */
function rawWrite(dir: string, msgs: Buffer[]): { ms: number; cpuMs: number } {
  const file = path.join(dir, 'raw.bin');
  const fd = fs.openSync(file, 'w');
  const c = process.cpuUsage();
  const t = performance.now();
  try {
    for (const b of batches(msgs, BATCH)) {
      const buf = Buffer.concat(b);
      let off = 0;
      while (off < buf.length) {
        off += fs.writeSync(fd, buf, off);
      }
      fs.fsyncSync(fd);
    }
  } finally {
    fs.closeSync(fd);
  }
  const ms = performance.now() - t;
  const cpuMs = cpuMsSince(c);
  fs.rmSync(file);
  return { ms, cpuMs };
}

async function freshDb(dir: string, mailboxes: number): Promise<{ db: Database; to: string[] }> {
  const db = Database.create(dir);
  const to = Array.from({ length: mailboxes }, (_, i) => `user${i + 1}@bench.example`);
  for (const a of to) {
    await createMailbox(db, { address: a });
  }
  return { db, to };
}

function timeDeliver(db: Database, msgs: Buffer[], to: string[]): { ms: number; cpuMs: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  for (const b of batches(msgs, BATCH)) {
    deliver(db, b, { to });
  }
  return { ms: performance.now() - t, cpuMs: cpuMsSince(c) };
}

/** All of a directory's regular files, relative paths. */
function filesOf(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) =>
    fs.statSync(path.join(dir, f)).isFile(),
  );
}

interface Run {
  deliverMs: number;
  deliverCpuMs: number;
  rawWriteMs: number;
  rawWriteCpuMs: number;
  deliverSisMs: number;
  deliverSisCpuMs: number;
  replayMs: number;
  replayCpuMs: number;
  replayRecords: number;
  applyOnlyMs: number;
  applyOnlyCpuMs: number;
  scanMs: number;
  scanCpuMs: number;
  smallReplayMs: number;
  smallReplayCpuMs: number;
  smallReplayRecords: number;
  restoreMs: number;
  restoreRecords: number;
  backupMs: number;
  backupCpuMs: number;
  backupBytes: number;
  copyMs: number;
  copyCpuMs: number;
  copyBytes: number;
  fullRestoreMs: number;
}

/** Close, put back a saved SQLite file (the log stays), and time the open that replays the log. */
function timeReplay(dir: string, savedDb: Buffer): { ms: number; cpuMs: number; records: number } {
  fs.writeFileSync(path.join(dir, DB_FILE), savedDb);
  for (const f of [`${DB_FILE}-wal`, `${DB_FILE}-shm`]) {
    fs.rmSync(path.join(dir, f), { force: true });
  }
  const c = process.cpuUsage();
  const t = performance.now();
  const db = Database.open(dir);
  const ms = performance.now() - t;
  const cpuMs = cpuMsSince(c);
  const records = db.recovery.replayed;
  db.close();
  return { ms, cpuMs, records };
}

/**
 * The floor under replay: the operations that `timeReplay` replays, decoded beforehand, applied
 * straight to the same saved SQLite file in one transaction and committed — SQLite's own cost of
 * storing them (the mail's bytes into its pages and WAL, the checkpoint), without the log.
 */
function timeApplyOnly(dir: string, savedDb: Buffer, floorDir: string): { ms: number; cpuMs: number } {
  fs.mkdirSync(floorDir);
  fs.writeFileSync(path.join(floorDir, DB_FILE), savedDb);
  const db = Database.open(floorDir); // no logs/ here: nothing to replay, the write path's pragmas
  const applied = Number(db.meta('applied_lsn'));
  const ops: Op[] = [];
  const logs = path.join(dir, 'logs');
  for (const s of listSegments(logs)) {
    scanSegment(logs, s, 0, { mayBeTorn: false, committedEnd: 0 }, (r) => {
      if (r.lsn > applied) {
        ops.push(decodeOp(r.payload));
      }
    });
  }
  const c = process.cpuUsage();
  const t = performance.now();
  db.sql.exec('BEGIN IMMEDIATE');
  for (const op of ops) {
    applyOp(db.sql, op, []);
  }
  db.sql.exec('COMMIT');
  const ms = performance.now() - t;
  const cpuMs = cpuMsSince(c);
  db.close();
  fs.rmSync(floorDir, { recursive: true });
  return { ms, cpuMs };
}

function closedCopy(db: Database): Buffer {
  db.close();
  return fs.readFileSync(path.join(db.dir, DB_FILE));
}

async function oneRun(root: string, msgs: Buffer[], sisMsgs: Buffer[]): Promise<Run> {
  const raw = rawWrite(root, msgs);
  const liveDir = path.join(root, 'live');
  const created = await freshDb(liveDir, 1);
  const to = created.to;
  const bk = path.join(root, 'backup');
  backupFull(created.db, bk, { keepLogs: true }); // an empty base: the restore below replays every delivery
  const beforeDeliveries = closedCopy(created.db);
  let db = Database.open(liveDir);
  const delivered = timeDeliver(db, msgs, to);

  // full backup, and beside it a plain copy of the same database's files
  // from a checkpointed database: through the database, which waits for a background
  // checkpoint still copying the deliveries (a bare pragma would find it busy and return)
  if (db.checkpoint('TRUNCATE').busy !== 0) {
    throw new Error('the database could not be checkpointed before the backup');
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const full = backupFull(db, path.join(root, 'backup-full'), { keepLogs: true });
  const backupMs = performance.now() - t0;
  const backupCpuMs = cpuMsSince(c0);
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  let copyBytes = 0;
  for (const f of filesOf(liveDir).filter((x) => x === DB_FILE || x.startsWith('blobs'))) {
    const dest = path.join(root, 'copy', f);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(path.join(liveDir, f), dest);
    fsyncFile(dest);
    copyBytes += fs.statSync(dest).size;
  }
  const copyMs = performance.now() - t1;
  const copyCpuMs = cpuMsSince(c1);
  const t5 = performance.now();
  restoreBackup(path.join(root, 'backup-full'), path.join(root, 'restored-full'));
  const fullRestoreMs = performance.now() - t5;
  backupIncremental(db, bk, { keepLogs: true });

  // raw limit of replay: read and checksum every record, apply nothing
  const logs = path.join(liveDir, 'logs');
  const c2 = process.cpuUsage();
  const t2 = performance.now();
  const into = new ScanBuffer();
  for (const s of listSegments(logs)) {
    scanSegment(logs, s, 0, { mayBeTorn: false, committedEnd: 0, into }, () => {});
  }
  const scanMs = performance.now() - t2;
  const scanCpuMs = cpuMsSince(c2);
  const afterDeliveries = closedCopy(db);
  const replay = timeReplay(liveDir, beforeDeliveries);
  const floor = timeApplyOnly(liveDir, beforeDeliveries, path.join(root, 'floor'));

  // small records: one item.delete per item, all in one group commit, then replayed
  fs.writeFileSync(path.join(liveDir, DB_FILE), afterDeliveries);
  db = Database.open(liveDir);
  const ids = (db.sql.prepare('SELECT id FROM items').all() as { id: number }[]).map((r) => r.id);
  await Promise.all(ids.map((id) => deleteItems(db, to[0]!, [id])));
  db.close();
  const small = timeReplay(liveDir, afterDeliveries);

  // a whole restore: verify the manifests, copy, replay
  const t4 = performance.now();
  const restored = restoreBackup(bk, path.join(root, 'restored'));
  const restoreMs = performance.now() - t4;

  // single-instance storage: each message to 10 mailboxes
  const sis = await freshDb(path.join(root, 'sis'), 10);
  const sisDelivered = timeDeliver(sis.db, sisMsgs, sis.to);
  sis.db.close();
  return {
    deliverMs: delivered.ms,
    deliverCpuMs: delivered.cpuMs,
    rawWriteMs: raw.ms,
    rawWriteCpuMs: raw.cpuMs,
    deliverSisMs: sisDelivered.ms,
    deliverSisCpuMs: sisDelivered.cpuMs,
    replayMs: replay.ms,
    replayCpuMs: replay.cpuMs,
    replayRecords: replay.records,
    applyOnlyMs: floor.ms,
    applyOnlyCpuMs: floor.cpuMs,
    scanMs,
    scanCpuMs,
    smallReplayMs: small.ms,
    smallReplayCpuMs: small.cpuMs,
    smallReplayRecords: small.records,
    restoreMs,
    restoreRecords: restored.replayed,
    backupMs,
    backupCpuMs,
    backupBytes: full.bytes,
    copyMs,
    copyCpuMs,
    copyBytes,
    fullRestoreMs,
  };
}

export default async function storeBench(): Promise<Record<string, unknown>> {
  const msgs = pickMessages(MESSAGES);
  const sisMsgs = msgs.slice(0, Math.min(msgs.length, 2000));
  const bytes = msgs.reduce((n, m) => n + m.length, 0);
  const sisBytes = sisMsgs.reduce((n, m) => n + m.length, 0);
  log(
    `${msgs.length} messages, ${round(bytes / MB)} MB (mean ${Math.round(bytes / msgs.length)} B); ${RUNS} runs`,
  );
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-bench-store-'));
    try {
      runs.push(await oneRun(root, msgs, sisMsgs));
      log(`run ${i + 1}: ${JSON.stringify(runs.at(-1))}`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  const med = (f: (r: Run) => number): number => median(runs.map(f));
  const deliverRate = med((r) => msgs.length / (r.deliverMs / 1000));
  const rawRate = med((r) => msgs.length / (r.rawWriteMs / 1000));
  const sisRate = med((r) => sisMsgs.length / (r.deliverSisMs / 1000));
  const replayRate = med((r) => r.replayRecords / (r.replayMs / 1000));
  const smallReplayRate = med((r) => r.smallReplayRecords / (r.smallReplayMs / 1000));
  const scanRate = med((r) => r.replayRecords / (r.scanMs / 1000));
  const restoreRate = med((r) => r.restoreRecords / (r.restoreMs / 1000));
  const backupRate = med((r) => r.backupBytes / MB / (r.backupMs / 1000));
  const copyRate = med((r) => r.copyBytes / MB / (r.copyMs / 1000));
  const fullRestoreRate = med((r) => r.backupBytes / MB / (r.fullRestoreMs / 1000));
  return {
    name: 'store',
    messages: msgs.length,
    messageBytes: bytes,
    batch: BATCH,
    runs: RUNS,
    deliver: {
      messagesPerSecond: Math.round(deliverRate),
      megabytesPerSecond: round((deliverRate * bytes) / msgs.length / MB),
      rawLimitMessagesPerSecond: Math.round(rawRate),
      rawLimitMegabytesPerSecond: round((rawRate * bytes) / msgs.length / MB),
      cpuMs: round(med((r) => r.deliverCpuMs)),
      rawLimitCpuMs: round(med((r) => r.rawWriteCpuMs)),
      target: 5000,
    },
    deliverTo10Mailboxes: {
      messages: sisMsgs.length,
      messagesPerSecond: Math.round(sisRate),
      itemsPerSecond: Math.round(sisRate * 10),
      megabytesPerSecond: round((sisRate * sisBytes) / sisMsgs.length / MB),
      cpuMs: round(med((r) => r.deliverSisCpuMs)),
    },
    replay: {
      records: runs[0]!.replayRecords,
      recordsPerSecond: Math.round(replayRate),
      rawScanRecordsPerSecond: Math.round(scanRate),
      // SQLite alone storing the same operations (no log): the ceiling of a replay of mail
      applyOnlyRecordsPerSecond: Math.round(med((r) => r.replayRecords / (r.applyOnlyMs / 1000))),
      applyOnlyCpuMs: round(med((r) => r.applyOnlyCpuMs)),
      smallRecords: runs[0]!.smallReplayRecords,
      smallRecordsPerSecond: Math.round(smallReplayRate),
      wholeRestoreRecordsPerSecond: Math.round(restoreRate),
      cpuMs: round(med((r) => r.replayCpuMs)),
      rawScanCpuMs: round(med((r) => r.scanCpuMs)),
      smallRecordsCpuMs: round(med((r) => r.smallReplayCpuMs)),
      target: 50_000,
    },
    fullBackup: {
      bytes: runs[0]!.backupBytes,
      megabytesPerSecond: round(backupRate),
      plainCopyMegabytesPerSecond: round(copyRate),
      ratioToPlainCopy: round(backupRate / copyRate, 2),
      target: 0.8,
      cpuMs: round(med((r) => r.backupCpuMs)),
      plainCopyCpuMs: round(med((r) => r.copyCpuMs)),
      restoreMegabytesPerSecond: round(fullRestoreRate),
    },
    samples: runs,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const r = await storeBench();
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}
