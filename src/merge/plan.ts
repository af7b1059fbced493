/**
 * Planning: classify every selected RSG item against the target mailbox. Reads only.
 *
 * Decision order for one item (first that applies):
 *   1. its identity was already planned for creation in this merge → identical (a duplicate in the source)
 *   2. a live target item has its identity → identical (same flags) or changed (other flags)
 *   3. the target has a tombstone for it → purged
 *   4. the target's dumpster has it → identical if the source item was deleted too, else deleted-since-backup
 *   5. it was in the source's dumpster → recoverable while its deletion time is inside the
 *      target's retention window (always, when the target is on hold), else expired
 *   6. otherwise → missing
 */
import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.js';
import { DAY_MS } from '../lib/clock.js';
import type { RecoveryGroup } from '../rsg/index.js';
import {
  type FolderRole,
  type Mailbox,
  databaseRetentionDays,
  findFolderByRole,
  findMailbox,
  getMailbox,
  listFolders,
  normaliseFolderPath,
} from '../store/index.js';
import type { ConflictPolicy, MergeAction, MergeClass, MergeRequest, PlannedItem } from './types.js';

/** Well-known folder names that work whatever the folder is called. */
export const WELL_KNOWN: Record<string, FolderRole> = {
  '#inbox#': 'inbox',
  '#sent#': 'sent',
  '#drafts#': 'drafts',
  '#deleted#': 'deleted',
  '#junk#': 'junk',
  '#archive#': 'archive',
};

/** Resolves a query in the search language to item ids of the RSG (injected: search owns it). */
export type QuerySelector = (group: RecoveryGroup, query: string, mailbox: string | undefined) => number[];

/** The attachment file names of an RSG item (injected: the search index knows them). */
export type AttachmentNames = (group: RecoveryGroup, itemId: number) => string[];

/** Glob patterns of file names (`*.xlsx`, `report-??.pdf`) as one case-insensitive test. */
export function globTest(patterns: string[] | undefined): ((names: string[]) => boolean) | undefined {
  if (!patterns || patterns.length === 0) {
    return undefined;
  }
  const res = patterns.map(
    (p) =>
      new RegExp(
        '^' +
          p
            .split('')
            .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
            .join('') +
          '$',
        'i',
      ),
  );
  return (names) => names.some((n) => res.some((r) => r.test(n)));
}

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(root + '/');
}

/** The mailboxes of an RSG, id → address (without the per-mailbox counts `listMailboxes` adds up). */
function addressesOf(group: RecoveryGroup): Map<number, string> {
  const rows = group.sql.prepare('SELECT id, address FROM mailboxes ORDER BY address').all() as {
    id: number;
    address: string;
  }[];
  return new Map(rows.map((r) => [r.id, r.address]));
}

/** The folders of an RSG mailbox, path → role (without the per-folder counts `listFolders` adds up). */
function folderRolesOf(group: RecoveryGroup, address: string): { path: string; role: FolderRole | null }[] {
  return listFolders(group.sql, group.mailbox(address).id);
}

function flagSet(flags: readonly string[]): string {
  return [...flags]
    .filter((f) => f !== '\\Recent')
    .sort()
    .join(' ');
}

/** What planning reads of a source item; the rest of its fields are read when it is written. */
export interface SourceItem {
  id: number;
  mailboxId: number;
  folder: string;
  messageId: string | null;
  identity: string;
  subject: string;
  size: number;
  blobHash: string;
  flags: string[];
  internalMs: number;
  deletedMs: number | null;
}

const SOURCE_COLS = `id, mailbox_id AS mailboxId, folder_path AS folder, message_id AS messageId, identity, subject,
  size, blob_hash AS blobHash, flags, internal_ms AS internalMs, deleted_ms AS deletedMs`;

function sourceItems(rows: unknown[]): SourceItem[] {
  const items = rows as (Omit<SourceItem, 'flags'> & { flags: string | string[] })[];
  for (const r of items) {
    r.flags = r.flags === '' ? [] : (r.flags as string).split(' ');
  }
  return items as SourceItem[];
}

/**
 * The items of an RSG mailbox (live and dumpster), optionally only a folder with its
 * subfolders: found through the folder index by folder id (a LIKE on the path would visit every
 * item of the mailbox), plus the dumpster items whose folder is gone, which keep only its path.
 */
function mailboxItems(group: RecoveryGroup, address: string, folder: string | undefined): SourceItem[] {
  const m = group.mailbox(address);
  if (folder === undefined) {
    return sourceItems(group.sql.prepare(`SELECT ${SOURCE_COLS} FROM items WHERE mailbox_id = ?`).all(m.id));
  }
  const ids = listFolders(group.sql, m.id)
    .filter((f) => under(f.path, folder))
    .map((f) => f.id);
  const inFolders = group.sql
    .prepare(
      `SELECT ${SOURCE_COLS} FROM items WHERE mailbox_id = ? AND folder_id IN (SELECT value FROM json_each(?))`,
    )
    .all(m.id, JSON.stringify(ids));
  const orphans = group.sql
    .prepare(
      `SELECT ${SOURCE_COLS} FROM items WHERE mailbox_id = ? AND folder_id IS NULL
         AND (folder_path = ? OR folder_path LIKE ? ESCAPE '\\')`,
    )
    .all(m.id, folder, folder.replace(/[\\%_]/g, (c) => '\\' + c) + '/%');
  return sourceItems(orphans.length === 0 ? inFolders : [...inFolders, ...orphans]);
}

/** The items of an RSG with these ids. @throws MESSAGE_NOT_FOUND naming the first id it lacks */
function itemsById(group: RecoveryGroup, ids: readonly number[]): SourceItem[] {
  const items = sourceItems(
    group.sql
      .prepare(`SELECT ${SOURCE_COLS} FROM items WHERE id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ids)),
  );
  if (items.length < new Set(ids).size) {
    const found = new Set(items.map((i) => i.id));
    const id = ids.find((x) => !found.has(x));
    throw new AppError('MESSAGE_NOT_FOUND', `No item ${id} in recovery group ${group.id}`, { itemId: id });
  }
  return items;
}

/** The source items a selection names, in a stable order. @throws MAILBOX_NOT_FOUND, MESSAGE_NOT_FOUND, VALIDATION_FAILED */
export function selectItems(
  group: RecoveryGroup,
  req: MergeRequest,
  selectQuery?: QuerySelector,
  attachmentNames?: AttachmentNames,
): { item: SourceItem; mailbox: string }[] {
  const sel = req.selection;
  const boxes = addressesOf(group);
  let items: SourceItem[];
  if (sel.itemIds && sel.itemIds.length > 0) {
    items = itemsById(group, sel.itemIds);
    if (sel.mailbox) {
      // ids with a mailbox: items of that mailbox only; another mailbox's item is one it lacks
      const inBox = group.mailbox(sel.mailbox).id;
      const foreign = items.find((i) => i.mailboxId !== inBox);
      if (foreign) {
        throw new AppError('MESSAGE_NOT_FOUND', `No item ${foreign.id} in mailbox '${sel.mailbox}'`, {
          itemId: foreign.id,
          mailbox: sel.mailbox,
        });
      }
    }
  } else if (sel.query !== undefined) {
    if (!selectQuery) {
      throw new AppError('VALIDATION_FAILED', 'Selecting by query needs the search index');
    }
    if (sel.mailbox) {
      group.mailbox(sel.mailbox);
    }
    items = itemsById(group, selectQuery(group, sel.query, sel.mailbox));
  } else if (sel.mailbox) {
    const f = sel.folder === undefined ? undefined : normaliseFolderPath(sel.folder);
    items = mailboxItems(group, sel.mailbox, f);
    if (f !== undefined && sel.subfolders === false) {
      items = items.filter((i) => i.folder === f);
    }
  } else if (sel.folder !== undefined) {
    const all = [...boxes.values()];
    if (all.length !== 1) {
      throw new AppError(
        'VALIDATION_FAILED',
        'This recovery group holds several mailboxes: name the source mailbox of the folder',
      );
    }
    return selectItems(
      group,
      { ...req, selection: { ...sel, mailbox: all[0]! } },
      selectQuery,
      attachmentNames,
    );
  } else {
    throw new AppError(
      'VALIDATION_FAILED',
      'A merge needs a selection: item ids, a folder, a mailbox or a query',
    );
  }
  // every folder of a role, not only the first: a dump may hold sent, sent_items and _sent_mail
  const roleRoots = new Map<string, Map<FolderRole, string[]>>();
  const rootsOf = (address: string): Map<FolderRole, string[]> => {
    let m = roleRoots.get(address);
    if (!m) {
      m = new Map();
      for (const f of folderRolesOf(group, address)) {
        if (f.role) {
          m.set(f.role, [...(m.get(f.role) ?? []), f.path]);
        }
      }
      roleRoots.set(address, m);
    }
    return m;
  };
  const matches = (it: SourceItem, address: string, names: string[]): boolean =>
    names.some((n) => {
      const role = WELL_KNOWN[n.toLowerCase()];
      const roots = role ? (rootsOf(address).get(role) ?? []) : [normaliseFolderPath(n)];
      return roots.some((root) => root !== '' && under(it.folder, root));
    });
  const attachmentTest = globTest(sel.attachmentNames);
  if (attachmentTest && !attachmentNames) {
    throw new AppError('VALIDATION_FAILED', 'Selecting by attachment name needs the search index');
  }
  const out: { item: SourceItem; mailbox: string }[] = [];
  const seen = new Set<number>();
  for (const it of items) {
    const address = boxes.get(it.mailboxId) ?? '';
    if (seen.has(it.id)) {
      continue;
    }
    if (sel.includeFolders?.length && !matches(it, address, sel.includeFolders)) {
      continue;
    }
    if (sel.excludeFolders?.length && matches(it, address, sel.excludeFolders)) {
      continue;
    }
    if (attachmentTest && !attachmentTest(attachmentNames!(group, it.id))) {
      continue;
    }
    seen.add(it.id);
    out.push({ item: it, mailbox: address });
  }
  // code-unit order, not localeCompare: any stable order will do, and ICU collation of tens of
  // thousands of paths costs seconds
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  out.sort(
    (a, b) =>
      cmp(a.mailbox, b.mailbox) ||
      cmp(a.item.folder, b.item.folder) ||
      a.item.internalMs - b.item.internalMs ||
      a.item.id - b.item.id,
  );
  return out;
}

/** Where an item lands in the target: same path (top folder mapped by role) or under Recovered Items. */
function folderMapper(
  live: BetterSqlite3.Database,
  target: Mailbox,
  group: RecoveryGroup,
  mode: MergeRequest['folders'],
  startedMs: number,
): (item: SourceItem, sourceMailbox: string) => string {
  if (mode === 'recovered') {
    const day = new Date(startedMs).toISOString().slice(0, 10);
    const root = `Recovered Items/${group.info.label.replaceAll('/', '-')} ${day}`;
    return (item) => `${root}/${item.folder}`;
  }
  const roles = new Map<string, Map<string, FolderRole | null>>();
  const mapped = new Map<FolderRole, string | undefined>();
  const done = new Map<string, string>(); // the items of a folder all land in the same place
  const map = (item: SourceItem, sourceMailbox: string): string => {
    let r = roles.get(sourceMailbox);
    if (!r) {
      r = new Map(folderRolesOf(group, sourceMailbox).map((f) => [f.path, f.role]));
      roles.set(sourceMailbox, r);
    }
    const segs = item.folder.split('/');
    const role = r.get(segs[0]!);
    if (!role) {
      return item.folder;
    }
    if (!mapped.has(role)) {
      mapped.set(role, findFolderByRole(live, target.id, role)?.path);
    }
    const top = mapped.get(role);
    return top ? [top, ...segs.slice(1)].join('/') : item.folder;
  };
  return (item, sourceMailbox) => {
    const key = `${sourceMailbox}\n${item.folder}`;
    let to = done.get(key);
    if (to === undefined) {
      to = map(item, sourceMailbox);
      done.set(key, to);
    }
    return to;
  };
}

function actionFor(cls: MergeClass, req: MergeRequest): MergeAction {
  const policy: ConflictPolicy = req.conflict;
  switch (cls) {
    case 'missing':
      return 'create';
    case 'identical':
      return policy === 'keep-both' ? 'keep-both' : 'skip';
    case 'changed':
      return policy === 'keep-both' ? 'keep-both' : policy === 'update' ? 'update' : 'skip';
    case 'deleted-since-backup':
      return req.overrides.deletedSinceBackup ? 'create' : 'skip';
    case 'purged':
      return req.overrides.purged ? 'create' : 'skip';
    case 'recoverable':
      return 'create-in-dumpster';
    case 'expired':
      return req.overrides.expired ? 'create' : 'skip';
    case 'failed':
      return 'fail';
  }
}

interface TargetRow {
  id: number;
  flags: string;
  deletedMs: number | null;
}

/**
 * The target's items and tombstones by identity. A target not much larger than the selection
 * is read in one pass (a query per selected item costs more than the whole scan); a large
 * target is asked item by item, through its identity indexes.
 */
function targetIndex(
  live: BetterSqlite3.Database,
  mailboxId: number,
  selected: number,
): { rowsOf: (identity: string) => TargetRow[]; hasTombstone: (identity: string) => boolean } {
  const scan = (table: 'items' | 'tombstones'): boolean =>
    (live.prepare(`SELECT count(*) FROM ${table} WHERE mailbox_id = ?`).pluck().get(mailboxId) as number) <=
    4 * selected + 1000;
  let rowsOf: (identity: string) => TargetRow[];
  if (scan('items')) {
    const byIdentity = new Map<string, TargetRow[]>();
    const all = live
      .prepare(
        'SELECT identity, id, flags, deleted_ms AS deletedMs FROM items WHERE mailbox_id = ? ORDER BY deleted_ms IS NOT NULL, id',
      )
      .all(mailboxId) as (TargetRow & { identity: string })[];
    for (const r of all) {
      const rows = byIdentity.get(r.identity);
      if (rows) {
        rows.push(r);
      } else {
        byIdentity.set(r.identity, [r]);
      }
    }
    rowsOf = (identity) => byIdentity.get(identity) ?? [];
  } else {
    const q = live.prepare(
      'SELECT id, flags, deleted_ms AS deletedMs FROM items WHERE mailbox_id = ? AND identity = ? ORDER BY deleted_ms IS NOT NULL, id',
    );
    rowsOf = (identity) => q.all(mailboxId, identity) as TargetRow[];
  }
  let hasTombstone: (identity: string) => boolean;
  if (scan('tombstones')) {
    const set = new Set(
      live.prepare('SELECT identity FROM tombstones WHERE mailbox_id = ?').pluck().all(mailboxId) as string[],
    );
    hasTombstone = (identity) => set.has(identity);
  } else {
    const q = live.prepare('SELECT 1 FROM tombstones WHERE mailbox_id = ? AND identity = ? LIMIT 1');
    hasTombstone = (identity) => q.get(mailboxId, identity) !== undefined;
  }
  return { rowsOf, hasTombstone };
}

/**
 * Classify each selected item against the target's state now. Pure: nothing is written.
 * `assumeEmptyTarget`: plan against a target that does not exist yet as if it were empty (a
 * dry run of a job that will create its mailboxes).
 * @throws MAILBOX_NOT_FOUND (target), RSG errors, VALIDATION_FAILED
 */
export function planMerge(
  live: BetterSqlite3.Database,
  group: RecoveryGroup,
  req: MergeRequest,
  opts: {
    now: number;
    selectQuery?: QuerySelector;
    attachmentNames?: AttachmentNames;
    assumeEmptyTarget?: boolean;
  },
): PlannedItem[] {
  const target: Mailbox =
    opts.assumeEmptyTarget && !findMailbox(live, req.target)
      ? { id: -1, address: req.target, name: '', retentionDays: null, hold: false, createdMs: opts.now }
      : getMailbox(live, req.target);
  const retentionMs = (target.retentionDays ?? databaseRetentionDays(live)) * DAY_MS;
  const selected = selectItems(group, req, opts.selectQuery, opts.attachmentNames);
  const { rowsOf, hasTombstone } = targetIndex(live, target.id, selected.length);
  const planned = new Set<string>();
  const folderOf = folderMapper(live, target, group, req.folders, opts.now);
  return selected.map(({ item, mailbox }) => {
    const rows = rowsOf(item.identity);
    const liveRow = rows.find((r) => r.deletedMs === null);
    const dumpRow = rows.find((r) => r.deletedMs !== null);
    let cls: MergeClass;
    let targetItemId: number | null = null;
    let reason: string | null = null;
    if (planned.has(item.identity)) {
      cls = 'identical';
      reason = 'the same message appears earlier in the selection';
    } else if (liveRow) {
      targetItemId = liveRow.id;
      cls =
        flagSet(liveRow.flags === '' ? [] : liveRow.flags.split(' ')) === flagSet(item.flags)
          ? 'identical'
          : 'changed';
    } else if (hasTombstone(item.identity)) {
      cls = 'purged';
      reason = 'the retention policy purged it from the target (tombstone)';
    } else if (dumpRow) {
      targetItemId = dumpRow.id;
      cls = item.deletedMs !== null ? 'identical' : 'deleted-since-backup';
      if (cls === 'deleted-since-backup') {
        reason = 'the user deleted it after the backup';
      }
    } else if (item.deletedMs !== null) {
      cls = target.hold || item.deletedMs + retentionMs > opts.now ? 'recoverable' : 'expired';
      if (cls === 'expired') {
        reason = `deleted ${new Date(item.deletedMs).toISOString()}, outside the target's retention window`;
      }
    } else {
      cls = 'missing';
    }
    const action = actionFor(cls, req);
    if (action === 'create' || action === 'create-in-dumpster') {
      planned.add(item.identity);
    }
    const creates = action === 'create' || action === 'create-in-dumpster' || action === 'keep-both';
    return {
      sourceItemId: item.id,
      sourceMailbox: mailbox,
      sourceFolder: item.folder,
      messageId: item.messageId,
      identity: item.identity,
      subject: item.subject,
      size: item.size,
      blobHash: item.blobHash,
      flags: item.flags,
      internalMs: item.internalMs,
      deletedMs: item.deletedMs,
      class: cls,
      action,
      targetFolder: creates ? folderOf(item, mailbox) : null,
      targetItemId,
      reason,
    };
  });
}
