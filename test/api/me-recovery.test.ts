/**
 * /me/recovery-groups: an end user's "older items from backup" — their own mailbox in recovery
 * groups open to self-service, and restoring from it; and the limits of a user's merges.
 * The fixture tree (test/helpers/recovery.ts, mailboxes alice and bob) is mounted once with
 * self-service on; a small native database holding alice's mailbox is mounted without it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALICE, BOB, type TestApp, aMessage, expectProblem, makeTestApp } from '../helpers/api.js';
import { type RsgView, mountTree, nativeDatabase, rsgItemBySubject, rsgItems } from '../helpers/recovery.js';

let fx: TestApp;
/** The tree, self-service on. */
let open: RsgView;
/** A native database with alice's mailbox, self-service off. */
let closed: string;
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  fx = await makeTestApp({ after: (fn: () => Promise<void>) => cleanups.push(fn) });
  const db = await nativeDatabase(fx.home, 'old-live', fx.clock, {
    [ALICE]: [Buffer.from(aMessage({ subject: 'Kept in an old copy' }))],
  });
  const res = await fx.api
    .post('/recovery-groups', fx.tokens.admin)
    .send({ source: 'database', path: db, label: 'Old copy' })
    .expect(202);
  closed = res.body.id;
  open = await mountTree(fx, { selfService: true, label: 'Last night' });
});
after(() => Promise.all(cleanups.map((f) => f())));

describe('GET /me/recovery-groups', () => {
  it('→ 200 the groups open to self-service that hold my mailbox', async () => {
    const res = await fx.api.get('/me/recovery-groups', fx.tokens.alice).expect(200);
    assert.deepEqual(
      res.body.recoveryGroups.map((r: RsgView) => [r.id, r.label, r.selfService, r.items]),
      [[open.id, 'Last night', true, 41]],
    );
    const all = await fx.api.get('/recovery-groups', fx.tokens.admin).expect(200);
    assert.equal(all.body.recoveryGroups.find((r: RsgView) => r.id === closed).state, 'mounted');
  });

  it('→ 403 FORBIDDEN for the help desk', async () => {
    const res = await fx.api.get('/me/recovery-groups', fx.tokens.helpdesk);
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/me/recovery-groups',
      detail: 'A helpdesk token may not listMyRecoveryGroups',
      role: 'helpdesk',
    });
  });
});

describe('GET /me/recovery-groups/{id}/items', () => {
  it('→ 200 the items of my own mailbox only', async () => {
    const mine = await fx.api
      .get(`/me/recovery-groups/${open.id}/items?limit=100`, fx.tokens.bob)
      .expect(200);
    assert.equal(mine.body.nextCursor, null);
    assert.deepEqual(
      mine.body.items.map((i: { id: number }) => i.id).sort(),
      rsgItems(fx, open.id, BOB)
        .map((i) => i.id)
        .sort(),
    );
    const page = await fx.api
      .get(`/me/recovery-groups/${open.id}/items?limit=20`, fx.tokens.alice)
      .expect(200);
    assert.equal(page.body.items.length, 20);
    const rest = await fx.api
      .get(
        `/me/recovery-groups/${open.id}/items?limit=20&cursor=${encodeURIComponent(page.body.nextCursor)}`,
        fx.tokens.alice,
      )
      .expect(200);
    assert.equal(rest.body.items.length, 15);
  });

  it('→ 404 RSG_NOT_FOUND for a group without self-service', async () => {
    const res = await fx.api.get(`/me/recovery-groups/${closed}/items`, fx.tokens.alice);
    expectProblem(res, 'RSG_NOT_FOUND', {
      instance: `/api/v1/me/recovery-groups/${closed}/items`,
      detail: `No recovery group '${closed}'`,
      rsg: closed,
    });
  });

  it('→ 400 VALIDATION_FAILED for an id that cannot be one', async () => {
    const res = await fx.api.get('/me/recovery-groups/..%2F..%2Flive/items', fx.tokens.alice);
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/me/recovery-groups/..%2F..%2Flive/items',
      detail: 'The request path is not valid',
      errors: [{ where: 'params', path: 'id', message: 'a recovery group id' }],
    });
  });
});

describe('POST /me/recovery-groups/{id}/restore', () => {
  it('→ 202 a merge into my mailbox, in the original folders; I can follow it', async () => {
    const items = ['Ameren', 'Terminations'].map((s) => rsgItemBySubject(fx, open.id, ALICE, s).id);
    const res = await fx.api
      .post(`/me/recovery-groups/${open.id}/restore`, fx.tokens.alice)
      .send({ itemIds: items })
      .expect(202);
    assert.equal(res.headers.location, `/api/v1/merges/${res.body.id}`);
    assert.equal(res.body.state, 'running');
    assert.equal(res.body.target, ALICE);
    await fx.services.settled();
    const merge = await fx.api.get(`/merges/${res.body.id}`, fx.tokens.alice).expect(200);
    assert.equal(merge.body.state, 'done');
    assert.equal(merge.body.counts.created, 2);
    const live = await fx.api
      .get(`/mailboxes/${ALICE}/items?folder=Deleted Items`, fx.tokens.alice)
      .expect(200);
    assert.deepEqual(live.body.items.map((i: { subject: string }) => i.subject).sort(), [
      'Ameren',
      'Terminations',
    ]);
    const entry = fx.services.live.sql
      .prepare("SELECT outcome FROM audit_log WHERE action = 'restoreMyRecoveryItems' AND request_id = ?")
      .get(res.headers['x-request-id']) as { outcome: string };
    assert.equal(entry.outcome, 'ok');
    // another user does not see it
    const other = await fx.api.get(`/merges/${res.body.id}`, fx.tokens.bob);
    expectProblem(other, 'MERGE_NOT_FOUND', {
      instance: `/api/v1/merges/${res.body.id}`,
      detail: `No merge ${res.body.id}`,
      mergeId: res.body.id,
    });
  });

  it("→ 404 MESSAGE_NOT_FOUND for another mailbox's item, and nothing is restored", async () => {
    const bobs = rsgItemBySubject(fx, open.id, BOB, 'failure notice').id;
    const before = (await fx.api.get(`/mailboxes/${ALICE}`, fx.tokens.alice).expect(200)).body.items;
    const res = await fx.api
      .post(`/me/recovery-groups/${open.id}/restore`, fx.tokens.alice)
      .send({ itemIds: [bobs] });
    expectProblem(res, 'MESSAGE_NOT_FOUND', {
      instance: `/api/v1/me/recovery-groups/${open.id}/restore`,
      detail: `No item ${bobs} in recovery group ${open.id}`,
      itemId: bobs,
    });
    await fx.services.settled();
    assert.equal((await fx.api.get(`/mailboxes/${ALICE}`, fx.tokens.alice).expect(200)).body.items, before);
  });

  it('→ 404 RSG_NOT_FOUND for a group without self-service', async () => {
    const res = await fx.api
      .post(`/me/recovery-groups/${closed}/restore`, fx.tokens.alice)
      .send({ itemIds: [1] });
    expectProblem(res, 'RSG_NOT_FOUND', {
      instance: `/api/v1/me/recovery-groups/${closed}/restore`,
      detail: `No recovery group '${closed}'`,
      rsg: closed,
    });
  });

  it('→ 400 VALIDATION_FAILED without item ids', async () => {
    const res = await fx.api
      .post(`/me/recovery-groups/${open.id}/restore`, fx.tokens.alice)
      .send({ itemIds: [] });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/me/recovery-groups/${open.id}/restore`,
      detail: 'The request body is not valid',
      errors: [{ where: 'body', path: 'itemIds', message: 'Too small: expected array to have >=1 items' }],
    });
  });

  it('→ 403 FORBIDDEN for an administrator (not bound to a mailbox)', async () => {
    const res = await fx.api
      .post(`/me/recovery-groups/${open.id}/restore`, fx.tokens.admin)
      .send({ itemIds: [1] });
    expectProblem(res, 'FORBIDDEN', {
      instance: `/api/v1/me/recovery-groups/${open.id}/restore`,
      detail: 'A admin token may not restoreMyRecoveryItems',
      role: 'admin',
    });
  });
});

describe('the self-restore budget (selfRestorePerHour) over both ways a user restores', () => {
  it('counts each requested item, shares the hour with dumpster restores, and spares the help desk', async (t) => {
    const small = await makeTestApp(t, { config: { selfRestorePerHour: 3 } });
    const tree = await mountTree(small, { selfService: true });
    const [a, b, c, d] = ['Terminations', 'Sarah Pernul', 'Return of LC', 'EPMI List'].map(
      (s) => rsgItemBySubject(small, tree.id, ALICE, s).id,
    );
    const restore = (itemIds: number[], token = small.tokens.alice) =>
      small.api.post(`/me/recovery-groups/${tree.id}/restore`, token).send({ itemIds });
    const tooMany = await restore([a!, b!, c!, d!]);
    expectProblem(tooMany, 'VALIDATION_FAILED', {
      instance: `/api/v1/me/recovery-groups/${tree.id}/restore`,
      detail: 'At most 3 items can be restored per hour; restore fewer at a time',
      limit: 3,
      requested: 4,
    });
    await restore([a!, b!]).expect(202);
    await small.services.settled();
    small.clock.advance(10 * 60_000);
    // the third unit of the hour goes to a dumpster restore ...
    const gone = small.deliver(aMessage());
    await small.services.live.write((tx) => tx.emit({ t: 'item.delete', ids: [gone], deletedMs: tx.now }));
    await small.api.post(`/me/dumpster/${gone}/restore`, small.tokens.alice).expect(200);
    // ... so the budget is spent for both ways in
    const refused = await restore([c!]);
    assert.equal(refused.headers['retry-after'], String(50 * 60));
    expectProblem(refused, 'RATE_LIMITED', {
      instance: `/api/v1/me/recovery-groups/${tree.id}/restore`,
      detail: 'At most 3 items can be restored per hour; try again in 3000 s',
      retryAfterSeconds: 3000,
      limit: 3,
    });
    const denied = small.services.live.sql
      .prepare(
        "SELECT outcome, code FROM audit_log WHERE action = 'restoreMyRecoveryItems' AND request_id = ?",
      )
      .get(refused.headers['x-request-id']);
    assert.deepEqual({ ...(denied as object) }, { outcome: 'denied', code: 'RATE_LIMITED' });
    // nothing of the refused request was merged
    const merges = small.services.live.sql.prepare('SELECT COUNT(*) AS n FROM merge_jobs').get() as {
      n: number;
    };
    assert.equal(merges.n, 1);
    // the help desk is not held to it
    await small.api
      .post('/merges', small.tokens.helpdesk)
      .send({ rsg: tree.id, target: ALICE, selection: { mailbox: ALICE, itemIds: [c!, d!] } })
      .expect(202);
    small.clock.advance(50 * 60_000 + 1);
    await restore([c!]).expect(202);
  });
});

describe('POST /merges by a user', () => {
  const plan = (selection: object, target = ALICE, rsg = open.id) => ({
    rsg,
    target,
    selection,
    dryRun: true,
  });

  it('→ 200 a dry run of my own mailbox, into my own mailbox, from a self-service group', async () => {
    const res = await fx.api
      .post('/merges', fx.tokens.alice)
      .send(plan({ mailbox: ALICE, folder: 'sent_items' }))
      .expect(200);
    assert.equal(res.body.report.counts.selected, 4);
    assert.equal(res.body.report.target, ALICE);
  });

  it('→ 404 MAILBOX_NOT_FOUND into another mailbox', async () => {
    const res = await fx.api.post('/merges', fx.tokens.alice).send(plan({ mailbox: ALICE }, BOB));
    expectProblem(res, 'MAILBOX_NOT_FOUND', {
      instance: '/api/v1/merges',
      detail: `No mailbox '${BOB}'`,
      mailbox: BOB,
    });
  });

  it('→ 403 FORBIDDEN from another mailbox of the group', async () => {
    const res = await fx.api.post('/merges', fx.tokens.alice).send(plan({ mailbox: BOB }));
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/merges',
      detail: 'A user may merge only from their own mailbox (selection.mailbox)',
      role: 'user',
    });
  });

  it("→ 404 MESSAGE_NOT_FOUND for another mailbox's items named by id", async () => {
    const bobs = rsgItemBySubject(fx, open.id, BOB, 'failure notice').id;
    const res = await fx.api.post('/merges', fx.tokens.alice).send(plan({ mailbox: ALICE, itemIds: [bobs] }));
    expectProblem(res, 'MESSAGE_NOT_FOUND', {
      instance: '/api/v1/merges',
      detail: `No item ${bobs} in recovery group ${open.id}`,
      itemId: bobs,
    });
  });

  it('→ 403 FORBIDDEN from a group without self-service', async () => {
    const res = await fx.api.post('/merges', fx.tokens.alice).send(plan({ mailbox: ALICE }, ALICE, closed));
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/merges',
      detail: 'This recovery group is not open to self-service',
      role: 'user',
    });
  });
});
