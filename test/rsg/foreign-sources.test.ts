// Mounting foreign mail dumps (eml-tree, Maildir, mbox, PST): each is converted into a native
// database inside the RSG, with its mailboxes, folder tree and items, byte for byte where the
// source has the bytes, and the source left exactly as it was.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { MountProgress } from '../../src/rsg/index.js';
import { DB_FILE } from '../../src/store/index.js';
import {
  OUTLOOK_PST,
  RSG_FIXTURES,
  SOURCES,
  aCatalogue,
  assertByteExact,
  copyTrees,
  filesUnder,
  folderTree,
  mailboxCounts,
  mountOk,
  sha256,
  snapshotTree,
  tempDir,
} from './helpers.js';

/** Real Enron mailboxes (CMU layout) and real bounces with LF, CRLF and CR-only line ends. */
function anEmlTree(t: Parameters<typeof copyTrees>[0]): string {
  return copyTrees(t, {
    'phanis-s': path.join(SOURCES, 'eml-tree', 'phanis-s'),
    'skilling-j': path.join(SOURCES, 'eml-tree', 'skilling-j'),
    bounces: path.join(RSG_FIXTURES, 'eml-tree', 'bounces'),
  });
}

const ENRON_EXPORT = path.join(SOURCES, '..', 'export', 'enron');

/** The message files of a tree, in path order. */
function messageFiles(root: string): string[] {
  return filesUnder(root).map((f) => path.join(root, f));
}

/** An mboxrd file as a mail client writes it: From_ line, `>`-quoted From lines, blank line. */
function toMboxrd(messages: Buffer[]): Buffer {
  return Buffer.concat(
    messages.map((m) => {
      const quoted = m.toString('latin1').replace(/^(>*From )/gm, '>$1');
      const body = quoted.endsWith('\n') ? quoted : quoted + '\n';
      return Buffer.from(`From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n${body}\n`, 'latin1');
    }),
  );
}

describe('mounting an eml-tree', () => {
  it('makes each top-level directory a mailbox, each directory below a folder with its count, every file an item', async (t) => {
    const src = anEmlTree(t);
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'eml-tree', path: src, label: 'dump' });
    const bytes = messageFiles(src).reduce((s, f) => s + fs.statSync(f).size, 0);
    assert.deepEqual(info.counts, { mailboxes: 3, folders: 9, items: 51, dumpsterItems: 0, bytes });
    assert.deepEqual(info.report.problems, []);
    assert.equal(info.label, 'dump');
    assert.deepEqual(info.source, { kind: 'eml-tree', path: src });
    const g = cat.group(info.id);
    assert.deepEqual(mailboxCounts(g), { bounces: 6, 'phanis-s': 35, 'skilling-j': 10 });
    assert.deepEqual(folderTree(g, 'phanis-s'), [
      'contacts 2',
      'deleted_items [deleted] 17',
      'inbox [inbox] 12',
      'sent_items [sent] 4',
    ]);
    assert.deepEqual(folderTree(g, 'skilling-j'), ['inbox [inbox] 0', 'inbox/genie 10']);
    assert.deepEqual(folderTree(g, 'bounces'), ['cr 2', 'crlf 2', 'lf 2']);
  });

  it('keeps the exact bytes of every file: item.sha256 and the bytes read back equal the source file', async (t) => {
    const src = anEmlTree(t);
    const cat = aCatalogue(t);
    const g = cat.group((await mountOk(cat, { source: 'eml-tree', path: src })).id);
    assert.equal(assertByteExact(g, src), 51);
    // the bounces begin with trace fields (split off as the item's prefix) and one content is
    // larger than the inline limit (a blob file): both still read back whole
    const big = g.listItems('bounces', { folder: 'lf' }).find((i) => i.size > 64 * 1024);
    assert.ok(big, 'the 73 KB bounce is there');
    assert.ok(filesUnder(path.join(cat.root, g.id, 'db', 'blobs')).some((f) => f.endsWith(big.blobHash)));
  });

  it('reads the whole tree as one mailbox with `mailbox`, top-level directories becoming folders', async (t) => {
    const src = anEmlTree(t);
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'eml-tree', path: src, mailbox: 'archive@example.com' });
    const g = cat.group(info.id);
    assert.deepEqual(mailboxCounts(g), { 'archive@example.com': 51 });
    assert.deepEqual(
      folderTree(g, 'archive@example.com').filter((f) => f.startsWith('phanis-s')),
      [
        'phanis-s 0',
        'phanis-s/contacts 2',
        'phanis-s/deleted_items 17',
        'phanis-s/inbox 12',
        'phanis-s/sent_items 4',
      ],
    );
    assert.equal(info.source.mailbox, 'archive@example.com');
  });

  it('reports progress: converting with items and bytes done, then sealing, then done', async (t) => {
    const src = anEmlTree(t);
    const cat = aCatalogue(t);
    const seen: MountProgress[] = [];
    const info = await cat.mount({ source: 'eml-tree', path: src }, { onProgress: (p) => seen.push(p) });
    assert.equal(info.state, 'mounted');
    const phases = seen.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
    assert.deepEqual(phases, ['converting', 'sealing', 'done']);
    const converted = seen.filter((p) => p.phase === 'converting').at(-1)!;
    assert.equal(converted.items, 51);
    assert.equal(converted.bytes, info.counts.bytes);
    // the estimate (a stat of every file) is counted by the reading worker beside the reading:
    // totals once it is known, and always by the end of the conversion
    for (const p of seen.filter((x) => x.totalItems !== undefined)) {
      assert.deepEqual([p.totalItems, p.totalBytes], [51, info.counts.bytes]);
    }
    assert.deepEqual([converted.totalItems, converted.totalBytes], [51, info.counts.bytes]);
    assert.deepEqual(seen.at(-1), { phase: 'done', items: 51, bytes: info.counts.bytes, itemsPerSecond: 0 });
  });

  it('leaves every source file byte for byte, with its mtime and ctime, and adds nothing to the tree', async (t) => {
    const src = anEmlTree(t);
    const before = snapshotTree(src);
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'eml-tree', path: src });
    const g = cat.group(info.id);
    for (const m of g.listMailboxes()) {
      for (const it of g.listItems(m.address)) {
        g.readItemBytes(it.id);
      }
    }
    cat.unmount(info.id);
    assert.deepEqual(snapshotTree(src), before);
  });
});

describe('mounting a Maildir tree', () => {
  it('reads Maildir and Maildir++ folders with their counts, never tmp/ nor the Dovecot and Courier files', async (t) => {
    const src = copyTrees(t, {
      alice: path.join(SOURCES, 'maildir', 'alice'),
      bob: path.join(SOURCES, 'maildir', 'bob'),
    });
    const before = snapshotTree(src);
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'maildir', path: src });
    const g = cat.group(info.id);
    assert.deepEqual(mailboxCounts(g), { alice: 10, bob: 3 });
    assert.deepEqual(folderTree(g, 'alice'), [
      'Entwürfe 1',
      'INBOX [inbox] 6',
      'Lists 0',
      'Lists/enron 1',
      'Sent [sent] 1',
      'Trash [deleted] 1',
    ]);
    assert.deepEqual(folderTree(g, 'bob'), [
      'Archive [archive] 1',
      'Archive/2001 1',
      'INBOX [inbox] 1',
      'Projects 0',
      'Projects/tw 0',
    ]);
    assert.deepEqual(info.report, { ...info.report, problems: [], problemCount: 0 });
    assert.equal(assertByteExact(g, src), 13);
    const origins = g.listItems('alice').map((i) => i.origin ?? '');
    assert.ok(origins.every((o) => !o.includes('/tmp/')));
    assert.deepEqual(snapshotTree(src), before);
  });

  it('keeps the flags of the :2, suffix on each item', async (t) => {
    const src = copyTrees(t, { alice: path.join(SOURCES, 'maildir', 'alice') });
    const cat = aCatalogue(t);
    const g = cat.group((await mountOk(cat, { source: 'maildir', path: src })).id);
    const flags = Object.fromEntries(
      g
        .listItems('alice')
        .map((i) => [
          (i.origin ?? '').replace(/^source:alice\//, '').replace(/\.M\d+P4242\.mail\.example,S=\d+/, ''),
          i.flags,
        ]),
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
});

describe('mounting an mbox', () => {
  it('undoes mboxrd quoting: each item is the original message byte for byte (plus the LF an mbox needs at its end)', async (t) => {
    const originals = messageFiles(ENRON_EXPORT).map((f) => fs.readFileSync(f));
    assert.ok(
      originals.some((m) => /^>*From /m.test(m.toString('latin1'))),
      'some bodies have From lines',
    );
    const file = path.join(tempDir(t), 'enron.mbox');
    fs.writeFileSync(file, toMboxrd(originals));
    const before = snapshotTree(path.dirname(file));
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'mbox', path: file });
    const g = cat.group(info.id);
    assert.deepEqual(mailboxCounts(g), { enron: originals.length });
    assert.deepEqual(folderTree(g, 'enron'), [`Inbox [inbox] ${originals.length}`]);
    const offset = (o: string | null): number => Number((o ?? '').split(':').at(-1));
    const items = g.listItems('enron').sort((a, b) => offset(a.origin) - offset(b.origin));
    items.forEach((it, i) => {
      const original = originals[i]!;
      const expected = original.at(-1) === 0x0a ? original : Buffer.concat([original, Buffer.from('\n')]);
      const bytes = g.readItemBytes(it.id);
      assert.ok(bytes.equals(expected), `message ${i} (${it.origin})`);
      assert.equal(it.sha256, sha256(expected));
    });
    assert.deepEqual(snapshotTree(path.dirname(file)), before);
  });

  it('mounts a directory of real mbox files as one mailbox with a folder per file', async (t) => {
    const dir = path.join(tempDir(t), 'lists');
    fs.mkdirSync(dir);
    for (const f of ['simple.mbox', 'unmunged.mbox', 'content-length.mbox']) {
      fs.copyFileSync(path.join(SOURCES, 'mbox', f), path.join(dir, f));
    }
    const before = snapshotTree(dir);
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'mbox', path: dir, mailbox: 'lists@example.com' });
    const g = cat.group(info.id);
    assert.deepEqual(mailboxCounts(g), { 'lists@example.com': 34 });
    assert.deepEqual(folderTree(g, 'lists@example.com'), ['content-length 29', 'simple 3', 'unmunged 2']);
    for (const it of g.listItems('lists@example.com')) {
      assert.equal(sha256(g.readItemBytes(it.id)), it.sha256);
    }
    assert.deepEqual(snapshotTree(dir), before);
  });
});

describe('mounting a PST', () => {
  it('opens the Outlook PST with its folder tree, 14 e-mails, and the two other items listed as skipped', async (t) => {
    const dir = tempDir(t);
    const pst = path.join(dir, 'Outlook.pst');
    fs.copyFileSync(OUTLOOK_PST, pst);
    const before = snapshotTree(dir);
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'pst', path: pst });
    assert.deepEqual(
      { items: info.counts.items, mailboxes: info.counts.mailboxes },
      { items: 14, mailboxes: 1 },
    );
    const g = cat.group(info.id);
    assert.deepEqual(mailboxCounts(g), { Outlook: 14 });
    assert.deepEqual(folderTree(g, 'Outlook'), [
      'Calendar 0',
      'Contacts 0',
      'Custom Folder 1 0',
      'Custom Folder 2 0',
      'Deleted Items [deleted] 0',
      'Drafts [drafts] 0',
      'Inbox [inbox] 8',
      'Inbox/SubInbox 0',
      'Journal 0',
      'Junk E-mail [junk] 0',
      'Notes 0',
      'Outbox 0',
      'RSS Feeds 0',
      'Sent Items [sent] 6',
      'Tasks 0',
    ]);
    assert.equal(info.report.problemCount, 2);
    assert.deepEqual(
      info.report.problems.map((p) => [p.origin.replace(/#.*/, ''), p.reason]),
      [
        ['Outlook.pst:Calendar', 'skipped: IPM.Appointment is not a mail item'],
        ['Outlook.pst:Contacts', 'skipped: IPM.Contact is not a mail item'],
      ],
    );
    for (const it of g.listItems('Outlook')) {
      const bytes = g.readItemBytes(it.id);
      assert.equal(sha256(bytes), it.sha256);
      assert.match(bytes.toString('latin1', 0, 4000), /^MIME-Version: 1\.0\r?$/im);
    }
    assert.ok(g.listItems('Outlook', { folder: 'Inbox' }).some((i) => i.subject === 'Multiple attachments'));
    assert.deepEqual(snapshotTree(dir), before);
    assert.ok(fs.existsSync(path.join(cat.root, info.id, 'db', DB_FILE)));
  });
});
