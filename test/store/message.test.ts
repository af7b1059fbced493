import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AppError } from '../../src/errors.js';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  checkDatabase,
  deliver,
  parseMessage,
  readItemBytes,
} from '../../src/store/index.js';
import {
  FIXTURES,
  aMessage,
  expectAppError,
  logicalState,
  mailboxes,
  openTestDb,
  sha256,
  tempDir,
  traceFor,
} from '../helpers/index.js';

const crlf = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'latin1');

describe('parseMessage', () => {
  it('puts the leading run of trace fields in the prefix and starts the content at the first other field', () => {
    const bytes = aMessage({ trace: traceFor('bob@example.org') });
    const p = parseMessage(bytes);
    const prefix = bytes.subarray(0, p.prefixLength).toString('latin1');
    assert.match(prefix, /^Return-Path: .*\r\nDelivered-To: bob@example.org\r\nReceived: from mx1/s);
    assert.ok(bytes.subarray(p.prefixLength).toString('latin1').startsWith('From: Alice'));
    assert.equal(p.contentHash, sha256(bytes.subarray(p.prefixLength)));
    assert.equal(p.sha256, sha256(bytes));
  });

  it('keeps a trace field that comes after another field in the content', () => {
    const bytes = crlf('Subject: s', 'Received: from x by y', 'From: a@example.com', '', 'body');
    const p = parseMessage(bytes);
    assert.equal(p.prefixLength, 0);
    assert.equal(p.sha256, p.contentHash);
  });

  it('gives two copies that differ only in their trace fields the same content hash', () => {
    const base = { messageId: '<same@example.com>', subject: 'Same' };
    const a = aMessage({ ...base, trace: traceFor('a@example.org', 1) });
    const b = aMessage({ ...base, trace: [...traceFor('b@example.org', 2), 'X-Original-To: b@example.org'] });
    assert.notDeepEqual(a, b);
    const pa = parseMessage(a);
    const pb = parseMessage(b);
    assert.equal(pa.contentHash, pb.contentHash);
    assert.notEqual(pa.sha256, pb.sha256);
  });

  it('puts an mbox envelope line (RFC 4155 "From sender date") in the prefix', () => {
    const bytes = crlf(
      'From alice@example.com  Mon Jan  5 09:00:00 2026',
      'Return-Path: <alice@example.com>',
      'From: alice@example.com',
      'Subject: envelope',
      'Message-ID: <env@example.com>',
      '',
      'body',
    );
    const p = parseMessage(bytes);
    assert.equal(bytes.subarray(p.prefixLength).toString('latin1').slice(0, 6), 'From: ');
    assert.equal(p.subject, 'envelope');
    assert.equal(p.messageId, 'env@example.com');
  });

  it('reads "From :" with a space before the colon (RFC 5322 §4.5 obsolete syntax) as a field, not an envelope line', () => {
    const p = parseMessage(crlf('From  : Alice <alice@example.com>', 'Subject: old', '', 'body'));
    assert.equal(p.prefixLength, 0);
    assert.equal(p.from, 'Alice <alice@example.com>');
  });

  it('puts a UTF-8 byte order mark in the prefix and reads the fields after it', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      crlf('From: a@example.com', 'Subject: bom', '', 'x'),
    ]);
    const p = parseMessage(bytes);
    assert.equal(p.prefixLength, 3);
    assert.equal(p.subject, 'bom');
  });

  it('reads a message with bare CR line ends (classic Mac OS) field by field', () => {
    const bytes = Buffer.from(
      'Return-Path: <a@example.com>\rReceived: from x\r by y\rFrom: a@example.com\rSubject: mac\r file\rMessage-ID: <mac@Example.COM>\r\rbody\r',
      'latin1',
    );
    const p = parseMessage(bytes);
    assert.equal(bytes.subarray(p.prefixLength).toString('latin1').slice(0, 5), 'From:');
    assert.equal(p.subject, 'mac file');
    assert.equal(p.messageId, 'mac@example.com');
  });

  it('ends the header section at a line that is not a field (no empty line before the body), as mail parsers do', () => {
    const p = parseMessage(
      crlf('Subject: short', 'This line is not a header field', 'X-Late: ignored', '', 'body'),
    );
    assert.equal(p.subject, 'short');
    assert.equal(p.identity, `sha256:${p.contentHash}`);
  });

  it('normalises the Message-ID (angle brackets off, domain in lower case) into the identity', () => {
    const p = parseMessage(aMessage({ messageId: '<Part.One@Example.COM>' }));
    assert.equal(p.messageId, 'Part.One@example.com');
    assert.equal(p.identity, 'Part.One@example.com');
  });

  it('falls back to the content hash as identity when the Message-ID is missing or malformed', () => {
    for (const messageId of [null, '<no-at-sign>']) {
      const p = parseMessage(aMessage({ messageId }));
      assert.equal(p.messageId, null);
      assert.equal(p.identity, `sha256:${p.contentHash}`);
    }
  });

  it('decodes RFC 2047 encoded words in the subject and reads the Date', () => {
    const p = parseMessage(
      aMessage({ subject: '=?UTF-8?B?w5xiZXJ3ZWlzdW5n?=', date: new Date(Date.UTC(2001, 4, 2)) }),
    );
    assert.equal(p.subject, 'Überweisung');
    assert.equal(p.dateMs, Date.UTC(2001, 4, 2));
  });

  it('refuses an empty message, one that starts with body text, and one that starts with a continuation line (MESSAGE_INVALID)', async () => {
    for (const bytes of [
      Buffer.alloc(0),
      crlf('This is a simple message not having headers.', '', 'x'),
      crlf(' From: folded@example.com', 'Subject: x', '', 'x'),
    ]) {
      const err = await expectAppError(() => parseMessage(bytes), 'MESSAGE_INVALID');
      assert.ok(err.message.length > 10);
    }
  });

  it('refuses a message over the limit (MESSAGE_TOO_LARGE, default 50 MiB) and names size and limit', async () => {
    assert.equal(DEFAULT_MAX_MESSAGE_BYTES, 50 * 1024 * 1024);
    const bytes = aMessage({ body: 'x'.repeat(5000) });
    const err = await expectAppError(() => parseMessage(bytes, 4096), 'MESSAGE_TOO_LARGE');
    assert.deepEqual(err.details, { size: bytes.length, limit: 4096 });
    assert.ok(parseMessage(bytes, bytes.length));
  });
});

/**
 * The files of the corpus our parser refuses, each because its first line is not a header field.
 * Everything else — mbox envelope lines, bare CR line ends, a BOM, headers without an empty
 * line before the body — is stored and must read back byte for byte.
 */
const NOT_RFC5322 = [
  'mime-edge-cases/enmime-low-quality/bad-header-start.eml', // first line is a continuation (" From: …")
  'mime-edge-cases/enmime-mail/erroneous.eml', // "// Not an RFC-822 Document"
  'mime-edge-cases/mime4j-testmsgs/malformedHeader-noheader.eml', // body text only
  'mime-edge-cases/mime4j-testmsgs/malformedHeaderStartsBody-noheader.eml', // body text only
  'mime-edge-cases/python-email/msg_19.eml', // a digest's body part, no header
];

describe('the mime-edge-cases corpus', () => {
  it('reads every message it stores back byte for byte (prefix + content = the original) and refuses only non-RFC 5322 files', async (t) => {
    const tmp = tempDir(t);
    const tar = spawnSync('tar', ['-xJf', path.join(FIXTURES, 'store', 'mime-edge-cases.tar.xz'), '-C', tmp]);
    assert.equal(tar.status, 0, tar.stderr.toString());
    const files = (fs.readdirSync(tmp, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.eml'))
      .sort();
    assert.equal(files.length, 1145);
    const { db, dir } = openTestDb(t);
    const [to] = await mailboxes(db, 1);
    const stored = new Map<string, number>();
    const rejected: string[] = [];
    for (let i = 0; i < files.length; i += 100) {
      let chunk = files
        .slice(i, i + 100)
        .map((name) => ({ name, bytes: fs.readFileSync(path.join(tmp, name)) }));
      while (chunk.length > 0) {
        const before = logicalState(db);
        try {
          const r = deliver(
            db,
            chunk.map((c) => c.bytes),
            { to: [to!], names: chunk.map((c) => c.name) },
          );
          r.delivered.forEach((d, k) => stored.set(chunk[k]!.name, d.ids[0]!));
          break;
        } catch (err) {
          assert.ok(err instanceof AppError && err.code === 'MESSAGE_INVALID', String(err));
          const bad = err.details.file as string;
          assert.deepEqual(logicalState(db), before, `refusing ${bad} changed the database`);
          rejected.push(bad);
          chunk = chunk.filter((c) => c.name !== bad);
        }
      }
    }
    assert.deepEqual(rejected.sort(), NOT_RFC5322);
    assert.equal(stored.size, files.length - NOT_RFC5322.length);
    for (const [name, id] of stored) {
      const original = fs.readFileSync(path.join(tmp, name));
      assert.ok(readItemBytes(db, id).equals(original), `${name} does not read back byte for byte`);
    }
    db.close();
    const report = checkDatabase(dir);
    assert.deepEqual(report.problems, []);
    assert.equal(report.items, stored.size);
  });
});
