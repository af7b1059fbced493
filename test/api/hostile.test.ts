/**
 * Hostile input: traversal ids, NUL bytes, 10 KB strings, wrong types, malformed escapes.
 * Every request is answered 400 VALIDATION_FAILED (problem+json) and nothing is touched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stats } from '../../src/store/index.js';
import { ALICE, type Method, aMessage, makeTestApp } from '../helpers/api.js';

const LONG = 'a'.repeat(10 * 1024);
const DIGITS = '1'.repeat(10 * 1024);

interface Case {
  name: string;
  method: Method;
  url: string;
  body?: unknown;
  /** The `where:path` of the issues reported. */
  issues: string[];
  /** Whose token (default: the administrator's). */
  as?: 'admin' | 'alice';
}

const M = `/mailboxes/${ALICE}`;
const CASES: Case[] = [
  {
    name: 'an encoded traversal address',
    method: 'get',
    url: '/mailboxes/..%2f..%2fetc/items',
    issues: ['params:address'],
  },
  { name: 'a dot-dot address', method: 'get', url: '/mailboxes/%2e%2e/items', issues: ['params:address'] },
  {
    name: 'a NUL in an address',
    method: 'get',
    url: '/mailboxes/alice%00@example.com',
    issues: ['params:address'],
  },
  { name: 'a 10 KB address', method: 'get', url: `/mailboxes/${LONG}/folders`, issues: ['params:address'] },
  { name: 'a traversal item id', method: 'get', url: `${M}/items/..%2f1`, issues: ['params:id'] },
  { name: 'a NUL in an item id', method: 'delete', url: `${M}/items/1%00`, issues: ['params:id'] },
  { name: 'a 10 KB item id', method: 'get', url: `${M}/items/${DIGITS}/raw`, issues: ['params:id'] },
  { name: 'a negative item id', method: 'get', url: `${M}/items/-1`, issues: ['params:id'] },
  { name: 'a hex item id', method: 'get', url: `${M}/items/0x10`, issues: ['params:id'] },
  { name: 'an exponent item id', method: 'post', url: `${M}/dumpster/1e3/restore`, issues: ['params:id'] },
  { name: 'a fractional token id', method: 'delete', url: '/tokens/1.5', issues: ['params:id'] },
  {
    name: 'a traversal in /me',
    method: 'post',
    url: '/me/dumpster/..%2f..%2f1/restore',
    issues: ['params:id'],
    as: 'alice',
  },
  { name: 'a non-numeric limit', method: 'get', url: `${M}/items?limit=abc`, issues: ['query:limit'] },
  { name: 'a limit over 500', method: 'get', url: `${M}/items?limit=501`, issues: ['query:limit'] },
  { name: 'a repeated limit', method: 'get', url: `${M}/items?limit=1&limit=2`, issues: ['query:limit'] },
  { name: 'a 10 KB cursor', method: 'get', url: `${M}/items?cursor=${LONG}`, issues: ['query:cursor'] },
  { name: 'a forged cursor', method: 'get', url: `${M}/items?cursor=c1.AAAA`, issues: ['query:cursor'] },
  { name: 'a traversal folder', method: 'get', url: `${M}/items?folder=../x`, issues: ['query:folder'] },
  { name: 'a NUL in a folder', method: 'get', url: `${M}/items?folder=In%00box`, issues: ['query:folder'] },
  { name: 'a malformed escape', method: 'get', url: '/mailboxes/%E0%A4%A/items', issues: ['params:'] },
  {
    name: 'wrong types in a body',
    method: 'post',
    url: '/mailboxes',
    body: { address: 5, hold: 'yes', retentionDays: '7' },
    issues: ['body:address', 'body:retentionDays', 'body:hold'],
  },
  { name: 'an array body', method: 'post', url: '/mailboxes', body: [ALICE], issues: ['body:'] },
  {
    name: 'a 10 KB name',
    method: 'post',
    url: '/mailboxes',
    body: { address: 'z@example.com', name: LONG },
    issues: ['body:name'],
  },
  { name: 'a string hold', method: 'put', url: `${M}/hold`, body: { hold: 'true' }, issues: ['body:hold'] },
  {
    name: 'string purge ids',
    method: 'post',
    url: `${M}/dumpster/purge`,
    body: { ids: ['1', 1.5] },
    issues: ['body:ids.0', 'body:ids.1'],
  },
  { name: 'an unknown role', method: 'post', url: '/tokens', body: { role: 'root' }, issues: ['body:role'] },
  {
    name: 'a token name with a NUL',
    method: 'post',
    url: '/tokens',
    body: { role: 'admin', name: 'a\u0000b' },
    issues: ['body:name'],
  },
];

describe('hostile input', () => {
  it('→ 400 VALIDATION_FAILED for every case, and nothing changes', async (t) => {
    const { api, tokens, deliver, services } = await makeTestApp(t);
    const id = deliver(aMessage());
    await api.delete(`${M}/items/${id}`, tokens.admin).expect(200);
    const before = stats(services.live);
    const tokensBefore = services.auth.list().length;
    const wrong: string[] = [];
    for (const c of CASES) {
      let req = api.request(c.method, c.url, tokens[c.as ?? 'admin']);
      if (c.body !== undefined) {
        req = req.send(c.body as object);
      }
      const res = await req;
      const issues = (res.body.errors ?? []).map(
        (e: { where: string; path: string }) => `${e.where}:${e.path}`,
      );
      const got = { status: res.status, code: res.body.code, issues, requestId: res.body.requestId };
      const want = {
        status: 400,
        code: 'VALIDATION_FAILED',
        issues: c.issues,
        requestId: res.headers['x-request-id'],
      };
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        wrong.push(`${c.name}: ${JSON.stringify(got)}`);
      }
    }
    assert.deepEqual(wrong, []);
    const after = stats(services.live);
    assert.deepEqual({ ...after, appliedLsn: 0 }, { ...before, appliedLsn: 0 });
    assert.equal(services.auth.list().length, tokensBefore);
    const items = await api.get(`${M}/dumpster`, tokens.admin).expect(200);
    assert.deepEqual(
      items.body.items.map((i: { id: number }) => i.id),
      [id],
    );
  });

  it('answers a user’s hostile mailbox address with 400, before any scope check', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/mailboxes/..%2f..%2fetc/items', tokens.bob).expect(400);
    assert.equal(res.body.code, 'VALIDATION_FAILED');
  });
});
