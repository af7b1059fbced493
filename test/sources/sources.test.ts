import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AppError } from '../../src/errors.js';
import { estimateSource, guessFolderRole, readSource, type SourceKind } from '../../src/sources/index.js';
import { compareNames, isRecoverablePath, notRfc5322Reason } from '../../src/sources/common.js';
import { FIXTURES, collect, fixture, openFds, snapshotTree, tempDir } from './helpers.js';

const KINDS: SourceKind[] = ['maildir', 'eml-tree', 'mbox', 'pst'];

function isAppError(code: string, message?: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof AppError, `an AppError, not ${String(err)}`);
    assert.equal(err.code, code);
    if (message) {
      assert.match(err.message, message);
    }
    return true;
  };
}

describe('readSource', () => {
  it('throws SOURCE_NOT_FOUND naming a path that does not exist, for every kind', async (t) => {
    const missing = path.join(tempDir(t), 'nothing-here');
    for (const kind of KINDS) {
      await assert.rejects(
        collect(readSource(kind, missing)),
        isAppError('SOURCE_NOT_FOUND', /nothing-here/),
      );
      await assert.rejects(estimateSource(kind, missing), isAppError('SOURCE_NOT_FOUND', /nothing-here/));
    }
  });

  it('throws VALIDATION_FAILED for an unknown kind, bad options, or a file where a directory is needed', async () => {
    await assert.rejects(
      collect(readSource('zip' as SourceKind, FIXTURES)),
      isAppError('VALIDATION_FAILED', /kind/),
    );
    await assert.rejects(
      collect(readSource('mbox', FIXTURES, { maxMessageBytes: -1, mboxQuoting: 'mboxcl' as 'mboxo' })),
      (err: unknown) => {
        assert.ok(err instanceof AppError && err.code === 'VALIDATION_FAILED');
        assert.deepEqual(
          (err.details['errors'] as { path: string }[]).map((e) => e.path),
          ['maxMessageBytes', 'mboxQuoting'],
        );
        return true;
      },
    );
    await assert.rejects(
      collect(readSource('maildir', fixture('mbox', 'simple.mbox'))),
      isAppError('VALIDATION_FAILED', /must be a directory/),
    );
    await assert.rejects(
      collect(readSource('pst', fixture('pst'))),
      isAppError('VALIDATION_FAILED', /must be a file/),
    );
  });

  it('leaves every source file byte-for-byte, mtime and ctime unchanged after reading them all', async () => {
    const before = snapshotTree(FIXTURES);
    for (const [kind, dir] of [
      ['eml-tree', 'eml-tree'],
      ['maildir', 'maildir'],
      ['mbox', 'mbox'],
    ] as const) {
      await collect(readSource(kind, fixture(dir)));
    }
    await collect(readSource('pst', fixture('pst', 'pstsdk__test_unicode.pst'))); // same code path as any PST
    await assert.rejects(collect(readSource('pst', fixture('pst', 'pstsdk__test_ansi.pst'))));
    assert.deepEqual(snapshotTree(FIXTURES), before);
  });

  it('stops an mbox and a PST read cleanly when the consumer breaks off', async () => {
    const before = openFds();
    for (const [kind, p] of [
      ['mbox', fixture('mbox', 'content-length.mbox')],
      ['pst', fixture('pst', 'aspose-java__Outlook.pst')],
    ] as const) {
      let messages = 0;
      for await (const ev of readSource(kind, p)) {
        if (ev.kind === 'message' && ++messages === 2) {
          break; // the PST worker is stopped; a worker left running would keep the test process alive
        }
      }
      assert.equal(messages, 2);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(openFds() <= before + 1, `fds ${before} → ${openFds()}`);
  });
});

describe('estimateSource', () => {
  it('counts message files and their bytes for directory sources without reading them', async () => {
    const eml = await estimateSource('eml-tree', fixture('eml-tree'));
    const c = await collect(readSource('eml-tree', fixture('eml-tree')));
    assert.deepEqual(eml, { messages: 45, bytes: c.messages.reduce((n, m) => n + m.bytes.length, 0) });
    const maildir = await estimateSource('maildir', fixture('maildir'));
    assert.equal(maildir.messages, 13);
  });

  it('gives the file size for mbox and PST sources', async () => {
    const size = (p: string): number => fs.statSync(p).size;
    assert.deepEqual(await estimateSource('mbox', fixture('mbox', 'simple.mbox')), {
      bytes: size(fixture('mbox', 'simple.mbox')),
    });
    const all = ['content-length.mbox', 'simple.mbox', 'sisimai-mbox-1.mbox', 'unmunged.mbox'];
    assert.deepEqual(await estimateSource('mbox', fixture('mbox')), {
      bytes: all.reduce((n, f) => n + size(fixture('mbox', f)), 0),
    });
    const pst = fixture('pst', 'aspose-java__Outlook.pst');
    assert.deepEqual(await estimateSource('pst', pst), { bytes: size(pst) });
    await assert.rejects(
      estimateSource('pst', fixture('pst', 'pstsdk__test_ansi.pst')),
      isAppError('SOURCE_CORRUPT', /ANSI/),
    );
  });
});

describe('guessFolderRole', () => {
  it('recognises the special folders of Exchange, Outlook, Thunderbird and the Enron dump, in any case', () => {
    const cases: [string, string | undefined][] = [
      ['inbox', 'inbox'],
      ['INBOX', 'inbox'],
      ['sent', 'sent'],
      ['sent_items', 'sent'],
      ['_sent_mail', 'sent'],
      ['Sent Items', 'sent'],
      ['Sent Messages', 'sent'],
      ['deleted_items', 'deleted'],
      ['Deleted Items', 'deleted'],
      ['Trash', 'deleted'],
      ['drafts', 'drafts'],
      ['junk', 'junk'],
      ['Junk E-mail', 'junk'],
      ['Junk Email', 'junk'],
      ['Spam', 'junk'],
      ['archive', 'archive'],
      ['Recoverable Items', 'recoverable'],
      ['all_documents', undefined],
      ['notes_inbox', undefined],
      ['Custom Folder 1', undefined],
    ];
    for (const [name, role] of cases) {
      assert.equal(guessFolderRole(name), role, name);
    }
  });

  it('looks at the top-level folder only, except for the dumpster Recoverable Items/…', () => {
    assert.equal(guessFolderRole('inbox/genie'), undefined);
    assert.equal(guessFolderRole('lokay-m/Sent Items'), undefined);
    assert.equal(guessFolderRole('Recoverable Items/Deletions'), 'recoverable');
    assert.equal(guessFolderRole(''), undefined);
    assert.ok(isRecoverablePath('user@example.com/Recoverable Items/Purges'));
    assert.ok(!isRecoverablePath('Deleted Items'));
  });
});

describe('message plausibility and name order', () => {
  it('accepts headers with LF, CRLF or CR line ends, a From_ line or a BOM first, and a later stray NUL', () => {
    for (const ok of [
      'Subject: a\n\nb',
      'Subject: a\r\n\r\nb',
      'Subject: a\rFrom: b\r\rbody',
      'From x Thu Jan  1 00:00:00 2004\nSubject: a\n\n',
      '\uFEFFFrom: a@b.c\nDate: x\n\n',
      ' From: continuation first\nSubject: a\n\n',
      'Subject: a\nX-Junk: \u0000\n\n',
      'Subject: no body at all',
    ]) {
      assert.equal(notRfc5322Reason(Buffer.from(ok)), undefined, JSON.stringify(ok));
    }
    assert.match(notRfc5322Reason(Buffer.from('\nSubject: after an empty line\n')) ?? '', /no header field/);
    assert.match(notRfc5322Reason(Buffer.from('x>"\u0000\u0001Subject: a\n\n')) ?? '', /NUL byte/);
    assert.equal(notRfc5322Reason(Buffer.alloc(0)), 'empty (0 bytes)');
  });

  it('orders names naturally and deterministically', () => {
    const names = ['10.', '2.', '1.', 'b', 'B', 'a10', 'a9', '_sent_mail', 'Inbox', 'inbox'];
    assert.deepEqual(names.sort(compareNames), [
      '_sent_mail',
      '1.',
      '2.',
      '10.',
      'a9',
      'a10',
      'b',
      'B',
      'inbox',
      'Inbox',
    ]);
  });
});
