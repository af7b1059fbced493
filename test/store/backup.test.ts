import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { purgeDumpster } from '../../src/dumpster/index.js';
import {
  Database,
  backupFull,
  backupIncremental,
  blobFilePath,
  checkDatabase,
  deleteItems,
  deliver,
  getMailbox,
  listItems,
  listSegments,
  parseMessage,
  readItemBytes,
  restoreBackup,
  segmentFileName,
  stats,
  verifyBackup,
} from '../../src/store/index.js';
import {
  ChildLines,
  aBody,
  aMessage,
  exited,
  expectAppError,
  flipByte,
  mailboxes,
  openTestDb,
  T0,
  spawnTsx,
  tempDir,
} from '../helpers/index.js';
import { WRITER_MAILBOXES } from './crash-writer.js';

/** Every item's exact bytes, by id. */
function itemsOf(db: Database): Map<number, Buffer> {
  const ids = (db.sql.prepare('SELECT id FROM items ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  return new Map(ids.map((id) => [id, readItemBytes(db, id)]));
}

/** The restored database holds exactly the live one's items up to some id, byte for byte. */
function assertPrefixOfLive(restoredDir: string, live: Database, what: string): number {
  const r = Database.open(restoredDir, { readOnly: true });
  try {
    const restored = itemsOf(r);
    const liveItems = itemsOf(live);
    const max = Math.max(0, ...restored.keys());
    assert.deepEqual(
      [...restored.keys()],
      [...liveItems.keys()].filter((id) => id <= max),
      `${what}: the restored items are not the live items up to ${max}`,
    );
    for (const [id, bytes] of restored) {
      assert.ok(bytes.equals(liveItems.get(id)!), `${what}: item ${id} differs`);
    }
    return restored.size;
  } finally {
    r.close();
  }
}

function subjectsOf(dir: string, address: string): string[] {
  const db = Database.open(dir, { readOnly: true });
  try {
    return listItems(db.sql, getMailbox(db.sql, address).id)
      .map((i) => i.subject)
      .sort();
  } finally {
    db.close();
  }
}

const ackIndex = (line: string): number => Number(/^ack (\d+) /.exec(line)?.[1] ?? -1);
const lastAck = (c: ChildLines): number => Math.max(-1, ...c.lines.map(ackIndex));

async function waitUntil(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('online backup while another process writes', () => {
  it('restores full + incremental to exactly the state at the last backed-up LSN while a writer keeps going', async (t) => {
    const dir = path.join(tempDir(t), 'live');
    const live = Database.create(dir);
    t.after(() => live.close());
    const to = await mailboxes(live, WRITER_MAILBOXES);
    // file blobs, so that the backup takes a while
    deliver(
      live,
      Array.from({ length: 60 }, (_, i) => aMessage({ body: aBody(150_000, `seed${i}`) })),
      { to: [to[0]!] },
    );
    const writer = new ChildLines(spawnTsx('test/store/crash-writer.ts', [dir, 'steady']));
    t.after(() => writer.child.kill('SIGKILL'));
    writer.child.stdin!.write('go 1\n');
    await writer.waitFor((l) => ackIndex(l) >= 30);
    const bk = path.join(tempDir(t), 'backup');
    const t1 = Date.now();
    const full = backupFull(live, bk);
    const t2 = Date.now();
    const n1 = lastAck(writer);
    await writer.waitFor((l) => ackIndex(l) >= n1 + 40);
    const incr = backupIncremental(live, bk);
    const n2 = lastAck(writer);
    await writer.waitFor((l) => ackIndex(l) >= n2 + 20);
    writer.child.stdin!.write('stop\n');
    assert.deepEqual(await exited(writer.child), { code: 0, signal: null });
    await writer.ended;

    const during = writer.lines
      .map((l) => Number(/^ack \d+ [\d,]+ (\d+)$/.exec(l)?.[1] ?? 0))
      .filter((ms) => ms >= t1 && ms <= t2).length;
    assert.ok(during >= 1, `no write was acknowledged during the full backup (${t2 - t1} ms)`);
    assert.equal(incr.fromLsn, full.toLsn);
    assert.ok(incr.toLsn > incr.fromLsn);
    assert.ok(stats(live).appliedLsn > incr.toLsn, 'the writer went on after the incremental backup');

    const restored = path.join(tempDir(t), 'restored');
    const r = restoreBackup(bk, restored);
    const manifest = JSON.parse(fs.readFileSync(path.join(bk, '0001-incr', 'manifest.json'), 'utf8')) as {
      toLsn: number;
    };
    assert.equal(r.lsn, manifest.toLsn);
    assert.equal(r.lsn, incr.toLsn);
    assert.equal(r.snapshotLsn, full.toLsn);
    assert.equal(r.replayed, incr.toLsn - full.toLsn);
    assert.deepEqual(r.parts, ['0000-full', '0001-incr']);
    assert.deepEqual(checkDatabase(restored).problems, []);
    const n = assertPrefixOfLive(restored, live, 'full + incremental');
    assert.ok(n < itemsOf(live).size);

    // the full backup alone restores to its snapshot LSN
    const fullOnly = path.join(tempDir(t), 'full-only');
    fs.cpSync(path.join(bk, '0000-full'), path.join(fullOnly, '0000-full'), { recursive: true });
    const r0 = restoreBackup(fullOnly, path.join(fullOnly, 'db'));
    assert.equal(r0.lsn, full.toLsn);
    assert.equal(r0.replayed, 0);
    assert.ok(assertPrefixOfLive(path.join(fullOnly, 'db'), live, 'full only') < n);
  });

  it('copies the snapshot as of its LSN while another process commits and checkpoints during the copy', async (t) => {
    const dir = path.join(tempDir(t), 'live');
    const live = Database.create(dir);
    t.after(() => live.close());
    const [a] = await mailboxes(live, 1);
    deliver(
      live,
      Array.from({ length: 40 }, (_, i) =>
        aMessage({ subject: `before ${i}`, body: aBody(20_000, `b${i}`) }),
      ),
      { to: [a!] },
    );
    const bk = path.join(tempDir(t), 'backup');
    const runner = new ChildLines(spawnTsx('test/store/backup-runner.ts', [dir, bk, 'pause-at-snapshot']));
    t.after(() => runner.child.kill('SIGKILL'));
    runner.child.stdin!.write('go\n');
    const snapLsn = Number((await runner.waitFor((l) => l.startsWith('snapshot '))).split(' ')[1]);
    assert.equal(snapLsn, live.tail().lsn);
    const itemsAtSnapshot = itemsOf(live).size;

    // the runner has stopped itself with its snapshot held: commit (rewriting pages the snapshot
    // holds, and new ones) and checkpoint, as a service would, before it copies the file
    deliver(
      live,
      Array.from({ length: 40 }, (_, i) =>
        aMessage({ subject: `during ${i}`, body: aBody(20_000, `d${i}`) }),
      ),
      { to: [a!] },
    );
    await deleteItems(live, a!, [1, 2, 3]);
    const [ckpt] = live.sql.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    assert.ok(ckpt!.log > 0 && ckpt!.checkpointed < ckpt!.log, 'the held snapshot keeps the checkpoint back');
    assert.ok(live.tail().lsn > snapLsn);

    runner.child.kill('SIGCONT');
    const result = JSON.parse(await runner.waitFor((l) => l.startsWith('{'))) as {
      toLsn: number;
      snapshot: string;
    };
    assert.deepEqual(await exited(runner.child), { code: 0, signal: null });
    assert.equal(result.snapshot, 'copy');
    assert.equal(result.toLsn, snapLsn);

    const restored = path.join(tempDir(t), 'restored');
    const r = restoreBackup(bk, restored);
    assert.equal(r.lsn, snapLsn);
    assert.equal(r.replayed, 0);
    assert.deepEqual(checkDatabase(restored).problems, []);
    assert.deepEqual(subjectsOf(restored, a!), Array.from({ length: 40 }, (_, i) => `before ${i}`).sort());
    assert.equal(assertPrefixOfLive(restored, live, 'snapshot'), itemsAtSnapshot);
  });

  it('falls back to VACUUM INTO when a reader keeps the WAL from being checkpointed, and the backup is still exact', async (t) => {
    const { db, dir } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    deliver(db, [aMessage({ subject: 'one' })], { to: [a!] });
    const reader = new BetterSqlite3(path.join(dir, 'salvage.db'), { readonly: true });
    t.after(() => reader.close());
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM items').get(); // an old snapshot, held
    deliver(db, [aMessage({ subject: 'two', body: aBody(80_000, 'two') })], { to: [a!] });
    const bk = path.join(tempDir(t), 'backup');
    const r = backupFull(db, bk);
    assert.equal(r.snapshot, 'vacuum');
    assert.equal(r.toLsn, db.tail().lsn);
    reader.exec('COMMIT');
    const restored = path.join(tempDir(t), 'restored');
    assert.equal(restoreBackup(bk, restored).lsn, r.toLsn);
    assert.deepEqual(checkDatabase(restored).problems, []);
    assert.deepEqual(subjectsOf(restored, a!), ['one', 'two']);
  });

  it('does not unlink a file blob released during a backup until the backup ends', async (t) => {
    const dir = path.join(tempDir(t), 'live');
    const live = Database.create(dir);
    t.after(() => live.close());
    const [a] = await mailboxes(live, 1);
    deliver(
      live,
      Array.from({ length: 150 }, (_, i) => aMessage({ body: aBody(70_000, `f${i}`) })),
      { to: [a!] },
    );
    const victim = aMessage({ subject: 'victim', body: aBody(90_000, 'victim') });
    const vid = deliver(live, [victim], { to: [a!] }).delivered[0]!.ids[0]!;
    const file = blobFilePath(dir, parseMessage(victim).contentHash);
    const bk = path.join(tempDir(t), 'backup');
    const runner = new ChildLines(spawnTsx('test/store/backup-runner.ts', [dir, bk]));
    t.after(() => runner.child.kill('SIGKILL'));
    runner.child.stdin!.write('go\n');
    await runner.waitFor((l) => l === 'open');
    // once it copies blob files its snapshot is taken: freeze it there
    await waitUntil(() => fs.existsSync(path.join(bk, '0000-full', 'blobs')), 'the backup copies blobs');
    runner.child.kill('SIGSTOP');
    assert.equal(
      fs.existsSync(path.join(bk, '0000-full', 'manifest.json')),
      false,
      'the backup is still running',
    );

    await deleteItems(live, a!, [vid]);
    const purged = await purgeDumpster(live, { address: a!, ids: [vid] });
    assert.equal(purged.purged, 1);
    assert.equal(
      live.sql.prepare('SELECT 1 FROM blobs WHERE hash = ?').get(parseMessage(victim).contentHash),
      undefined,
    );
    assert.ok(fs.existsSync(file), 'released during a backup, the file must stay');

    runner.child.kill('SIGCONT');
    const result = JSON.parse(await runner.waitFor((l) => l.startsWith('{'))) as { toLsn: number };
    assert.deepEqual(await exited(runner.child), { code: 0, signal: null });
    assert.equal(fs.existsSync(file), false, 'once the backup ended, the released file is collected');

    const restored = path.join(tempDir(t), 'restored');
    assert.equal(restoreBackup(bk, restored).lsn, result.toLsn);
    assert.deepEqual(checkDatabase(restored).problems, []);
    const r = Database.open(restored, { readOnly: true });
    t.after(() => r.close());
    assert.ok(readItemBytes(r, vid).equals(victim), 'the snapshot held the victim, and so does the backup');
  });
});

describe('backup and restore', () => {
  async function withHistory(t: Parameters<typeof tempDir>[0]) {
    const { db, dir, clock } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    deliver(db, [aMessage({ subject: 'before' })], { to: [a!] });
    const bk = path.join(tempDir(t), 'backup');
    const full = backupFull(db, bk);
    const points: { subject: string; lsn: number; ms: number }[] = [];
    for (let i = 1; i <= 5; i++) {
      clock.advance(60_000);
      deliver(db, [aMessage({ subject: `after ${i}`, body: aBody(i === 3 ? 80_000 : 500) })], { to: [a!] });
      points.push({ subject: `after ${i}`, lsn: db.tail().lsn, ms: clock.now() });
    }
    const incr = backupIncremental(db, bk);
    return { db, dir, a: a!, bk, full, incr, points };
  }

  it('restores to a point in time: --until an LSN or a time stops after the right record', async (t) => {
    const { bk, a, points, full } = await withHistory(t);
    const p3 = points[2]!;
    const upTo3 = ['after 1', 'after 2', 'after 3', 'before'];
    const cases = [
      { until: { lsn: p3.lsn }, subjects: upTo3, lsn: p3.lsn },
      { until: { timeMs: p3.ms }, subjects: upTo3, lsn: p3.lsn },
      { until: { timeMs: p3.ms + 59_999 }, subjects: upTo3, lsn: p3.lsn },
      { until: { timeMs: p3.ms - 1 }, subjects: ['after 1', 'after 2', 'before'], lsn: points[1]!.lsn },
      { until: { lsn: full.toLsn }, subjects: ['before'], lsn: full.toLsn },
    ];
    for (const [i, c] of cases.entries()) {
      const target = path.join(tempDir(t), `pitr-${i}`);
      const r = restoreBackup(bk, target, { until: c.until });
      assert.equal(r.lsn, c.lsn, JSON.stringify(c.until));
      assert.deepEqual(subjectsOf(target, a), c.subjects, JSON.stringify(c.until));
      assert.deepEqual(checkDatabase(target).problems, []);
    }
  });

  it('restores to a point between the delivery and the purge of a large message that was purged before the incremental', async (t) => {
    const { db, dir } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    const bk = path.join(tempDir(t), 'backup');
    backupFull(db, bk);
    const big = aMessage({ subject: 'short-lived', body: aBody(100_000) });
    const id = deliver(db, [big], { to: [a!] }).delivered[0]!.ids[0]!;
    const delivered = db.tail().lsn;
    await deleteItems(db, a!, [id]);
    await purgeDumpster(db, { address: a!, ids: [id] });
    const file = blobFilePath(dir, parseMessage(big).contentHash);
    assert.ok(fs.existsSync(file), 'kept until a backup covers its release');
    assert.deepEqual(checkDatabase(dir).notices, [
      '1 released blob files are kept until a backup covers their release',
    ]);
    backupIncremental(db, bk);
    assert.equal(fs.existsSync(file), false, 'collected once the incremental backup covers it');
    const target = path.join(tempDir(t), 'pitr');
    restoreBackup(bk, target, { until: { lsn: delivered } });
    assert.deepEqual(checkDatabase(target).problems, []);
    const r = Database.open(target, { readOnly: true });
    t.after(() => r.close());
    assert.ok(readItemBytes(r, id).equals(big));
  });

  it('gives a restored database no backups and no lease of its own, though its snapshot was taken with both', async (t) => {
    const { db } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    deliver(db, [aMessage({ subject: 'kept' })], { to: [a!] });
    backupFull(db, path.join(tempDir(t), 'first')); // the live database now has backups
    const bk = path.join(tempDir(t), 'second');
    backupFull(db, bk);
    const restored = path.join(tempDir(t), 'restored');
    restoreBackup(bk, restored);
    const r = Database.open(restored);
    t.after(() => r.close());
    assert.equal(r.meta('last_backup_lsn'), undefined);
    assert.equal(r.meta('backup_lease_until'), undefined);
    assert.equal(r.backupLeaseActive(), false);
    assert.deepEqual(subjectsOf(restored, a!), ['kept']);
  });

  it('keeps few descriptors open while it backs up many large blob files (their early fsyncs are capped)', async (t) => {
    const { db } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    const big = Array.from({ length: 24 }, (_, i) => aMessage({ body: aBody(1_200_000, `big${i}`) }));
    deliver(db, big, { to: [a!] });
    const openFds = (): number => fs.readdirSync('/proc/self/fd').length;
    backupFull(db, path.join(tempDir(t), 'warm-up')); // whatever opens once per process
    const before = openFds(); // the warm-up's early fsyncs may still be open: they count against the cap
    const r = backupFull(db, path.join(tempDir(t), 'backup'));
    const after = openFds(); // before any callback could run
    assert.equal(r.files, 1 + big.length);
    assert.ok(after - before <= 8, `${after - before} descriptors left open by one backup`);
    await waitUntil(() => openFds() <= before, 'the early fsyncs are closed');
  });

  it('keeps the covered log segments while the WAL cannot be checkpointed completely, and says why', async (t) => {
    const { db, dir } = openTestDb(t, { segmentBytes: 4096 });
    const to = await mailboxes(db, 1);
    for (let i = 0; i < 20; i++) {
      deliver(db, [aMessage({ body: aBody(1200, String(i)) })], { to });
    }
    // a reader at an older snapshot: a checkpoint cannot copy the frames written after it
    const reader = new BetterSqlite3(path.join(dir, 'salvage.db'), { readonly: true });
    t.after(() => reader.close());
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM items').get();
    for (let i = 0; i < 20; i++) {
      deliver(db, [aMessage({ body: aBody(1200, `later${i}`) })], { to });
    }
    db.sql.pragma('busy_timeout = 50'); // FULL waits for the reader that long, not a minute
    const logs = path.join(dir, 'logs');
    const before = listSegments(logs);
    const held = backupFull(db, path.join(tempDir(t), 'held'));
    assert.deepEqual(held.purgedSegments, []);
    assert.match(held.logsKept ?? '', /WAL could not be checkpointed completely/);
    assert.deepEqual(listSegments(logs), before);

    reader.exec('COMMIT');
    const next = backupFull(db, path.join(tempDir(t), 'next'));
    assert.ok(next.purgedSegments.length > 0);
    assert.equal(next.logsKept, undefined);
    assert.deepEqual(checkDatabase(dir).problems, []);
  });

  it('purges the log segments a full backup covers, unless asked to keep them', async (t) => {
    const { db, dir } = openTestDb(t, { segmentBytes: 4096 });
    const to = await mailboxes(db, 1);
    for (let i = 0; i < 40; i++) {
      deliver(db, [aMessage({ body: aBody(1200, String(i)) })], { to });
    }
    const logs = path.join(dir, 'logs');
    const before = listSegments(logs);
    assert.ok(before.length >= 10);
    const keptDir = path.join(tempDir(t), 'kept');
    const kept = backupFull(db, keptDir, { keepLogs: true });
    assert.deepEqual(kept.purgedSegments, []);
    assert.deepEqual(listSegments(logs), before);

    const bk = path.join(tempDir(t), 'backup');
    const r = backupFull(db, bk);
    const tailSegment = db.tail().segment;
    assert.deepEqual(r.purgedSegments, before.filter((s) => s < tailSegment).map(segmentFileName));
    assert.deepEqual(
      listSegments(logs),
      before.filter((s) => s >= tailSegment),
    );
    assert.deepEqual(checkDatabase(dir).problems, []);

    // the set goes on: more writes, an incremental, a restore that equals the live database
    for (let i = 0; i < 10; i++) {
      deliver(db, [aMessage({ body: aBody(1200, `more${i}`) })], { to });
    }
    backupIncremental(db, bk);
    const restored = path.join(tempDir(t), 'restored');
    restoreBackup(bk, restored);
    assert.equal(assertPrefixOfLive(restored, db, 'after purge'), 50);

    // the kept set's next incremental needs records the purge removed: refused, with the way out
    const err = await expectAppError(() => backupIncremental(db, keptDir), 'VALIDATION_FAILED');
    assert.match(err.message, /take a full backup/);
  });

  it('refuses a backup whose file does not match its manifest checksum (BACKUP_CORRUPT) and writes nothing', async (t) => {
    const { bk } = await withHistory(t);
    const seg = fs.readdirSync(path.join(bk, '0001-incr', 'logs'))[0]!;
    flipByte(path.join(bk, '0001-incr', 'logs', seg), 40);
    const target = path.join(tempDir(t), 'target');
    const err = await expectAppError(() => restoreBackup(bk, target), 'BACKUP_CORRUPT');
    assert.equal(err.details.file, `0001-incr/logs/${seg}`);
    assert.match(err.message, /does not match its manifest checksum/);
    assert.equal(fs.existsSync(target), false);
  });

  it('refuses a backup whose manifest was changed, or lists a file that is missing (BACKUP_CORRUPT)', async (t) => {
    const { bk } = await withHistory(t);
    const manifest = path.join(bk, '0000-full', 'manifest.json');
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { files: Record<string, string> };
    m.files['salvage.db'] = '0'.repeat(64);
    fs.writeFileSync(manifest, JSON.stringify(m));
    await expectAppError(() => verifyBackup(bk), 'BACKUP_CORRUPT');
    const { bk: bk2 } = await withHistory(t);
    const blob = Object.keys(
      (JSON.parse(fs.readFileSync(path.join(bk2, '0001-incr', 'manifest.json'), 'utf8')) as { files: object })
        .files,
    ).find((f) => f.startsWith('blobs'))!;
    fs.rmSync(path.join(bk2, '0001-incr', blob));
    const err = await expectAppError(() => restoreBackup(bk2, path.join(tempDir(t), 'x')), 'BACKUP_CORRUPT');
    assert.match(err.message, /listed in the manifest but missing/);
  });

  it('refuses a non-empty target (DATABASE_EXISTS) and a point in time before the full backup (VALIDATION_FAILED)', async (t) => {
    const { bk, full } = await withHistory(t);
    const target = tempDir(t);
    fs.writeFileSync(path.join(target, 'something'), 'x');
    await expectAppError(() => restoreBackup(bk, target), 'DATABASE_EXISTS');
    assert.deepEqual(fs.readdirSync(target), ['something']);
    await expectAppError(
      () => restoreBackup(bk, path.join(tempDir(t), 'a'), { until: { lsn: full.toLsn - 1 } }),
      'VALIDATION_FAILED',
    );
    await expectAppError(
      () => restoreBackup(bk, path.join(tempDir(t), 'b'), { until: { timeMs: T0 - 60_000 } }),
      'VALIDATION_FAILED',
    );
  });

  it('refuses an incremental without a full backup, a second full into the same set, and an incremental of another database', async (t) => {
    const { db, bk } = await withHistory(t);
    await expectAppError(() => backupIncremental(db, path.join(tempDir(t), 'empty')), 'BACKUP_NOT_FOUND');
    await expectAppError(() => backupFull(db, bk), 'BACKUP_EXISTS');
    const { db: other } = openTestDb(t);
    await expectAppError(() => backupIncremental(other, bk), 'BACKUP_CORRUPT');
  });
});
