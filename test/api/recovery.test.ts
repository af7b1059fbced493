/**
 * /recovery-groups: mount (202 + progress), list, browse, preview, raw bytes, attachments,
 * unmount and search (the query language and the live status of hits) — over the fixture tree
 * (test/helpers/recovery.ts) mounted once for the whole file: a mount builds a search index.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Response } from 'supertest';
import { ALICE, BOB, T0, type TestApp, expectProblem, makeTestApp } from '../helpers/api.js';
import {
  TREE,
  TREE_ARRIVAL_MS,
  copyTree,
  emptyTree,
  rsgItemBySubject,
  rsgItems,
  treeFile,
} from '../helpers/recovery.js';

const LABEL = 'Nightly 2002-01-02';
const ARRIVED = new Date(TREE_ARRIVAL_MS).toISOString();

let fx: TestApp;
/** The answer to mounting the tree, and to a GET right after it. */
let mounting: Response;
let during: Response;
let rsg: string;
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  fx = await makeTestApp({ after: (fn: () => Promise<void>) => cleanups.push(fn) });
  copyTree(fx.home);
  mounting = await fx.api
    .post('/recovery-groups', fx.tokens.helpdesk)
    .send({ source: 'eml-tree', path: TREE, label: LABEL });
  during = await fx.api.get(`/recovery-groups/${mounting.body.id}`, fx.tokens.helpdesk);
  await fx.services.settled();
  rsg = mounting.body.id;
});
after(() => Promise.all(cleanups.map((f) => f())));

const EMPTY_COUNTS = { mailboxes: 0, folders: 0, items: 0, dumpsterItems: 0, bytes: 0 };

const CURSOR_REFUSED =
  'not a cursor of this query, mailbox and order (pass the nextCursor of the same search)';
describe('POST /recovery-groups', () => {
  it('→ 202 mounting, with its progress and Location; GET shows it mounted with counts once done', async () => {
    assert.equal(mounting.status, 202);
    assert.match(mounting.body.id, /^[a-z0-9]{4,32}$/);
    assert.equal(mounting.headers.location, `/api/v1/recovery-groups/${rsg}`);
    const begun = {
      id: rsg,
      label: LABEL,
      source: { kind: 'eml-tree', path: path.join(fx.home, TREE) },
      state: 'mounting',
      selfService: false,
      createdMs: T0,
      databaseDir: 'db',
      counts: EMPTY_COUNTS,
      report: { problems: [], problemCount: 0 },
      items: 0,
    };
    assert.deepEqual(mounting.body, {
      ...begun,
      progress: { phase: 'converting', items: 0, bytes: 0, itemsPerSecond: 0 },
    });
    // polled while it runs, the group says where it stands
    if (during.body.state === 'mounting') {
      assert.ok(['converting', 'indexing', 'sealing', 'done'].includes(during.body.progress.phase));
    }
    const res = await fx.api.get(`/recovery-groups/${rsg}`, fx.tokens.helpdesk).expect(200);
    assert.equal(typeof res.body.report.ms, 'number');
    assert.deepEqual(res.body, {
      ...begun,
      state: 'mounted',
      mountedMs: T0,
      counts: { mailboxes: 2, folders: 7, items: 41, dumpsterItems: 0, bytes: 156_708 },
      report: { problems: [], problemCount: 0, indexed: 41, indexFailed: 0, ms: res.body.report.ms },
      items: 41,
    });
  });

  it('→ 202, then failed with the reason, for a source that is not what it claims to be', async () => {
    fs.writeFileSync(path.join(fx.home, 'sources', 'notes.pst'), 'not a PST at all\n');
    const res = await fx.api
      .post('/recovery-groups', fx.tokens.admin)
      .send({ source: 'pst', path: 'sources/notes.pst' })
      .expect(202);
    await fx.services.settled();
    const got = await fx.api.get(`/recovery-groups/${res.body.id}`, fx.tokens.admin).expect(200);
    assert.equal(got.body.state, 'failed');
    assert.equal(got.body.error.code, 'SOURCE_CORRUPT');
    assert.match(got.body.error.message, /not a PST file/);
    assert.equal(got.body.progress, undefined);
    const browse = await fx.api.get(`/recovery-groups/${res.body.id}/mailboxes`, fx.tokens.admin);
    expectProblem(browse, 'RSG_NOT_MOUNTED', {
      instance: `/api/v1/recovery-groups/${res.body.id}/mailboxes`,
      detail: `Recovery group ${res.body.id} is failed`,
      rsg: res.body.id,
      state: 'failed',
    });
  });

  const outside = {
    detail: 'The source path must be inside the Salvage home',
    errors: [{ where: 'body', path: 'path', message: 'must stay inside the Salvage home' }],
  };

  it('→ 400 VALIDATION_FAILED for a source path that climbs out of the home', async () => {
    const res = await fx.api
      .post('/recovery-groups', fx.tokens.admin)
      .send({ source: 'eml-tree', path: `../${path.basename(fx.home)}-x/tree` });
    expectProblem(res, 'VALIDATION_FAILED', { instance: '/api/v1/recovery-groups', ...outside });
  });

  it('→ 400 VALIDATION_FAILED for an absolute source path elsewhere', async () => {
    const res = await fx.api
      .post('/recovery-groups', fx.tokens.admin)
      .send({ source: 'eml-tree', path: path.dirname(fx.home) });
    expectProblem(res, 'VALIDATION_FAILED', { instance: '/api/v1/recovery-groups', ...outside });
  });

  it('→ 400 VALIDATION_FAILED for an unknown source kind, an unknown field and a bad mailbox', async () => {
    const res = await fx.api
      .post('/recovery-groups', fx.tokens.admin)
      .send({ source: 'floppy', path: TREE, mailbox: '../alice', owner: 'x' });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/recovery-groups',
      detail: 'The request body is not valid',
      errors: [
        {
          where: 'body',
          path: 'source',
          message: 'Invalid option: expected one of "backup"|"database"|"maildir"|"eml-tree"|"mbox"|"pst"',
        },
        {
          where: 'body',
          path: 'mailbox',
          message: 'a mailbox name without / or \\',
        },
        { where: 'body', path: '', message: 'Unrecognized key: "owner"' },
      ],
    });
  });

  it('→ 400 VALIDATION_FAILED for `until` on a source that is not a backup', async () => {
    const res = await fx.api
      .post('/recovery-groups', fx.tokens.admin)
      .send({ source: 'eml-tree', path: TREE, until: '2002-01-01T00:00:00Z' });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/recovery-groups',
      detail: '--until applies to a backup source only',
    });
  });

  it('→ 404 SOURCE_NOT_FOUND for a path inside the home that does not exist', async () => {
    const res = await fx.api
      .post('/recovery-groups', fx.tokens.admin)
      .send({ source: 'maildir', path: 'sources/nothing' });
    const where = path.join(fx.home, 'sources', 'nothing');
    expectProblem(res, 'SOURCE_NOT_FOUND', {
      instance: '/api/v1/recovery-groups',
      detail: `The source ${where} does not exist`,
      path: where,
    });
  });

  it('→ 403 FORBIDDEN for a user', async () => {
    const res = await fx.api
      .post('/recovery-groups', fx.tokens.alice)
      .send({ source: 'eml-tree', path: TREE });
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/recovery-groups',
      detail: 'A user token may not mountRecoveryGroup',
      role: 'user',
    });
  });
});

describe('GET /recovery-groups', () => {
  it('→ 200 every group, newest first, with its state', async () => {
    const res = await fx.api.get('/recovery-groups', fx.tokens.helpdesk).expect(200);
    const mine = res.body.recoveryGroups.find((r: { id: string }) => r.id === rsg);
    assert.equal(mine.state, 'mounted');
    assert.equal(mine.items, 41);
  });

  it('→ 401 UNAUTHORIZED without a token', async () => {
    const res = await fx.api.get('/recovery-groups');
    expectProblem(res, 'UNAUTHORIZED', {
      instance: '/api/v1/recovery-groups',
      detail: 'This request needs a bearer token (Authorization: Bearer slv_…)',
    });
  });
});

describe('GET /recovery-groups/{id}', () => {
  it('→ 404 RSG_NOT_FOUND for an id no group has', async () => {
    const res = await fx.api.get('/recovery-groups/abcd1234', fx.tokens.helpdesk);
    expectProblem(res, 'RSG_NOT_FOUND', {
      instance: '/api/v1/recovery-groups/abcd1234',
      detail: "No recovery group 'abcd1234'",
      rsg: 'abcd1234',
    });
  });

  for (const hostile of [
    '..',
    '%2e%2e%2f%2e%2e%2flive',
    'ABCD1234',
    'abc',
    `${'a'.repeat(33)}`,
    'abcd%00',
    '..%5Crsg',
  ]) {
    it(`→ 400 VALIDATION_FAILED for the id '${hostile}'`, async () => {
      const res = await fx.api.get(`/recovery-groups/${hostile}`, fx.tokens.helpdesk);
      expectProblem(res, 'VALIDATION_FAILED', {
        instance: `/api/v1/recovery-groups/${hostile}`,
        detail: 'The request path is not valid',
        errors: [{ where: 'params', path: 'id', message: 'a recovery group id' }],
      });
    });
  }
});

describe('DELETE /recovery-groups/{id}', () => {
  it('→ 200 the group as it was; what the mount made is gone, the source stays', async () => {
    const source = emptyTree(fx.home, 'empty-unmount');
    const made = await fx.api
      .post('/recovery-groups', fx.tokens.admin)
      .send({ source: 'eml-tree', path: source })
      .expect(202);
    await fx.services.settled();
    const res = await fx.api.delete(`/recovery-groups/${made.body.id}`, fx.tokens.helpdesk).expect(200);
    assert.equal(res.body.id, made.body.id);
    assert.equal(res.body.state, 'mounted');
    assert.equal(fs.existsSync(path.join(fx.home, 'rsg', made.body.id)), false);
    assert.equal(fs.existsSync(path.join(fx.home, source)), true);
    const gone = await fx.api.get(`/recovery-groups/${made.body.id}`, fx.tokens.helpdesk);
    assert.equal(gone.status, 404);
  });

  it('→ 404 RSG_NOT_FOUND for an id no group has', async () => {
    const res = await fx.api.delete('/recovery-groups/ffff0000', fx.tokens.admin);
    expectProblem(res, 'RSG_NOT_FOUND', {
      instance: '/api/v1/recovery-groups/ffff0000',
      detail: "No recovery group 'ffff0000'",
      rsg: 'ffff0000',
    });
  });
});

describe('GET /recovery-groups/{id}/mailboxes', () => {
  it('→ 200 every mailbox of the group with its counts', async () => {
    const res = await fx.api.get(`/recovery-groups/${rsg}/mailboxes`, fx.tokens.helpdesk).expect(200);
    assert.deepEqual(res.body, {
      mailboxes: [
        { address: ALICE, name: '', items: 35, dumpsterItems: 0, bytes: 72_646 },
        { address: BOB, name: '', items: 6, dumpsterItems: 0, bytes: 84_062 },
      ],
    });
  });

  it('→ 404 RSG_NOT_FOUND for an unknown group', async () => {
    const res = await fx.api.get('/recovery-groups/0000aaaa/mailboxes', fx.tokens.helpdesk);
    expectProblem(res, 'RSG_NOT_FOUND', {
      instance: '/api/v1/recovery-groups/0000aaaa/mailboxes',
      detail: "No recovery group '0000aaaa'",
      rsg: '0000aaaa',
    });
  });
});

describe('GET /recovery-groups/{id}/mailboxes/{address}/folders', () => {
  it('→ 200 the folders with their roles, counts and bytes', async () => {
    const res = await fx.api.get(`/recovery-groups/${rsg}/mailboxes/${ALICE}/folders`, fx.tokens.helpdesk);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      folders: [
        { path: 'contacts', name: 'contacts', role: null, items: 2, bytes: 992 },
        { path: 'deleted_items', name: 'deleted_items', role: 'deleted', items: 17, bytes: 19_699 },
        { path: 'inbox', name: 'inbox', role: 'inbox', items: 12, bytes: 46_646 },
        { path: 'sent_items', name: 'sent_items', role: 'sent', items: 4, bytes: 5309 },
      ],
    });
  });

  it('→ 404 MAILBOX_NOT_FOUND for a mailbox the group does not have', async () => {
    const res = await fx.api.get(
      `/recovery-groups/${rsg}/mailboxes/ghost@example.com/folders`,
      fx.tokens.admin,
    );
    expectProblem(res, 'MAILBOX_NOT_FOUND', {
      instance: `/api/v1/recovery-groups/${rsg}/mailboxes/ghost@example.com/folders`,
      detail: "No mailbox 'ghost@example.com'",
      mailbox: 'ghost@example.com',
    });
  });

  it('→ 200 for a mailbox named as a dump names it (spaces, parentheses)', async () => {
    const res = await fx.api
      .post('/recovery-groups', fx.tokens.admin)
      .send({ source: 'eml-tree', path: `${TREE}/${ALICE}`, mailbox: 'Old PC (Alice)', label: 'old pc' })
      .expect(202);
    await fx.services.settled();
    const folders = await fx.api
      .get(
        `/recovery-groups/${res.body.id}/mailboxes/${encodeURIComponent('Old PC (Alice)')}/folders`,
        fx.tokens.helpdesk,
      )
      .expect(200);
    assert.deepEqual(
      folders.body.folders.map((f: { path: string }) => f.path),
      ['contacts', 'deleted_items', 'inbox', 'sent_items'],
    );
    await fx.api.delete(`/recovery-groups/${res.body.id}`, fx.tokens.admin).expect(200);
  });

  it('→ 400 VALIDATION_FAILED for a malformed address', async () => {
    const res = await fx.api.get(`/recovery-groups/${rsg}/mailboxes/..%2Fbob/folders`, fx.tokens.admin);
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/recovery-groups/${rsg}/mailboxes/..%2Fbob/folders`,
      detail: 'The request path is not valid',
      errors: [{ where: 'params', path: 'address', message: 'a mailbox name without / or \\' }],
    });
  });
});

describe('GET /recovery-groups/{id}/mailboxes/{address}/items', () => {
  it('→ 200 the items of a folder, newest arrival first, paged with a cursor', async () => {
    const url = `/recovery-groups/${rsg}/mailboxes/${BOB}/items?folder=lf&limit=1`;
    const first = await fx.api.get(url, fx.tokens.helpdesk).expect(200);
    assert.equal(first.body.items.length, 1);
    assert.equal(typeof first.body.nextCursor, 'string');
    const next = await fx.api
      .get(`${url}&cursor=${encodeURIComponent(first.body.nextCursor)}`, fx.tokens.helpdesk)
      .expect(200);
    assert.equal(next.body.nextCursor, null);
    const items = [...first.body.items, ...next.body.items];
    const exchange = rsgItemBySubject(fx, rsg, BOB, 'Undeliverable: Mieko...Last minute escape?');
    const postfix = items.find((i: { id: number }) => i.id !== exchange.id);
    // same arrival: the higher id first
    assert.deepEqual(
      items.map((i: { id: number }) => i.id),
      [Math.max(exchange.id, postfix.id), Math.min(exchange.id, postfix.id)],
    );
    assert.deepEqual(
      items.find((i: { id: number }) => i.id === exchange.id),
      {
        id: exchange.id,
        folder: 'lf',
        messageId: '30fe02df-1863-4f99-b615-0dc480e8023d@mlc-exchange1.mlcsyd.school',
        subject: 'Undeliverable: Mieko...Last minute escape?',
        from: exchange.from,
        to: exchange.to,
        cc: '',
        date: new Date(exchange.dateMs!).toISOString(),
        received: ARRIVED,
        size: 73_478,
        sha256: exchange.sha256,
        flags: [],
        deleted: null,
      },
    );
  });

  it('→ 400 VALIDATION_FAILED for a cursor of another list', async () => {
    const res = await fx.api.get(
      `/recovery-groups/${rsg}/mailboxes/${BOB}/items?cursor=zzz`,
      fx.tokens.admin,
    );
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/recovery-groups/${rsg}/mailboxes/${BOB}/items`,
      detail: 'The cursor is not valid for this list',
      errors: [{ where: 'query', path: 'cursor', message: 'not a cursor of this list' }],
    });
  });
});

describe('GET /recovery-groups/{id}/items/{itemId}', () => {
  it('→ 200 the item with its mailbox, headers, text and attachment list', async () => {
    const it0 = rsgItemBySubject(fx, rsg, BOB, 'Undeliverable: Mieko...Last minute escape?');
    const res = await fx.api.get(`/recovery-groups/${rsg}/items/${it0.id}`, fx.tokens.helpdesk).expect(200);
    assert.equal(res.body.mailbox, BOB);
    assert.equal(res.body.folder, 'lf');
    assert.deepEqual(res.body.attachments, [{ name: null, contentType: 'message/rfc822', size: 60_545 }]);
    assert.ok(res.body.headers.some((h: { name: string; value: string }) => h.name === 'Subject'));
    assert.match(res.body.text, /Delivery has failed/);
  });

  it('→ 404 MESSAGE_NOT_FOUND for an item the group does not have', async () => {
    const res = await fx.api.get(`/recovery-groups/${rsg}/items/9999`, fx.tokens.helpdesk);
    expectProblem(res, 'MESSAGE_NOT_FOUND', {
      instance: `/api/v1/recovery-groups/${rsg}/items/9999`,
      detail: `No item 9999 in recovery group ${rsg}`,
      itemId: 9999,
    });
  });

  for (const hostile of ['0', '1e3', '-1', '0x10', '9007199254740993', '1%2F..']) {
    it(`→ 400 VALIDATION_FAILED for the item id '${hostile}'`, async () => {
      const res = await fx.api.get(`/recovery-groups/${rsg}/items/${hostile}`, fx.tokens.helpdesk);
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
      assert.deepEqual(
        res.body.errors.map((e: { where: string; path: string }) => [e.where, e.path]),
        [['params', 'itemId']],
      );
    });
  }
});

describe('GET /recovery-groups/{id}/items/{itemId}/raw', () => {
  it('→ 200 the exact bytes of the source file', async () => {
    const it0 = rsgItemBySubject(fx, rsg, ALICE, 'East Power Meeting');
    const res = await fx.api
      .get(`/recovery-groups/${rsg}/items/${it0.id}/raw`, fx.tokens.helpdesk)
      .buffer(true)
      .parse(binary)
      .expect(200);
    assert.equal(res.headers['content-type'], 'message/rfc822');
    assert.equal(res.headers['content-disposition'], `attachment; filename=item-${it0.id}.eml`);
    assert.deepEqual(Buffer.from(res.body as Buffer), treeFile(fx.home, `${ALICE}/inbox/8.`));
  });

  it('→ 404 MESSAGE_NOT_FOUND for an item the group does not have', async () => {
    const res = await fx.api.get(`/recovery-groups/${rsg}/items/4242/raw`, fx.tokens.helpdesk);
    expectProblem(res, 'MESSAGE_NOT_FOUND', {
      instance: `/api/v1/recovery-groups/${rsg}/items/4242/raw`,
      detail: `No item 4242 in recovery group ${rsg}`,
      itemId: 4242,
    });
  });
});

describe('GET /recovery-groups/{id}/items/{itemId}/attachments/{n}', () => {
  it('→ 200 the attachment, decoded, with its own type', async () => {
    const it0 = rsgItemBySubject(fx, rsg, BOB, 'Undeliverable: Mieko...Last minute escape?');
    const res = await fx.api
      .get(`/recovery-groups/${rsg}/items/${it0.id}/attachments/0`, fx.tokens.admin)
      .buffer(true)
      .parse(binary)
      .expect(200);
    assert.equal(res.headers['content-type'], 'message/rfc822');
    assert.equal(res.headers['content-disposition'], 'attachment; filename=attachment-0');
    const bytes = res.body as Buffer;
    assert.equal(bytes.length, 60_545);
    assert.match(bytes.toString('latin1'), /^Received: /);
  });

  it('→ 404 NOT_FOUND for an attachment the item does not have', async () => {
    const it0 = rsgItemBySubject(fx, rsg, BOB, 'Undeliverable: Mieko...Last minute escape?');
    const res = await fx.api.get(`/recovery-groups/${rsg}/items/${it0.id}/attachments/1`, fx.tokens.admin);
    expectProblem(res, 'NOT_FOUND', {
      instance: `/api/v1/recovery-groups/${rsg}/items/${it0.id}/attachments/1`,
      detail: `Item ${it0.id} has no attachment 1`,
      itemId: it0.id,
      attachment: 1,
    });
  });
});

describe('GET /recovery-groups/{id}/search', () => {
  /** The subjects of every hit, newest first. */
  const subjects = async (q: string, extra = ''): Promise<string[]> => {
    const res = await fx.api
      .get(
        `/recovery-groups/${rsg}/search?q=${encodeURIComponent(q)}&sort=date&limit=100${extra}`,
        fx.tokens.helpdesk,
      )
      .expect(200);
    assert.equal(res.body.total, res.body.hits.length);
    const hits = res.body.hits as { folder: string; subject: string }[];
    return hits.map((h) => `${h.folder}: ${h.subject}`);
  };

  it('→ 200 hits with a snippet and the live status of each: present, in the dumpster, purged, missing', async () => {
    const present = fx.deliver(treeFile(fx.home, `${ALICE}/inbox/8.`), { folder: 'Inbox' });
    const deleted = fx.deliver(treeFile(fx.home, `${ALICE}/inbox/10.`), { folder: 'Inbox' });
    const purged = fx.deliver(treeFile(fx.home, `${ALICE}/inbox/9.`), { folder: 'Inbox' });
    await fx.api.delete(`/mailboxes/${ALICE}/items/${deleted}`, fx.tokens.admin).expect(200);
    await fx.api.delete(`/mailboxes/${ALICE}/items/${purged}`, fx.tokens.admin).expect(200);
    await fx.api
      .post(`/mailboxes/${ALICE}/dumpster/purge`, fx.tokens.admin)
      .send({ ids: [purged] })
      .expect(200);
    const q = encodeURIComponent('subject:"east power meeting" OR subject:"termination update"');
    const res = await fx.api
      .get(`/recovery-groups/${rsg}/search?q=${q}&sort=date`, fx.tokens.helpdesk)
      .expect(200);
    assert.equal(res.body.total, 4);
    assert.equal(res.body.nextCursor, undefined);
    const bySubject = Object.fromEntries(
      res.body.hits.map((h: { subject: string; live: unknown }) => [h.subject, h.live]),
    );
    assert.deepEqual(bySubject, {
      'East Power Meeting': { status: 'present', mailbox: ALICE, folder: 'Inbox', itemId: present },
      'RE: East Power Meeting': {
        status: 'in-dumpster',
        mailbox: ALICE,
        folder: 'Inbox',
        itemId: deleted,
        daysLeft: 14,
      },
      'Termination update': { status: 'purged', mailbox: ALICE, purgedAt: new Date(T0).toISOString() },
      'FW: East Power Meeting': { status: 'missing', mailbox: ALICE },
    });
    const fw = res.body.hits.find((h: { subject: string }) => h.subject === 'FW: East Power Meeting');
    const source = rsgItemBySubject(fx, rsg, ALICE, 'FW: East Power Meeting');
    assert.deepEqual(fw, {
      itemId: source.id,
      messageId: '7393007.1075855414586.JavaMail.evans@thyme',
      mailbox: ALICE,
      folder: 'inbox',
      date: '2001-12-31T20:40:00.000Z',
      from: source.from,
      subject: 'FW: East Power Meeting',
      size: 4431,
      hasAttachment: false,
      snippet: fw.snippet,
      live: { status: 'missing', mailbox: ALICE },
    });
    assert.match(fw.snippet, /^FW: «East Power Meeting»/);
  });

  it('free words match their word forms; a quoted phrase only its exact words', async () => {
    assert.equal((await subjects('terminate')).length, 23);
    assert.deepEqual(await subjects('"terminate"'), ['inbox: West Power Counterparty Update:  12/31/01']);
  });

  it('subject words match as written; a trailing * matches their beginnings', async () => {
    assert.deepEqual(await subjects('subject:terminations'), [
      'deleted_items: Terminations',
      'deleted_items: Updated terminations',
    ]);
    assert.equal((await subjects('subject:termin*')).length, 9);
  });

  it('property restrictions: sender address, folder, mailbox, attachment flag and size', async () => {
    assert.deepEqual(await subjects('from:angie.collins@enron.com'), ['inbox: FW: East Power Meeting']);
    assert.deepEqual(await subjects('(ameren OR wabash) folder:sent_items'), ['sent_items: FW: Ameren']);
    // the cr/ copies have bare-CR line ends: parsed as the lf/ ones are
    assert.deepEqual(await subjects('hasattachment:true'), [
      'lf: Undeliverable: Mieko...Last minute escape?',
      'lf: Undelivered Mail Returned to Sender',
      'crlf: Undelivered Mail Returned to Sender',
      'cr: Undelivered Mail Returned to Sender',
    ]);
    assert.deepEqual(await subjects('hasattachment:false mailbox:bob'), [
      'cr: failure notice',
      'crlf: Mail delivery failed: returning message to sender',
    ]);
    assert.deepEqual(await subjects('size>10KB'), [
      'lf: Undeliverable: Mieko...Last minute escape?',
      'inbox: Final Name Change Report - December 2001',
      'inbox: Preliminary Name Change Report-December 2001',
    ]);
    assert.deepEqual(await subjects('size:1KB..1100B'), [
      'deleted_items: RE: Ameren',
      'sent_items: Return of LC',
    ]);
  });

  it('dates: a day, a range with both ends whole, a comparison', async () => {
    assert.deepEqual(await subjects('sent:2001-12-31'), [
      'inbox: West Power Counterparty Update:  12/31/01',
      'inbox: FW: East Power Meeting',
    ]);
    assert.deepEqual(await subjects('sent:2001-12-28..2001-12-31 NOT folder:inbox'), []);
    assert.equal((await subjects('sent:2001-12-28..2001-12-31')).length, 6);
    assert.equal((await subjects('date:2013')).length, 4);
    assert.equal((await subjects('sent>=2001-12-30 mailbox:alice')).length, 3);
  });

  it('AND is implied, OR and NOT combine, the mailbox parameter narrows', async () => {
    assert.deepEqual(await subjects('ameren NOT folder:deleted_items'), [
      'inbox: FW: East Power Meeting',
      'inbox: RE: East Power Meeting',
      'inbox: East Power Meeting',
      'sent_items: FW: Ameren',
    ]);
    assert.deepEqual(await subjects('meeting -subject:re -subject:fw'), ['inbox: East Power Meeting']);
    assert.deepEqual(await subjects('undelivered', `&mailbox=${BOB}`), [
      'lf: Undelivered Mail Returned to Sender',
      'crlf: Undelivered Mail Returned to Sender',
      'cr: Undelivered Mail Returned to Sender',
    ]);
  });

  it('→ 200 paged by relevance with a cursor', async () => {
    const url = `/recovery-groups/${rsg}/search?q=meeting&limit=2`;
    const first = await fx.api.get(url, fx.tokens.helpdesk).expect(200);
    assert.equal(first.body.total, 3);
    assert.equal(first.body.hits.length, 2);
    const next = await fx.api
      .get(`${url}&cursor=${encodeURIComponent(first.body.nextCursor)}`, fx.tokens.helpdesk)
      .expect(200);
    assert.equal(next.body.hits.length, 1);
    assert.equal(next.body.nextCursor, undefined);
    const ids = [...first.body.hits, ...next.body.hits].map((h: { itemId: number }) => h.itemId);
    assert.equal(new Set(ids).size, 3);
  });

  it('→ 400 QUERY_INVALID with the position of what is wrong', async () => {
    const cases: [string, number, string][] = [
      ['subject:(budget', 8, 'unclosed parenthesis (at position 8)'],
      ['from:alice AND', 11, 'AND needs a term after it (at position 11)'],
      ['colour:red', 0, "unknown property 'colour' (quote the word to search it as text) (at position 0)"],
      ['size>12XB', 7, "unknown size unit 'XB' (use B, KB, MB or GB) (at position 7)"],
      ['"east power', 0, 'unclosed quote (at position 0)'],
    ];
    for (const [q, position, detail] of cases) {
      const res = await fx.api.get(
        `/recovery-groups/${rsg}/search?q=${encodeURIComponent(q)}`,
        fx.tokens.helpdesk,
      );
      expectProblem(res, 'QUERY_INVALID', {
        instance: `/api/v1/recovery-groups/${rsg}/search`,
        detail,
        position,
        query: q,
      });
    }
  });

  it('→ 400 QUERY_INVALID for a date that does not exist', async () => {
    const q = 'sent>=2001-02-30';
    const res = await fx.api.get(
      `/recovery-groups/${rsg}/search?q=${encodeURIComponent(q)}`,
      fx.tokens.helpdesk,
    );
    expectProblem(res, 'QUERY_INVALID', {
      instance: `/api/v1/recovery-groups/${rsg}/search`,
      detail:
        "bad date '2001-02-30' (use YYYY, YYYY-MM, YYYY-MM-DD, an ISO time, today, yesterday, thisweek, lastweek, thismonth, lastmonth, thisyear, lastyear or lastNdays) (at position 6)",
      position: 6,
      query: q,
    });
  });

  it('→ 400 VALIDATION_FAILED for a relevance cursor asked for date order', async () => {
    const first = await fx.api
      .get(`/recovery-groups/${rsg}/search?q=meeting&limit=1`, fx.tokens.helpdesk)
      .expect(200);
    const res = await fx.api.get(
      `/recovery-groups/${rsg}/search?q=meeting&limit=1&sort=date&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      fx.tokens.helpdesk,
    );
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/recovery-groups/${rsg}/search`,
      detail: 'invalid cursor for this query',
      errors: [{ where: 'query', path: 'cursor', message: CURSOR_REFUSED }],
    });
  });

  it('→ 400 VALIDATION_FAILED for the cursor of another query', async () => {
    const first = await fx.api
      .get(`/recovery-groups/${rsg}/search?q=meeting&limit=1`, fx.tokens.helpdesk)
      .expect(200);
    const res = await fx.api.get(
      `/recovery-groups/${rsg}/search?q=budget&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      fx.tokens.helpdesk,
    );
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/recovery-groups/${rsg}/search`,
      detail: 'invalid cursor for this query',
      errors: [{ where: 'query', path: 'cursor', message: CURSOR_REFUSED }],
    });
  });

  it('→ 400 VALIDATION_FAILED without a query', async () => {
    const res = await fx.api.get(`/recovery-groups/${rsg}/search?sort=size`, fx.tokens.helpdesk);
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/recovery-groups/${rsg}/search`,
      detail: 'The request query string is not valid',
      errors: [
        { where: 'query', path: 'q', message: 'Invalid input: expected string, received undefined' },
        { where: 'query', path: 'sort', message: 'Invalid option: expected one of "relevance"|"date"' },
      ],
    });
  });

  it('→ 404 MAILBOX_NOT_FOUND for a mailbox the group does not have', async () => {
    const res = await fx.api.get(
      `/recovery-groups/${rsg}/search?q=x&mailbox=ghost@example.com`,
      fx.tokens.admin,
    );
    expectProblem(res, 'MAILBOX_NOT_FOUND', {
      instance: `/api/v1/recovery-groups/${rsg}/search`,
      detail: "No mailbox 'ghost@example.com' in this database",
      mailbox: 'ghost@example.com',
    });
  });

  it('is audited with the query and the number of hits', async () => {
    const res = await fx.api.get(`/recovery-groups/${rsg}/search?q=ameren`, fx.tokens.helpdesk).expect(200);
    const entry = fx.services.live.sql
      .prepare('SELECT action, outcome, detail FROM audit_log WHERE request_id = ?')
      .get(res.headers['x-request-id']) as { action: string; outcome: string; detail: string };
    assert.deepEqual(
      { ...entry, detail: JSON.parse(entry.detail) },
      { action: 'searchRecoveryGroup', outcome: 'ok', detail: { q: 'ameren', mailbox: null, total: 7 } },
    );
  });
});

/** supertest parser that keeps any body as bytes. */
function binary(res: Response, cb: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
}

// the item summaries of the whole group: what the tests above rely on
describe('the fixture tree', () => {
  it('holds 35 items of alice and 6 of bob, all arrived at the same time', () => {
    assert.equal(rsgItems(fx, rsg, ALICE).length, 35);
    assert.equal(rsgItems(fx, rsg, BOB).length, 6);
    assert.ok(
      [...rsgItems(fx, rsg, ALICE), ...rsgItems(fx, rsg, BOB)].every((i) => i.internalMs === TREE_ARRIVAL_MS),
    );
  });
});
