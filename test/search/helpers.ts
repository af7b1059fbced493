/**
 * Test helpers for src/search: a native Salvage database (the schema of src/store/schema.ts)
 * written with plain SQL from a tree <mailbox>/<folder>[/<subfolder>]/<file> of RFC 5322
 * messages, one mailbox per top directory, blobs inline, prefix empty: what a mounted RSG
 * holds, without depending on the store's API.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { sha256Hex } from '../../src/lib/hash.js';
import { buildSearchIndex, type BuildOptions, type IndexReport } from '../../src/search/index.js';
import { SCHEMA_SQL } from '../../src/store/schema.js';

export const FIXTURE_DIR = path.resolve(import.meta.dirname, '../fixtures/search');

export interface TestRsg {
  db: Database.Database;
  dir: string;
  file: string;
  readMessage: (itemId: number) => Buffer;
}

/** The unfolded value of the first header field `name` (case-insensitive) in the first MB, if any. */
export function headerValue(raw: Buffer, name: string): string | undefined {
  const text = raw.toString('latin1', 0, Math.min(raw.length, 1024 * 1024));
  const end = text.search(/\r?\n\r?\n/);
  const head = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const re = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im');
  return re.exec(head)?.[1]?.trim();
}

/** A new temp dir and the function that removes it. */
export function makeTempDir(prefix = 'salvage-search-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A temp dir removed after the test. */
export function tempDir(t: TestContext, prefix = 'salvage-search-'): string {
  const { dir, remove } = makeTempDir(prefix);
  t.after(remove);
  return dir;
}

/** Every message file under `root`, sorted, as [mailbox, folder path, file]. */
export function listTree(root: string): [string, string, string][] {
  const out: [string, string, string][] = [];
  const walk = (dir: string, rel: string[]): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) {
        continue; // .notmuch and the like
      }
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(full, [...rel, e.name]);
      } else if (rel.length >= 2) {
        out.push([rel[0]!, rel.slice(1).join('/'), full]);
      }
    }
  };
  walk(root, []);
  return out;
}

export interface ExtraItem {
  mailbox: string;
  folder: string;
  raw: Buffer;
  flags?: string;
  deletedMs?: number | null;
  internalMs?: number;
}

/** Open a new database in `dir` with the store schema and the messages of `tree` (if any). */
export function createTestRsg(dir: string, tree?: string, extra: ExtraItem[] = []): TestRsg {
  const file = path.join(dir, 'salvage.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA_SQL);
  const items: ExtraItem[] = tree
    ? listTree(tree).map(([mailbox, folder, f]) => ({ mailbox, folder, raw: fs.readFileSync(f) }))
    : [];
  addItems(db, [...items, ...extra]);
  const read = db.prepare(
    'SELECT i.prefix, b.data, b.hash FROM items i JOIN blobs b ON b.hash = i.blob_hash WHERE i.id = ?',
  );
  const readMessage = (itemId: number): Buffer => {
    const row = read.get(itemId) as { prefix: Buffer; data: Buffer | null; hash: string } | undefined;
    if (!row) {
      throw new Error(`no item ${itemId}`);
    }
    const data =
      row.data ??
      fs.readFileSync(path.join(dir, 'blobs', row.hash.slice(0, 2), row.hash.slice(2, 4), row.hash));
    return Buffer.concat([row.prefix, data]);
  };
  return { db, dir, file, readMessage };
}

/** Insert items (and their mailboxes, folders, blobs) with plain SQL. */
export function addItems(db: Database.Database, items: ExtraItem[]): void {
  const mailboxes = new Map<string, number>();
  const folders = new Map<string, number>();
  const insMailbox = db.prepare('INSERT INTO mailboxes (address, name, created_ms) VALUES (?, ?, 0)');
  const findMailbox = db.prepare('SELECT id FROM mailboxes WHERE address = ?').pluck();
  const insFolder = db.prepare(
    'INSERT INTO folders (mailbox_id, parent_id, name, path) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const findFolder = db.prepare('SELECT id FROM folders WHERE mailbox_id = ? AND path = ?').pluck();
  const insBlob = db.prepare(
    'INSERT INTO blobs (hash, size, data) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING',
  );
  const countRef = db.prepare(
    'INSERT INTO blob_refs (hash, refcount) VALUES (?, 1) ON CONFLICT (hash) DO UPDATE SET refcount = refcount + 1',
  );
  const insItem =
    db.prepare(`INSERT INTO items (mailbox_id, folder_id, folder_path, blob_hash, prefix, size, sha256,
      identity, message_id, subject, from_addr, to_addr, cc_addr, date_ms, internal_ms, flags, deleted_ms, created_ms)
      VALUES (?, ?, ?, ?, X'', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`);
  const mailboxId = (name: string): number => {
    const address = `${name}@example.com`;
    let id = mailboxes.get(address) ?? (findMailbox.get(address) as number | undefined);
    if (id === undefined) {
      id = Number(insMailbox.run(address, name).lastInsertRowid);
    }
    mailboxes.set(address, id);
    return id;
  };
  const folderId = (mb: number, p: string): number => {
    const key = `${mb}/${p}`;
    const known = folders.get(key);
    if (known !== undefined) {
      return known;
    }
    const parts = p.split('/');
    const parent = parts.length > 1 ? folderId(mb, parts.slice(0, -1).join('/')) : null;
    insFolder.run(mb, parent, parts[parts.length - 1], p);
    const id = findFolder.get(mb, p) as number;
    folders.set(key, id);
    return id;
  };
  db.transaction(() => {
    for (const it of items) {
      const mb = mailboxId(it.mailbox);
      const hash = sha256Hex(it.raw);
      insBlob.run(hash, it.raw.length, it.raw);
      countRef.run(hash);
      const mid = headerValue(it.raw, 'message-id')?.replace(/^<|>$/g, '') ?? null;
      const dateHeader = headerValue(it.raw, 'date');
      const parsed = dateHeader ? Date.parse(dateHeader) : NaN;
      const dateMs = Number.isNaN(parsed) ? null : parsed;
      insItem.run(
        mb,
        folderId(mb, it.folder),
        it.folder,
        hash,
        it.raw.length,
        hash,
        mid ? mid.toLowerCase() : `sha256:${hash}`,
        mid,
        headerValue(it.raw, 'subject') ?? '',
        headerValue(it.raw, 'from') ?? '',
        headerValue(it.raw, 'to') ?? '',
        headerValue(it.raw, 'cc') ?? '',
        dateMs,
        it.internalMs ?? dateMs ?? 0,
        it.flags ?? '',
        it.deletedMs ?? null,
      );
    }
  })();
}

export interface IndexedRsg extends TestRsg {
  report: IndexReport;
  /** Close the database and remove its directory. */
  cleanup: () => void;
}

/** A test RSG holding the messages of `tree` (if any) and `extra`, indexed. */
export async function indexedRsg(
  tree: string | undefined,
  extra: ExtraItem[] = [],
  options: Partial<BuildOptions> = {},
): Promise<IndexedRsg> {
  const { dir, remove } = makeTempDir();
  const rsg = createTestRsg(dir, tree, extra);
  const report = await buildSearchIndex(rsg.db, { readMessage: rsg.readMessage, workers: 2, ...options });
  return {
    ...rsg,
    report,
    cleanup: () => {
      rsg.db.close();
      remove();
    },
  };
}

/** An RFC 5322 message with CRLF line ends from header lines and a body. */
export function rawMessage(headers: Record<string, string>, body: string): Buffer {
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  return Buffer.from(`${head}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`);
}
