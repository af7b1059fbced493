// A conversion is a bulk load (no log, indexes built at the end, the source read and parsed in
// a worker thread): what it stores must be exactly what the store's logged write path stores
// for the same source events — same mailboxes, folders, items, blobs, refcounts and ids — and
// the sealed database must pass `db check`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { RsgCatalogue, RsgSourceKind } from '../../src/rsg/index.js';
import { readSource, type SourceKind } from '../../src/sources/index.js';
import {
  BULK_PAGE_SIZE,
  DB_FILE,
  Database,
  DEFAULT_MAX_MESSAGE_BYTES,
  addItemTx,
  checkDatabase,
  createMailboxTx,
  ensureFolder,
  findMailbox,
  parseMessage,
} from '../../src/store/index.js';
import {
  OUTLOOK_PST,
  RSG_FIXTURES,
  SOURCES,
  aCatalogue,
  aClock,
  copyTrees,
  mountOk,
  sha256,
  tempDir,
} from './helpers.js';

/**
 * The reference: every event of the source through the logged write path, as conversions were
 * written before bulk load (one mailbox per name without default folders, each folder event
 * ensured, each parsed message added with its source's arrival time, bad ones skipped).
 */
async function convertThroughTheLog(dir: string, kind: SourceKind, source: string): Promise<void> {
  const clock = aClock();
  const db = Database.create(dir, { clock, retentionDays: 14 });
  try {
    for await (const ev of readSource(kind, source)) {
      if (ev.kind === 'problem') {
        continue;
      }
      const mailbox = ev.kind === 'folder' ? ev.folder.mailbox : ev.message.mailbox;
      db.writeSync((tx) => {
        const box =
          findMailbox(tx.sql, mailbox) ?? createMailboxTx(tx, { address: mailbox, defaultFolders: false });
        if (ev.kind === 'folder') {
          if (ev.folder.path !== '') {
            ensureFolder(tx, box.id, ev.folder.path, ev.folder.role ?? null);
          }
          return;
        }
        const m = ev.message;
        let parsed;
        try {
          parsed = parseMessage(m.bytes, DEFAULT_MAX_MESSAGE_BYTES);
        } catch {
          return;
        }
        addItemTx(tx, {
          mailboxId: box.id,
          folderPath: m.folderPath || 'Inbox',
          bytes: m.bytes,
          parsed,
          flags: m.flags,
          internalMs: m.internalMs ?? parsed.dateMs ?? clock.now(),
          deletedMs: m.deletedMs ?? null,
          origin: `source:${m.origin}`,
        });
      });
    }
  } finally {
    db.close();
  }
}

/** Every row of the tables a mount fills, in id order. */
function rowsOf(dbFile: string): Record<string, unknown[]> {
  const sql = new BetterSqlite3(dbFile, { readonly: true });
  try {
    return {
      mailboxes: sql.prepare('SELECT * FROM mailboxes ORDER BY id').all(),
      folders: sql.prepare('SELECT * FROM folders ORDER BY id').all(),
      items: sql.prepare('SELECT * FROM items ORDER BY id').all(),
      blobs: sql.prepare('SELECT * FROM blobs ORDER BY hash').all(),
      blobRefs: sql.prepare('SELECT * FROM blob_refs ORDER BY hash').all(),
      counters: sql.prepare('SELECT * FROM counters ORDER BY name').all(),
      indexes: sql.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all(),
    };
  } finally {
    sql.close();
  }
}

function pageSizeOf(dbFile: string): number {
  const sql = new BetterSqlite3(dbFile, { readonly: true });
  try {
    return sql.pragma('page_size', { simple: true }) as number;
  } finally {
    sql.close();
  }
}

async function assertSameAsTheLog(
  t: Parameters<typeof tempDir>[0],
  cat: RsgCatalogue,
  kind: RsgSourceKind & SourceKind,
  source: string,
): Promise<Record<string, unknown[]>> {
  const info = await mountOk(cat, { source: kind, path: source });
  const mounted = path.join(cat.root, info.id, 'db');
  const reference = path.join(tempDir(t), 'reference');
  await convertThroughTheLog(reference, kind, source);
  const got = rowsOf(path.join(mounted, DB_FILE));
  assert.deepEqual(got, rowsOf(path.join(reference, DB_FILE)));
  assert.equal(pageSizeOf(path.join(mounted, DB_FILE)), BULK_PAGE_SIZE); // the same rows in larger pages
  assert.notEqual(BULK_PAGE_SIZE, pageSizeOf(path.join(reference, DB_FILE)));
  assert.ok(got.items!.length > 0);
  const check = checkDatabase(mounted);
  assert.deepEqual(check.problems, []);
  assert.equal(check.ok, true);
  return got;
}

describe('converting by bulk load', () => {
  it('stores an eml-tree (with a message above the inline limit, stored as a file) exactly as the logged write path', async (t) => {
    const src = copyTrees(t, {
      'phanis-s': path.join(SOURCES, 'eml-tree', 'phanis-s'),
      bounces: path.join(RSG_FIXTURES, 'eml-tree', 'bounces'),
    });
    const big = Buffer.from(
      `Subject: big\r\nMessage-ID: <big@example.com>\r\n\r\n${'x'.repeat(100_000)}\r\n`,
    );
    fs.mkdirSync(path.join(src, 'phanis-s', 'large'));
    fs.writeFileSync(path.join(src, 'phanis-s', 'large', '1.'), big);
    fs.writeFileSync(path.join(src, 'phanis-s', 'large', '2.'), big); // one blob, refcount 2
    const cat = aCatalogue(t);
    const rows = await assertSameAsTheLog(t, cat, 'eml-tree', src);
    const blob = rows.blobs!.find((b) => (b as { hash: string }).hash === sha256(big));
    assert.deepEqual(blob, { hash: sha256(big), size: big.length, data: null });
    const refs = rows.blobRefs!.find((b) => (b as { hash: string }).hash === sha256(big));
    assert.deepEqual(refs, { hash: sha256(big), refcount: 2 });
  });

  it('stores an eml-tree of many batches exactly as the logged write path (the reader fills handed-back buffers again)', async (t) => {
    // 2,000 messages: eight batches of the reader, more than it holds ahead, so that batch
    // buffers come back to it and are filled again; one message larger than such a buffer
    const src = tempDir(t);
    for (let i = 0; i < 2000; i++) {
      const folder = path.join(src, `user${i % 3}`, `folder${i % 7}`);
      fs.mkdirSync(folder, { recursive: true });
      const body = `message ${i} ${'abcdefghij'.repeat((i * 37) % 500)}\r\n`;
      const id = i % 10 === 0 ? 'shared' : `m${i}`; // every tenth one the same message (one blob)
      const text =
        i % 10 === 0
          ? `Received: from hop${i}\r\nMessage-ID: <${id}@example.com>\r\nSubject: same\r\n\r\nsame body\r\n`
          : `Message-ID: <${id}@example.com>\r\nSubject: number ${i}\r\n\r\n${body}`;
      fs.writeFileSync(path.join(folder, `${i}.`), text);
    }
    const big = `Subject: big\r\nMessage-ID: <big@example.com>\r\n\r\n${'y'.repeat(5 * 1024 * 1024)}\r\n`;
    fs.writeFileSync(path.join(src, 'user1', 'folder3', '1000a.'), big);
    const rows = await assertSameAsTheLog(t, aCatalogue(t), 'eml-tree', src);
    assert.equal(rows.items!.length, 2001);
    // the content after the per-delivery Received: field, once for 200 items
    const same = sha256(
      Buffer.from('Message-ID: <shared@example.com>\r\nSubject: same\r\n\r\nsame body\r\n'),
    );
    const refs = rows.blobRefs!.find((b) => (b as { hash: string }).hash === same);
    assert.deepEqual(refs, { hash: same, refcount: 200 });
  });

  it('stores a Maildir tree (flags) exactly as the logged write path', async (t) => {
    await assertSameAsTheLog(
      t,
      aCatalogue(t),
      'maildir',
      copyTrees(t, { maildir: path.join(SOURCES, 'maildir') }),
    );
  });

  it('stores a directory of mbox files (bad pieces skipped) exactly as the logged write path', async (t) => {
    await assertSameAsTheLog(t, aCatalogue(t), 'mbox', path.join(SOURCES, 'mbox'));
  });

  it('stores a PST exactly as the logged write path', async (t) => {
    await assertSameAsTheLog(t, aCatalogue(t), 'pst', OUTLOOK_PST);
  });
});
