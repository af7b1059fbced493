// Mounting native sources: a backup set (full + incrementals, restored into the RSG, up to a
// point in time or an LSN) and a restored database directory opened read-only in place.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type TestContext, describe, it } from 'node:test';
import { HOUR_MS, type ManualClock } from '../../src/lib/clock.js';
import {
  DB_FILE,
  Database,
  backupFull,
  backupIncremental,
  createMailbox,
  deleteItems,
  deliver,
  listItems,
  getMailbox,
  readItemBytes,
  DEFAULT_MAX_MESSAGE_BYTES,
} from '../../src/store/index.js';
import { searchIndexer } from '../../src/catalogue.js';
import { RsgCatalogue } from '../../src/rsg/index.js';
import { SEARCH_FILE } from '../../src/rsg/search-sidecar.js';
import { search } from '../../src/search/index.js';
import { T0 } from '../helpers/messages.js';
import {
  RSG_FIXTURES,
  SOURCES,
  aCatalogue,
  aClock,
  filesUnder,
  folderTree,
  mailboxCounts,
  mountOk,
  sha256,
  snapshotTree,
  tempDir,
} from './helpers.js';

const PHANIS = path.join(SOURCES, 'eml-tree', 'phanis-s');
const BOUNCES = path.join(RSG_FIXTURES, 'eml-tree', 'bounces');

function read(dir: string): { name: string; bytes: Buffer }[] {
  return filesUnder(dir).map((f) => ({ name: f, bytes: fs.readFileSync(path.join(dir, f)) }));
}

/**
 * A live database built over three hours from real mail, with a backup set of a full backup
 * and two incrementals:
 * - T0: phanis-s inbox (12) → full backup
 * - T0+1h: sent_items (4) → LSN `lsnSent`, incremental 1
 * - T0+2h: deleted_items (17), 5 of them then deleted (dumpster) → time `tDeleted`
 * - T0+3h: contacts (2), and every bounce (6) to both mailboxes → incremental 2
 */
async function aBackupSet(t: TestContext) {
  const clock: ManualClock = aClock();
  const root = tempDir(t, 'salvage-rsg-native-');
  const dir = path.join(root, 'live');
  const bk = path.join(root, 'backup');
  const db = Database.create(dir, { clock });
  t.after(() => db.close());
  const phanis = 'phanis-s@example.com';
  const ops = 'postmaster@example.com';
  await createMailbox(db, { address: phanis });
  await createMailbox(db, { address: ops });
  const put = (folder: string, to = [phanis]) => {
    const files = read(path.join(PHANIS, folder));
    deliver(
      db,
      files.map((f) => f.bytes),
      { to, folder },
    );
  };
  put('inbox');
  backupFull(db, bk);
  clock.advance(HOUR_MS);
  put('sent_items');
  const lsnSent = db.tail().lsn;
  backupIncremental(db, bk);
  clock.advance(HOUR_MS);
  const tDeleted = clock.now();
  put('deleted_items');
  const m = getMailbox(db.sql, phanis);
  const deleted = listItems(db.sql, m.id, { folder: 'deleted_items' })
    .slice(0, 5)
    .map((i) => i.id);
  await deleteItems(db, phanis, deleted);
  clock.advance(HOUR_MS);
  put('contacts');
  deliver(
    db,
    read(BOUNCES).map((f) => f.bytes),
    { to: [phanis, ops], folder: 'bounces' },
  );
  backupIncremental(db, bk);
  return { db, dir, bk, clock, phanis, ops, lsnSent, tDeleted, deleted };
}

describe('mounting a backup set', () => {
  it('restores the full backup and replays every incremental: all mailboxes, folders, items and dumpster items', async (t) => {
    const { bk, phanis, ops, db } = await aBackupSet(t);
    const before = snapshotTree(bk);
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'backup', path: bk, label: 'nightly' });
    assert.deepEqual(info.counts, {
      mailboxes: 2,
      folders: db.sql.prepare('SELECT count(*) AS n FROM folders').pluck().get() as number,
      items: 35 + 6 + 6,
      dumpsterItems: 5,
      bytes: db.sql.prepare('SELECT sum(size) FROM items').pluck().get() as number,
    });
    const g = cat.group(info.id);
    assert.deepEqual(mailboxCounts(g), { [phanis]: 41, [ops]: 6 });
    assert.deepEqual(folderTree(g, phanis), [
      'Archive [archive] 0',
      'Deleted Items [deleted] 0',
      'Drafts [drafts] 0',
      'Inbox [inbox] 0',
      'Junk Email [junk] 0',
      'Sent Items [sent] 0',
      'bounces 6',
      'contacts 2',
      'deleted_items 17',
      'inbox 12',
      'sent_items 4',
    ]);
    assert.equal(g.listItems(phanis, { state: 'dumpster' }).length, 5);
    assert.deepEqual(snapshotTree(bk), before, 'the backup set is only read');
  });

  it('stops at an LSN with `until`: only what was logged up to it', async (t) => {
    const { bk, phanis, lsnSent } = await aBackupSet(t);
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'backup', path: bk, until: { lsn: lsnSent } });
    assert.equal(info.source.until, String(lsnSent));
    const g = cat.group(info.id);
    assert.deepEqual(mailboxCounts(g), { [phanis]: 16, 'postmaster@example.com': 0 });
    assert.deepEqual(
      folderTree(g, phanis).filter((f) => / [1-9]\d*$/.test(f)),
      ['inbox 12', 'sent_items 4'],
    );
  });

  it('stops at a time with `until`: the state of that moment, before later deliveries and deletions', async (t) => {
    const { bk, phanis, tDeleted, deleted } = await aBackupSet(t);
    const cat = aCatalogue(t);
    const before = await mountOk(cat, { source: 'backup', path: bk, until: { timeMs: tDeleted - 1 } });
    assert.equal(before.source.until, new Date(tDeleted - 1).toISOString());
    assert.deepEqual(mailboxCounts(cat.group(before.id))[phanis], 16);
    const after = await mountOk(cat, { source: 'backup', path: bk, until: { timeMs: tDeleted } });
    const g = cat.group(after.id);
    assert.equal(mailboxCounts(g)[phanis], 33);
    assert.deepEqual(
      g
        .listItems(phanis, { state: 'dumpster' })
        .map((i) => i.id)
        .sort((a, b) => a - b),
      [...deleted].sort((a, b) => a - b),
    );
  });

  it('round-trips: every item of the live database comes back from backup → mount with the same bytes', async (t) => {
    const { bk, db, phanis, ops } = await aBackupSet(t);
    const cat = aCatalogue(t);
    const g = cat.group((await mountOk(cat, { source: 'backup', path: bk })).id);
    const originals = new Set([...read(PHANIS), ...read(BOUNCES)].map((f) => sha256(f.bytes)));
    let n = 0;
    for (const address of [phanis, ops]) {
      const live = listItems(db.sql, getMailbox(db.sql, address).id, { state: 'all' });
      const mounted = g.listItems(address);
      assert.deepEqual(
        mounted.map((i) => i.id).sort((a, b) => a - b),
        live.map((i) => i.id).sort((a, b) => a - b),
      );
      for (const it of mounted) {
        const bytes = g.readItemBytes(it.id);
        assert.ok(bytes.equals(readItemBytes(db, it.id)), `item ${it.id}`);
        assert.equal(sha256(bytes), it.sha256);
        assert.ok(originals.has(it.sha256), `item ${it.id} is one of the original files`);
        n += 1;
      }
    }
    assert.equal(n, 47);
    // the bounces delivered to both mailboxes share their contents (single instance) in the RSG too
    const blobs = g.sql.prepare('SELECT count(*) FROM blobs').pluck().get() as number;
    assert.equal(blobs, 41);
  });
});

describe('mounting a database directory', () => {
  it('opens a restored database read-only in place: contents as they are, its files unchanged', async (t) => {
    const { dir, phanis, db } = await aBackupSet(t);
    db.close();
    const before = snapshotTree(dir);
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'database', path: dir });
    assert.equal(info.databaseDir, dir);
    const g = cat.group(info.id);
    assert.deepEqual(mailboxCounts(g), { [phanis]: 41, 'postmaster@example.com': 6 });
    for (const it of g.listItems(phanis)) {
      assert.equal(sha256(g.readItemBytes(it.id)), it.sha256);
    }
    cat.unmount(info.id);
    const after = snapshotTree(dir);
    // What must hold: every file that was there is unchanged — salvage.db, the log segments,
    // the blob files — bytes, mtime and ctime. What SQLite may do: a WAL-mode database opened
    // read-only gets its `-shm` index and an empty `-wal` created beside it when they are
    // missing (a read-only connection cannot remove them again), so these two may appear.
    for (const [k, v] of before) {
      assert.equal(after.get(k), v, k);
    }
    const added = [...after.keys()].filter((k) => !before.has(k));
    assert.ok(
      added.every((k) => k === `${DB_FILE}-shm` || k === `${DB_FILE}-wal`),
      `only SQLite's shared-memory files may appear: ${added.join(', ')}`,
    );
    if (added.includes(`${DB_FILE}-wal`)) {
      assert.equal(fs.statSync(path.join(dir, `${DB_FILE}-wal`)).size, 0);
    }
    const reopened = Database.open(dir, { readOnly: true });
    t.after(() => reopened.close());
    assert.equal(reopened.sql.prepare('SELECT count(*) FROM items').pluck().get(), 47);
  });

  it('searches a database mounted in place: its index lives in the RSG (search.db), the source is unchanged', async (t) => {
    const { dir, phanis, db } = await aBackupSet(t);
    db.close();
    const before = snapshotTree(dir);
    const root = path.join(tempDir(t), 'rsg');
    const open = () => {
      const c = new RsgCatalogue(root, {
        clock: aClock(),
        maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
        indexer: searchIndexer,
      });
      t.after(() => c.close());
      return c;
    };
    const cat = open();
    const info = await mountOk(cat, { source: 'database', path: dir });
    assert.equal(info.report.indexed, 47);
    assert.equal(info.report.indexFailed, 0);
    assert.ok(fs.existsSync(path.join(root, info.id, SEARCH_FILE)));
    const items = cat.group(info.id).listItems(phanis);
    const addressOf = (from: string) =>
      /(?:^|[\s<,])([a-z0-9][\w.+-]*@[\w.-]+)/i.exec(from)?.[1]?.toLowerCase();
    const sender = addressOf(items.find((i) => i.folder === 'inbox' && addressOf(i.from))!.from)!;
    const bySender = new Set(items.filter((i) => i.from.toLowerCase().includes(sender)).map((i) => i.id));
    const dated = items.filter((i) => i.dateMs !== null).sort((a, b) => a.dateMs! - b.dateMs!);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const [lo, hi] = [day(dated[5]!.dateMs!), day(dated[20]!.dateMs!)];
    const sentIn = new Set(
      items.filter((i) => i.dateMs !== null && day(i.dateMs) >= lo && day(i.dateMs) <= hi).map((i) => i.id),
    );
    const ids = (c: RsgCatalogue, q: string) =>
      new Set(
        search(c.group(info.id).sql, q, { mailbox: phanis, all: true, now: T0 }).hits.map((h) => h.itemId),
      );
    assert.ok(bySender.size > 0 && sentIn.size > 0);
    assert.deepEqual(ids(cat, `from:${sender}`), bySender);
    assert.deepEqual(ids(cat, `sent:${lo}..${hi}`), sentIn);
    cat.close();
    const again = open(); // a restart keeps the index
    assert.deepEqual(ids(again, `from:${sender}`), bySender);
    again.unmount(info.id);
    assert.ok(!fs.existsSync(path.join(root, info.id)));
    const after = snapshotTree(dir);
    for (const [k, v] of before) {
      assert.equal(after.get(k), v, k);
    }
  });

  it('reads a database another process is writing: sees what was committed, changes nothing the writer wrote', async (t) => {
    const { dir, phanis, db } = await aBackupSet(t);
    const hash = (f: string) => sha256(fs.readFileSync(path.join(dir, f)));
    const watched = [
      DB_FILE,
      `${DB_FILE}-wal`,
      ...filesUnder(path.join(dir, 'logs')).map((f) => `logs/${f}`),
    ];
    const before = watched.map(hash);
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'database', path: dir });
    const g = cat.group(info.id);
    assert.equal(mailboxCounts(g)[phanis], 41);
    // only the WAL index (-shm), shared memory by design, takes the reader's marks
    assert.deepEqual(watched.map(hash), before);
    cat.unmount(info.id);
    deliver(db, [fs.readFileSync(path.join(PHANIS, 'inbox', '1.'))], { to: [phanis] });
    assert.equal(listItems(db.sql, getMailbox(db.sql, phanis).id, { state: 'all' }).length, 42);
    assert.ok(fs.existsSync(path.join(dir, DB_FILE)), 'unmount never removes the source');
  });
});
