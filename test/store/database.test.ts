import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {
  DB_FILE,
  Database,
  WAL_CHECKPOINT_PAGES,
  checkDatabase,
  deliver,
  getMailbox,
  listItems,
  readItemBytes,
  stats,
} from '../../src/store/index.js';
import { type LogRecord, segmentPath } from '../../src/store/txlog.js';
import {
  aClock,
  aMessage,
  expectAppError,
  flipByte,
  mailboxes,
  openTestDb,
  tempDir,
  logRecords,
} from '../helpers/index.js';

/**
 * A database whose log holds `n` durable deliveries that SQLite does not have: the state a
 * writer leaves when it dies between its log fsync and its commit. Made by saving salvage.db
 * (closed, so no WAL) before the writes and putting it back after them; the logs stay.
 */
async function withUnappliedWrites(
  t: Parameters<typeof tempDir>[0],
  n: number,
): Promise<{ dir: string; messages: Buffer[]; appliedLsn: number; unapplied: LogRecord[] }> {
  const { db, dir } = openTestDb(t);
  const to = await mailboxes(db, ['a@example.com']);
  deliver(db, [aMessage({ subject: 'applied' })], { to });
  db.close();
  const saved = fs.readFileSync(path.join(dir, DB_FILE));
  const appliedLsn = logRecords(dir).at(-1)!.lsn;
  const again = Database.open(dir, { clock: aClock() });
  const messages = Array.from({ length: n }, (_, i) => aMessage({ subject: `unapplied ${i}` }));
  for (const m of messages) {
    deliver(again, [m], { to });
  }
  again.close();
  fs.writeFileSync(path.join(dir, DB_FILE), saved);
  for (const f of [`${DB_FILE}-wal`, `${DB_FILE}-shm`]) {
    fs.rmSync(path.join(dir, f), { force: true });
  }
  return { dir, messages, appliedLsn, unapplied: logRecords(dir).filter((r) => r.lsn > appliedLsn) };
}

describe('Database.create and open', () => {
  it('creates the directory layout: salvage.db, logs/, blobs/', (t) => {
    const { dir, db } = openTestDb(t);
    assert.ok(fs.existsSync(path.join(dir, DB_FILE)));
    assert.ok(fs.statSync(path.join(dir, 'logs')).isDirectory());
    assert.ok(fs.statSync(path.join(dir, 'blobs')).isDirectory());
    assert.match(db.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(db.tail(), { segment: 1, offset: 0, lsn: 0 });
  });

  it('refuses to create over an existing database (DATABASE_EXISTS) and to open a directory without one (DATABASE_NOT_FOUND)', async (t) => {
    const { dir } = openTestDb(t);
    await expectAppError(() => Database.create(dir), 'DATABASE_EXISTS');
    await expectAppError(() => Database.open(tempDir(t)), 'DATABASE_NOT_FOUND');
  });

  it('keeps every acknowledged write across close and reopen, with nothing to replay', async (t) => {
    const { db, dir } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    const msg = aMessage();
    const id = deliver(db, [msg], { to: [a!] }).delivered[0]!.ids[0]!;
    const before = stats(db);
    db.close();
    const again = Database.open(dir);
    t.after(() => again.close());
    assert.deepEqual(again.recovery, { replayed: 0 });
    assert.deepEqual(stats(again), before);
    assert.ok(readItemBytes(again, id).equals(msg));
  });

  it('commits the requests queued in one tick together, and a failing request does not affect the others', async (t) => {
    const { db } = openTestDb(t);
    const lsn0 = db.tail().lsn;
    const results = await Promise.allSettled([
      db.write((tx) => tx.emit({ t: 'setting', key: 'a', value: '1' })),
      db.write((tx) => {
        tx.emit({ t: 'setting', key: 'b', value: '2' });
        throw new Error('this request fails');
      }),
      db.write((tx) => tx.emit({ t: 'setting', key: 'c', value: '3' })),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal(db.meta('setting.a'), '1');
    assert.equal(db.meta('setting.b'), undefined);
    assert.equal(db.meta('setting.c'), '3');
    assert.equal(db.tail().lsn, lsn0 + 2);
  });

  it('opens read-only without changing anything, and refuses writes there (RSG_READ_ONLY)', async (t) => {
    const { db, dir } = openTestDb(t);
    await mailboxes(db, 1);
    db.close();
    const ro = Database.open(dir, { readOnly: true });
    t.after(() => ro.close());
    assert.equal(stats(ro).mailboxes, 1);
    await expectAppError(() => ro.write(() => 1), 'RSG_READ_ONLY');
  });
});

describe('replay on open', () => {
  it('applies durable log records that SQLite does not have yet (a writer died between fsync and commit)', async (t) => {
    const { dir, messages, unapplied } = await withUnappliedWrites(t, 4);
    assert.ok(unapplied.length >= 4);
    const db = Database.open(dir);
    t.after(() => db.close());
    assert.equal(db.recovery.replayed, unapplied.length);
    assert.equal(db.recovery.tornTail, undefined);
    const m = getMailbox(db.sql, 'a@example.com');
    const items = listItems(db.sql, m.id).reverse().slice(1);
    assert.deepEqual(
      items.map((i) => readItemBytes(db, i.id)),
      messages,
    );
    assert.equal(db.tail().lsn, unapplied.at(-1)!.lsn);
  });

  it('refuses a read-only open of a database that needs replay', async (t) => {
    const { dir } = await withUnappliedWrites(t, 1);
    const err = await expectAppError(() => Database.open(dir, { readOnly: true }), 'LOG_CORRUPT');
    assert.match(err.message, /not applied yet/);
  });

  it('cuts a truncated last record (torn tail) with the rest of its batch, reports it, and keeps the batches before it', async (t) => {
    const { dir, messages, unapplied } = await withUnappliedWrites(t, 3);
    const last = unapplied.at(-1)!;
    // a delivery of a new message is one batch of two records: blob.put, item.add
    const batchStart = unapplied.at(-2)!;
    assert.equal(batchStart.batchEnd, false);
    const file = segmentPath(path.join(dir, 'logs'), last.segment);
    fs.truncateSync(file, last.end - 7);
    const db = Database.open(dir);
    t.after(() => db.close());
    assert.deepEqual(db.recovery, {
      replayed: unapplied.length - 2,
      tornTail: {
        segment: path.basename(file),
        offset: batchStart.offset,
        bytesCut: last.end - 7 - batchStart.offset,
        reason: `record of ${last.payload.length} bytes runs past the end of the segment`,
      },
    });
    assert.equal(fs.statSync(file).size, batchStart.offset);
    const m = getMailbox(db.sql, 'a@example.com');
    const subjects = listItems(db.sql, m.id).map((i) => i.subject);
    assert.deepEqual(subjects.sort(), ['applied', 'unapplied 0', 'unapplied 1']);
    assert.equal(messages.length, 3);
    db.close();
    const report = checkDatabase(dir);
    assert.deepEqual(report.problems, []);
  });

  it('fails with LOG_CORRUPT naming segment and offset when an unapplied record (not the last) has a bad byte', async (t) => {
    const { dir, unapplied } = await withUnappliedWrites(t, 3);
    const victim = unapplied[0]!;
    const file = segmentPath(path.join(dir, 'logs'), victim.segment);
    flipByte(file, victim.offset + 24 + Math.floor(victim.payload.length / 2));
    const before = fs.readFileSync(file);
    const err = await expectAppError(() => Database.open(dir), 'LOG_CORRUPT');
    assert.equal(err.details.segment, path.basename(file));
    assert.equal(err.details.offset, victim.offset);
    assert.match(
      err.message,
      new RegExp(`${path.basename(file)} is corrupt at offset ${victim.offset}: checksum mismatch`),
    );
    assert.ok(fs.readFileSync(file).equals(before), 'a failed open must not cut the log');
  });
});

/** Turn a closed database of this version into one of schema version 1 (refcount in the blobs row). */
function downgradeToV1(dir: string): void {
  const s = new BetterSqlite3(path.join(dir, DB_FILE));
  s.pragma('foreign_keys = OFF');
  try {
    s.exec(`
      CREATE TABLE blobs_v1 (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, refcount INTEGER NOT NULL, data BLOB) STRICT;
      INSERT INTO blobs_v1 SELECT b.hash, b.size, r.refcount, b.data FROM blobs b JOIN blob_refs r USING (hash);
      DROP TABLE blobs; DROP TABLE blob_refs;
      ALTER TABLE blobs_v1 RENAME TO blobs;
      UPDATE meta SET value = '1' WHERE key = 'schema_version';`);
  } finally {
    s.close();
  }
}

describe('schema versions', () => {
  it('brings a version 1 database (refcount beside the content) up to version 2 on a read-write open, refcounts kept', async (t) => {
    const { db, dir } = openTestDb(t);
    const to = await mailboxes(db, 3);
    const shared = aMessage({ subject: 'to three' });
    deliver(db, [shared, aMessage()], { to });
    db.close();
    downgradeToV1(dir);
    const again = Database.open(dir, { clock: aClock() });
    try {
      assert.equal(again.meta('schema_version'), '2');
      const rows = again.sql.prepare('SELECT refcount FROM blob_refs ORDER BY refcount').pluck().all();
      assert.deepEqual(rows, [3, 3]);
      deliver(again, [shared], { to: [to[0]!] });
      assert.equal(stats(again).blobs, 2);
    } finally {
      again.close();
    }
    assert.deepEqual(checkDatabase(dir).problems, []);
  });

  it('refuses a read-only open of a version 1 database, and any open of a later version (DATABASE_VERSION_UNSUPPORTED)', async (t) => {
    const { db, dir } = openTestDb(t);
    deliver(db, [aMessage()], { to: await mailboxes(db, 1) });
    db.close();
    downgradeToV1(dir);
    await expectAppError(() => Database.open(dir, { readOnly: true }), 'DATABASE_VERSION_UNSUPPORTED');
    Database.open(dir).close();
    const s = new BetterSqlite3(path.join(dir, DB_FILE));
    s.prepare("UPDATE meta SET value = '3' WHERE key = 'schema_version'").run();
    s.close();
    await expectAppError(() => Database.open(dir), 'DATABASE_VERSION_UNSUPPORTED');
    await expectAppError(() => Database.open(dir, { readOnly: true }), 'DATABASE_VERSION_UNSUPPORTED');
  });
});

describe('SQLite settings of a writer', () => {
  it('checkpoints the WAL only after 64 MiB (in the background), not after every multi-MB batch (the log makes writes durable); the writer itself at 256 MiB', (t) => {
    const { db } = openTestDb(t);
    assert.equal(WAL_CHECKPOINT_PAGES, 16_384);
    assert.equal(db.sql.pragma('wal_autocheckpoint', { simple: true }), 4 * 16_384);
    assert.equal(db.sql.pragma('journal_size_limit', { simple: true }), 16_384 * 4096);
    assert.equal(db.sql.pragma('synchronous', { simple: true }), 1); // NORMAL
  });
});
