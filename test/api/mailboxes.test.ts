import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALICE, BOB, T0, aMessage, expectProblem, makeTestApp } from '../helpers/api.js';

const MIN = 60_000;

describe('GET /mailboxes', () => {
  it('→ 200 with every mailbox and its counts, paged by cursor', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    deliver(aMessage());
    const first = await api.get('/mailboxes?limit=1', tokens.helpdesk).expect(200);
    assert.equal(first.body.mailboxes.length, 1);
    assert.equal(first.body.mailboxes[0].address, ALICE);
    assert.equal(first.body.mailboxes[0].items, 1);
    assert.equal(typeof first.body.nextCursor, 'string');
    const second = await api
      .get(`/mailboxes?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, tokens.helpdesk)
      .expect(200);
    assert.deepEqual(
      second.body.mailboxes.map((m: { address: string }) => m.address),
      [BOB],
    );
    assert.equal(second.body.nextCursor, null);
  });

  it('→ 400 VALIDATION_FAILED for a cursor of another list', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    deliver(aMessage());
    deliver(aMessage());
    const items = await api.get(`/mailboxes/${ALICE}/items?limit=1`, tokens.admin).expect(200);
    const res = await api.get(`/mailboxes?cursor=${items.body.nextCursor}`, tokens.admin);
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/mailboxes',
      detail: 'The cursor is not valid for this list',
      errors: [{ where: 'query', path: 'cursor', message: 'not a cursor of this list' }],
    });
  });
});

describe('POST /mailboxes', () => {
  it('→ 201 with Location and the new mailbox with its default folders', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api
      .post('/mailboxes', tokens.admin)
      .send({ address: 'carol@example.com', name: 'Carol', retentionDays: 30 })
      .expect(201);
    assert.equal(res.headers.location, '/api/v1/mailboxes/carol%40example.com');
    assert.deepEqual(res.body, {
      address: 'carol@example.com',
      name: 'Carol',
      retentionDays: 30,
      effectiveRetentionDays: 30,
      hold: false,
      created: new Date(T0).toISOString(),
      items: 0,
      dumpsterItems: 0,
      bytes: 0,
    });
    const folders = await api.get('/mailboxes/carol@example.com/folders', tokens.admin).expect(200);
    assert.ok(folders.body.folders.some((f: { role: string }) => f.role === 'inbox'));
  });

  it('→ 409 MAILBOX_EXISTS when the address is taken (in any case)', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.post('/mailboxes', tokens.admin).send({ address: 'ALICE@example.com' });
    expectProblem(res, 'MAILBOX_EXISTS', {
      instance: '/api/v1/mailboxes',
      detail: "A mailbox 'ALICE@example.com' already exists",
      mailbox: 'ALICE@example.com',
    });
  });

  it('→ 400 VALIDATION_FAILED listing every issue of the body', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api
      .post('/mailboxes', tokens.admin)
      .send({ address: '../etc', retentionDays: -1, colour: 'red' });
    assert.equal(res.status, 400);
    assert.deepEqual(
      res.body.errors.map((e: { where: string; path: string }) => `${e.where}:${e.path}`),
      ['body:address', 'body:retentionDays', 'body:'],
    );
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/mailboxes',
      detail: 'The request body is not valid',
      errors: res.body.errors,
    });
  });
});

describe('GET /mailboxes/{address}', () => {
  it('→ 200 with the settings and counts', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    deliver(aMessage());
    const res = await api.get(`/mailboxes/${ALICE}`, tokens.alice).expect(200);
    assert.equal(res.body.address, ALICE);
    assert.equal(res.body.items, 1);
    assert.equal(res.body.effectiveRetentionDays, 14);
    assert.equal(res.body.retentionDays, null);
  });

  it('→ 404 MAILBOX_NOT_FOUND for a user naming another mailbox, as if it did not exist', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const other = await api.get(`/mailboxes/${ALICE}`, tokens.bob);
    const none = await api.get('/mailboxes/nobody@example.com', tokens.bob);
    expectProblem(other, 'MAILBOX_NOT_FOUND', {
      instance: `/api/v1/mailboxes/${ALICE}`,
      detail: `No mailbox '${ALICE}'`,
      mailbox: ALICE,
    });
    const shape = (b: Record<string, unknown>) => Object.keys(b).sort();
    assert.deepEqual(shape(other.body), shape(none.body));
    assert.equal(none.body.detail, "No mailbox 'nobody@example.com'");
  });

  it('→ 404 MAILBOX_NOT_FOUND for an unknown address', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/mailboxes/nobody@example.com', tokens.admin);
    expectProblem(res, 'MAILBOX_NOT_FOUND', {
      instance: '/api/v1/mailboxes/nobody@example.com',
      detail: "No mailbox 'nobody@example.com'",
      mailbox: 'nobody@example.com',
    });
  });
});

describe('PUT /mailboxes/{address}/hold', () => {
  it('→ 200 and the dumpster reports no purge time while on hold', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    const id = deliver(aMessage());
    await api.delete(`/mailboxes/${ALICE}/items/${id}`, tokens.admin).expect(200);
    const res = await api.put(`/mailboxes/${ALICE}/hold`, tokens.admin).send({ hold: true }).expect(200);
    assert.equal(res.body.hold, true);
    const d = await api.get(`/mailboxes/${ALICE}/dumpster`, tokens.admin).expect(200);
    assert.equal(d.body.items[0].purgeAt, null);
    assert.equal(d.body.items[0].daysLeft, null);
  });

  it('→ 400 VALIDATION_FAILED when hold is not a boolean', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.put(`/mailboxes/${ALICE}/hold`, tokens.admin).send({ hold: 'yes' });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/mailboxes/${ALICE}/hold`,
      detail: 'The request body is not valid',
      errors: [{ where: 'body', path: 'hold', message: 'Invalid input: expected boolean, received string' }],
    });
  });
});

describe('GET /mailboxes/{address}/folders', () => {
  it('→ 200 with live, unread and byte counts per folder', async (t) => {
    const { api, tokens, deliver, services } = await makeTestApp(t);
    deliver(aMessage());
    const seen = deliver(aMessage({ subject: 'in project' }), { folder: 'Inbox/Projects' });
    services.live.writeSync((tx) => tx.emit({ t: 'item.update', id: seen, flags: '\\Seen' }));
    const res = await api.get(`/mailboxes/${ALICE}/folders`, tokens.helpdesk).expect(200);
    const byPath = new Map(res.body.folders.map((f: { path: string }) => [f.path, f]));
    assert.deepEqual(
      { ...(byPath.get('Inbox') as object), bytes: 0 },
      { path: 'Inbox', name: 'Inbox', parent: null, role: 'inbox', items: 1, unread: 1, bytes: 0 },
    );
    assert.deepEqual(
      { ...(byPath.get('Inbox/Projects') as object), bytes: 0 },
      {
        path: 'Inbox/Projects',
        name: 'Projects',
        parent: 'Inbox',
        role: null,
        items: 1,
        unread: 0,
        bytes: 0,
      },
    );
  });

  it('→ 404 MAILBOX_NOT_FOUND for an unknown mailbox', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get('/mailboxes/zed@example.com/folders', tokens.helpdesk);
    expectProblem(res, 'MAILBOX_NOT_FOUND', {
      instance: '/api/v1/mailboxes/zed@example.com/folders',
      detail: "No mailbox 'zed@example.com'",
      mailbox: 'zed@example.com',
    });
  });
});

describe('GET /mailboxes/{address}/items', () => {
  it('→ 200 newest first, every item exactly once across pages', async (t) => {
    const { api, tokens, deliver, clock } = await makeTestApp(t);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(MIN);
      ids.push(deliver(aMessage({ subject: `n${i}` })));
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const res = await api.get(`/mailboxes/${ALICE}/items?limit=2${q}`, tokens.helpdesk).expect(200);
      seen.push(...res.body.items.map((i: { id: number }) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(seen, [...ids].reverse());
  });

  it('→ 200 with only the folder and its subfolders when folder is given', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    deliver(aMessage());
    const a = deliver(aMessage(), { folder: 'Archive/2025' });
    const res = await api.get(`/mailboxes/${ALICE}/items?folder=Archive`, tokens.alice).expect(200);
    assert.deepEqual(
      res.body.items.map((i: { id: number; folder: string }) => [i.id, i.folder]),
      [[a, 'Archive/2025']],
    );
  });

  it('→ 404 FOLDER_NOT_FOUND for a folder the mailbox does not have', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get(`/mailboxes/${ALICE}/items?folder=Nowhere`, tokens.alice);
    expectProblem(res, 'FOLDER_NOT_FOUND', {
      instance: `/api/v1/mailboxes/${ALICE}/items`,
      detail: "No folder 'Nowhere' in this mailbox",
      folder: 'Nowhere',
    });
  });
});

describe('GET /mailboxes/{address}/items/{id}', () => {
  it('→ 200 with decoded headers, text, sanitised html and the attachment list', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    const id = deliver(
      aMessage({
        subject: '=?utf-8?B?UmFwcG9ydCDDqXTDqQ==?=',
        text: 'plain part',
        html: [
          '<p onclick="steal()">Hello <b>there</b></p>',
          '<script>alert(1)</script><style>p{color:red}</style>',
          '<img src="https://tracker.example/pixel.gif" alt="pixel">',
          '<img src="//tracker.example/p2.gif"><iframe src="https://evil.example/"></iframe>',
          '<a href="javascript:alert(1)">js</a> <a href="https://ok.example/">ok</a>',
          '<div style="background:url(https://tracker.example/bg)">styled</div>',
        ].join(''),
        attachments: [{ name: 'report.pdf', contentType: 'application/pdf', content: 'PDF-1.4 fake' }],
      }),
    );
    const res = await api.get(`/mailboxes/${ALICE}/items/${id}`, tokens.helpdesk).expect(200);
    assert.equal(res.body.subject, 'Rapport été');
    assert.ok(
      res.body.headers.some(
        (h: { name: string; value: string }) => h.name === 'Subject' && h.value === 'Rapport été',
      ),
    );
    assert.equal(res.body.text.trim(), 'plain part');
    assert.deepEqual(res.body.attachments, [
      { name: 'report.pdf', contentType: 'application/pdf', size: 12 },
    ]);
    const html: string = res.body.html;
    for (const bad of [
      'onclick',
      '<script',
      'alert',
      '<style',
      'color:red',
      'tracker.example',
      '<iframe',
      'evil',
      'javascript:',
      'style=',
    ]) {
      assert.ok(!html.includes(bad), `sanitised html still holds '${bad}': ${html}`);
    }
    assert.ok(html.includes('<b>there</b>'));
    assert.ok(
      html.includes(
        '<a href="https://ok.example/" rel="noopener noreferrer nofollow" target="_blank">ok</a>',
      ),
    );
    assert.ok(html.includes('<img alt="pixel" />'));
  });

  it('→ 404 MESSAGE_NOT_FOUND for an item of another mailbox', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    const bobs = deliver(aMessage(), { to: BOB });
    const res = await api.get(`/mailboxes/${ALICE}/items/${bobs}`, tokens.admin);
    expectProblem(res, 'MESSAGE_NOT_FOUND', {
      instance: `/api/v1/mailboxes/${ALICE}/items/${bobs}`,
      detail: `No item ${bobs} in this mailbox`,
      itemId: bobs,
    });
  });
});

describe('GET /mailboxes/{address}/items/{id}/raw', () => {
  it('→ 200 message/rfc822 attachment with the exact bytes', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    const bytes = ['Return-Path: <x@example.net>', aMessage({ subject: 'raw' })].join('\r\n');
    const id = deliver(bytes);
    const res = await api
      .get(`/mailboxes/${ALICE}/items/${id}/raw`, tokens.alice)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    assert.equal(res.headers['content-type'], 'message/rfc822');
    assert.equal(res.headers['content-disposition'], `attachment; filename=item-${id}.eml`);
    assert.deepEqual(res.body, Buffer.from(bytes));
  });

  it('→ 404 MESSAGE_NOT_FOUND for an unknown item', async (t) => {
    const { api, tokens } = await makeTestApp(t);
    const res = await api.get(`/mailboxes/${ALICE}/items/999/raw`, tokens.alice);
    expectProblem(res, 'MESSAGE_NOT_FOUND', {
      instance: `/api/v1/mailboxes/${ALICE}/items/999/raw`,
      detail: 'No item 999 in this mailbox',
      itemId: 999,
    });
  });
});

describe('DELETE /mailboxes/{address}/items/{id}', () => {
  it('→ 200 with the item as it sits in the dumpster, 14 days left', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    const id = deliver(aMessage({ subject: 'bye' }));
    const res = await api.delete(`/mailboxes/${ALICE}/items/${id}`, tokens.alice).expect(200);
    assert.equal(res.body.id, id);
    assert.equal(res.body.folder, 'Inbox');
    assert.equal(res.body.deleted, new Date(T0).toISOString());
    assert.equal(res.body.purgeAt, new Date(T0 + 14 * 86_400_000).toISOString());
    assert.equal(res.body.daysLeft, 14);
    const list = await api.get(`/mailboxes/${ALICE}/items`, tokens.alice).expect(200);
    assert.deepEqual(list.body.items, []);
  });

  it('→ 404 MESSAGE_NOT_FOUND when the item is already in the dumpster', async (t) => {
    const { api, tokens, deliver } = await makeTestApp(t);
    const id = deliver(aMessage());
    await api.delete(`/mailboxes/${ALICE}/items/${id}`, tokens.admin).expect(200);
    const res = await api.delete(`/mailboxes/${ALICE}/items/${id}`, tokens.admin);
    expectProblem(res, 'MESSAGE_NOT_FOUND', {
      instance: `/api/v1/mailboxes/${ALICE}/items/${id}`,
      detail: `Item ${id} is already in the dumpster`,
      itemId: id,
    });
  });
});
