/**
 * The merge matrix (issue 6): each class with its own test — missing, identical, changed
 * under each conflict policy, deleted-since-backup, purged, recoverable, expired, failed —
 * plus identity, cross-user merges and the bad-item limit. Every scenario is built with the
 * real store, backup and RSG catalogue on a manual clock.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { listDumpster, purgeDumpster, restoreFromDumpster } from '../../src/dumpster/index.js';
import { dryRunMerge, listMergeItems } from '../../src/merge/index.js';
import { blobFilePath, createMailbox, deleteItems, readItemBytes } from '../../src/store/index.js';
import { aBody, aMessage, flipByte, traceFor } from '../helpers/index.js';
import {
  DAY_MS,
  ENRON,
  HOUR_MS,
  T0,
  type TestHome,
  aRequest,
  apply,
  backupAndMount,
  identitiesOf,
  itemsOf,
  makeHome,
  messageIdOf,
  mount,
  otherServer,
  put,
  setFlags,
  tempHome,
} from './helpers.js';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

const whole = (mailbox: string): { selection: { mailbox: string } } => ({ selection: { mailbox } });

describe('merge classes', () => {
  it('creates what the target lacks (missing) in the same folder, with its flags, arrival time and exact bytes', async (t) => {
    const h = makeHome(t);
    const msgs = [
      aMessage({ subject: 'one' }),
      aMessage({ subject: 'two', trace: traceFor(ALICE) }),
      aMessage({ subject: 'three', body: aBody(100_000, 'large') }),
    ];
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: ALICE });
      put(db, ALICE, msgs[0]!);
      h.clock.advance(HOUR_MS);
      setFlags(db, put(db, ALICE, msgs[1]!, 'Projects/2001'), ['\\Seen', '\\Flagged']);
      h.clock.advance(HOUR_MS);
      put(db, ALICE, msgs[2]!, 'Sent Items');
    });
    await createMailbox(h.live, { address: ALICE });
    h.clock.advance(3 * DAY_MS);

    const r = await apply(h, aRequest(rsg.id, ALICE, whole(ALICE)));

    assert.equal(r.state, 'done');
    assert.deepEqual([r.counts.selected, r.counts.created, r.counts.skipped, r.counts.failed], [3, 3, 0, 0]);
    const group = h.catalogue.group(rsg.id);
    const source = group.listItems(ALICE);
    const target = itemsOf(h.live, ALICE);
    assert.equal(target.length, 3);
    for (const s of source) {
      const got = target.find((i) => i.identity === s.identity);
      assert.ok(got, `${s.subject} was merged`);
      assert.deepEqual(
        [got.folder, got.flags, got.internalMs, got.deletedMs],
        [s.folder, s.flags, s.internalMs, null],
      );
      assert.ok(readItemBytes(h.live, got.id).equals(group.readItemBytes(s.id)), 'the exact bytes');
    }
  });

  it('skips a message the target already holds with the same flags (identical)', async (t) => {
    const h = makeHome(t);
    await createMailbox(h.live, { address: ALICE });
    const ids = [aMessage(), aMessage(), aMessage()].map((m) => put(h.live, ALICE, m));
    setFlags(h.live, ids[0]!, ['\\Seen']);
    const rsg = await backupAndMount(h);
    const before = itemsOf(h.live, ALICE);

    const r = await apply(h, aRequest(rsg.id, ALICE, whole(ALICE)));

    assert.deepEqual([r.counts.identical, r.counts.skipped, r.counts.created], [3, 3, 0]);
    assert.deepEqual(itemsOf(h.live, ALICE), before);
  });

  it('keeps both copies of an identical message under keep-both', async (t) => {
    const h = makeHome(t);
    await createMailbox(h.live, { address: ALICE });
    const id = put(h.live, ALICE, aMessage({ subject: 'twice' }), 'Projects');
    const rsg = await backupAndMount(h);

    const r = await apply(h, aRequest(rsg.id, ALICE, { ...whole(ALICE), conflict: 'keep-both' }));

    assert.deepEqual([r.counts.identical, r.counts.keptBoth, r.counts.created], [1, 1, 0]);
    const copies = itemsOf(h.live, ALICE, 'live');
    assert.equal(copies.length, 2);
    assert.deepEqual(
      copies.map((c) => [c.identity, c.folder]),
      [copies[0]!, copies[0]!].map((c) => [c.identity, 'Projects']),
    );
    assert.ok(copies.some((c) => c.id === id));
  });

  /** alice's message carried \Seen in the backup; since then the user flagged it instead. */
  async function changedSince(
    t: Parameters<typeof makeHome>[0],
  ): Promise<{ h: TestHome; rsg: string; id: number }> {
    const h = makeHome(t);
    await createMailbox(h.live, { address: ALICE });
    const id = put(h.live, ALICE, aMessage({ subject: 'flags' }));
    put(h.live, ALICE, aMessage({ subject: 'untouched' }));
    setFlags(h.live, id, ['\\Seen']);
    const rsg = await backupAndMount(h);
    h.clock.advance(HOUR_MS);
    setFlags(h.live, id, ['\\Flagged']);
    return { h, rsg: rsg.id, id };
  }

  it('leaves a message whose flags changed since the backup alone under skip (changed)', async (t) => {
    const { h, rsg, id } = await changedSince(t);

    const r = await apply(h, aRequest(rsg, ALICE, whole(ALICE)));

    assert.deepEqual(
      [r.counts.changed, r.counts.identical, r.counts.skipped, r.counts.updated],
      [1, 1, 2, 0],
    );
    assert.deepEqual(
      itemsOf(h.live, ALICE).map((i) => [i.id, i.flags]),
      [
        [id, ['\\Flagged']],
        [id + 1, []],
      ],
    );
  });

  it('adds the source copy beside a changed message under keep-both', async (t) => {
    const { h, rsg, id } = await changedSince(t);

    const r = await apply(h, aRequest(rsg, ALICE, { ...whole(ALICE), conflict: 'keep-both' }));

    assert.deepEqual(
      [r.counts.changed, r.counts.identical, r.counts.keptBoth, r.counts.created],
      [1, 1, 2, 0],
    );
    const copies = itemsOf(h.live, ALICE).filter((i) => i.subject === 'flags');
    assert.deepEqual(
      copies.map((c) => [c.id === id, c.flags]),
      [
        [true, ['\\Flagged']],
        [false, ['\\Seen']],
      ],
    );
  });

  it("keeps the target's copy and takes the source's flags under update", async (t) => {
    const { h, rsg, id } = await changedSince(t);

    const r = await apply(h, aRequest(rsg, ALICE, { ...whole(ALICE), conflict: 'update' }));

    assert.deepEqual([r.counts.changed, r.counts.updated, r.counts.created], [1, 1, 0]);
    const items = itemsOf(h.live, ALICE);
    assert.equal(items.length, 2);
    assert.deepEqual(items.find((i) => i.id === id)?.flags, ['\\Seen']);
  });

  it('does not resurrect what the user deleted after the backup (deleted-since-backup) unless overridden', async (t) => {
    const h = makeHome(t);
    await createMailbox(h.live, { address: ALICE });
    const gone = put(h.live, ALICE, aMessage({ subject: 'deleted later' }));
    put(h.live, ALICE, aMessage({ subject: 'kept' }));
    const rsg = await backupAndMount(h);
    h.clock.advance(DAY_MS);
    await deleteItems(h.live, ALICE, [gone]);

    const r = await apply(h, aRequest(rsg.id, ALICE, whole(ALICE)));

    assert.deepEqual([r.counts.deletedSinceBackup, r.counts.identical, r.counts.created], [1, 1, 0]);
    const row = listMergeItems(h.live, r.id!).find((x) => x.class === 'deleted-since-backup');
    assert.equal(row?.reason, 'the user deleted it after the backup');
    assert.equal(itemsOf(h.live, ALICE, 'live').length, 1);

    const o = await apply(
      h,
      aRequest(rsg.id, ALICE, { ...whole(ALICE), overrides: { deletedSinceBackup: true } }),
    );

    assert.deepEqual([o.counts.deletedSinceBackup, o.counts.created], [1, 1]);
    assert.deepEqual(
      itemsOf(h.live, ALICE, 'live')
        .map((i) => i.subject)
        .sort(),
      ['deleted later', 'kept'],
    );
    assert.equal(
      itemsOf(h.live, ALICE, 'dumpster').length,
      1,
      "the user's deleted copy stays in the dumpster",
    );
  });

  it('never brings back a purged message (its tombstone) unless overridden', async (t) => {
    const h = makeHome(t);
    await createMailbox(h.live, { address: ALICE });
    const gone = put(h.live, ALICE, aMessage({ subject: 'purged later' }));
    const rsg = await backupAndMount(h);
    await deleteItems(h.live, ALICE, [gone]);
    h.clock.advance(15 * DAY_MS);
    assert.equal((await purgeDumpster(h.live)).purged, 1);

    const r = await apply(h, aRequest(rsg.id, ALICE, whole(ALICE)));

    assert.deepEqual([r.counts.purged, r.counts.skipped, r.counts.created], [1, 1, 0]);
    assert.match(listMergeItems(h.live, r.id!)[0]!.reason ?? '', /tombstone/);
    assert.equal(itemsOf(h.live, ALICE).length, 0);

    const o = await apply(h, aRequest(rsg.id, ALICE, { ...whole(ALICE), overrides: { purged: true } }));

    assert.deepEqual([o.counts.purged, o.counts.created], [1, 1]);
    assert.deepEqual(
      itemsOf(h.live, ALICE).map((i) => [i.subject, i.deletedMs]),
      [['purged later', null]],
    );
  });
});

describe('merging dumpster items', () => {
  const DELETED_AT = T0 + HOUR_MS;

  /** An old server where alice deleted two messages from 'Projects/Acme' at DELETED_AT; alice is new here. */
  async function oldDumpster(t: Parameters<typeof makeHome>[0]): Promise<{ h: TestHome; rsg: string }> {
    const h = makeHome(t);
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: ALICE });
      const a = put(db, ALICE, aMessage({ subject: 'deleted one' }), 'Projects/Acme');
      const b = put(db, ALICE, aMessage({ subject: 'deleted two', body: aBody(90_000) }), 'Projects/Acme');
      put(db, ALICE, aMessage({ subject: 'live one' }));
      h.clock.set(DELETED_AT);
      await deleteItems(db, ALICE, [a, b]);
      h.clock.advance(HOUR_MS);
    });
    await createMailbox(h.live, { address: ALICE });
    return { h, rsg: rsg.id };
  }

  it("restores a source-dumpster item into the target's dumpster with its deletion time and origin folder (recoverable)", async (t) => {
    const { h, rsg } = await oldDumpster(t);
    h.clock.set(DELETED_AT + 3 * DAY_MS);

    const r = await apply(h, aRequest(rsg, ALICE, whole(ALICE)));

    assert.deepEqual([r.counts.recoverable, r.counts.created, r.counts.expired], [2, 1, 0]);
    const dumpster = listDumpster(h.live, ALICE);
    assert.deepEqual(dumpster.map((d) => [d.subject, d.deletedMs, d.folder, d.daysLeft]).sort(), [
      ['deleted one', DELETED_AT, 'Projects/Acme', 11],
      ['deleted two', DELETED_AT, 'Projects/Acme', 11],
    ]);
    assert.deepEqual(
      itemsOf(h.live, ALICE, 'live').map((i) => i.subject),
      ['live one'],
      'nothing recoverable became a live item',
    );

    const one = dumpster.find((d) => d.subject === 'deleted one')!;
    const back = await restoreFromDumpster(h.live, ALICE, [one.id]);
    assert.deepEqual(back.restored, [{ id: one.id, folder: 'Projects/Acme' }]);

    h.clock.set(DELETED_AT + 14 * DAY_MS - 60_000);
    assert.equal((await purgeDumpster(h.live)).purged, 0, 'not before its retention ends');
    h.clock.set(DELETED_AT + 14 * DAY_MS + 60_000);
    assert.equal((await purgeDumpster(h.live)).purged, 1, 'expires on the schedule of its original deletion');
    assert.deepEqual(
      itemsOf(h.live, ALICE)
        .map((i) => i.subject)
        .sort(),
      ['deleted one', 'live one'],
    );
  });

  it('restores a dumpster item deleted 13 d 23 h before the merge (inside 14 days) as recoverable', async (t) => {
    const { h, rsg } = await oldDumpster(t);
    h.clock.set(DELETED_AT + 13 * DAY_MS + 23 * HOUR_MS);

    const r = await apply(h, aRequest(rsg, ALICE, whole(ALICE)));

    assert.deepEqual([r.counts.recoverable, r.counts.expired], [2, 0]);
    assert.equal(itemsOf(h.live, ALICE, 'dumpster').length, 2);
  });

  it('skips a dumpster item deleted 14 d 1 h before the merge (expired)', async (t) => {
    const { h, rsg } = await oldDumpster(t);
    h.clock.set(DELETED_AT + 14 * DAY_MS + HOUR_MS);

    const r = await apply(h, aRequest(rsg, ALICE, whole(ALICE)));

    assert.deepEqual(
      [r.counts.recoverable, r.counts.expired, r.counts.skipped, r.counts.created],
      [0, 2, 2, 1],
    );
    assert.deepEqual(
      itemsOf(h.live, ALICE).map((i) => i.subject),
      ['live one'],
    );
    const reasons = listMergeItems(h.live, r.id!)
      .filter((x) => x.class === 'expired')
      .map((x) => x.reason);
    assert.deepEqual(
      reasons,
      [0, 1].map(
        () => `deleted ${new Date(DELETED_AT).toISOString()}, outside the target's retention window`,
      ),
    );
  });

  it('merges an expired item as a live item when overridden', async (t) => {
    const { h, rsg } = await oldDumpster(t);
    h.clock.set(DELETED_AT + 30 * DAY_MS);

    const r = await apply(h, aRequest(rsg, ALICE, { ...whole(ALICE), overrides: { expired: true } }));

    assert.deepEqual([r.counts.expired, r.counts.created], [2, 3]);
    assert.deepEqual(
      itemsOf(h.live, ALICE)
        .map((i) => [i.subject, i.folder, i.deletedMs])
        .sort(),
      [
        ['deleted one', 'Projects/Acme', null],
        ['deleted two', 'Projects/Acme', null],
        ['live one', 'Inbox', null],
      ],
    );
  });

  it("uses the target mailbox's own retention window", async (t) => {
    const { h, rsg } = await oldDumpster(t);
    h.live.writeSync((tx) => tx.emit({ t: 'mailbox.update', id: 1, retentionDays: 30 }));
    h.clock.set(DELETED_AT + 20 * DAY_MS);

    const r = await apply(h, aRequest(rsg, ALICE, whole(ALICE)));

    assert.deepEqual([r.counts.recoverable, r.counts.expired], [2, 0]);
  });
});

describe('message identity', () => {
  it('treats Message-IDs that differ only in the case of the domain as one message', async (t) => {
    const h = makeHome(t);
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: ALICE });
      put(db, ALICE, aMessage({ messageId: '<Budget.2001@Mail.Example.COM>', subject: 'budget' }));
    });
    await createMailbox(h.live, { address: ALICE });
    put(h.live, ALICE, aMessage({ messageId: '<Budget.2001@mail.example.com>', subject: 'budget' }));

    const r = await apply(h, aRequest(rsg.id, ALICE, whole(ALICE)));

    assert.deepEqual([r.counts.identical, r.counts.created], [1, 0]);
  });

  it('identifies a message without a Message-ID by its content, ignoring per-delivery trace fields', async (t) => {
    const h = makeHome(t);
    const body = { messageId: null, subject: 'no id', date: new Date(T0) } as const;
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: ALICE });
      put(db, ALICE, aMessage({ ...body, trace: traceFor('alice@old.example.com', 1) }));
      put(db, ALICE, aMessage({ ...body, subject: 'no id, other text' }));
    });
    await createMailbox(h.live, { address: ALICE });
    put(h.live, ALICE, aMessage({ ...body, trace: traceFor(ALICE, 2) }));

    const r = await apply(h, aRequest(rsg.id, ALICE, whole(ALICE)));

    assert.deepEqual([r.counts.identical, r.counts.created], [1, 1]);
    assert.deepEqual(
      itemsOf(h.live, ALICE)
        .map((i) => i.subject)
        .sort(),
      ['no id', 'no id, other text'],
    );
  });

  it('creates a message that appears twice in the selection once', async (t) => {
    const h = makeHome(t);
    const same = aMessage({ subject: 'filed twice' });
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: ALICE });
      put(db, ALICE, same);
      put(db, ALICE, same, 'Archive/2001');
    });
    await createMailbox(h.live, { address: ALICE });

    const r = await apply(h, aRequest(rsg.id, ALICE, whole(ALICE)));

    assert.deepEqual([r.counts.created, r.counts.identical], [1, 1]);
    assert.equal(itemsOf(h.live, ALICE).length, 1);
    assert.ok(
      listMergeItems(h.live, r.id!).some(
        (x) => x.reason === 'the same message appears earlier in the selection',
      ),
    );
  });
});

describe('cross-user merges', () => {
  it("merges Alice's backup into Bob's mailbox, leaving Alice's mailbox as it is", async (t) => {
    const h = makeHome(t);
    await createMailbox(h.live, { address: ALICE });
    await createMailbox(h.live, { address: BOB });
    const shared = aMessage({ subject: 'to both' });
    put(h.live, ALICE, shared);
    put(h.live, BOB, shared);
    put(h.live, ALICE, aMessage({ subject: 'alice only' }), 'Projects');
    put(h.live, BOB, aMessage({ subject: 'bob only' }));
    const rsg = await backupAndMount(h);
    const alice = itemsOf(h.live, ALICE);

    const r = await apply(h, aRequest(rsg.id, BOB, whole(ALICE)));

    assert.deepEqual([r.counts.created, r.counts.identical], [1, 1]);
    assert.deepEqual(
      itemsOf(h.live, BOB)
        .map((i) => [i.subject, i.folder])
        .sort(),
      [
        ['alice only', 'Projects'],
        ['bob only', 'Inbox'],
        ['to both', 'Inbox'],
      ],
    );
    assert.deepEqual(itemsOf(h.live, ALICE), alice);
    assert.equal(r.bytesCopied, 0, "Alice's contents are already stored: only references are added");
  });
});

describe('failed items and the bad-item limit', () => {
  /** skilling-j's inbox (72 real messages, two of them over 64 KiB: blob files) mounted as an eml-tree. */
  async function inboxTree(
    t: Parameters<typeof makeHome>[0],
  ): Promise<{ h: TestHome; rsg: string; dbDir: string }> {
    const src = path.join(tempHome(t), 'tree');
    fs.cpSync(path.join(ENRON, 'skilling-j', 'inbox'), path.join(src, 'skilling-j', 'inbox'), {
      recursive: true,
    });
    const h = makeHome(t);
    const info = await mount(h, { source: 'eml-tree', path: src, label: 'inbox' });
    await createMailbox(h.live, { address: ALICE });
    return { h, rsg: info.id, dbDir: path.join(h.catalogue.root, info.id, 'db') };
  }

  const LARGE = ['986.', '977.'].map((f) =>
    messageIdOf(fs.readFileSync(path.join(ENRON, 'skilling-j', 'inbox', f))),
  );

  function blobOf(h: TestHome, rsg: string, dbDir: string, messageId: string): string {
    const it = h.catalogue
      .group(rsg)
      .listItems('skilling-j')
      .find((i) => i.messageId === messageId)!;
    const file = blobFilePath(dbDir, it.blobHash);
    assert.ok(fs.existsSync(file), 'a message over 64 KiB is a blob file');
    return file;
  }

  it('stops at the first failure with the default limit 0, naming the reason', async (t) => {
    const { h, rsg, dbDir } = await inboxTree(t);
    fs.rmSync(blobOf(h, rsg, dbDir, LARGE[0]!));

    const r = await apply(h, aRequest(rsg, ALICE, whole('skilling-j')));

    assert.equal(r.state, 'failed');
    assert.equal(r.counts.failed, 1);
    assert.match(r.error ?? '', /bad-item limit of 0/);
    assert.equal(r.failures.length, 1);
    assert.match(r.failures[0]!.reason, /^BLOB_MISSING: /);
    const order = dryRunMerge(h.deps, aRequest(rsg, ALICE, whole('skilling-j'))).items.map(
      (p) => p.sourceItemId,
    );
    const handled = listMergeItems(h.live, r.id!);
    const failedAt = order.indexOf(handled.find((x) => x.class === 'failed')!.sourceItemId);
    assert.ok(r.done < r.total, `stopped early: ${r.done} of ${r.total}`);
    assert.deepEqual(
      handled.map((x) => x.sourceItemId).sort((a, b) => a - b),
      order.slice(0, failedAt + 1).sort((a, b) => a - b),
      'every item up to the failure was handled, nothing after it',
    );
    assert.equal(itemsOf(h.live, ALICE).length, r.counts.created);
  });

  it('continues past a failure within the limit and reports it', async (t) => {
    const { h, rsg, dbDir } = await inboxTree(t);
    fs.rmSync(blobOf(h, rsg, dbDir, LARGE[0]!));

    const r = await apply(h, aRequest(rsg, ALICE, { ...whole('skilling-j'), badItemLimit: 1 }));

    assert.equal(r.state, 'done');
    assert.deepEqual([r.counts.selected, r.counts.created, r.counts.failed], [72, 71, 1]);
    assert.equal(itemsOf(h.live, ALICE).length, 71);
    assert.ok(!identitiesOf(h.live, ALICE).includes(LARGE[0]!));
    const failed = listMergeItems(h.live, r.id!).filter((x) => x.class === 'failed');
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.reason ?? '', /^BLOB_MISSING: The file of blob [0-9a-f]{64} is missing$/);
  });

  it('stops when the failures exceed the limit', async (t) => {
    const { h, rsg, dbDir } = await inboxTree(t);
    for (const id of LARGE) {
      fs.rmSync(blobOf(h, rsg, dbDir, id));
    }

    const r = await apply(h, aRequest(rsg, ALICE, { ...whole('skilling-j'), badItemLimit: 1 }));

    assert.equal(r.state, 'failed');
    assert.equal(r.counts.failed, 2);
  });

  it('adds a reference without reading the source content when the target database holds it already', async (t) => {
    const { h, rsg, dbDir } = await inboxTree(t);
    await createMailbox(h.live, { address: BOB });
    const first = await apply(h, aRequest(rsg, ALICE, whole('skilling-j')));
    // the source's copy of a content the live database now holds is gone: a hit must not need it
    fs.rmSync(blobOf(h, rsg, dbDir, LARGE[0]!));

    const r = await apply(h, aRequest(rsg, BOB, whole('skilling-j')));

    assert.deepEqual([first.counts.created, r.state, r.counts.created, r.counts.failed], [72, 'done', 72, 0]);
    assert.deepEqual([r.bytesCopied, r.bytesShared], [0, first.bytesCopied]);
    const large = itemsOf(h.live, BOB).find((i) => i.identity === LARGE[0]);
    assert.ok(large, 'the large item was merged as a reference');
    assert.deepEqual(
      readItemBytes(h.live, large.id),
      fs.readFileSync(path.join(ENRON, 'skilling-j', 'inbox', '986.')),
    );
  });

  it('fails an item whose blob is corrupt instead of merging wrong bytes', async (t) => {
    const { h, rsg, dbDir } = await inboxTree(t);
    flipByte(blobOf(h, rsg, dbDir, LARGE[1]!), 5000);

    const r = await apply(h, aRequest(rsg, ALICE, { ...whole('skilling-j'), badItemLimit: 5 }));

    assert.deepEqual([r.state, r.counts.created, r.counts.failed], ['done', 71, 1]);
    assert.match(r.failures[0]!.reason, /^SOURCE_CORRUPT: /);
    assert.ok(!identitiesOf(h.live, ALICE).includes(LARGE[1]!));
  });
});
