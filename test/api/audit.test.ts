import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALICE, BOB, T0, type TestApp, aMessage, expectProblem, makeTestApp } from '../helpers/api.js';

interface Entry {
  id: number;
  time: string;
  actor: { tokenId: number | null; name: string; role: string | null };
  action: string;
  target: string;
  outcome: string;
  code: string | null;
  requestId: string | null;
  detail: Record<string, unknown> | null;
}

async function auditOf(fx: TestApp, query = ''): Promise<Entry[]> {
  const res = await fx.api.get(`/audit?limit=500${query}`, fx.tokens.admin).expect(200);
  return res.body.entries as Entry[];
}

/** The entry a request left (found by its X-Request-Id), without its id and time. */
function entryOf(entries: Entry[], requestId: string): Omit<Entry, 'id' | 'time'> | undefined {
  const e = entries.find((x) => x.requestId === requestId);
  if (!e) {
    return undefined;
  }
  const { id: _id, time: _time, ...rest } = e;
  return rest;
}

describe('the audit log', () => {
  it('records every privileged read, change and denial with who, what, target, outcome and request id', async (t) => {
    const fx = await makeTestApp(t);
    const { api, tokens } = fx;
    const id = fx.deliver(aMessage());
    const rid = (res: { headers: Record<string, string> }) => res.headers['x-request-id']!;
    const read = rid(await api.get(`/mailboxes/${ALICE}/items/${id}`, tokens.helpdesk).expect(200));
    const raw = rid(await api.get(`/mailboxes/${ALICE}/items/${id}/raw`, tokens.admin).expect(200));
    const del = rid(await api.delete(`/mailboxes/${ALICE}/items/${id}`, tokens.alice).expect(200));
    const restore = rid(await api.post(`/me/dumpster/${id}/restore`, tokens.alice).expect(200));
    const hold = rid(
      await api.put(`/mailboxes/${ALICE}/hold`, tokens.admin).send({ hold: true }).expect(200),
    );
    const purge = rid(await api.post(`/mailboxes/${ALICE}/dumpster/purge`, tokens.admin).expect(200));
    const token = rid(
      await api.post('/tokens', tokens.admin).send({ role: 'helpdesk', name: 'hd2' }).expect(201),
    );
    const none = rid(await api.get(`/mailboxes/${ALICE}/items`).expect(401));
    const bad = rid(
      await api
        .get('/audit')
        .set('Authorization', `Bearer slv_${'x'.repeat(43)}`)
        .expect(401),
    );
    const scope = rid(await api.get(`/mailboxes/${ALICE}/items/${id}`, tokens.bob).expect(404));
    const role = rid(
      await api.put(`/mailboxes/${ALICE}/hold`, tokens.helpdesk).send({ hold: false }).expect(403),
    );
    const failed = rid(
      await api.post(`/mailboxes/${ALICE}/dumpster/999/restore`, tokens.helpdesk).expect(404),
    );
    const entries = await auditOf(fx);

    const helpdesk = { tokenId: 2, name: 'test-helpdesk', role: 'helpdesk' };
    const admin = { tokenId: 1, name: 'test-admin', role: 'admin' };
    const alice = { tokenId: 3, name: `user:${ALICE}`, role: 'user' };
    const bob = { tokenId: 4, name: `user:${BOB}`, role: 'user' };
    const anonymous = { tokenId: null, name: 'anonymous', role: null };
    const ok = (
      actor: object,
      action: string,
      target: string,
      requestId: string,
      detail: object | null = null,
    ) => ({
      actor,
      action,
      target,
      outcome: 'ok',
      code: null,
      requestId,
      detail,
    });
    assert.deepEqual(
      entryOf(entries, read),
      ok(helpdesk, 'getItem', `/mailboxes/${ALICE}/items/${id}`, read),
    );
    assert.deepEqual(entryOf(entries, raw), ok(admin, 'getItemRaw', `/mailboxes/${ALICE}/items/${id}`, raw));
    assert.deepEqual(entryOf(entries, del), ok(alice, 'deleteItem', `/mailboxes/${ALICE}/items/${id}`, del));
    assert.deepEqual(
      entryOf(entries, restore),
      ok(alice, 'restoreDumpsterItem', `/mailboxes/${ALICE}/dumpster/${id}`, restore, { folder: 'Inbox' }),
    );
    assert.deepEqual(
      entryOf(entries, hold),
      ok(admin, 'setHold', `/mailboxes/${ALICE}/hold`, hold, { hold: true }),
    );
    assert.deepEqual(
      entryOf(entries, purge),
      ok(admin, 'purgeDumpster', `/mailboxes/${ALICE}/dumpster`, purge, { purged: 0, onHold: true }),
    );
    assert.deepEqual(
      entryOf(entries, token),
      ok(admin, 'createToken', '/tokens/5', token, { role: 'helpdesk', mailbox: null, name: 'hd2' }),
    );
    const denied = (
      actor: object,
      action: string,
      target: string,
      code: string,
      requestId: string,
      detail: object,
    ) => ({
      actor,
      action,
      target,
      outcome: 'denied',
      code,
      requestId,
      detail,
    });
    assert.deepEqual(
      entryOf(entries, none),
      denied(anonymous, 'listItems', `/mailboxes/${ALICE}/items`, 'UNAUTHORIZED', none, {
        reason: 'missing',
      }),
    );
    const badEntry = entryOf(entries, bad);
    assert.deepEqual(badEntry, {
      ...denied(anonymous, 'listAudit', '/audit', 'UNAUTHORIZED', bad, {}),
      detail: { reason: 'invalid', fingerprint: badEntry?.detail?.fingerprint },
    });
    assert.match(String(badEntry?.detail?.fingerprint), /^[0-9a-f]{12}$/);
    assert.deepEqual(
      entryOf(entries, scope),
      denied(bob, 'getItem', `/mailboxes/${ALICE}/items/${id}`, 'MAILBOX_NOT_FOUND', scope, {
        reason: 'scope',
      }),
    );
    assert.deepEqual(
      entryOf(entries, role),
      denied(helpdesk, 'setHold', `/mailboxes/${ALICE}/hold`, 'FORBIDDEN', role, { reason: 'role' }),
    );
    assert.deepEqual(entryOf(entries, failed), {
      ...ok(helpdesk, 'restoreDumpsterItem', `/mailboxes/${ALICE}/dumpster/999`, failed),
      outcome: 'failed',
      code: 'MESSAGE_NOT_FOUND',
    });
    assert.ok(entries.every((e) => e.time === new Date(T0).toISOString()));
  });

  it('does not record a user reading their own mail', async (t) => {
    const fx = await makeTestApp(t);
    const id = fx.deliver(aMessage());
    const res = await fx.api.get(`/mailboxes/${ALICE}/items/${id}`, fx.tokens.alice).expect(200);
    const entries = await auditOf(fx);
    assert.equal(entryOf(entries, res.headers['x-request-id']!), undefined);
  });

  it('records a rate-limited self-restore as denied', async (t) => {
    const fx = await makeTestApp(t, { config: { selfRestorePerHour: 1 } });
    const a = fx.deliver(aMessage());
    const b = fx.deliver(aMessage());
    await fx.services.live.write((tx) => tx.emit({ t: 'item.delete', ids: [a, b], deletedMs: tx.now }));
    await fx.api.post(`/me/dumpster/${a}/restore`, fx.tokens.alice).expect(200);
    const res = await fx.api.post(`/me/dumpster/${b}/restore`, fx.tokens.alice).expect(429);
    const e = entryOf(await auditOf(fx), res.headers['x-request-id']!);
    assert.equal(e?.outcome, 'denied');
    assert.equal(e?.code, 'RATE_LIMITED');
  });
});

describe('GET /audit', () => {
  it('→ 200 filtered by actor, action, target prefix, outcome and time, paged newest first', async (t) => {
    const fx = await makeTestApp(t);
    const { api, tokens, clock } = fx;
    const id = fx.deliver(aMessage());
    await api.get(`/mailboxes/${ALICE}/items/${id}`, tokens.helpdesk).expect(200);
    clock.advance(3_600_000);
    await api.get(`/mailboxes/${ALICE}/items/${id}/raw`, tokens.helpdesk).expect(200);
    await api.get(`/mailboxes/${BOB}/items`, tokens.alice).expect(404);
    const by = async (q: string) => (await auditOf(fx, q)).map((e) => `${e.action}:${e.outcome}`);
    assert.deepEqual(await by('&actor=test-helpdesk'), ['getItemRaw:ok', 'getItem:ok']);
    assert.deepEqual(await by('&actor=2&action=getItem'), ['getItem:ok']);
    assert.deepEqual(await by(`&target=/mailboxes/${BOB}`), ['listItems:denied']);
    assert.deepEqual(await by('&outcome=denied'), ['listItems:denied']);
    const at = new Date(clock.now()).toISOString();
    assert.deepEqual(await by(`&since=${encodeURIComponent(at)}`), ['listItems:denied', 'getItemRaw:ok']);
    assert.deepEqual(await by(`&until=${encodeURIComponent(at)}&actor=test-helpdesk`), ['getItem:ok']);

    const all = (await auditOf(fx)).map((e) => e.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const res = await api.get(`/audit?limit=2${q}`, tokens.admin).expect(200);
      seen.push(...res.body.entries.map((e: Entry) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(seen, all);
    assert.deepEqual(
      all,
      [...all].sort((a, b) => b - a),
    );
  });

  it('→ 400 VALIDATION_FAILED listing every bad filter', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/audit?since=yesterday&outcome=maybe&limit=0', tokens.admin);
    assert.deepEqual(
      res.body.errors.map((e: { path: string }) => e.path),
      ['limit', 'outcome', 'since'],
    );
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/audit',
      detail: 'The request query string is not valid',
      errors: res.body.errors,
    });
  });

  it('→ 403 FORBIDDEN for the help desk', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/audit', tokens.helpdesk);
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/audit',
      detail: 'A helpdesk token may not listAudit',
      role: 'helpdesk',
    });
  });
});
