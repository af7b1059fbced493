import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectProblem, makeTestApp } from '../helpers/api.js';

describe('GET /health', () => {
  it('→ 200 without a token', async (t) => {
    const { api } = await makeTestApp(t);
    const res = await api.get('/health').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-request-id'], 'r-1');
  });
});

describe('GET /stats', () => {
  it('→ 200 with the storage figures for the help desk', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    deliver('Subject: a\r\nMessage-ID: <a@x>\r\n\r\nsame body\r\n');
    deliver('Subject: a\r\nMessage-ID: <a@x>\r\n\r\nsame body\r\n', { to: 'bob@example.com' });
    const res = await api.get('/stats', tokens.helpdesk).expect(200);
    assert.equal(res.body.mailboxes, 2);
    assert.equal(res.body.items, 2);
    assert.equal(res.body.blobs, 1);
  });

  it('→ 403 FORBIDDEN for a user', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/stats', tokens.alice);
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/stats',
      detail: 'A user token may not getStats',
      role: 'user',
    });
  });
});
