import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listTombstones } from '../../src/dumpster/index.js';
import { ALICE, T0, aMessage, expectProblem, makeTestApp } from '../helpers/api.js';

const DAY = 86_400_000;

describe('GET /mailboxes/{address}/dumpster', () => {
  it('→ 200 most recently deleted first, with purge time and days left', async (t) => {
    const { api, tokens, deliver, clock } = await makeTestApp(t);
    const a = deliver(aMessage());
    const b = deliver(aMessage());
    await api.delete(`/mailboxes/${ALICE}/items/${a}`, tokens.admin).expect(200);
    clock.advance(3 * DAY);
    await api.delete(`/mailboxes/${ALICE}/items/${b}`, tokens.admin).expect(200);
    const res = await api.get(`/mailboxes/${ALICE}/dumpster`, tokens.helpdesk).expect(200);
    assert.deepEqual(
      res.body.items.map((i: { id: number; daysLeft: number; deleted: string }) => [
        i.id,
        i.daysLeft,
        i.deleted,
      ]),
      [
        [b, 14, new Date(T0 + 3 * DAY).toISOString()],
        [a, 11, new Date(T0).toISOString()],
      ],
    );
    const page = await api.get(`/mailboxes/${ALICE}/dumpster?limit=1`, tokens.helpdesk).expect(200);
    assert.equal(page.body.items[0].id, b);
    const next = await api
      .get(
        `/mailboxes/${ALICE}/dumpster?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`,
        tokens.helpdesk,
      )
      .expect(200);
    assert.deepEqual(
      next.body.items.map((i: { id: number }) => i.id),
      [a],
    );
    assert.equal(next.body.nextCursor, null);
  });

  it('pages a dumpster with many items deleted at the same instant: each once, in order', async (t) => {
    const { api, tokens, deliver, clock, services } = await makeTestApp(t);
    const together = Array.from({ length: 7 }, () => deliver(aMessage()));
    await services.live.write((tx) => tx.emit({ t: 'item.delete', ids: together, deletedMs: tx.now }));
    clock.advance(DAY);
    const later = Array.from({ length: 3 }, () => deliver(aMessage()));
    await services.live.write((tx) => tx.emit({ t: 'item.delete', ids: later, deletedMs: tx.now }));
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await api.get(`/mailboxes/${ALICE}/dumpster?limit=3${q}`, tokens.helpdesk).expect(200);
      seen.push(...res.body.items.map((i: { id: number }) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    const byIdDesc = (xs: number[]) => [...xs].sort((x, y) => y - x);
    assert.deepEqual(seen, [...byIdDesc(later), ...byIdDesc(together)]);
  });

  it('→ 404 MAILBOX_NOT_FOUND for an unknown mailbox', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/mailboxes/ghost@example.com/dumpster', tokens.admin);
    expectProblem(res, 'MAILBOX_NOT_FOUND', {
      instance: '/api/v1/mailboxes/ghost@example.com/dumpster',
      detail: "No mailbox 'ghost@example.com'",
      mailbox: 'ghost@example.com',
    });
  });
});

describe('POST /mailboxes/{address}/dumpster/{id}/restore', () => {
  it('→ 200 and the item is back in its original folder', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    const id = deliver(aMessage(), { folder: 'Projects/Q1' });
    await api.delete(`/mailboxes/${ALICE}/items/${id}`, tokens.admin).expect(200);
    const res = await api.post(`/mailboxes/${ALICE}/dumpster/${id}/restore`, tokens.helpdesk).expect(200);
    assert.deepEqual(res.body, { id, folder: 'Projects/Q1' });
    const items = await api.get(`/mailboxes/${ALICE}/items?folder=Projects/Q1`, tokens.helpdesk).expect(200);
    assert.deepEqual(
      items.body.items.map((i: { id: number }) => i.id),
      [id],
    );
  });

  it('→ 404 MESSAGE_NOT_FOUND for a live item', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    const id = deliver(aMessage());
    const res = await api.post(`/mailboxes/${ALICE}/dumpster/${id}/restore`, tokens.helpdesk);
    expectProblem(res, 'MESSAGE_NOT_FOUND', {
      instance: `/api/v1/mailboxes/${ALICE}/dumpster/${id}/restore`,
      detail: `Item ${id} is not in the dumpster`,
      itemId: id,
    });
  });
});

describe('POST /mailboxes/{address}/dumpster/purge', () => {
  it('→ 200 purging named items now, leaving tombstones', async (t) => {
    const { api, tokens, deliver, services } = await makeTestApp(t);
    const id = deliver(aMessage({ messageId: 'gone@example.net' }));
    await api.delete(`/mailboxes/${ALICE}/items/${id}`, tokens.admin).expect(200);
    const res = await api
      .post(`/mailboxes/${ALICE}/dumpster/purge`, tokens.admin)
      .send({ ids: [id] })
      .expect(200);
    assert.equal(res.body.purged, 1);
    assert.deepEqual(res.body.onHold, []);
    assert.ok(res.body.bytesReleased > 0);
    assert.deepEqual(
      listTombstones(services.live, ALICE).map((x) => x.identity),
      ['gone@example.net'],
    );
  });

  it('→ 200 purging nothing from a mailbox on hold', async (t) => {
    const { api, tokens, deliver, clock } = await makeTestApp(t);
    const id = deliver(aMessage());
    await api.delete(`/mailboxes/${ALICE}/items/${id}`, tokens.admin).expect(200);
    await api.put(`/mailboxes/${ALICE}/hold`, tokens.admin).send({ hold: true }).expect(200);
    clock.advance(30 * DAY);
    const res = await api.post(`/mailboxes/${ALICE}/dumpster/purge`, tokens.admin).expect(200);
    assert.deepEqual(res.body, { purged: 0, onHold: [ALICE], bytesReleased: 0 });
  });

  it('→ 400 VALIDATION_FAILED for an empty ids list', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.post(`/mailboxes/${ALICE}/dumpster/purge`, tokens.admin).send({ ids: [] });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/mailboxes/${ALICE}/dumpster/purge`,
      detail: 'The request body is not valid',
      errors: [{ where: 'body', path: 'ids', message: 'Too small: expected array to have >=1 items' }],
    });
  });

  it('→ 403 FORBIDDEN for the help desk', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.post(`/mailboxes/${ALICE}/dumpster/purge`, tokens.helpdesk);
    expectProblem(res, 'FORBIDDEN', {
      instance: `/api/v1/mailboxes/${ALICE}/dumpster/purge`,
      detail: 'A helpdesk token may not purgeDumpster',
      role: 'helpdesk',
    });
  });
});

describe('the dumpster over HTTP, end to end', () => {
  it('delete → /me/dumpster with days left → restore to its folder → delete → purge past the window → tombstone', async (t) => {
    const { api, tokens, deliver, clock, services } = await makeTestApp(t);
    const id = deliver(aMessage({ subject: 'Budget 2026', messageId: 'budget@example.net' }), {
      folder: 'Finance',
    });
    await api.delete(`/mailboxes/${ALICE}/items/${id}`, tokens.alice).expect(200);
    clock.advance(2 * DAY);
    const mine = await api.get('/me/dumpster', tokens.alice).expect(200);
    assert.deepEqual(
      mine.body.items.map((i: { id: number; folder: string; daysLeft: number; subject: string }) => [
        i.id,
        i.folder,
        i.daysLeft,
        i.subject,
      ]),
      [[id, 'Finance', 12, 'Budget 2026']],
    );
    const restored = await api.post(`/me/dumpster/${id}/restore`, tokens.alice).expect(200);
    assert.deepEqual(restored.body, { id, folder: 'Finance' });
    const back = await api.get(`/mailboxes/${ALICE}/items?folder=Finance`, tokens.alice).expect(200);
    assert.deepEqual(
      back.body.items.map((i: { id: number }) => i.id),
      [id],
    );

    await api.delete(`/mailboxes/${ALICE}/items/${id}`, tokens.alice).expect(200);
    clock.advance(14 * DAY + 1);
    const purge = await api.post(`/mailboxes/${ALICE}/dumpster/purge`, tokens.admin).expect(200);
    assert.equal(purge.body.purged, 1);
    const after = await api.get('/me/dumpster', tokens.alice).expect(200);
    assert.deepEqual(after.body.items, []);
    const res = await api.get(`/mailboxes/${ALICE}/items/${id}`, tokens.alice);
    expectProblem(res, 'MESSAGE_NOT_FOUND', {
      instance: `/api/v1/mailboxes/${ALICE}/items/${id}`,
      detail: `No item ${id} in this mailbox`,
      itemId: id,
    });
    const [tomb] = listTombstones(services.live, ALICE);
    assert.equal(tomb?.identity, 'budget@example.net');
    assert.equal(tomb?.purgedMs, clock.now());
  });
});
