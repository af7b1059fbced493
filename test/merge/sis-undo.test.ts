/**
 * Single-instance accounting of merges (stats before/after, one blob for a hundred mailboxes,
 * bytesCopied/bytesShared), dry runs that write nothing, idempotence, and undo.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createMergeJob,
  dryRunMerge,
  listMergeItems,
  runMergeJob,
  undoMerge,
} from '../../src/merge/index.js';
import { checkDatabase, createMailbox, readItemBytes, stats } from '../../src/store/index.js';
import { aBody, aMessage, diskState, expectAppError, logicalState, traceFor } from '../helpers/index.js';
import {
  DAY_MS,
  ENRON,
  HOUR_MS,
  aRequest,
  apply,
  backupAndMount,
  fixtureMessages,
  itemsOf,
  makeHome,
  moveItem,
  mount,
  otherServer,
  put,
  setFlags,
} from './helpers.js';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

/** The bytes after the trace prefix, as the test counts them: everything from the first non-trace field. */
function contentLength(bytes: Buffer): number {
  const text = bytes.toString('latin1');
  const m = /^(?:(?:Return-Path|Received|Delivered-To):[^\n]*\n(?:[ \t][^\n]*\n)*)*/i.exec(text);
  return bytes.length - (m?.[0].length ?? 0);
}

describe('single-instance storage', () => {
  it('adds references, not blobs, when a backup is merged into new mailboxes (stats before and after)', async (t) => {
    const h = makeHome(t);
    const files = fixtureMessages('phanis-s');
    await createMailbox(h.live, { address: ALICE });
    for (const f of files) {
      put(h.live, ALICE, f.bytes, f.folder);
    }
    const rsg = await backupAndMount(h);
    await createMailbox(h.live, { address: 'alice.new@example.com' });
    const before = stats(h.live);

    const r = await apply(h, aRequest(rsg.id, 'alice.new@example.com', { selection: { mailbox: ALICE } }));

    const after = stats(h.live);
    const total = files.reduce((s, f) => s + f.bytes.length, 0);
    assert.equal(r.counts.created, files.length);
    assert.deepEqual(
      [after.blobs, after.fileBlobs, after.physicalBytes, after.items, after.logicalBytes],
      [before.blobs, before.fileBlobs, before.physicalBytes, before.items * 2, total * 2],
    );
    assert.equal(after.ratio, 2);
    assert.deepEqual([r.bytesCopied, r.bytesShared], [0, total]);
    assert.equal(checkDatabase(h.live.dir).ok, true);
  });

  it('stores one message merged into 100 mailboxes once', async (t) => {
    const h = makeHome(t);
    const big = aMessage({
      subject: 'for everyone',
      trace: traceFor('x@old.example.com'),
      body: aBody(80_000),
    });
    const content = contentLength(big);
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: ALICE });
      put(db, ALICE, big);
    });
    const targets = Array.from({ length: 100 }, (_, i) => `user${i}@example.com`);
    await h.live.write((tx) => {
      for (const a of targets) {
        tx.emit({
          t: 'mailbox.create',
          id: tx.nextId('mailboxes'),
          address: a,
          name: '',
          retentionDays: null,
          hold: false,
          createdMs: tx.now,
        });
      }
    });

    const reports = [];
    for (const a of targets) {
      reports.push(await apply(h, aRequest(rsg.id, a, { selection: { mailbox: ALICE } })));
    }

    const s = stats(h.live);
    assert.deepEqual([s.items, s.blobs, s.fileBlobs], [100, 1, 1]);
    assert.equal(s.physicalBytes, content + 100 * (big.length - content));
    assert.equal(s.logicalBytes, 100 * big.length);
    assert.deepEqual([reports[0]!.bytesCopied, reports[0]!.bytesShared], [content, 0]);
    for (const r of reports.slice(1)) {
      assert.deepEqual([r.counts.created, r.bytesCopied, r.bytesShared], [1, 0, content]);
    }
    const one = itemsOf(h.live, targets[99]!)[0]!;
    assert.ok(readItemBytes(h.live, one.id).equals(big));
  });
});

describe('dry runs', () => {
  it('write nothing and predict the counts and bytes of the real run', async (t) => {
    const h = makeHome(t);
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: ALICE });
      for (let i = 0; i < 6; i++) {
        put(
          db,
          ALICE,
          aMessage({
            subject: `m${i}`,
            messageId: `<m${i}@old.example.com>`,
            trace: traceFor(ALICE, i),
            body: aBody(i % 2 ? 70_000 : 900),
          }),
        );
      }
      const d = put(db, ALICE, aMessage({ subject: 'in the dumpster', trace: traceFor(ALICE) }));
      db.writeSync((tx) => tx.emit({ t: 'item.delete', ids: [d], deletedMs: tx.now }));
    });
    await createMailbox(h.live, { address: ALICE });
    put(
      h.live,
      ALICE,
      aMessage({
        subject: 'm0',
        messageId: '<m0@old.example.com>',
        trace: traceFor(ALICE, 9),
        body: aBody(900),
      }),
    );
    h.clock.advance(HOUR_MS);
    const req = aRequest(rsg.id, ALICE, { selection: { mailbox: ALICE } });
    const logical = logicalState(h.live);
    const disk = diskState(h.live.dir);
    const jobs = h.live.sql.prepare('SELECT count(*) AS n FROM merge_jobs').get();

    const dry = dryRunMerge(h.deps, req);

    assert.deepEqual(logicalState(h.live), logical);
    assert.deepEqual(diskState(h.live.dir), disk);
    assert.deepEqual(h.live.sql.prepare('SELECT count(*) AS n FROM merge_jobs').get(), jobs);
    assert.equal(dry.dryRun, true);
    assert.equal(dry.id, null);

    const real = await apply(h, req);

    assert.deepEqual(dry.counts, real.counts);
    assert.deepEqual([dry.bytesCopied, dry.bytesShared], [real.bytesCopied, real.bytesShared]);
    assert.deepEqual([real.counts.created, real.counts.recoverable, real.counts.identical], [5, 1, 1]);
  });
});

describe('applying twice', () => {
  it('adds nothing the second time, whether as a new merge or by rerunning the finished one', async (t) => {
    const h = makeHome(t);
    const rsg = await mount(h, { source: 'eml-tree', path: ENRON, label: 'enron' });
    await createMailbox(h.live, { address: 'phanis@example.com' });
    const req = aRequest(rsg.id, 'phanis@example.com', { selection: { mailbox: 'phanis-s' } });
    const first = await apply(h, req);
    const after1 = logicalState(h.live);
    const items = itemsOf(h.live, 'phanis@example.com');

    const again = await runMergeJob(h.deps, first.id!);
    const second = await apply(h, req);

    assert.equal(first.counts.created, fixtureMessages('phanis-s').length);
    assert.deepEqual(again.counts, first.counts, 'the finished job handled nothing more');
    assert.deepEqual([second.counts.created, second.counts.identical], [0, first.counts.created]);
    assert.deepEqual(itemsOf(h.live, 'phanis@example.com'), items);
    assert.equal((logicalState(h.live).items as number) - (after1.items as number), 0);
  });
});

describe('undo', () => {
  it('moves what the merge created to the dumpster, leaves what the user touched, reverts updated flags', async (t) => {
    const h = makeHome(t);
    await createMailbox(h.live, { address: ALICE });
    await createMailbox(h.live, { address: BOB });
    const shared = aMessage({ subject: 'shared' });
    setFlags(h.live, put(h.live, ALICE, shared), ['\\Seen']);
    const bobShared = put(h.live, BOB, shared);
    setFlags(h.live, bobShared, ['\\Flagged']);
    for (const s of ['kept', 'moved', 'reflagged', 'deleted']) {
      put(h.live, ALICE, aMessage({ subject: s }), 'Projects');
    }
    const rsg = await backupAndMount(h);
    h.clock.advance(HOUR_MS);
    const r = await apply(h, aRequest(rsg.id, BOB, { selection: { mailbox: ALICE }, conflict: 'update' }));
    assert.deepEqual([r.counts.created, r.counts.updated], [4, 1]);
    assert.deepEqual(itemsOf(h.live, BOB).find((i) => i.id === bobShared)?.flags, ['\\Seen']);
    const created = new Map(
      listMergeItems(h.live, r.id!)
        .filter((x) => x.action === 'create')
        .map((x) => [itemsOf(h.live, BOB).find((i) => i.id === x.targetItemId)!.subject, x.targetItemId!]),
    );
    h.clock.advance(DAY_MS);
    moveItem(h.live, created.get('moved')!, 'Elsewhere');
    setFlags(h.live, created.get('reflagged')!, ['\\Answered']);
    h.live.writeSync((tx) =>
      tx.emit({ t: 'item.delete', ids: [created.get('deleted')!], deletedMs: tx.now }),
    );
    h.clock.advance(HOUR_MS);

    const u = undoMerge(h.live, r.id!);

    assert.deepEqual(u, { id: r.id, removed: 1, flagsRestored: 1, touched: 2, gone: 1 });
    const bob = itemsOf(h.live, BOB);
    const by = (s: string): (typeof bob)[number] => bob.find((i) => i.subject === s)!;
    assert.deepEqual(by('shared').flags, ['\\Flagged'], "bob's own flags are back");
    assert.equal(by('kept').deletedMs, h.clock.now(), 'the untouched copy went to the dumpster');
    assert.equal(by('kept').folder, 'Projects');
    assert.deepEqual([by('moved').deletedMs, by('moved').folder], [null, 'Elsewhere']);
    assert.deepEqual([by('reflagged').deletedMs, by('reflagged').flags], [null, ['\\Answered']]);
    assert.equal(itemsOf(h.live, ALICE, 'live').length, 5, "alice's mailbox is untouched");

    await expectAppError(() => undoMerge(h.live, r.id!), 'MERGE_CONFLICT');
    await expectAppError(() => runMergeJob(h.deps, r.id!), 'MERGE_CONFLICT');
    await expectAppError(() => undoMerge(h.live, 999), 'MERGE_NOT_FOUND');
  });

  it('refuses to undo a merge that has not finished', async (t) => {
    const h = makeHome(t);
    await createMailbox(h.live, { address: ALICE });
    await createMailbox(h.live, { address: BOB });
    put(h.live, ALICE, aMessage());
    const rsg = await backupAndMount(h);
    const id = createMergeJob(h.deps, aRequest(rsg.id, BOB, { selection: { mailbox: ALICE } }), null);

    await expectAppError(() => undoMerge(h.live, id), 'MERGE_CONFLICT');
  });
});
