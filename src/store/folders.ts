/** The folder tree of a mailbox: special-use roles (RFC 6154) and path creation. */
import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.js';
import type { WriteTx } from './database.js';
import { stmt } from './stmt.js';

export type FolderRole = 'inbox' | 'sent' | 'drafts' | 'deleted' | 'junk' | 'archive' | 'recoverable';

/** The folders every new live mailbox starts with. */
export const DEFAULT_FOLDERS: readonly { path: string; role: FolderRole }[] = [
  { path: 'Inbox', role: 'inbox' },
  { path: 'Sent Items', role: 'sent' },
  { path: 'Drafts', role: 'drafts' },
  { path: 'Deleted Items', role: 'deleted' },
  { path: 'Junk Email', role: 'junk' },
  { path: 'Archive', role: 'archive' },
];

export interface Folder {
  id: number;
  mailboxId: number;
  parentId: number | null;
  name: string;
  path: string;
  role: FolderRole | null;
}

export function findFolder(sql: BetterSqlite3.Database, mailboxId: number, path: string): Folder | undefined {
  return stmt(
    sql,
    'SELECT id, mailbox_id AS mailboxId, parent_id AS parentId, name, path, role FROM folders WHERE mailbox_id = ? AND path = ?',
  ).get(mailboxId, path) as Folder | undefined;
}

export function findFolderByRole(
  sql: BetterSqlite3.Database,
  mailboxId: number,
  role: FolderRole,
): Folder | undefined {
  // the lowest id among the (few) folders with this role, picked here: `ORDER BY id LIMIT 1`
  // made SQLite sort through a temporary b-tree on every call, a hot spot of delivery
  const rows = stmt(
    sql,
    'SELECT id, mailbox_id AS mailboxId, parent_id AS parentId, name, path, role FROM folders WHERE mailbox_id = ? AND role = ?',
  ).all(mailboxId, role) as Folder[];
  let first: Folder | undefined;
  for (const f of rows) {
    if (!first || f.id < first.id) {
      first = f;
    }
  }
  return first;
}

/** @throws FOLDER_NOT_FOUND */
export function getFolder(sql: BetterSqlite3.Database, mailboxId: number, path: string): Folder {
  const f = findFolder(sql, mailboxId, path);
  if (!f) {
    throw new AppError('FOLDER_NOT_FOUND', `No folder '${path}' in this mailbox`, { folder: path });
  }
  return f;
}

export function listFolders(sql: BetterSqlite3.Database, mailboxId: number): Folder[] {
  return stmt(
    sql,
    'SELECT id, mailbox_id AS mailboxId, parent_id AS parentId, name, path, role FROM folders WHERE mailbox_id = ? ORDER BY path',
  ).all(mailboxId) as Folder[];
}

/** Normalise a folder path: trim segments, drop empty ones. */
export function normaliseFolderPath(p: string): string {
  return p
    .split('/')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .join('/');
}

/** The folder at `path`, created with its missing ancestors. Roles only apply to a new top-level folder. */
export function ensureFolder(
  tx: WriteTx,
  mailboxId: number,
  path: string,
  role: FolderRole | null = null,
): Folder {
  const norm = normaliseFolderPath(path);
  if (norm === '') {
    throw new AppError('VALIDATION_FAILED', 'A folder path must not be empty');
  }
  const existing = findFolder(tx.sql, mailboxId, norm);
  if (existing) {
    return existing;
  }
  const segs = norm.split('/');
  let parent: Folder | undefined;
  for (let i = 1; i <= segs.length; i++) {
    const p = segs.slice(0, i).join('/');
    let f = findFolder(tx.sql, mailboxId, p);
    if (!f) {
      const id = tx.nextId('folders');
      const row = {
        id,
        mailboxId,
        parentId: parent?.id ?? null,
        name: segs[i - 1]!,
        path: p,
        role: i === segs.length && segs.length === 1 ? role : null,
      };
      tx.emit({ t: 'folder.create', ...row });
      f = row;
    }
    parent = f;
  }
  return parent!;
}
