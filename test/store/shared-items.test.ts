/**
 * sharedItemWriter and its log record, item.addMany: references to stored contents, many items
 * in one compact record, replayed after a crash, cut by `restore --until`, checked by `db check`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  DB_FILE,
  Database,
  type WriteTx,
  backupFull,
  backupIncremental,
  checkDatabase,
  deliver,
  findFolder,
  getMailbox,
  listItems,
  readItemBytes,
  restoreBackup,
  sharedItemWriter,
  stats,
} from '../../src/store/index.js';
import { decodeOp } from '../../src/store/ops.js';
import { aBody, aMessage, mailboxes, openTestDb, tempDir, logRecords } from '../helpers/index.js';

/** `n` messages delivered to `from`, and references to each of them added to `to` (with new trace prefixes) through one writer. */
function copyAsShared(
  tx: WriteTx,
  fromId: number,
  toId: number,
  opts: { folderPath?: string; deletedMs?: number | null } = {},
): number[] {
  const src = listItems(tx.sql, fromId, { state: 'all' });
  const w = sharedItemWriter(
    tx,
    src.map((i) => i.blobHash),
  );
  const ids = src.map((i, k) => {
    const prefix = Buffer.from(`Delivered-To: copy-${k}@example.com\r\n`);
    const added = w.add({
      mailboxId: toId,
      folderPath: opts.folderPath,
      deletedMs: opts.deletedMs,
      flags: ['\\Seen'],
      internalMs: i.internalMs,
      origin: `test:${i.id}`,
      blobHash: i.blobHash,
      prefix,
      size: prefix.length + (i.size - readItemPrefixLength(tx, i.id)),
      sha256: `sha-${k}`,
      identity: i.identity,
      messageId: i.messageId,
      subject: i.subject,
      from: i.from,
      to: i.to,
      cc: i.cc,
      dateMs: i.dateMs,
    });
    assert.ok(added);
    assert.equal(added.newBlob, false);
    return added.id;
  });
  w.finish();
  return ids;
}

function readItemPrefixLength(tx: WriteTx, id: number): number {
  return (tx.sql.prepare('SELECT length(prefix) FROM items WHERE id = ?').pluck().get(id) as number) ?? 0;
}

const messages = (prefix: string, n: number): Buffer[] =>
  Array.from({ length: n }, (_, i) =>
    aMessage({ subject: `${prefix} ${i}`, body: aBody(300 + i * 10, `${prefix}${i}`) }),
  );

describe('sharedItemWriter', () => {
  it('adds references to stored contents as one item.addMany record: refcounts, bytes and stats as item by item', async (t) => {
    const { db, dir } = openTestDb(t);
    const [a, b] = await mailboxes(db, 2);
    deliver(db, messages('m', 5), { to: [a!] });
    const before = stats(db);
    const lsn = db.tail().lsn;
    const ids = db.writeSync((tx) =>
      copyAsShared(tx, getMailbox(tx.sql, a!).id, getMailbox(tx.sql, b!).id, { folderPath: 'Old/Mail' }),
    );
    const recs = logRecords(dir).filter((r) => r.lsn > lsn);
    // the folders Old and Old/Mail, then the five items in one record
    assert.deepEqual(
      recs.map((r) => decodeOp(r.payload).t),
      ['folder.create', 'folder.create', 'item.addMany'],
    );
    const after = stats(db);
    assert.equal(after.items, before.items + 5);
    assert.equal(after.blobs, before.blobs);
    const inB = listItems(db.sql, getMailbox(db.sql, b!).id);
    assert.deepEqual(
      inB.map((i) => i.id).sort((x, y) => x - y),
      ids,
    );
    for (const it of inB) {
      assert.equal(it.folder, 'Old/Mail');
      assert.deepEqual(it.flags, ['\\Seen']);
      assert.match(readItemBytes(db, it.id).toString(), /^Delivered-To: copy-\d@example.com\r\n/);
    }
    const refs = db.sql.prepare('SELECT refcount FROM blob_refs').pluck().all() as number[];
    assert.deepEqual(refs, [2, 2, 2, 2, 2]);
    db.close();
    assert.deepEqual(checkDatabase(dir).problems, []);
  });

  it('adds nothing for a content that is not stored, and files a dumpster item by the folder it left', async (t) => {
    const { db } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    const id = getMailbox(db.sql, a!).id;
    const lsn = db.tail().lsn;
    db.writeSync((tx) => {
      const w = sharedItemWriter(tx, ['0'.repeat(64)]);
      const base = {
        mailboxId: id,
        blobHash: '0'.repeat(64),
        prefix: Buffer.alloc(0),
        size: 10,
        sha256: 'x',
        identity: 'i',
        messageId: null,
        subject: '',
        from: '',
        to: '',
        cc: '',
        dateMs: null,
      };
      assert.equal(w.add(base), undefined);
      w.finish();
    });
    assert.equal(db.tail().lsn, lsn, 'nothing logged');
    deliver(db, messages('d', 2), { to: [a!] });
    db.writeSync((tx) => copyAsShared(tx, id, id, { folderPath: 'Gone', deletedMs: 5 }));
    assert.equal(findFolder(db.sql, id, 'Gone'), undefined, 'no folder created for a dumpster item');
    const dumpster = listItems(db.sql, id, { state: 'dumpster' });
    assert.deepEqual(
      dumpster.map((i) => [i.folder, i.folderId, i.deletedMs]),
      [
        ['Gone', null, 5],
        ['Gone', null, 5],
      ],
    );
  });

  it('is replayed from the log after a crash between the log fsync and the commit', async (t) => {
    const { db, dir } = openTestDb(t);
    const [a, b] = await mailboxes(db, 2);
    deliver(db, messages('m', 4), { to: [a!] });
    db.close();
    // the state a writer leaves when it dies after its fsync, before its commit
    const saved = fs.readFileSync(path.join(dir, DB_FILE));
    const w = Database.open(dir);
    w.writeSync((tx) => copyAsShared(tx, getMailbox(tx.sql, a!).id, getMailbox(tx.sql, b!).id));
    const want = listItems(w.sql, getMailbox(w.sql, b!).id).map((i) => ({ ...i }));
    const wantBytes = want.map((i) => readItemBytes(w, i.id));
    w.close();
    fs.writeFileSync(path.join(dir, DB_FILE), saved);
    for (const f of [`${DB_FILE}-wal`, `${DB_FILE}-shm`]) {
      fs.rmSync(path.join(dir, f), { force: true });
    }
    const again = Database.open(dir);
    t.after(() => again.close());
    assert.equal(again.recovery.replayed, 1);
    const got = listItems(again.sql, getMailbox(again.sql, b!).id);
    assert.deepEqual(got, want);
    assert.deepEqual(
      got.map((i) => readItemBytes(again, i.id)),
      wantBytes,
    );
    // the items counter moved past them: the next item gets a new id
    const next = deliver(again, messages('n', 1), { to: [b!] }).delivered[0]!.ids[0]!;
    assert.ok(next > Math.max(...got.map((i) => i.id)));
    again.close();
    assert.deepEqual(checkDatabase(dir).problems, []);
  });

  it('is cut by restore --until like any record, and restored whole after it', async (t) => {
    const { db } = openTestDb(t);
    const [a, b] = await mailboxes(db, 2);
    deliver(db, messages('m', 3), { to: [a!] });
    const bk = path.join(tempDir(t), 'backup');
    backupFull(db, bk);
    const beforeLsn = db.tail().lsn;
    db.writeSync((tx) => copyAsShared(tx, getMailbox(tx.sql, a!).id, getMailbox(tx.sql, b!).id));
    const afterLsn = db.tail().lsn;
    backupIncremental(db, bk);
    db.close();
    const cut = path.join(tempDir(t), 'cut');
    assert.equal(restoreBackup(bk, cut, { until: { lsn: beforeLsn } }).lsn, beforeLsn);
    const whole = path.join(tempDir(t), 'whole');
    assert.equal(restoreBackup(bk, whole, { until: { lsn: afterLsn } }).lsn, afterLsn);
    for (const [dir, n] of [
      [cut, 0],
      [whole, 3],
    ] as const) {
      const r = Database.open(dir, { readOnly: true });
      assert.equal(listItems(r.sql, getMailbox(r.sql, b!).id).length, n);
      r.close();
      assert.deepEqual(checkDatabase(dir).problems, []);
    }
  });
});
