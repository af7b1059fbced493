import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { purgeDumpster } from '../../src/dumpster/index.js';
import { DAY_MS } from '../../src/lib/clock.js';
import {
  DB_FILE,
  type Database,
  blobFilePath,
  checkDatabase,
  createMailbox,
  deleteItems,
  deliver,
  findItem,
  getMailbox,
  listItems,
  parseMessage,
  readItemBytes,
  stats,
} from '../../src/store/index.js';
import {
  aBody,
  aMessage,
  diskState,
  expectAppError,
  logicalState,
  mailboxes,
  openTestDb,
  traceFor,
} from '../helpers/index.js';

function refcount(db: Database, hash: string): number | undefined {
  return (
    db.sql.prepare('SELECT refcount FROM blob_refs WHERE hash = ?').get(hash) as
      { refcount: number } | undefined
  )?.refcount;
}

async function deleteAndPurge(db: Database, addrs: readonly string[], ids: readonly number[]): Promise<void> {
  for (const [i, a] of addrs.entries()) {
    await deleteItems(db, a, [ids[i]!]);
  }
  for (const [i, a] of addrs.entries()) {
    await purgeDumpster(db, { address: a, ids: [ids[i]!] });
  }
}

describe('single-instance storage', () => {
  it('stores one message delivered to 50 mailboxes as 1 blob with refcount 50', async (t) => {
    const { db } = openTestDb(t);
    const to = await mailboxes(db, 50);
    const msg = aMessage({ subject: 'To fifty' });
    const r = deliver(db, [msg], { to });
    assert.equal(r.delivered[0]!.ids.length, 50);
    const s = stats(db);
    assert.equal(s.items, 50);
    assert.equal(s.blobs, 1);
    assert.equal(refcount(db, parseMessage(msg).contentHash), 50);
    for (const id of r.delivered[0]!.ids) {
      assert.ok(readItemBytes(db, id).equals(msg));
    }
  });

  it('removes the blob once all 50 copies are deleted and purged', async (t) => {
    const { db } = openTestDb(t);
    const to = await mailboxes(db, 50);
    const msg = aMessage();
    const hash = parseMessage(msg).contentHash;
    const { ids } = deliver(db, [msg], { to }).delivered[0]!;
    await deleteAndPurge(db, to, ids);
    assert.equal(refcount(db, hash), undefined);
    assert.equal(stats(db).blobs, 0);
    assert.equal(stats(db).tombstones, 50);
  });

  it('unlinks the blob file of a large (> 64 KiB) message once all 50 copies are purged by the retention pass', async (t) => {
    const { db, dir, clock } = openTestDb(t);
    const to = await mailboxes(db, 50);
    const msg = aMessage({ body: aBody(200 * 1024) });
    const hash = parseMessage(msg).contentHash;
    const { ids } = deliver(db, [msg], { to }).delivered[0]!;
    const file = blobFilePath(dir, hash);
    assert.ok(fs.existsSync(file), 'a large content is a file');
    assert.equal(stats(db).fileBlobs, 1);
    for (const [i, a] of to.entries()) {
      await deleteItems(db, a, [ids[i]!]);
    }
    assert.ok(fs.existsSync(file), 'deleting to the dumpster keeps the content');
    clock.advance(15 * DAY_MS);
    const r = await purgeDumpster(db);
    assert.equal(r.purged, 50);
    assert.equal(refcount(db, hash), undefined);
    assert.equal(fs.existsSync(file), false);
  });

  it('keeps the blob (refcount 1) while one of the 50 copies is left', async (t) => {
    const { db, dir } = openTestDb(t);
    const to = await mailboxes(db, 50);
    const msg = aMessage({ body: aBody(100 * 1024) });
    const hash = parseMessage(msg).contentHash;
    const { ids } = deliver(db, [msg], { to }).delivered[0]!;
    await deleteAndPurge(db, to.slice(0, 49), ids.slice(0, 49));
    assert.equal(refcount(db, hash), 1);
    assert.ok(fs.existsSync(blobFilePath(dir, hash)));
    assert.ok(readItemBytes(db, ids[49]!).equals(msg));
    db.close();
    assert.deepEqual(checkDatabase(dir).problems, []);
  });

  it('stores two copies that differ only in Received/Delivered-To once, and reads each back byte for byte', async (t) => {
    const { db } = openTestDb(t);
    const [a, b] = await mailboxes(db, 2);
    const base = { messageId: '<shared@example.com>', subject: 'Copies' };
    const ma = aMessage({ ...base, trace: traceFor(a!, 1) });
    const mb = aMessage({
      ...base,
      trace: [...traceFor(b!, 2), 'Received: from relay.example.net by mx2; Mon, 5 Jan 2026 09:00:05 +0000'],
    });
    const ia = deliver(db, [ma], { to: [a!] }).delivered[0]!.ids[0]!;
    const ib = deliver(db, [mb], { to: [b!] }).delivered[0]!.ids[0]!;
    assert.equal(stats(db).blobs, 1);
    assert.ok(readItemBytes(db, ia).equals(ma));
    assert.ok(readItemBytes(db, ib).equals(mb));
    const [xa, xb] = [findItem(db.sql, ia)!, findItem(db.sql, ib)!];
    assert.equal(xa.blobHash, xb.blobHash);
    assert.notEqual(xa.sha256, xb.sha256);
    assert.equal(xa.identity, xb.identity);
  });

  it('reports logical bytes, physical bytes (contents once + every prefix) and their ratio in stats', async (t) => {
    const { db } = openTestDb(t);
    const to = await mailboxes(db, 10);
    const msgs = to.map((a, i) =>
      aMessage({ messageId: '<one@example.com>', body: aBody(20_000), trace: traceFor(a, i + 1) }),
    );
    for (const [i, a] of to.entries()) {
      deliver(db, [msgs[i]!], { to: [a] });
    }
    const other = aMessage({ body: aBody(3000, 'y') });
    deliver(db, [other], { to: [to[0]!] });
    const parsed = msgs.map((m) => parseMessage(m));
    const logical = msgs.reduce((n, m) => n + m.length, 0) + other.length;
    const prefixes = parsed.reduce((n, p) => n + p.prefixLength, 0);
    const physical = msgs[0]!.length - parsed[0]!.prefixLength + prefixes + other.length;
    const s = stats(db);
    assert.equal(s.logicalBytes, logical);
    assert.equal(s.physicalBytes, physical);
    assert.equal(s.ratio, Math.round((logical / physical) * 1000) / 1000);
    assert.ok(s.ratio > 5);
    assert.equal(s.blobs, 2);
  });

  it('counts a single-instance hit in a narrow row: 1,000 hits of 3.5 KB contents write well under a page each to the WAL', async (t) => {
    const { db, dir } = openTestDb(t);
    const [a, b] = await mailboxes(db, 2);
    const msgs = Array.from({ length: 1000 }, (_, i) => aMessage({ body: aBody(3500, `c${i}`) }));
    deliver(db, msgs, { to: [a!] });
    db.sql.pragma('wal_checkpoint(TRUNCATE)');
    const wal = path.join(dir, `${DB_FILE}-wal`);
    assert.equal(fs.statSync(wal).size, 0);
    deliver(db, msgs, { to: [b!] });
    assert.equal(stats(db).blobs, 1000);
    // the item rows, their indexes and the refcounts: a few hundred pages. A refcount kept in
    // the row of the inline content rewrote that content's page per hit: over 1,000 pages.
    const pages = fs.statSync(wal).size / (4096 + 24);
    assert.ok(pages < 500, `${Math.round(pages)} WAL pages written for 1,000 hits`);
    for (const m of msgs.slice(0, 3)) {
      assert.equal(refcount(db, parseMessage(m).contentHash), 2);
    }
  });
});

describe('deliver', () => {
  it('delivers into the inbox by default and into a named folder, created with its parents', async (t) => {
    const { db } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    deliver(db, [aMessage({ subject: 'in' })], { to: [a!] });
    deliver(db, [aMessage({ subject: 'deep' })], { to: [a!], folder: 'Projects/2026/Q1' });
    const m = getMailbox(db.sql, a!);
    assert.deepEqual(
      listItems(db.sql, m.id).map((i) => [i.folder, i.subject]),
      [
        ['Projects/2026/Q1', 'deep'],
        ['Inbox', 'in'],
      ],
    );
    assert.equal(listItems(db.sql, m.id, { folder: 'Projects' }).length, 1);
  });

  it('keeps the database unchanged when any message of a batch is bad (all or nothing)', async (t) => {
    const { db, dir } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    const before = { state: logicalState(db), disk: diskState(dir) };
    const err = await expectAppError(
      () =>
        deliver(db, [aMessage(), Buffer.from('no header here\r\n'), aMessage()], {
          to: [a!],
          names: ['one.eml', 'two.eml', 'three.eml'],
        }),
      'MESSAGE_INVALID',
    );
    assert.equal(err.details.file, 'two.eml');
    assert.match(err.message, /^two\.eml: /);
    assert.deepEqual({ state: logicalState(db), disk: diskState(dir) }, before);
  });
});

describe('bad input', () => {
  const cases: { name: string; code: string; run: (db: Database, to: string) => unknown }[] = [
    {
      name: 'a file that is not RFC 5322',
      code: 'MESSAGE_INVALID',
      run: (db, to) =>
        deliver(db, [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1')], { to: [to] }),
    },
    {
      name: 'an unknown mailbox',
      code: 'MAILBOX_NOT_FOUND',
      run: (db) => deliver(db, [aMessage()], { to: ['nobody@example.com'] }),
    },
    {
      name: 'an empty message',
      code: 'MESSAGE_INVALID',
      run: (db, to) => deliver(db, [Buffer.alloc(0)], { to: [to] }),
    },
    {
      name: 'a 60 MiB message (default limit 50 MiB)',
      code: 'MESSAGE_TOO_LARGE',
      run: (db, to) => deliver(db, [aMessage({ body: Buffer.alloc(60 * 1024 * 1024, 0x61) })], { to: [to] }),
    },
    {
      name: 'a message over a configured limit',
      code: 'MESSAGE_TOO_LARGE',
      run: (db, to) => deliver(db, [aMessage({ body: aBody(10_000) })], { to: [to], maxBytes: 8192 }),
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} with ${c.code} and a clear message, and leaves the database unchanged`, async (t) => {
      const { db, dir } = openTestDb(t);
      const [to] = await mailboxes(db, 1);
      deliver(db, [aMessage({ body: aBody(100_000) })], { to: [to!] });
      const before = { state: logicalState(db), disk: diskState(dir) };
      const err = await expectAppError(() => c.run(db, to!), c.code as never);
      assert.ok(err.message.length > 10, err.message);
      assert.doesNotMatch(err.message, /undefined|\[object/);
      assert.deepEqual({ state: logicalState(db), disk: diskState(dir) }, before);
    });
  }

  it('refuses a second mailbox with the same address (MAILBOX_EXISTS), case-insensitively', async (t) => {
    const { db } = openTestDb(t);
    await mailboxes(db, ['dup@example.com']);
    const before = logicalState(db);
    await expectAppError(() => createMailbox(db, { address: 'DUP@example.com' }), 'MAILBOX_EXISTS');
    assert.deepEqual(logicalState(db), before);
  });
});
