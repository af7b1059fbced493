/**
 * /merges: dry run, apply (202 + progress), report, re-apply (idempotent), undo, overrides —
 * from the fixture tree (test/helpers/recovery.ts), mounted once for the file. Each test merges
 * its own folder or into its own mailbox, so that none depends on another's effect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALICE, BOB, T0, type TestApp, expectProblem, makeTestApp } from '../helpers/api.js';
import { type RsgView, TREE_ARRIVAL_MS, mountTree, rsgItemBySubject, rsgItems } from '../helpers/recovery.js';
import { emptyCounts } from '../../src/merge/types.js';

const ARRIVED = new Date(TREE_ARRIVAL_MS).toISOString();

let fx: TestApp;
let rsg: RsgView;
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  fx = await makeTestApp({ after: (fn: () => Promise<void>) => cleanups.push(fn) });
  rsg = await mountTree(fx, { label: 'Nightly' });
});
after(() => Promise.all(cleanups.map((f) => f())));

/** Every count of a merge report at zero (openapi.yaml's MergeCounts: the contract test checks the shape). */
const COUNTS = emptyCounts();

/** A finished merge's report, as getMerge shows it. */
function doneReport(id: number, target: string, counts: Partial<typeof COUNTS>, extra: object = {}) {
  const n = Object.values(counts).length > 0 ? (counts.selected ?? 0) : 0;
  return {
    id,
    rsg: rsg.id,
    target,
    dryRun: false,
    state: 'done',
    counts: { ...COUNTS, ...counts },
    bytesCopied: 0,
    bytesShared: 0,
    total: n,
    done: n,
    error: null,
    failures: [],
    createdMs: T0,
    updatedMs: T0,
    ...extra,
  };
}

/** Live items of a mailbox folder: [folder, subject, received]. */
async function liveItems(address: string, folder: string): Promise<string[][]> {
  const res = await fx.api
    .get(`/mailboxes/${address}/items?folder=${folder}&limit=500`, fx.tokens.admin)
    .expect(200);
  const items = res.body.items as { folder: string; subject: string; received: string }[];
  return items.map((i) => [i.folder, i.subject, i.received]).sort((a, b) => a[1]!.localeCompare(b[1]!));
}

describe('POST /merges', () => {
  it('→ 200 a dry run: the report of what would happen, nothing written', async () => {
    const res = await fx.api
      .post('/merges', fx.tokens.helpdesk)
      .send({ rsg: rsg.id, target: ALICE, selection: { mailbox: ALICE, folder: 'contacts' }, dryRun: true })
      .expect(200);
    const { items, ...report } = res.body.report;
    assert.deepEqual(report, {
      id: null,
      rsg: rsg.id,
      target: ALICE,
      dryRun: true,
      state: 'planned',
      counts: { ...COUNTS, selected: 2, created: 2 },
      bytesCopied: 992,
      bytesShared: 0,
      total: 2,
      done: 0,
      error: null,
      failures: [],
      createdMs: T0,
      updatedMs: T0,
    });
    const angela = rsgItemBySubject(fx, rsg.id, ALICE, 'Angela Gregg');
    assert.deepEqual(
      items.find((i: { subject: string }) => i.subject === 'Angela Gregg'),
      {
        sourceItemId: angela.id,
        sourceMailbox: ALICE,
        sourceFolder: 'contacts',
        messageId: '1023918.1075855414662.JavaMail.evans@thyme',
        identity: angela.identity,
        subject: 'Angela Gregg',
        size: 511,
        blobHash: angela.blobHash,
        flags: [],
        internalMs: TREE_ARRIVAL_MS,
        deletedMs: null,
        class: 'missing',
        action: 'create',
        targetFolder: 'contacts',
        targetItemId: null,
        reason: null,
      },
    );
    const alice = await fx.api.get(`/mailboxes/${ALICE}`, fx.tokens.admin).expect(200);
    assert.equal(alice.body.items, 0);
  });

  it('→ 202 and Location; GET shows it done and the items are in the live mailbox; search says present', async () => {
    const query = encodeURIComponent('subject:"east power meeting"');
    const before = await fx.api
      .get(`/recovery-groups/${rsg.id}/search?q=${query}`, fx.tokens.helpdesk)
      .expect(200);
    assert.deepEqual(
      before.body.hits.map((h: { live: unknown }) => h.live),
      [1, 2, 3].map(() => ({ status: 'missing', mailbox: ALICE })),
    );

    const res = await fx.api
      .post('/merges', fx.tokens.helpdesk)
      .send({ rsg: rsg.id, target: ALICE, selection: { mailbox: ALICE, folder: 'inbox' } })
      .expect(202);
    assert.equal(res.headers.location, `/api/v1/merges/${res.body.id}`);
    assert.deepEqual(res.body, { ...doneReport(res.body.id, ALICE, {}), state: 'running' });
    await fx.services.settled();

    const got = await fx.api.get(`/merges/${res.body.id}`, fx.tokens.helpdesk).expect(200);
    assert.deepEqual(
      got.body,
      doneReport(res.body.id, ALICE, { selected: 12, created: 12 }, { bytesCopied: 46_646 }),
    );
    const merged = await liveItems(ALICE, 'Inbox');
    assert.equal(merged.length, 12);
    assert.deepEqual(merged.slice(0, 2), [
      ['Inbox', 'CNN Breaking News', ARRIVED],
      ['Inbox', 'East Power Meeting', ARRIVED],
    ]);

    const now = await fx.api
      .get(`/recovery-groups/${rsg.id}/search?q=${query}`, fx.tokens.helpdesk)
      .expect(200);
    for (const h of now.body.hits as { live: { status: string; folder: string } }[]) {
      assert.equal(h.live.status, 'present');
      assert.equal(h.live.folder, 'Inbox');
    }

    // the same selection again: everything is already there
    const again = await fx.api
      .post('/merges', fx.tokens.helpdesk)
      .send({ rsg: rsg.id, target: ALICE, selection: { mailbox: ALICE, folder: 'inbox' } })
      .expect(202);
    await fx.services.settled();
    const second = await fx.api.get(`/merges/${again.body.id}`, fx.tokens.helpdesk).expect(200);
    assert.deepEqual(
      second.body,
      doneReport(again.body.id, ALICE, { selected: 12, identical: 12, skipped: 12 }),
    );
    assert.equal((await liveItems(ALICE, 'Inbox')).length, 12);
  });

  it('→ 202 into a second mailbox: the contents are stored once (single-instance)', async () => {
    const selection = { mailbox: ALICE, folder: 'sent_items' };
    const first = await fx.api
      .post('/merges', fx.tokens.admin)
      .send({ rsg: rsg.id, target: ALICE, selection })
      .expect(202);
    const second = await fx.api
      .post('/merges', fx.tokens.admin)
      .send({ rsg: rsg.id, target: BOB, selection, folders: 'recovered' })
      .expect(202);
    await fx.services.settled();
    const a = await fx.api.get(`/merges/${first.body.id}`, fx.tokens.admin).expect(200);
    const b = await fx.api.get(`/merges/${second.body.id}`, fx.tokens.admin).expect(200);
    const counts = { selected: 4, created: 4 };
    assert.deepEqual(a.body, doneReport(first.body.id, ALICE, counts, { bytesCopied: 5309 }));
    assert.deepEqual(b.body, doneReport(second.body.id, BOB, counts, { bytesShared: 5309 }));
    const root = `Recovered Items/Nightly ${new Date(T0).toISOString().slice(0, 10)}`;
    assert.deepEqual(
      (await liveItems(BOB, root)).map(([folder, subject]) => [folder, subject]),
      [
        [`${root}/sent_items`, 'FW: Ameren'],
        [`${root}/sent_items`, 'FW: Columbia Energy Services Trades'],
        [`${root}/sent_items`, 'RE: Columbia Energy Services Trades'],
        [`${root}/sent_items`, 'Return of LC'],
      ],
    );
  });

  it('→ 403 FORBIDDEN for overrides by the help desk, audited as denied; an administrator may', async () => {
    const body = {
      rsg: rsg.id,
      target: BOB,
      selection: { mailbox: ALICE, folder: 'contacts' },
      overrides: { purged: true },
      dryRun: true,
    };
    const res = await fx.api.post('/merges', fx.tokens.helpdesk).send(body);
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/merges',
      detail: 'Overrides are for administrators',
      role: 'helpdesk',
    });
    const denied = fx.services.live.sql
      .prepare('SELECT action, outcome, code FROM audit_log WHERE request_id = ?')
      .get(res.headers['x-request-id']) as Record<string, unknown>;
    assert.deepEqual({ ...denied }, { action: 'createMerge', outcome: 'denied', code: 'FORBIDDEN' });

    await fx.api.post('/merges', fx.tokens.admin).send(body).expect(200);
    const applied = await fx.api
      .post('/merges', fx.tokens.admin)
      .send({ ...body, dryRun: false })
      .expect(202);
    await fx.services.settled();
    const audited = fx.services.live.sql
      .prepare("SELECT target, detail FROM audit_log WHERE action = 'mergeOverride'")
      .all() as { target: string; detail: string }[];
    assert.deepEqual(
      audited.map((a) => ({ ...a, detail: JSON.parse(a.detail) })),
      [
        {
          target: `/merges/${applied.body.id}`,
          detail: { overrides: ['purged'], target: BOB, rsg: rsg.id },
        },
      ],
    );
  });

  it('→ 400 VALIDATION_FAILED for a body that is not a merge', async () => {
    const res = await fx.api
      .post('/merges', fx.tokens.admin)
      .send({ rsg: '../live', target: ALICE, selection: { itemIds: [0] }, folders: 'flat', extra: 1 });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/merges',
      detail: 'The request body is not valid',
      errors: [
        { where: 'body', path: 'rsg', message: 'a recovery group id' },
        { where: 'body', path: 'selection.itemIds.0', message: 'Too small: expected number to be >=1' },
        { where: 'body', path: 'folders', message: 'Invalid option: expected one of "original"|"recovered"' },
        { where: 'body', path: '', message: 'Unrecognized key: "extra"' },
      ],
    });
  });

  it('→ 400 VALIDATION_FAILED for an empty selection', async () => {
    const res = await fx.api
      .post('/merges', fx.tokens.admin)
      .send({ rsg: rsg.id, target: ALICE, selection: {}, dryRun: true });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/merges',
      detail: 'A merge needs a selection: item ids, a folder, a mailbox or a query',
    });
  });

  it('→ 400 QUERY_INVALID for a selection query that does not parse', async () => {
    const res = await fx.api
      .post('/merges', fx.tokens.admin)
      .send({ rsg: rsg.id, target: ALICE, selection: { mailbox: ALICE, query: 'size>big' }, dryRun: true });
    expectProblem(res, 'QUERY_INVALID', {
      instance: '/api/v1/merges',
      detail: "bad size 'big' (a number with an optional unit B, KB, MB or GB) (at position 5)",
      position: 5,
      query: 'size>big',
    });
  });

  it('→ 404 RSG_NOT_FOUND for a group that does not exist', async () => {
    const res = await fx.api
      .post('/merges', fx.tokens.admin)
      .send({ rsg: 'abcd1234', target: ALICE, selection: { mailbox: ALICE } });
    expectProblem(res, 'RSG_NOT_FOUND', {
      instance: '/api/v1/merges',
      detail: "No recovery group 'abcd1234'",
      rsg: 'abcd1234',
    });
  });

  it('→ 404 MAILBOX_NOT_FOUND for a target that is not a live mailbox', async () => {
    const res = await fx.api
      .post('/merges', fx.tokens.admin)
      .send({ rsg: rsg.id, target: 'ghost@example.com', selection: { mailbox: ALICE } });
    expectProblem(res, 'MAILBOX_NOT_FOUND', {
      instance: '/api/v1/merges',
      detail: "No mailbox 'ghost@example.com'",
      mailbox: 'ghost@example.com',
    });
  });

  it('→ 404 MAILBOX_NOT_FOUND for a user merging into another mailbox', async () => {
    const res = await fx.api
      .post('/merges', fx.tokens.alice)
      .send({ rsg: rsg.id, target: BOB, selection: { mailbox: ALICE }, dryRun: true });
    expectProblem(res, 'MAILBOX_NOT_FOUND', {
      instance: '/api/v1/merges',
      detail: `No mailbox '${BOB}'`,
      mailbox: BOB,
    });
  });

  it('→ 403 FORBIDDEN for a user, from a group without self-service', async () => {
    const res = await fx.api
      .post('/merges', fx.tokens.alice)
      .send({ rsg: rsg.id, target: ALICE, selection: { mailbox: ALICE }, dryRun: true });
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/merges',
      detail: 'This recovery group is not open to self-service',
      role: 'user',
    });
  });
});

describe('GET /merges/{id}', () => {
  it('→ 404 MERGE_NOT_FOUND for a merge that does not exist', async () => {
    const res = await fx.api.get('/merges/999', fx.tokens.helpdesk);
    expectProblem(res, 'MERGE_NOT_FOUND', {
      instance: '/api/v1/merges/999',
      detail: 'No merge 999',
      mergeId: 999,
    });
  });

  it("→ 404 MERGE_NOT_FOUND for a user, for a merge into another user's mailbox", async () => {
    const m = await fx.api
      .post('/merges', fx.tokens.admin)
      .send({ rsg: rsg.id, target: BOB, selection: { mailbox: BOB, folder: 'cr' } })
      .expect(202);
    await fx.services.settled();
    await fx.api.get(`/merges/${m.body.id}`, fx.tokens.bob).expect(200);
    const res = await fx.api.get(`/merges/${m.body.id}`, fx.tokens.alice);
    expectProblem(res, 'MERGE_NOT_FOUND', {
      instance: `/api/v1/merges/${m.body.id}`,
      detail: `No merge ${m.body.id}`,
      mergeId: m.body.id,
    });
  });

  it('→ 400 VALIDATION_FAILED for an id that is not a number', async () => {
    const res = await fx.api.get('/merges/1.5', fx.tokens.helpdesk);
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/merges/1.5',
      detail: 'The request path is not valid',
      errors: [{ where: 'params', path: 'id', message: 'a positive whole number' }],
    });
  });
});

describe('POST /merges/{id}/apply', () => {
  it('→ 202 again; a finished merge adds nothing; 409 MERGE_CONFLICT while it runs', async () => {
    const m = await fx.api
      .post('/merges', fx.tokens.helpdesk)
      .send({ rsg: rsg.id, target: ALICE, selection: { mailbox: BOB, folder: 'lf' } })
      .expect(202);
    await fx.services.settled();
    const first = await fx.api.get(`/merges/${m.body.id}`, fx.tokens.helpdesk).expect(200);
    assert.equal(first.body.counts.created, 2);
    const itemsBefore = await liveItems(ALICE, 'lf');
    assert.equal(itemsBefore.length, 2);

    const [a, b] = await Promise.all([
      fx.api.post(`/merges/${m.body.id}/apply`, fx.tokens.helpdesk),
      fx.api.post(`/merges/${m.body.id}/apply`, fx.tokens.helpdesk),
    ]);
    const [ok, busy] = a.status === 202 ? [a, b] : [b, a];
    assert.equal(ok.status, 202);
    assert.deepEqual(ok.body, first.body);
    expectProblem(busy, 'MERGE_CONFLICT', {
      instance: `/api/v1/merges/${m.body.id}/apply`,
      detail: `Merge ${m.body.id} is running`,
      mergeId: m.body.id,
    });
    await fx.services.settled();
    const again = await fx.api.get(`/merges/${m.body.id}`, fx.tokens.helpdesk).expect(200);
    assert.deepEqual(again.body.counts, first.body.counts);
    assert.deepEqual(await liveItems(ALICE, 'lf'), itemsBefore);
  });

  it('→ 404 MERGE_NOT_FOUND for a merge that does not exist', async () => {
    const res = await fx.api.post('/merges/4040/apply', fx.tokens.admin);
    expectProblem(res, 'MERGE_NOT_FOUND', {
      instance: '/api/v1/merges/4040/apply',
      detail: 'No merge 4040',
      mergeId: 4040,
    });
  });

  it('→ 403 FORBIDDEN for a user', async () => {
    const res = await fx.api.post('/merges/1/apply', fx.tokens.alice);
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/merges/1/apply',
      detail: 'A user token may not applyMerge',
      role: 'user',
    });
  });
});

describe('POST /merges/{id}/undo', () => {
  it('→ 200 what it created goes to the dumpster; then 409 to undo or apply it again', async () => {
    const m = await fx.api
      .post('/merges', fx.tokens.admin)
      .send({ rsg: rsg.id, target: ALICE, selection: { mailbox: ALICE, folder: 'deleted_items' } })
      .expect(202);
    await fx.services.settled();
    const merged = (
      await fx.api
        .get(`/mailboxes/${ALICE}/items?folder=Deleted Items&limit=500`, fx.tokens.admin)
        .expect(200)
    ).body.items as { id: number; subject: string }[];
    assert.equal(merged.length, 17);
    // the user deletes one of them before the undo: it is counted as gone, not touched again
    await fx.api.delete(`/mailboxes/${ALICE}/items/${merged[0]!.id}`, fx.tokens.alice).expect(200);
    const res = await fx.api.post(`/merges/${m.body.id}/undo`, fx.tokens.helpdesk).expect(200);
    assert.deepEqual(res.body, { id: m.body.id, removed: 16, flagsRestored: 0, touched: 0, gone: 1 });
    assert.deepEqual(await liveItems(ALICE, 'Deleted Items'), []);
    const dumpster = await fx.api.get(`/mailboxes/${ALICE}/dumpster?limit=500`, fx.tokens.admin).expect(200);
    const back = new Set(merged.map((i) => i.id));
    assert.equal(dumpster.body.items.filter((i: { id: number }) => back.has(i.id)).length, 17);
    const got = await fx.api.get(`/merges/${m.body.id}`, fx.tokens.admin).expect(200);
    assert.equal(got.body.state, 'undone');

    const twice = await fx.api.post(`/merges/${m.body.id}/undo`, fx.tokens.helpdesk);
    expectProblem(twice, 'MERGE_CONFLICT', {
      instance: `/api/v1/merges/${m.body.id}/undo`,
      detail: `Merge ${m.body.id} is already undone`,
      mergeId: m.body.id,
    });
    const apply = await fx.api.post(`/merges/${m.body.id}/apply`, fx.tokens.helpdesk);
    expectProblem(apply, 'MERGE_CONFLICT', {
      instance: `/api/v1/merges/${m.body.id}/apply`,
      detail: `Merge ${m.body.id} was undone`,
      mergeId: m.body.id,
    });
  });

  it('→ 404 MERGE_NOT_FOUND for a merge that does not exist', async () => {
    const res = await fx.api.post('/merges/777/undo', fx.tokens.admin);
    expectProblem(res, 'MERGE_NOT_FOUND', {
      instance: '/api/v1/merges/777/undo',
      detail: 'No merge 777',
      mergeId: 777,
    });
  });

  it('→ 403 FORBIDDEN for a user', async () => {
    const res = await fx.api.post('/merges/1/undo', fx.tokens.bob);
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/merges/1/undo',
      detail: 'A user token may not undoMerge',
      role: 'user',
    });
  });
});

describe('the fixture tree', () => {
  it('holds alice 35 items and bob 6', () => {
    assert.equal(rsgItems(fx, rsg.id, ALICE).length, 35);
    assert.equal(rsgItems(fx, rsg.id, BOB).length, 6);
  });
});
