import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALICE, expectProblem, makeTestApp } from '../helpers/api.js';

describe('errors as problem details', () => {
  it('→ 400 VALIDATION_FAILED for a malformed JSON body', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api
      .post('/mailboxes', tokens.admin)
      .set('Content-Type', 'application/json')
      .send('{"address": "x@example.com",');
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/mailboxes',
      detail: 'The request body is not valid JSON',
      errors: [{ where: 'body', path: '', message: 'malformed JSON' }],
    });
  });

  it('→ 400 VALIDATION_FAILED for a body that is not JSON at all', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api
      .post('/mailboxes', tokens.admin)
      .set('Content-Type', 'text/plain')
      .send('address=x');
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/mailboxes',
      detail: 'The request body is not valid',
      errors: [{ where: 'body', path: '', message: 'Invalid input: expected object, received undefined' }],
    });
  });

  it('→ 413 PAYLOAD_TOO_LARGE for a JSON body over 1 MB', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api
      .post('/mailboxes', tokens.admin)
      .send({ address: 'big@example.com', name: 'x'.repeat(1024 * 1024) });
    expectProblem(res, 'PAYLOAD_TOO_LARGE', {
      instance: '/api/v1/mailboxes',
      detail: 'The request body is larger than the limit of 1048576 bytes',
      limit: 1048576,
    });
  });

  it('→ 404 NOT_FOUND for an unknown path of the API', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/mailbox', tokens.admin);
    expectProblem(res, 'NOT_FOUND', { instance: '/api/v1/mailbox', detail: 'No such resource in this API' });
  });

  it('→ 404 NOT_FOUND outside the API', async (t) => {
    const { api } = await makeTestApp(t);
    const res = await api.get('/api/v2/health');
    expectProblem(res, 'NOT_FOUND', {
      instance: '/api/v2/health',
      detail: 'Nothing at /api/v2/health; the API is under /api/v1',
    });
  });

  it('→ 405 METHOD_NOT_ALLOWED with Allow for a known path', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.patch(`/mailboxes/${ALICE}/items/1`, tokens.admin);
    assert.equal(res.headers.allow, 'DELETE, GET, HEAD');
    expectProblem(res, 'METHOD_NOT_ALLOWED', {
      instance: `/api/v1/mailboxes/${ALICE}/items/1`,
      detail: 'PATCH is not allowed here; use DELETE, GET, HEAD',
      allow: ['DELETE', 'GET', 'HEAD'],
    });
  });

  it('→ 500 INTERNAL with only a generic detail and the request id for an unexpected error', async (t) => {
    const { api, tokens, services } = await makeTestApp(t);
    Object.assign(services.mailboxes, {
      get: () => {
        throw new TypeError('secret driver detail at /srv/salvage/live');
      },
    });
    const res = await api.get(`/mailboxes/${ALICE}`, tokens.admin);
    expectProblem(res, 'INTERNAL', {
      instance: `/api/v1/mailboxes/${ALICE}`,
      detail: 'An unexpected error occurred; the request id identifies it in the server log',
    });
    assert.ok(!JSON.stringify(res.body).includes('secret'));
  });
});
