import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { estimateSource, readSource } from '../../src/sources/index.js';
import { collect, countsByFolder, fixture, folderList, openFds, sha256, tempDir } from './helpers.js';

const ENRON = fixture('eml-tree');
const MSG = 'From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n';

describe('eml-tree source', () => {
  it('reads each top-level directory as a mailbox and each directory below as a folder', async () => {
    const c = await collect(readSource('eml-tree', ENRON));
    assert.deepEqual(folderList(c), [
      'phanis-s:contacts',
      'phanis-s:deleted_items [deleted]',
      'phanis-s:inbox [inbox]',
      'phanis-s:sent_items [sent]',
      'skilling-j:inbox [inbox]',
      'skilling-j:inbox/genie',
    ]);
    assert.deepEqual(countsByFolder(c), {
      'phanis-s:contacts': 2,
      'phanis-s:deleted_items': 17,
      'phanis-s:inbox': 12,
      'phanis-s:sent_items': 4,
      'skilling-j:inbox/genie': 10,
    });
    assert.deepEqual(c.problems, []);
  });

  it('yields the exact bytes of every file, CRLF and LF alike', async () => {
    const c = await collect(readSource('eml-tree', ENRON));
    assert.equal(c.messages.length, 45);
    for (const m of c.messages) {
      assert.equal(sha256(m.bytes), sha256(fs.readFileSync(path.join(ENRON, m.origin))), m.origin);
      assert.deepEqual(m.flags, []);
      assert.equal(m.internalMs, Math.floor(fs.statSync(path.join(ENRON, m.origin)).mtimeMs));
    }
    assert.ok(c.messages.some((m) => m.bytes.includes('\r\n')));
  });

  it('orders files naturally (2. before 10.) and the same way on every run', async () => {
    const first = await collect(readSource('eml-tree', ENRON));
    const second = await collect(readSource('eml-tree', ENRON));
    assert.deepEqual(
      first.messages.map((m) => m.origin),
      second.messages.map((m) => m.origin),
    );
    const inbox = first.messages.filter((m) => m.folderPath === 'inbox' && m.mailbox === 'phanis-s');
    assert.deepEqual(
      inbox.map((m) => path.basename(m.origin)),
      Array.from({ length: 12 }, (_, i) => `${i + 1}.`),
    );
  });

  it('reads the whole tree as one mailbox with opts.mailbox, loose files in Inbox, dotfiles skipped', async (t) => {
    const root = tempDir(t);
    fs.writeFileSync(path.join(root, 'a.eml'), MSG);
    fs.writeFileSync(path.join(root, '.DS_Store'), 'junk');
    fs.writeFileSync(path.join(root, 'Thumbs.db'), 'junk');
    fs.mkdirSync(path.join(root, 'Projects', 'old'), { recursive: true });
    fs.mkdirSync(path.join(root, '.git'));
    fs.writeFileSync(path.join(root, '.git', 'HEAD'), 'ref: x');
    fs.writeFileSync(path.join(root, 'Projects', 'b.eml'), MSG);
    const c = await collect(readSource('eml-tree', root, { mailbox: 'alice@example.com' }));
    assert.deepEqual(folderList(c), [
      'alice@example.com:Inbox [inbox]',
      'alice@example.com:Projects',
      'alice@example.com:Projects/old',
    ]);
    assert.deepEqual(
      c.messages.map((m) => `${m.folderPath} ${m.origin}`),
      ['Inbox a.eml', 'Projects Projects/b.eml'],
    );
    assert.deepEqual(c.problems, []);
  });

  it('puts files lying in the source root in a mailbox named after the root directory', async (t) => {
    const root = path.join(tempDir(t), 'exported');
    fs.mkdirSync(path.join(root, 'bob'), { recursive: true });
    fs.writeFileSync(path.join(root, 'loose.eml'), MSG);
    fs.writeFileSync(path.join(root, 'bob', 'x.eml'), MSG);
    const c = await collect(readSource('eml-tree', root));
    assert.deepEqual(folderList(c), ['exported:Inbox [inbox]', 'bob:Inbox [inbox]']);
    assert.deepEqual(
      c.messages.map((m) => `${m.mailbox} ${m.origin}`),
      ['exported loose.eml', 'bob bob/x.eml'],
    );
  });

  it('reports each unreadable or non-RFC 5322 entry precisely and reads the rest', async (t) => {
    const root = tempDir(t);
    const box = path.join(root, 'u', 'inbox');
    fs.mkdirSync(box, { recursive: true });
    fs.writeFileSync(path.join(box, '1.'), MSG);
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(box, '2.'));
    execFileSync('mkfifo', [path.join(box, '3.')]);
    fs.writeFileSync(path.join(box, '4.'), '');
    fs.writeFileSync(path.join(box, '5.'), 'Dear diary,\nno headers here.\n\nBye.\n');
    fs.writeFileSync(
      path.join(box, '6.'),
      Buffer.from([0x78, 0x9f, 0x3e, 0x22, 0x00, 0x01, 0x3a, 0x0a, 0x0a]),
    );
    fs.symlinkSync(root, path.join(box, '7.'));
    fs.writeFileSync(path.join(box, '8.'), MSG + 'x'.repeat(5000));
    fs.writeFileSync(path.join(box, '9.'), '\r\nSubject: header after an empty line\r\n');
    const c = await collect(readSource('eml-tree', root, { maxMessageBytes: 4096 }));
    assert.deepEqual(
      c.messages.map((m) => m.origin),
      ['u/inbox/1.'],
    );
    assert.deepEqual(c.problems, [
      {
        origin: 'u/inbox/2.',
        reason: 'cannot open: no such file (dangling symbolic link, or removed while reading) (ENOENT)',
      },
      { origin: 'u/inbox/3.', reason: 'not a message file: a FIFO (named pipe)' },
      { origin: 'u/inbox/4.', reason: 'empty file (0 bytes)' },
      {
        origin: 'u/inbox/5.',
        reason: 'not an RFC 5322 message: no header field line before the first empty line',
      },
      { origin: 'u/inbox/6.', reason: 'not an RFC 5322 message: NUL byte in the first line (a binary file)' },
      {
        origin: 'u/inbox/7.',
        reason: 'not a message file: a directory (symbolic links to directories are not followed)',
      },
      {
        origin: 'u/inbox/8.',
        reason: `message of ${MSG.length + 5000} bytes is larger than maxMessageBytes (4096)`,
      },
      {
        origin: 'u/inbox/9.',
        reason: 'not an RFC 5322 message: no header field line before the first empty line',
      },
    ]);
  });

  it('reads a message of several MiB exactly (read when it reaches the head of the window)', async (t) => {
    const root = tempDir(t);
    fs.mkdirSync(path.join(root, 'u'));
    const big = Buffer.concat([Buffer.from(MSG), Buffer.alloc(3 * 1024 * 1024, 'y')]);
    for (const name of ['a', 'b', 'c']) {
      fs.writeFileSync(path.join(root, 'u', name), name === 'b' ? big : MSG);
    }
    const c = await collect(readSource('eml-tree', root));
    assert.deepEqual(
      c.messages.map((m) => [m.origin, m.bytes.length]),
      [
        ['u/a', MSG.length],
        ['u/b', big.length],
        ['u/c', MSG.length],
      ],
    );
    assert.equal(sha256(c.messages[1]!.bytes), sha256(big));
  });

  it('gives the same events and estimate with blockingReads (a reader in a worker thread) as through the read-ahead window', async (t) => {
    const root = tempDir(t);
    const box = path.join(root, 'u', 'inbox');
    fs.mkdirSync(box, { recursive: true });
    fs.writeFileSync(path.join(box, '1.'), MSG);
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(box, '2.'));
    execFileSync('mkfifo', [path.join(box, '3.')]);
    fs.writeFileSync(path.join(box, '4.'), '');
    fs.writeFileSync(path.join(box, '5.'), 'Dear diary,\nno headers here.\n\nBye.\n');
    fs.symlinkSync(root, path.join(box, '7.'));
    fs.writeFileSync(path.join(box, '8.'), Buffer.concat([Buffer.from(MSG), Buffer.alloc(3 << 20, 'y')]));
    fs.writeFileSync(path.join(box, '9.'), MSG + 'x'.repeat(5000));
    for (const [kind, source, opts] of [
      ['eml-tree', root, { maxMessageBytes: 2 << 20 }],
      ['eml-tree', fixture('eml-tree'), {}],
      ['eml-tree', fixture('eml-tree'), { mailbox: 'archive' }],
      ['maildir', fixture('maildir'), {}],
    ] as const) {
      const windowed = await collect(readSource(kind, source, opts));
      const blocking = await collect(readSource(kind, source, { ...opts, blockingReads: true }));
      assert.deepEqual(blocking.events, windowed.events, `${kind} ${source}`);
      assert.deepEqual(
        await estimateSource(kind, source, { ...opts, blockingReads: true }),
        await estimateSource(kind, source, opts),
      );
    }
  });

  it('closes every file when the consumer stops early', async () => {
    const before = openFds();
    for await (const ev of readSource('eml-tree', ENRON)) {
      if (ev.kind === 'message') {
        break;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // closes are not awaited
    assert.ok(openFds() <= before + 1, `fds ${before} → ${openFds()}`);
  });
});
