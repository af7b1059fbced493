import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { simpleParser, type AddressObject } from 'mailparser';
import { AppError } from '../../src/errors.js';
import { readSource } from '../../src/sources/index.js';
import { readPst } from '../../src/sources/pst.js';
import { formatAddressField, parseHeaderBlock } from '../../src/sources/pst-mime.js';
import { collect, countsByFolder, fixture, folderList, sha256, tempDir, type Collected } from './helpers.js';

const OUTLOOK = fixture('pst', 'aspose-java__Outlook.pst');

async function parse(c: Collected, folderPath: string, subject: string) {
  for (const m of c.messages.filter((x) => x.folderPath === folderPath)) {
    const parsed = await simpleParser(m.bytes);
    if (parsed.subject === subject) {
      return { message: m, parsed };
    }
  }
  throw new Error(`no '${subject}' in ${folderPath}`);
}

function text(a: AddressObject | AddressObject[] | undefined): string | undefined {
  return Array.isArray(a) ? a.map((x) => x.text).join(', ') : a?.text;
}

/** A deterministic pseudo-random generator (LCG), to corrupt a copy the same way every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('pst source', () => {
  let outlook: Collected;
  before(async () => {
    outlook = await collect(readSource('pst', OUTLOOK));
  });

  it('maps folders relative to the IPM subtree, with roles from the store and from names', () => {
    assert.deepEqual(folderList(outlook), [
      'aspose-java__Outlook:Deleted Items [deleted]',
      'aspose-java__Outlook:Inbox [inbox]',
      'aspose-java__Outlook:Inbox/SubInbox',
      'aspose-java__Outlook:Outbox',
      'aspose-java__Outlook:Sent Items [sent]',
      'aspose-java__Outlook:Calendar',
      'aspose-java__Outlook:Contacts',
      'aspose-java__Outlook:Journal',
      'aspose-java__Outlook:Notes',
      'aspose-java__Outlook:Tasks',
      'aspose-java__Outlook:Drafts [drafts]',
      'aspose-java__Outlook:RSS Feeds',
      'aspose-java__Outlook:Junk E-mail [junk]',
      'aspose-java__Outlook:Custom Folder 1',
      'aspose-java__Outlook:Custom Folder 2',
    ]);
  });

  it('converts the 14 e-mails and reports the appointment and the contact as skipped', () => {
    assert.deepEqual(countsByFolder(outlook), {
      'aspose-java__Outlook:Inbox': 8,
      'aspose-java__Outlook:Sent Items': 6,
    });
    assert.deepEqual(
      outlook.problems.map((p) => p.reason),
      ['skipped: IPM.Appointment is not a mail item', 'skipped: IPM.Contact is not a mail item'],
    );
    assert.match(outlook.problems[0]!.origin, /^aspose-java__Outlook\.pst:Calendar#\d+$/);
    for (const m of outlook.messages) {
      assert.match(m.origin, /^aspose-java__Outlook\.pst:(Inbox|Sent Items)#\d+$/);
      assert.equal(m.deletedMs, undefined);
    }
  });

  it('keeps the transport headers of a received item, with the PST bodies and named attachments', async () => {
    const { message, parsed } = await parse(outlook, 'Inbox', 'Multiple attachments');
    assert.equal(parsed.messageId, '<003c01cc306e$17006760$45013620$@razzaq@xp.local>');
    assert.equal(text(parsed.from), '"Saqib Razzaq" <saqib.razzaq@xp.local>');
    assert.equal(parsed.date?.toISOString(), '2011-06-21T23:51:07.000Z');
    assert.match(parsed.headers.get('x-mailer') as string, /Microsoft Office Outlook 12\.0/);
    assert.match(
      message.bytes.toString('latin1', 0, 200),
      /^Return-Path: saqib\.razzaq@xp\.local\r\nReceived: from xp/,
    );
    assert.match(parsed.text ?? '', /This message contains multiple attachments/);
    assert.ok(typeof parsed.html === 'string' && parsed.html.length > 1000);
    assert.deepEqual(
      parsed.attachments.map((a) => [a.filename, a.contentType, a.size]),
      [
        ['text file.txt', 'text/plain', 29],
        ['Sunset.jpg', 'image/jpeg', 71189],
        ['Blue hills.jpg', 'image/jpeg', 28521],
      ],
    );
    assert.deepEqual(message.flags, ['\\Seen']);
    assert.equal(message.internalMs, Date.parse('2011-06-21T23:51:07Z'));
  });

  it('builds From, To and Date from MAPI properties when an item has no transport headers', async () => {
    const { message, parsed } = await parse(outlook, 'Sent Items', 'Multiple attachments');
    assert.equal(text(parsed.from), '"Saqib Razzaq" <saqib.razzaq@xp.local>');
    assert.equal(text(parsed.to), `"'saqib.razzaq@xp.local'" <saqib.razzaq@xp.local>`);
    assert.equal(parsed.date?.toISOString(), '2011-06-21T23:51:07.000Z');
    assert.equal(parsed.messageId, undefined, 'no Message-ID is invented');
    assert.equal(parsed.attachments.length, 3);
    assert.match(
      message.bytes.toString('latin1', 0, 100),
      /^From: Saqib Razzaq <saqib\.razzaq@xp\.local>\r\n/,
    );
  });

  it('keeps inline images with their Content-ID and embedded messages as message/rfc822', async () => {
    const html = await parse(outlook, 'Inbox', 'HTML body');
    assert.equal(html.parsed.attachments.length, 12);
    assert.ok(html.parsed.attachments.every((a) => a.cid?.endsWith('@01CC3097.BF0BAC70')));
    const embedded = await parse(outlook, 'Inbox', 'this message contains embedded MSG');
    const inner = embedded.parsed.attachments.filter((a) => a.contentType === 'message/rfc822');
    assert.equal(inner.length, 2);
    const subjects = await Promise.all(inner.map(async (a) => (await simpleParser(a.content)).subject));
    assert.deepEqual(subjects, ['message 1', 'message 2']);
  });

  it('renders the same PST to the same bytes every time', async () => {
    const again = await collect(readSource('pst', OUTLOOK, { mailbox: 'saqib' }));
    assert.deepEqual(
      again.messages.map((m) => sha256(m.bytes)),
      outlook.messages.map((m) => sha256(m.bytes)),
    );
    assert.ok(again.messages.every((m) => m.mailbox === 'saqib'));
  });

  it('puts items lying in the IPM subtree root in a folder named after it', async () => {
    const c = await collect(readSource('pst', fixture('pst', 'pstsdk__test_unicode.pst')));
    assert.deepEqual(folderList(c), [
      'pstsdk__test_unicode:Top of Personal Folders',
      'pstsdk__test_unicode:Deleted Items [deleted]',
      'pstsdk__test_unicode:Folder',
    ]);
    assert.deepEqual(countsByFolder(c), {
      'pstsdk__test_unicode:Top of Personal Folders': 1,
      'pstsdk__test_unicode:Folder': 1,
    });
    const post = await simpleParser(c.messages[1]!.bytes);
    assert.equal(post.subject, 'Post');
  });

  it('rejects an ANSI PST with SOURCE_CORRUPT', async () => {
    await assert.rejects(
      collect(readSource('pst', fixture('pst', 'pstsdk__test_ansi.pst'))),
      (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.equal(err.code, 'SOURCE_CORRUPT');
        assert.match(err.message, /ANSI PST \(Outlook 97–2002 format, version 14\) is not supported/);
        return true;
      },
    );
  });

  it('rejects a truncated PST with SOURCE_CORRUPT naming both sizes', async (t) => {
    const cut = path.join(tempDir(t), 'cut.pst');
    const bytes = fs.readFileSync(OUTLOOK);
    fs.writeFileSync(cut, bytes.subarray(0, 1_000_000));
    await assert.rejects(collect(readSource('pst', cut)), {
      code: 'SOURCE_CORRUPT',
      message: `PST '${cut}' cannot be read: truncated: the header records ${bytes.length} bytes, the file has 1000000`,
    });
    fs.writeFileSync(cut, bytes.subarray(0, 300));
    await assert.rejects(collect(readSource('pst', cut)), {
      code: 'SOURCE_CORRUPT',
      message: /truncated: 300 bytes/,
    });
  });

  it('rejects a file that is not a PST', async () => {
    await assert.rejects(collect(readSource('pst', fixture('mbox', 'simple.mbox'))), {
      code: 'SOURCE_CORRUPT',
      message: /not a PST file \(no !BDN signature\)/,
    });
  });

  it('skips past an item on which pst-extractor stalls, and reads on', async (t) => {
    const bad = path.join(tempDir(t), 'stall.pst');
    const bytes = Buffer.from(fs.readFileSync(OUTLOOK));
    const next = lcg(31);
    for (let i = 0; i < 300; i++) {
      bytes[600 + Math.floor(next() * (bytes.length - 600))] = Math.floor(next() * 256);
    }
    fs.writeFileSync(bad, bytes);
    const opts = {
      mailbox: undefined,
      maxMessageBytes: 50 << 20,
      mboxQuoting: 'mboxrd' as const,
      blockingReads: false,
    };
    const c = await collect(readPst(bad, opts, { stallMs: 3000, maxRestarts: 25, heapMb: 512 }));
    assert.ok(
      c.problems.some(
        (p) =>
          p.origin === 'stall.pst:Inbox#row6' && /made no progress for 3000 ms reading row 6/.test(p.reason),
      ),
      JSON.stringify(c.problems),
    );
    assert.ok(
      c.messages.some((m) => m.folderPath === 'Sent Items'),
      'folders after the stall are read',
    );
  });
});

describe('pst MIME helpers', () => {
  it('splits a transport header block into fields, dropping lines that are not fields', () => {
    const fields = parseHeaderBlock(
      'Microsoft Mail Internet Headers Version 2.0\r\nReceived: from a\r\n by b; Wed\r\nSubject: x\r\n\r\nignored: body',
    );
    assert.deepEqual(fields, [
      { name: 'Received', raw: 'Received: from a\r\n by b; Wed' },
      { name: 'Subject', raw: 'Subject: x' },
    ]);
  });

  it('keeps an address without SMTP address as an empty group, encodes and folds names', () => {
    assert.deepEqual(formatAddressField('To', []), undefined);
    assert.equal(
      formatAddressField('From', [{ name: 'Terry Mahaffey', address: '' }])?.raw,
      'From: Terry Mahaffey:;',
    );
    assert.equal(
      formatAddressField('Cc', [
        { name: 'Jöns Åberg', address: 'jons@example.com' },
        { name: 'Doe, Jane', address: 'jane@example.com' },
        { name: '', address: 'plain@example.com' },
      ])?.raw,
      'Cc: =?UTF-8?Q?J=C3=B6ns_=C3=85berg?= <jons@example.com>,\r\n "Doe, Jane" <jane@example.com>, plain@example.com',
    );
  });
});
