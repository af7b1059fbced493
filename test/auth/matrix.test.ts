/**
 * The authorisation matrix: every route of the app × every kind of caller → the expected
 * status, from ONE table. The test fails when the app has a route the table does not list (or
 * the other way round), and checks that each refusal left a `denied` audit entry.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listRoutes } from '../../routes/index.js';
import { CLI_ACTOR } from '../../src/audit/index.js';
import { deliver } from '../../src/store/index.js';
import { validateJob } from '../../src/jobs/index.js';
import { ALICE, BOB, type Method, type TestApp, aMessage, makeTestApp } from '../helpers/api.js';
import { CONSOLE, aMergeRequest, emptyTree, mountTree, rsgItemBySubject } from '../helpers/recovery.js';

const CALLERS = ['none', 'bad', 'alice', 'bob', 'helpdesk', 'admin'] as const;
type Caller = (typeof CALLERS)[number];

/** Resources each cell may consume, so that no cell depends on another one's effect. */
interface Pools {
  live(): number;
  dumped(): number;
  spareToken(): number;
  uniqueAddress(): string;
  /** A mounted recovery group nothing else uses (to unmount). */
  spareRsg(): string;
  /** A finished merge into alice's mailbox nothing else uses (to apply or undo). */
  merge(): number;
  /** Shared, only read: the fixture tree mounted with self-service on, and what it holds. */
  rsg: RsgFixture;
}

interface RsgFixture {
  id: string;
  /** An item of alice's mailbox in the group. */
  aliceItem: number;
  /** An item of bob's mailbox with an attachment. */
  withAttachment: number;
  /** A merge into alice's mailbox. */
  aliceMerge: number;
  /** A bulk job. */
  job: number;
}

interface Row {
  /** As registered in Express: `GET /mailboxes/:address`. */
  route: string;
  /** Statuses for: none, bad token, user alice, user bob, helpdesk, admin. */
  expect: [number, number, number, number, number, number];
  /** The request of one cell (fresh resources from the pools). */
  req(p: Pools): { url: string; body?: object };
}

const A = `/mailboxes/${ALICE}`;

const TABLE: Row[] = [
  { route: 'GET /health', expect: [200, 200, 200, 200, 200, 200], req: () => ({ url: '/health' }) },
  { route: 'GET /stats', expect: [401, 401, 403, 403, 200, 200], req: () => ({ url: '/stats' }) },
  { route: 'GET /mailboxes', expect: [401, 401, 403, 403, 200, 200], req: () => ({ url: '/mailboxes' }) },
  {
    route: 'POST /mailboxes',
    expect: [401, 401, 403, 403, 403, 201],
    req: (p) => ({ url: '/mailboxes', body: { address: p.uniqueAddress() } }),
  },
  { route: 'GET /mailboxes/:address', expect: [401, 401, 200, 404, 200, 200], req: () => ({ url: A }) },
  {
    route: 'PUT /mailboxes/:address/hold',
    expect: [401, 401, 403, 404, 403, 200],
    req: () => ({ url: `${A}/hold`, body: { hold: false } }),
  },
  {
    route: 'GET /mailboxes/:address/folders',
    expect: [401, 401, 200, 404, 200, 200],
    req: () => ({ url: `${A}/folders` }),
  },
  {
    route: 'GET /mailboxes/:address/items',
    expect: [401, 401, 200, 404, 200, 200],
    req: () => ({ url: `${A}/items` }),
  },
  {
    route: 'GET /mailboxes/:address/items/:id',
    expect: [401, 401, 200, 404, 200, 200],
    req: (p) => ({ url: `${A}/items/${p.live()}` }),
  },
  {
    route: 'DELETE /mailboxes/:address/items/:id',
    expect: [401, 401, 200, 404, 403, 200],
    req: (p) => ({ url: `${A}/items/${p.live()}` }),
  },
  {
    route: 'GET /mailboxes/:address/items/:id/raw',
    expect: [401, 401, 200, 404, 200, 200],
    req: (p) => ({ url: `${A}/items/${p.live()}/raw` }),
  },
  {
    route: 'GET /mailboxes/:address/dumpster',
    expect: [401, 401, 200, 404, 200, 200],
    req: () => ({ url: `${A}/dumpster` }),
  },
  {
    route: 'POST /mailboxes/:address/dumpster/:id/restore',
    expect: [401, 401, 200, 404, 200, 200],
    req: (p) => ({ url: `${A}/dumpster/${p.dumped()}/restore` }),
  },
  {
    route: 'POST /mailboxes/:address/dumpster/purge',
    expect: [401, 401, 403, 404, 403, 200],
    req: () => ({ url: `${A}/dumpster/purge` }),
  },
  { route: 'GET /me', expect: [401, 401, 200, 200, 200, 200], req: () => ({ url: '/me' }) },
  { route: 'GET /me/dumpster', expect: [401, 401, 200, 200, 403, 403], req: () => ({ url: '/me/dumpster' }) },
  {
    // alice's dumpster items: bob's own dumpster does not have them
    route: 'POST /me/dumpster/:id/restore',
    expect: [401, 401, 200, 404, 403, 403],
    req: (p) => ({ url: `/me/dumpster/${p.dumped()}/restore` }),
  },
  {
    route: 'POST /tokens',
    expect: [401, 401, 403, 403, 403, 201],
    req: () => ({ url: '/tokens', body: { role: 'helpdesk' } }),
  },
  { route: 'GET /tokens', expect: [401, 401, 403, 403, 403, 200], req: () => ({ url: '/tokens' }) },
  {
    route: 'DELETE /tokens/:id',
    expect: [401, 401, 403, 403, 403, 200],
    req: (p) => ({ url: `/tokens/${p.spareToken()}` }),
  },
  { route: 'GET /audit', expect: [401, 401, 403, 403, 403, 200], req: () => ({ url: '/audit' }) },
  // recovery groups: staff only
  {
    route: 'GET /recovery-groups',
    expect: [401, 401, 403, 403, 200, 200],
    req: () => ({ url: '/recovery-groups' }),
  },
  {
    route: 'POST /recovery-groups',
    expect: [401, 401, 403, 403, 202, 202],
    req: () => ({ url: '/recovery-groups', body: { source: 'eml-tree', path: 'sources/empty' } }),
  },
  {
    route: 'GET /recovery-groups/:id',
    expect: [401, 401, 403, 403, 200, 200],
    req: (p) => ({ url: `/recovery-groups/${p.rsg.id}` }),
  },
  {
    route: 'DELETE /recovery-groups/:id',
    expect: [401, 401, 403, 403, 200, 200],
    req: (p) => ({ url: `/recovery-groups/${p.spareRsg()}` }),
  },
  {
    route: 'GET /recovery-groups/:id/mailboxes',
    expect: [401, 401, 403, 403, 200, 200],
    req: (p) => ({ url: `/recovery-groups/${p.rsg.id}/mailboxes` }),
  },
  {
    // a user naming their own mailbox in a group is still not staff
    route: 'GET /recovery-groups/:id/mailboxes/:address/folders',
    expect: [401, 401, 403, 403, 200, 200],
    req: (p) => ({ url: `/recovery-groups/${p.rsg.id}/mailboxes/${ALICE}/folders` }),
  },
  {
    route: 'GET /recovery-groups/:id/mailboxes/:address/items',
    expect: [401, 401, 403, 403, 200, 200],
    req: (p) => ({ url: `/recovery-groups/${p.rsg.id}/mailboxes/${ALICE}/items` }),
  },
  {
    route: 'GET /recovery-groups/:id/items/:itemId',
    expect: [401, 401, 403, 403, 200, 200],
    req: (p) => ({ url: `/recovery-groups/${p.rsg.id}/items/${p.rsg.aliceItem}` }),
  },
  {
    route: 'GET /recovery-groups/:id/items/:itemId/raw',
    expect: [401, 401, 403, 403, 200, 200],
    req: (p) => ({ url: `/recovery-groups/${p.rsg.id}/items/${p.rsg.aliceItem}/raw` }),
  },
  {
    route: 'GET /recovery-groups/:id/items/:itemId/attachments/:n',
    expect: [401, 401, 403, 403, 200, 200],
    req: (p) => ({ url: `/recovery-groups/${p.rsg.id}/items/${p.rsg.withAttachment}/attachments/0` }),
  },
  {
    route: 'GET /recovery-groups/:id/search',
    expect: [401, 401, 403, 403, 200, 200],
    req: (p) => ({ url: `/recovery-groups/${p.rsg.id}/search?q=meeting` }),
  },
  {
    route: 'GET /recovery-groups/:id/export',
    expect: [401, 401, 403, 403, 200, 200],
    req: (p) => ({ url: `/recovery-groups/${p.rsg.id}/export?mailbox=${ALICE}&folder=inbox&format=mbox` }),
  },
  {
    // no SMTP relay is configured: staff pass the guard and get the 400 that says so
    route: 'POST /recovery-groups/:id/send',
    expect: [401, 401, 403, 403, 400, 400],
    req: (p) => ({
      url: `/recovery-groups/${p.rsg.id}/send`,
      body: { itemIds: [p.rsg.aliceItem], to: 'someone@example.net' },
    }),
  },
  // merges: any token plans; a user only into their own mailbox (bob aims at alice's)
  {
    route: 'POST /merges',
    expect: [401, 401, 200, 404, 200, 200],
    req: (p) => ({
      url: '/merges',
      body: { rsg: p.rsg.id, target: ALICE, selection: { mailbox: ALICE, folder: 'inbox' }, dryRun: true },
    }),
  },
  {
    route: 'GET /merges/:id',
    expect: [401, 401, 200, 404, 200, 200],
    req: (p) => ({ url: `/merges/${p.rsg.aliceMerge}` }),
  },
  {
    route: 'POST /merges/:id/apply',
    expect: [401, 401, 403, 403, 202, 202],
    req: (p) => ({ url: `/merges/${p.merge()}/apply` }),
  },
  {
    route: 'POST /merges/:id/undo',
    expect: [401, 401, 403, 403, 200, 200],
    req: (p) => ({ url: `/merges/${p.merge()}/undo` }),
  },
  // bulk jobs: administrators
  {
    route: 'POST /jobs',
    expect: [401, 401, 403, 403, 403, 202],
    req: (p) => ({
      url: '/jobs',
      body: { document: { source: { rsg: p.rsg.id }, mailboxes: [{ from: BOB, to: BOB }] } },
    }),
  },
  {
    route: 'GET /jobs/:id',
    expect: [401, 401, 403, 403, 403, 200],
    req: (p) => ({ url: `/jobs/${p.rsg.job}` }),
  },
  // self-service recovery: users, in groups that hold their mailbox (bob's is in the tree too)
  {
    route: 'GET /me/recovery-groups',
    expect: [401, 401, 200, 200, 403, 403],
    req: () => ({ url: '/me/recovery-groups' }),
  },
  {
    route: 'GET /me/recovery-groups/:id/items',
    expect: [401, 401, 200, 200, 403, 403],
    req: (p) => ({ url: `/me/recovery-groups/${p.rsg.id}/items` }),
  },
  {
    // one of alice's items: bob may not restore it into his mailbox
    route: 'POST /me/recovery-groups/:id/restore',
    expect: [401, 401, 202, 404, 403, 403],
    req: (p) => ({ url: `/me/recovery-groups/${p.rsg.id}/restore`, body: { itemIds: [p.rsg.aliceItem] } }),
  },
];

describe('authorisation matrix', () => {
  let fx: TestApp;
  let pools: Pools;

  before(async () => {
    // one app for the whole matrix: cells take fresh resources from pools instead
    fx = await makeTestApp({ after: (fn: () => Promise<void>) => cleanups.push(fn) });
    const n = CALLERS.length * TABLE.length;
    const all = deliver(
      fx.services.live,
      Array.from({ length: 2 * n }, () => Buffer.from(aMessage())),
      { to: [ALICE] },
    ).delivered.map((d) => d.ids[0]!);
    const dumped = all.slice(n);
    await fx.services.live.write((tx) => tx.emit({ t: 'item.delete', ids: dumped, deletedMs: tx.now }));
    const spare = await Promise.all(
      Array.from({ length: CALLERS.length }, (_, i) =>
        fx.services.auth.create(
          { actor: CLI_ACTOR, requestId: null },
          {
            role: 'helpdesk',
            name: `spare-${i}`,
          },
        ),
      ),
    );
    const take =
      <T>(xs: T[]) =>
      () => {
        const x = xs.shift();
        assert.ok(x !== undefined, 'pool exhausted');
        return x;
      };
    let k = 0;
    pools = {
      live: take(all.slice(0, n)),
      dumped: take(dumped),
      spareToken: take(spare.map((s) => s.token.id)),
      uniqueAddress: () => `new${++k}@example.com`,
      ...(await recoveryPools(fx, take)),
    };
  });
  const cleanups: (() => Promise<void>)[] = [];
  after(() => Promise.all(cleanups.map((f) => f())));

  it('lists every route of the app, and only those', () => {
    const routes = listRoutes(fx.app.router)
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    assert.deepEqual([...TABLE.map((r) => r.route)].sort(), routes);
  });

  for (const row of TABLE) {
    it(`${row.route} → ${row.expect.join(' ')} for ${CALLERS.join(', ')}`, async () => {
      const [method] = row.route.split(' ');
      const got: number[] = [];
      const deniedWithoutAudit: string[] = [];
      for (const caller of CALLERS) {
        const { url, body } = row.req(pools);
        const token = tokenOf(fx, caller);
        let req = fx.api.request(method!.toLowerCase() as Method, url, token);
        if (body) {
          req = req.send(body);
        }
        const res = await req;
        got.push(res.status);
        const scopeDenial = res.status === 404 && url.startsWith(A) && caller === 'bob';
        if (res.status === 401 || res.status === 403 || scopeDenial) {
          const e = fx.services.live.sql
            .prepare('SELECT outcome, code FROM audit_log WHERE request_id = ?')
            .get(res.headers['x-request-id']) as { outcome: string; code: string } | undefined;
          if (e?.outcome !== 'denied' || e.code !== res.body.code) {
            deniedWithoutAudit.push(`${caller}: ${JSON.stringify(e)}`);
          }
        }
      }
      assert.deepEqual(got, row.expect, `statuses for ${CALLERS.join(', ')}`);
      assert.deepEqual(deniedWithoutAudit, [], 'every refusal is audited as denied');
    });
  }
});

/** The recovery side of the matrix: one mounted tree, spare groups and merges, a job. */
async function recoveryPools(
  fx: TestApp,
  take: <T>(xs: T[]) => () => T,
): Promise<Pick<Pools, 'spareRsg' | 'merge' | 'rsg'>> {
  const tree = await mountTree(fx, { selfService: true });
  const empty = emptyTree(fx.home);
  const spares = await Promise.all(
    CALLERS.map(() =>
      fx.services.recovery.mount(CONSOLE, { source: 'eml-tree', path: path.join(fx.home, empty) }),
    ),
  );
  const aliceItem = rsgItemBySubject(fx, tree.id, ALICE, 'Termination update').id;
  const merge = () =>
    fx.services.merges.start(
      CONSOLE,
      aMergeRequest(tree.id, { selection: { mailbox: ALICE, itemIds: [aliceItem] } }),
    );
  const aliceMerge = (await merge()).id!;
  const merges = await Promise.all([...CALLERS, ...CALLERS].map(async () => (await merge()).id!));
  const job = await fx.services.merges.startJob(
    CONSOLE,
    validateJob({ source: { rsg: tree.id }, mailboxes: [{ from: BOB, to: BOB }] }),
    fx.home,
  );
  await fx.services.settled();
  // a delivery-status report with the bounced message attached (message/rfc822)
  const withAttachment = rsgItemBySubject(fx, tree.id, BOB, 'Undeliverable: Mieko...Last minute escape?').id;
  return {
    spareRsg: take(spares.map((s) => s.id)),
    merge: take(merges),
    rsg: { id: tree.id, aliceItem, withAttachment, aliceMerge, job: job.id },
  };
}

function tokenOf(fx: TestApp, caller: Caller): string | undefined {
  switch (caller) {
    case 'none':
      return undefined;
    case 'bad':
      return `slv_${'Z'.repeat(43)}`;
    case 'alice':
      return fx.tokens.alice;
    case 'bob':
      return fx.tokens.bob;
    case 'helpdesk':
      return fx.tokens.helpdesk;
    case 'admin':
      return fx.tokens.admin;
  }
}
