import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALICE, T0, expectProblem, makeTestApp } from '../helpers/api.js';

describe('POST /tokens', () => {
  it('→ 201 with the secret once; the token works at once', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api
      .post('/tokens', tokens.admin)
      .send({ role: 'user', mailbox: 'ALICE@example.com', name: 'alice laptop' })
      .expect(201);
    assert.equal(res.headers.location, `/api/v1/tokens/${res.body.id}`);
    assert.match(res.body.token, /^slv_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(
      { ...res.body, token: '' },
      {
        id: 5,
        name: 'alice laptop',
        role: 'user',
        mailbox: ALICE,
        created: new Date(T0).toISOString(),
        createdBy: 'test-admin',
        revoked: null,
        token: '',
      },
    );
    const me = await api.get('/me', res.body.token).expect(200);
    assert.equal(me.body.mailbox.address, ALICE);
  });

  it('→ 400 VALIDATION_FAILED for a user token without a mailbox', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.post('/tokens', tokens.admin).send({ role: 'user' });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/tokens',
      detail: 'A user token must be bound to a mailbox',
      errors: [{ where: 'body', path: 'mailbox', message: 'required for role user' }],
    });
  });

  it('→ 400 VALIDATION_FAILED for a help desk token bound to a mailbox', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.post('/tokens', tokens.admin).send({ role: 'helpdesk', mailbox: ALICE });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/tokens',
      detail: 'A helpdesk token is not bound to a mailbox',
      errors: [{ where: 'body', path: 'mailbox', message: 'only for role user' }],
    });
  });

  it('→ 404 MAILBOX_NOT_FOUND for a user token of an unknown mailbox', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.post('/tokens', tokens.admin).send({ role: 'user', mailbox: 'nobody@example.com' });
    expectProblem(res, 'MAILBOX_NOT_FOUND', {
      instance: '/api/v1/tokens',
      detail: "No mailbox 'nobody@example.com'",
      mailbox: 'nobody@example.com',
    });
  });

  it('→ 403 FORBIDDEN for the help desk', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.post('/tokens', tokens.helpdesk).send({ role: 'admin' });
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/tokens',
      detail: 'A helpdesk token may not createToken',
      role: 'helpdesk',
    });
  });
});

describe('GET /tokens', () => {
  it('→ 200 listing every token without secrets or hashes', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/tokens', tokens.admin).expect(200);
    assert.deepEqual(
      res.body.tokens.map((x: { id: number; role: string; mailbox: string | null }) => [
        x.id,
        x.role,
        x.mailbox,
      ]),
      [
        [4, 'user', 'bob@example.com'],
        [3, 'user', ALICE],
        [2, 'helpdesk', null],
        [1, 'admin', null],
      ],
    );
    assert.ok(!JSON.stringify(res.body).includes('slv_'));
  });

  it('→ 403 FORBIDDEN for a user', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/tokens', tokens.alice);
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/tokens',
      detail: 'A user token may not listTokens',
      role: 'user',
    });
  });
});

describe('DELETE /tokens/{id}', () => {
  it('→ 200 and the revoked token answers 401 from then on', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    await api.get('/me', tokens.alice).expect(200);
    const res = await api.delete('/tokens/3', tokens.admin).expect(200);
    assert.equal(res.body.revoked, new Date(T0).toISOString());
    const after = await api.get('/me', tokens.alice);
    assert.equal(after.headers['www-authenticate'], 'Bearer realm="salvage", error="invalid_token"');
    expectProblem(after, 'UNAUTHORIZED', {
      instance: '/api/v1/me',
      detail: 'The bearer token is not valid (unknown, revoked or malformed)',
    });
  });

  it('→ 404 TOKEN_NOT_FOUND for an unknown id', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.delete('/tokens/77', tokens.admin);
    expectProblem(res, 'TOKEN_NOT_FOUND', {
      instance: '/api/v1/tokens/77',
      detail: 'No token 77',
      tokenId: 77,
    });
  });
});

describe('bearer authentication', () => {
  for (const [what, header] of [
    ['an unknown token', `Bearer slv_${'A'.repeat(43)}`],
    ['a malformed token', 'Bearer not-a-token'],
    ['another scheme', 'Basic YWRtaW46YWRtaW4='],
    ['an empty bearer', 'Bearer '],
  ] as const) {
    it(`→ 401 UNAUTHORIZED for ${what}`, async (t) => {
      const { api } = await makeTestApp(t);
      const res = await api.get('/mailboxes').set('Authorization', header);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="salvage", error="invalid_token"');
      expectProblem(res, 'UNAUTHORIZED', {
        instance: '/api/v1/mailboxes',
        detail: 'The bearer token is not valid (unknown, revoked or malformed)',
      });
    });
  }

  it('accepts the scheme in any case', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    await api.get('/me').set('Authorization', `bearer ${tokens.admin}`).expect(200);
  });
});
