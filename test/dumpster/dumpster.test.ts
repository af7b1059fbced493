import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  listDumpster,
  listTombstones,
  purgeDumpster,
  restoreFromDumpster,
} from '../../src/dumpster/index.js';
import { DAY_MS, HOUR_MS } from '../../src/lib/clock.js';
import {
  type Database,
  createMailbox,
  deleteFolder,
  deleteItems,
  deliver,
  findFolder,
  getMailbox,
  listItems,
  stats,
  updateMailbox,
} from '../../src/store/index.js';
import { T0, aMessage, expectAppError, mailboxes, openTestDb } from '../helpers/index.js';

function one(db: Database, to: string, subject: string, folder?: string): number {
  return deliver(db, [aMessage({ subject, messageId: `<${subject.replace(/\W/g, '.')}@dumpster.test>` })], {
    to: [to],
    folder,
  }).delivered[0]!.ids[0]!;
}

const dumpsterIds = (db: Database, address: string): number[] => listDumpster(db, address).map((i) => i.id);

describe('retention', () => {
  it('keeps an item deleted 13 d 23 h ago and purges one deleted 14 d 1 h ago (default 14 days)', async (t) => {
    const { db, clock } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    const older = one(db, a!, 'older');
    const newer = one(db, a!, 'newer');
    await deleteItems(db, a!, [older]);
    clock.advance(2 * HOUR_MS);
    await deleteItems(db, a!, [newer]);
    clock.advance(14 * DAY_MS - HOUR_MS); // older: 14 d 1 h, newer: 13 d 23 h
    const r = await purgeDumpster(db);
    assert.equal(r.purged, 1);
    assert.deepEqual(dumpsterIds(db, a!), [newer]);
    const [left] = listDumpster(db, a!);
    assert.equal(left!.purgeAtMs, T0 + 2 * HOUR_MS + 14 * DAY_MS);
    assert.equal(left!.daysLeft, 0);
  });

  it('applies a per-mailbox retention instead of the database default', async (t) => {
    const { db, clock } = openTestDb(t);
    const [std] = await mailboxes(db, 1);
    await createMailbox(db, { address: 'short@example.com', retentionDays: 3 });
    const ids = [one(db, std!, 'std'), one(db, 'short@example.com', 'short')];
    await deleteItems(db, std!, [ids[0]!]);
    await deleteItems(db, 'short@example.com', [ids[1]!]);
    clock.advance(3 * DAY_MS + HOUR_MS);
    assert.equal((await purgeDumpster(db)).purged, 1);
    assert.deepEqual(dumpsterIds(db, 'short@example.com'), []);
    assert.deepEqual(dumpsterIds(db, std!), [ids[0]]);
    await updateMailbox(db, std!, { retentionDays: 2 });
    assert.equal((await purgeDumpster(db)).purged, 1);
    assert.deepEqual(dumpsterIds(db, std!), []);
  });

  it('never purges a mailbox on hold, not even items named by an administrator, until the hold is lifted', async (t) => {
    const { db, clock } = openTestDb(t);
    await createMailbox(db, { address: 'held@example.com', hold: true });
    const id = one(db, 'held@example.com', 'held');
    await deleteItems(db, 'held@example.com', [id]);
    clock.advance(400 * DAY_MS);
    const r = await purgeDumpster(db);
    assert.deepEqual(r, { purged: 0, onHold: ['held@example.com'], bytesReleased: 0 });
    assert.equal((await purgeDumpster(db, { address: 'held@example.com', ids: [id] })).purged, 0);
    const [item] = listDumpster(db, 'held@example.com');
    assert.equal(item!.purgeAtMs, null);
    assert.equal(item!.daysLeft, null);
    await updateMailbox(db, 'held@example.com', { hold: false });
    assert.equal((await purgeDumpster(db)).purged, 1);
  });
});

describe('restore', () => {
  it('puts an item back into the folder it was deleted from', async (t) => {
    const { db } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    const id = one(db, a!, 'report', 'Projects/2026');
    await deleteItems(db, a!, [id]);
    const m = getMailbox(db.sql, a!);
    assert.deepEqual(listItems(db.sql, m.id), []);
    const r = await restoreFromDumpster(db, a!, [id]);
    assert.deepEqual(r, { restored: [{ id, folder: 'Projects/2026' }] });
    assert.deepEqual(
      listItems(db.sql, m.id).map((i) => [i.id, i.folder, i.deletedMs]),
      [[id, 'Projects/2026', null]],
    );
  });

  it('recreates a deleted folder, with its parents, when an item from it is restored', async (t) => {
    const { db } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    const m = getMailbox(db.sql, a!);
    const kept = one(db, a!, 'kept', 'Projects/2026/Q1');
    const other = one(db, a!, 'other', 'Projects');
    const old = findFolder(db.sql, m.id, 'Projects/2026/Q1')!;
    const gone = await deleteFolder(db, a!, 'Projects');
    assert.deepEqual(gone, { folder: 'Projects', items: 2 });
    assert.equal(findFolder(db.sql, m.id, 'Projects'), undefined);
    assert.deepEqual(
      listDumpster(db, a!).map((i) => [i.id, i.folder, i.folderId]),
      [
        [other, 'Projects', null],
        [kept, 'Projects/2026/Q1', null],
      ],
    );
    await restoreFromDumpster(db, a!, [kept]);
    const again = findFolder(db.sql, m.id, 'Projects/2026/Q1')!;
    assert.notEqual(again.id, old.id);
    assert.ok(findFolder(db.sql, m.id, 'Projects/2026'));
    assert.deepEqual(
      listItems(db.sql, m.id, { folder: 'Projects' }).map((i) => [i.id, i.folderId]),
      [[kept, again.id]],
    );
  });

  it('refuses to delete a special-use folder or one that does not exist', async (t) => {
    const { db } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    await expectAppError(() => deleteFolder(db, a!, 'Inbox'), 'VALIDATION_FAILED');
    await expectAppError(() => deleteFolder(db, a!, 'Nope'), 'FOLDER_NOT_FOUND');
  });

  it('refuses to restore an item that is not in this mailbox’s dumpster (MESSAGE_NOT_FOUND)', async (t) => {
    const { db } = openTestDb(t);
    const [a, b] = await mailboxes(db, 2);
    const live = one(db, a!, 'live');
    const theirs = one(db, b!, 'theirs');
    await deleteItems(db, b!, [theirs]);
    await expectAppError(() => restoreFromDumpster(db, a!, [live]), 'MESSAGE_NOT_FOUND');
    await expectAppError(() => restoreFromDumpster(db, a!, [theirs]), 'MESSAGE_NOT_FOUND');
    await expectAppError(() => restoreFromDumpster(db, 'nobody@example.com', [theirs]), 'MAILBOX_NOT_FOUND');
  });
});

describe('purge', () => {
  it('leaves a tombstone with the message identity and purge time, and releases the content', async (t) => {
    const { db, clock } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    const msg = aMessage({ subject: 'Gone for good', messageId: '<Gone@Example.ORG>' });
    const id = deliver(db, [msg], { to: [a!] }).delivered[0]!.ids[0]!;
    await deleteItems(db, a!, [id]);
    clock.advance(15 * DAY_MS);
    const r = await purgeDumpster(db, { address: a! });
    assert.deepEqual(r, { purged: 1, onHold: [], bytesReleased: msg.length });
    assert.deepEqual(listTombstones(db, a!), [
      {
        identity: 'Gone@example.org',
        messageId: 'Gone@example.org',
        subject: 'Gone for good',
        purgedMs: clock.now(),
      },
    ]);
    assert.deepEqual(dumpsterIds(db, a!), []);
    const s = stats(db);
    assert.equal(s.blobs, 0);
    assert.equal(s.tombstones, 1);
    assert.equal(db.sql.prepare('SELECT 1 FROM items WHERE id = ?').get(id), undefined);
  });

  it('purges named items at once (an administrator’s purge), with tombstones', async (t) => {
    const { db } = openTestDb(t);
    const [a] = await mailboxes(db, 1);
    const ids = [one(db, a!, 'x1'), one(db, a!, 'x2')];
    await deleteItems(db, a!, ids);
    assert.equal((await purgeDumpster(db, { address: a!, ids: [ids[0]!] })).purged, 1);
    assert.deepEqual(dumpsterIds(db, a!), [ids[1]]);
    assert.equal(listTombstones(db, a!).length, 1);
    await expectAppError(() => purgeDumpster(db, { address: a!, ids: [ids[0]!] }), 'MESSAGE_NOT_FOUND');
  });
});
