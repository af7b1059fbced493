import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALICE, type TestApp, aMessage, expectProblem, makeTestApp } from '../helpers/api.js';

const MIN = 60_000;

/** Deliver n messages to alice and delete them: their ids, in the dumpster. */
async function dumpsterItems(fx: TestApp, n: number): Promise<number[]> {
  const ids = Array.from({ length: n }, () => fx.deliver(aMessage()));
  await fx.services.live.write((tx) => tx.emit({ t: 'item.delete', ids, deletedMs: tx.now }));
  return ids;
}

describe('GET /me', () => {
  it('→ 200 with a user’s own mailbox', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/me', tokens.alice).expect(200);
    assert.equal(res.body.role, 'user');
    assert.equal(res.body.name, `user:${ALICE}`);
    assert.equal(res.body.mailbox.address, ALICE);
    assert.equal(res.body.mailbox.effectiveRetentionDays, 14);
  });

  it('→ 200 with no mailbox for the help desk', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/me', tokens.helpdesk).expect(200);
    assert.deepEqual(res.body, { tokenId: 2, name: 'test-helpdesk', role: 'helpdesk', mailbox: null });
  });

  it('→ 401 UNAUTHORIZED without a token', async (t) => {
    const { api } = await makeTestApp(t);
    const res = await api.get('/me');
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="salvage"');
    expectProblem(res, 'UNAUTHORIZED', {
      instance: '/api/v1/me',
      detail: 'This request needs a bearer token (Authorization: Bearer slv_…)',
    });
  });
});

describe('GET /me/dumpster', () => {
  it('→ 200 with only the caller’s own deleted items', async (t) => {
    const fx = await makeTestApp(t);
    const [mine] = await dumpsterItems(fx, 1);
    const theirs = fx.deliver(aMessage(), { to: 'bob@example.com' });
    await fx.api.delete(`/mailboxes/bob@example.com/items/${theirs}`, fx.tokens.bob).expect(200);
    const res = await fx.api.get('/me/dumpster', fx.tokens.alice).expect(200);
    assert.deepEqual(
      res.body.items.map((i: { id: number; daysLeft: number }) => [i.id, i.daysLeft]),
      [[mine, 14]],
    );
  });

  it('→ 403 FORBIDDEN for a token that is not bound to a mailbox', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/me/dumpster', tokens.helpdesk);
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/me/dumpster',
      detail: 'A helpdesk token may not listMyDumpster',
      role: 'helpdesk',
    });
  });
});

describe('POST /me/dumpster/{id}/restore', () => {
  it('→ 200 restoring the caller’s own item', async (t) => {
    const fx = await makeTestApp(t);
    const [id] = await dumpsterItems(fx, 1);
    const res = await fx.api.post(`/me/dumpster/${id}/restore`, fx.tokens.alice).expect(200);
    assert.deepEqual(res.body, { id, folder: 'Inbox' });
  });

  it('→ 404 MESSAGE_NOT_FOUND for an item of another user', async (t) => {
    const fx = await makeTestApp(t);
    const [id] = await dumpsterItems(fx, 1);
    const res = await fx.api.post(`/me/dumpster/${id}/restore`, fx.tokens.bob);
    expectProblem(res, 'MESSAGE_NOT_FOUND', {
      instance: `/api/v1/me/dumpster/${id}/restore`,
      detail: `No item ${id} in this mailbox`,
      itemId: id,
    });
  });

  it('→ 429 RATE_LIMITED with Retry-After past selfRestorePerHour, until the hour has passed', async (t) => {
    const fx = await makeTestApp(t, { config: { selfRestorePerHour: 2 } });
    const ids = await dumpsterItems(fx, 5);
    await fx.api.post(`/me/dumpster/${ids[0]}/restore`, fx.tokens.alice).expect(200);
    fx.clock.advance(10 * MIN);
    // the other way in counts too: a user restoring through their mailbox's dumpster
    await fx.api.post(`/mailboxes/${ALICE}/dumpster/${ids[1]}/restore`, fx.tokens.alice).expect(200);
    fx.clock.advance(20 * MIN);
    const res = await fx.api.post(`/me/dumpster/${ids[2]}/restore`, fx.tokens.alice);
    assert.equal(res.headers['retry-after'], String(30 * 60));
    expectProblem(res, 'RATE_LIMITED', {
      instance: `/api/v1/me/dumpster/${ids[2]}/restore`,
      detail: 'At most 2 items can be restored per hour; try again in 1800 s',
      retryAfterSeconds: 1800,
      limit: 2,
    });
    // the help desk is not held to the end user's limit
    await fx.api.post(`/mailboxes/${ALICE}/dumpster/${ids[3]}/restore`, fx.tokens.helpdesk).expect(200);
    fx.clock.advance(30 * MIN + 1);
    await fx.api.post(`/me/dumpster/${ids[2]}/restore`, fx.tokens.alice).expect(200);
  });

  it('does not count a failed restore against the limit', async (t) => {
    const fx = await makeTestApp(t, { config: { selfRestorePerHour: 1 } });
    const [id] = await dumpsterItems(fx, 1);
    await fx.api.post('/me/dumpster/9999/restore', fx.tokens.alice).expect(404);
    await fx.api.post(`/me/dumpster/${id}/restore`, fx.tokens.alice).expect(200);
  });
});
