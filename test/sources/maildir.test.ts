import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readSource } from '../../src/sources/index.js';
import { decodeMutf7, maildirFlags, maildirNameTimeMs } from '../../src/sources/maildir.js';
import { collect, copyFixture, countsByFolder, fixture, folderList, sha256 } from './helpers.js';

const ROOT = fixture('maildir');

describe('maildir source', () => {
  it('reads a directory of Maildirs as one mailbox each, with Maildir++ and nested folders', async () => {
    const c = await collect(readSource('maildir', ROOT));
    assert.deepEqual(folderList(c), [
      'alice:INBOX [inbox]',
      'alice:Entwürfe',
      'alice:Lists/enron',
      'alice:Sent [sent]',
      'alice:Trash [deleted]',
      'bob:INBOX [inbox]',
      'bob:Archive [archive]',
      'bob:Archive/2001',
      'bob:Projects',
      'bob:Projects/tw',
    ]);
    assert.deepEqual(countsByFolder(c), {
      'alice:INBOX': 6,
      'alice:Entwürfe': 1,
      'alice:Lists/enron': 1,
      'alice:Sent': 1,
      'alice:Trash': 1,
      'bob:INBOX': 1,
      'bob:Archive': 1,
      'bob:Archive/2001': 1,
    });
  });

  it('never reads tmp/ and skips Dovecot and Courier metadata files without a problem', async () => {
    const c = await collect(readSource('maildir', ROOT));
    assert.deepEqual(c.problems, []);
    assert.ok(fs.readdirSync(path.join(ROOT, 'alice', 'tmp')).length > 0);
    assert.ok(c.messages.every((m) => !m.origin.includes('/tmp/')));
    assert.ok(c.messages.every((m) => !/dovecot|courier|subscriptions|maildirfolder/.test(m.origin)));
  });

  it('yields the exact bytes of every message file', async () => {
    const c = await collect(readSource('maildir', ROOT));
    assert.equal(c.messages.length, 13);
    for (const m of c.messages) {
      assert.equal(sha256(m.bytes), sha256(fs.readFileSync(path.join(ROOT, m.origin))), m.origin);
    }
  });

  it('maps the :2, info letters to IMAP flags (P and keyword letters dropped)', async () => {
    const c = await collect(readSource('maildir', path.join(ROOT, 'alice')));
    const flags = Object.fromEntries(
      c.messages.map((m) => [m.origin.replace(/\.M\d+P4242\.mail\.example,S=\d+/, ''), m.flags]),
    );
    assert.deepEqual(flags, {
      'cur/1004560001:2,S': ['\\Seen'],
      'cur/1004560002:2,RS': ['\\Seen', '\\Answered'],
      'cur/1004560003:2,FS': ['\\Seen', '\\Flagged'],
      'cur/1004560004:2,': [],
      'cur/1004560005:2,S': ['\\Seen'],
      'new/1004560006': [],
      '.Sent/cur/1004560008:2,PS': ['\\Seen'],
      '.Trash/cur/1004560009:2,ST': ['\\Seen', '\\Deleted'],
      '.Lists.enron/cur/1004560010:2,Sa': ['\\Seen'],
      '.Entw&APw-rfe/cur/1004560011:2,D': ['\\Draft'],
    });
  });

  it('reads a root that is itself a Maildir as one mailbox named after it, or opts.mailbox', async () => {
    const named = await collect(readSource('maildir', path.join(ROOT, 'bob')));
    assert.deepEqual([...new Set(named.messages.map((m) => m.mailbox))], ['bob']);
    assert.equal(named.messages[0]?.origin, 'cur/1004560020.M20P4242.mail.example,S=1764:2,S');
    const renamed = await collect(
      readSource('maildir', path.join(ROOT, 'bob'), { mailbox: 'bob@example.com' }),
    );
    assert.deepEqual(folderList(renamed).slice(0, 2), [
      'bob@example.com:INBOX [inbox]',
      'bob@example.com:Archive [archive]',
    ]);
  });

  it('takes internalMs from the file mtime, or from the unique name when the mtime is 0', async (t) => {
    const box = copyFixture(t, 'maildir', 'alice');
    const cur = path.join(box, 'cur');
    const [first, second] = fs.readdirSync(cur).sort();
    fs.utimesSync(path.join(cur, first!), new Date('2001-05-01T12:00:00Z'), new Date('2001-05-01T12:00:00Z'));
    fs.utimesSync(path.join(cur, second!), 0, 0);
    const c = await collect(readSource('maildir', box));
    const byName = new Map(c.messages.map((m) => [path.basename(m.origin), m.internalMs]));
    assert.equal(byName.get(first!), Date.parse('2001-05-01T12:00:00Z'));
    assert.equal(byName.get(second!), 1004560002 * 1000);
  });

  it('reports a dangling symlink and a FIFO in cur/ without blocking, and reads the rest', async (t) => {
    const box = copyFixture(t, 'maildir', 'alice');
    fs.symlinkSync(path.join(box, 'gone'), path.join(box, 'cur', '1004569999.M1P1.host:2,S'));
    execFileSync('mkfifo', [path.join(box, 'cur', '1004569998.M1P1.host:2,')]);
    const c = await collect(readSource('maildir', box));
    assert.equal(c.messages.length, 10);
    assert.deepEqual(c.problems, [
      { origin: 'cur/1004569998.M1P1.host:2,', reason: 'not a message file: a FIFO (named pipe)' },
      {
        origin: 'cur/1004569999.M1P1.host:2,S',
        reason: 'cannot open: no such file (dangling symbolic link, or removed while reading) (ENOENT)',
      },
    ]);
  });

  it('reports a file lying beside the Maildirs of a multi-mailbox root', async (t) => {
    const root = copyFixture(t, 'maildir');
    fs.writeFileSync(path.join(root, 'README'), 'not mail');
    const c = await collect(readSource('maildir', root));
    assert.deepEqual(c.problems, [
      {
        origin: 'README',
        reason:
          'skipped: a file beside the Maildirs belongs to no mailbox (each directory here is one Maildir)',
      },
    ]);
  });
});

describe('maildir names', () => {
  it('decodes IMAP modified UTF-7 folder names and leaves invalid ones as they are', () => {
    assert.equal(decodeMutf7('Entw&APw-rfe'), 'Entwürfe');
    assert.equal(decodeMutf7('&ZeVnLIqe-'), '日本語');
    assert.equal(decodeMutf7('Tom &- Jerry'), 'Tom & Jerry');
    assert.equal(decodeMutf7('broken&AP'), 'broken&AP');
    assert.equal(decodeMutf7('plain'), 'plain');
  });

  it('reads flags after the :2, !2, or ;2, separator only', () => {
    assert.deepEqual(maildirFlags('1.M1P1.host,S=10:2,FRS'), ['\\Seen', '\\Answered', '\\Flagged']);
    assert.deepEqual(maildirFlags('1.M1P1.host!2,TD'), ['\\Deleted', '\\Draft']);
    assert.deepEqual(maildirFlags('1.M1P1.host;2,S'), ['\\Seen']);
    assert.deepEqual(maildirFlags('1.M1P1.host:1,S'), []);
    assert.deepEqual(maildirFlags('STRDF'), []);
  });

  it('reads the arrival time from a unique name', () => {
    assert.equal(maildirNameTimeMs('1382298587.001724:2,'), 1382298587000);
    assert.equal(maildirNameTimeMs('01:2,'), undefined);
  });
});
