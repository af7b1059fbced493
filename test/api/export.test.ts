/**
 * GET /recovery-groups/{id}/export (eml, mbox, zip downloads, byte for byte) and
 * POST /recovery-groups/{id}/send (through a real SMTP server on 127.0.0.1; and without one
 * configured) — over the fixture tree (test/helpers/recovery.ts), mounted once for the file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Response } from 'supertest';
import { ALICE, BOB, type TestApp, expectProblem, makeTestApp } from '../helpers/api.js';
import { type RsgView, TREE, mountTree, rsgItemBySubject } from '../helpers/recovery.js';
import { type TestServer, smtp, startServer } from '../export/smtp-test-server.js';

let fx: TestApp;
let rsg: RsgView;
let server: TestServer;
const cleanups: (() => Promise<void>)[] = [];
const t = { after: (fn: () => Promise<void>) => cleanups.push(fn) };

before(async () => {
  server = await startServer(t as never);
  fx = await makeTestApp(t, { config: { smtp: smtp(server.port), mailFrom: 'salvage@example.test' } });
  rsg = await mountTree(fx);
});
after(async () => {
  for (const f of cleanups.reverse()) {
    await f();
  }
});

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** supertest parser that keeps any body as bytes. */
function binary(res: Response, cb: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
}

/** GET an export and keep its bytes. */
async function download(query: string): Promise<Response> {
  const res = await fx.api
    .get(`/recovery-groups/${rsg.id}/export?${query}`, fx.tokens.helpdesk)
    .buffer(true)
    .parse(binary);
  assert.equal(res.status, 200, (res.body as Buffer).toString());
  return res;
}

/** GET an export that is refused (a problem document). */
function refused(query: string): Promise<Response> {
  return fx.api.get(`/recovery-groups/${rsg.id}/export?${query}`, fx.tokens.helpdesk);
}

/** Every file of a folder of the tree, by its sha256: name → bytes. */
function treeFiles(rel: string): Map<string, { name: string; bytes: Buffer }> {
  const dir = path.join(fx.home, TREE, rel);
  const out = new Map<string, { name: string; bytes: Buffer }>();
  for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) {
      const bytes = fs.readFileSync(path.join(f.parentPath, f.name));
      out.set(sha256(bytes), { name: path.relative(dir, path.join(f.parentPath, f.name)), bytes });
    }
  }
  return out;
}

/** Unpack a zip with Python's zipfile (an independent reader); returns entry name → bytes. */
function unzip(bytes: Buffer, name: string): Map<string, Buffer> {
  const dir = fs.mkdtempSync(path.join(fx.home, `unzip-${name}-`));
  const file = path.join(dir, 'export.zip');
  fs.writeFileSync(file, bytes);
  // extracting checks every entry's CRC-32 and sizes: a damaged zip fails here
  execFileSync('python3', ['-m', 'zipfile', '-e', file, path.join(dir, 'out')]);
  const out = new Map<string, Buffer>();
  const root = path.join(dir, 'out');
  for (const f of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) {
      const full = path.join(f.parentPath, f.name);
      out.set(path.relative(root, full).split(path.sep).join('/'), fs.readFileSync(full));
    }
  }
  return out;
}

/** Read an mboxrd file back: each message without its `From ` line, `>From ` unquoted. */
function readMboxrd(bytes: Buffer): { from: string; message: Buffer }[] {
  const text = bytes.toString('latin1');
  assert.ok(text.startsWith('From ') && text.endsWith('\n\n'));
  // every entry ends with an empty line; a line that starts `From ` inside one is quoted
  return text
    .slice(0, -1)
    .split(/\n(?=From )/)
    .map((entry) => {
      const eol = entry.indexOf('\n');
      const body = entry.slice(eol + 1).replace(/^>(>*From )/gm, '$1');
      return { from: entry.slice(0, eol), message: Buffer.from(body, 'latin1') };
    });
}

/** A message as mbox gives it back: it always ends with a line end. */
const withFinalNewline = (b: Buffer): Buffer =>
  b.at(-1) === 0x0a ? b : Buffer.concat([b, Buffer.from('\n')]);

describe('GET /recovery-groups/{id}/export', () => {
  it('→ 200 format=zip: one .eml per item, byte for byte, under its folder, with a manifest', async () => {
    const res = await download(`mailbox=${ALICE}&format=zip`);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.equal(res.headers['content-disposition'], `attachment; filename="${ALICE}.zip"`);
    const entries = unzip(res.body as Buffer, 'zip');
    const manifest = entries.get('manifest.csv');
    assert.ok(manifest);
    entries.delete('manifest.csv');
    const files = treeFiles(ALICE);
    assert.equal(entries.size, 35);
    const matched = [...entries].map(([name, bytes]) => {
      const file = files.get(sha256(bytes));
      assert.ok(file, `${name} is not a byte-exact copy of a source file`);
      assert.equal(name.split('/')[0], path.dirname(file.name), `${name} in its folder`);
      return file.name;
    });
    assert.equal(new Set(matched).size, 35);
    assert.equal(manifest.toString('utf8').trim().split(/\r?\n/).length, 36);
  });

  it('→ 200 format=mbox: mboxrd, each message byte for byte between its From lines', async () => {
    const res = await download(`mailbox=${ALICE}&folder=inbox&format=mbox`);
    assert.equal(res.headers['content-type'], 'application/mbox');
    assert.equal(res.headers['content-disposition'], `attachment; filename="${ALICE}.mbox"`);
    const messages = readMboxrd(res.body as Buffer);
    const files = treeFiles(`${ALICE}/inbox`);
    assert.equal(messages.length, 12);
    const want = new Map([...files.values()].map((f) => [sha256(withFinalNewline(f.bytes)), f.name]));
    const got = messages.map((m) => want.get(sha256(m.message)));
    assert.deepEqual(
      got.filter((n) => n === undefined),
      [],
    );
    assert.equal(new Set(got).size, 12);
    const east = messages.find((m) => m.message.includes('Subject: East Power Meeting'));
    assert.equal(east?.from, 'From no.address@enron.com Fri Dec 28 21:12:13 2001');
    // the end of a finished download is not a client going away: the export is audited as done
    const entry = fx.services.live.sql
      .prepare('SELECT outcome, code FROM audit_log WHERE action = ? AND request_id = ?')
      .get('exportRecoveryGroup', res.headers['x-request-id']);
    assert.deepEqual({ ...(entry as object) }, { outcome: 'ok', code: null });
  });

  it('→ 200 format=mbox&perFolder=true: a zip of one mbox per folder', async () => {
    const res = await download(`mailbox=${BOB}&format=mbox&perFolder=true`);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.equal(res.headers['content-disposition'], `attachment; filename="${BOB}.zip"`);
    const entries = unzip(res.body as Buffer, 'perfolder');
    assert.deepEqual([...entries.keys()].sort(), ['cr.mbox', 'crlf.mbox', 'lf.mbox', 'manifest.csv']);
    for (const folder of ['cr', 'crlf', 'lf']) {
      const files = treeFiles(`${BOB}/${folder}`);
      const want = new Set([...files.values()].map((f) => sha256(withFinalNewline(f.bytes))));
      const got = readMboxrd(entries.get(`${folder}.mbox`)!).map((m) => sha256(m.message));
      assert.deepEqual(new Set(got), want, folder);
    }
  });

  it('→ 200 format=eml: the one item, byte for byte; audited with the counts', async () => {
    const item = rsgItemBySubject(fx, rsg.id, BOB, 'Undeliverable: Mieko...Last minute escape?');
    const res = await download(`item=${item.id}&format=eml`);
    assert.equal(res.headers['content-type'], 'message/rfc822');
    assert.equal(res.headers['content-disposition'], `attachment; filename="rsg-${rsg.id}.eml"`);
    const original = fs.readFileSync(path.join(fx.home, TREE, BOB, 'lf', 'lhost-exchange2007-05.eml'));
    assert.deepEqual(res.body, original);
    const entry = fx.services.live.sql
      .prepare('SELECT action, outcome, code, detail FROM audit_log WHERE request_id = ?')
      .get(res.headers['x-request-id']) as { action: string; outcome: string; code: null; detail: string };
    assert.deepEqual(
      { ...entry, detail: JSON.parse(entry.detail) },
      {
        action: 'exportRecoveryGroup',
        outcome: 'ok',
        code: null,
        detail: { format: 'eml', items: 1, bytes: original.length, mailbox: null },
      },
    );
  });

  it('→ 200 the hits of a query', async () => {
    const res = await download('q=hasattachment%3Atrue&format=zip');
    assert.equal(res.headers['content-disposition'], `attachment; filename="rsg-${rsg.id}.zip"`);
    const entries = unzip(res.body as Buffer, 'query');
    assert.deepEqual(
      [...entries.keys()].filter((k) => k !== 'manifest.csv').sort(),
      [
        'cr/00001 Undelivered Mail Returned to Sender.eml',
        'crlf/00002 Undelivered Mail Returned to Sender.eml',
        'lf/00003 Undeliverable_ Mieko...Last minute escape_.eml',
        'lf/00004 Undelivered Mail Returned to Sender.eml',
      ].sort(),
    );
  });

  it('→ 400 VALIDATION_FAILED for a format it does not know', async () => {
    const res = await refused(`mailbox=${ALICE}&format=pdf`);
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/recovery-groups/${rsg.id}/export`,
      detail: 'The request query string is not valid',
      errors: [
        { where: 'query', path: 'format', message: 'Invalid option: expected one of "eml"|"mbox"|"zip"' },
      ],
    });
  });

  it('→ 400 VALIDATION_FAILED, not a download, for format=eml of several items', async () => {
    const res = await refused(`mailbox=${BOB}&format=eml`);
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/recovery-groups/${rsg.id}/export`,
      detail: 'An eml export holds exactly one message; the selection has more: export it as mbox or zip',
      format: 'eml',
      items: 'more than one',
    });
    assert.equal(res.headers['content-disposition'], undefined);
  });

  it('→ 400 VALIDATION_FAILED without a selection', async () => {
    const res = await refused('format=zip');
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/recovery-groups/${rsg.id}/export`,
      detail: 'An export needs a mailbox, item ids or a query',
    });
  });

  it('→ 400 QUERY_INVALID for a query that does not parse', async () => {
    const res = await refused('q=subject%3A&format=mbox');
    expectProblem(res, 'QUERY_INVALID', {
      instance: `/api/v1/recovery-groups/${rsg.id}/export`,
      detail: "missing value after 'subject:' (at position 8)",
      position: 8,
      query: 'subject:',
    });
  });

  it('→ 404 RSG_NOT_FOUND for a group that does not exist', async () => {
    const res = await fx.api.get('/recovery-groups/dead0000/export?mailbox=x&format=zip', fx.tokens.admin);
    expectProblem(res, 'RSG_NOT_FOUND', {
      instance: '/api/v1/recovery-groups/dead0000/export',
      detail: "No recovery group 'dead0000'",
      rsg: 'dead0000',
    });
  });
});

describe('POST /recovery-groups/{id}/send', () => {
  it('→ 200 one mail with the items attached as message/rfc822; audited with the Message-IDs', async () => {
    const before = server.mails.length;
    const res = await fx.api
      .post(`/recovery-groups/${rsg.id}/send`, fx.tokens.helpdesk)
      .send({ mailbox: ALICE, folder: 'contacts', to: 'alice.home@example.net', note: 'As asked.' })
      .expect(200);
    assert.equal(res.body.mails.length, 1);
    const [mail] = res.body.mails;
    assert.deepEqual(mail.accepted, ['alice.home@example.net']);
    assert.deepEqual(mail.rejected, []);
    assert.deepEqual([...mail.messageIds].sort(), [
      '1023918.1075855414662.JavaMail.evans@thyme',
      '3194390.1075855414634.JavaMail.evans@thyme',
    ]);
    assert.equal(server.mails.length, before + 1);
    const sent = server.mails.at(-1)!.toString('latin1');
    assert.equal(sent.match(/Content-Type: message\/rfc822/g)?.length, 2);
    assert.match(sent, /As asked\./);
    const entry = fx.services.live.sql
      .prepare('SELECT action, outcome, detail FROM audit_log WHERE request_id = ?')
      .get(res.headers['x-request-id']) as { action: string; outcome: string; detail: string };
    assert.equal(entry.action, 'sendRecoveryItems');
    assert.equal(entry.outcome, 'ok');
    assert.equal(JSON.parse(entry.detail).to, 'alice.home@example.net');
  });

  it('→ 400 VALIDATION_FAILED for an empty selection', async () => {
    const res = await fx.api
      .post(`/recovery-groups/${rsg.id}/send`, fx.tokens.helpdesk)
      .send({ q: 'subject:zzyzx', to: 'alice.home@example.net' });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/recovery-groups/${rsg.id}/send`,
      detail: 'There is nothing to send: the selection is empty',
      items: 0,
    });
  });

  it('→ 400 VALIDATION_FAILED for a recipient that is not an address', async () => {
    const res = await fx.api
      .post(`/recovery-groups/${rsg.id}/send`, fx.tokens.helpdesk)
      .send({ mailbox: ALICE, to: 'alice at home' });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/recovery-groups/${rsg.id}/send`,
      detail: 'The request body is not valid',
      errors: [{ where: 'body', path: 'to', message: 'Invalid email address' }],
    });
  });

  it('→ 400 VALIDATION_FAILED when no SMTP relay is configured', async (tc) => {
    const bare = await makeTestApp(tc);
    const res = await bare.api
      .post(`/recovery-groups/${rsg.id}/send`, bare.tokens.helpdesk)
      .send({ mailbox: ALICE, to: 'alice.home@example.net' });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: `/api/v1/recovery-groups/${rsg.id}/send`,
      detail: 'No SMTP relay is configured (salvage.json: "smtp")',
    });
  });
});
