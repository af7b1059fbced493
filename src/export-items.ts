/**
 * What an export or a send hands to src/export: the items of a recovery group or of a live
 * mailbox — one item, a folder (with subfolders), a whole mailbox, or the hits of a query —
 * ordered by folder then date, their bytes read lazily one at a time.
 */
import { AppError } from './errors.js';
import type { ExportItem } from './export/index.js';
import type { RecoveryGroup } from './rsg/index.js';
import { search } from './search/index.js';
import { type Database, type Item, getMailbox, listItems, readItemBytes } from './store/index.js';

export interface ExportSelection {
  mailbox?: string;
  folder?: string;
  query?: string;
  itemIds?: number[];
}

function toExportItem(it: Item, read: (id: number) => Buffer): ExportItem {
  return {
    folderPath: it.folder,
    messageId: it.messageId ?? undefined,
    date: it.dateMs === null ? undefined : new Date(it.dateMs),
    from: it.from,
    subject: it.subject,
    sha256: it.sha256,
    bytes: () => Promise.resolve(read(it.id)),
  };
}

function ordered(items: Item[]): Item[] {
  return [...items].sort(
    (a, b) => a.folder.localeCompare(b.folder) || a.internalMs - b.internalMs || a.id - b.id,
  );
}

/** Items of a recovery group. @throws MAILBOX_NOT_FOUND, MESSAGE_NOT_FOUND, QUERY_INVALID, VALIDATION_FAILED */
export function rsgExportItems(group: RecoveryGroup, sel: ExportSelection, now: number): ExportItem[] {
  let items: Item[];
  if (sel.itemIds?.length) {
    items = sel.itemIds.map((id) => group.item(id));
    if (sel.mailbox) {
      const m = group.mailbox(sel.mailbox);
      items = items.filter((i) => i.mailboxId === m.id);
    }
  } else if (sel.query !== undefined) {
    items = search(group.sql, sel.query, { mailbox: sel.mailbox, all: true, now }).hits.map((h) =>
      group.item(h.itemId),
    );
  } else if (sel.mailbox) {
    items = group.listItems(sel.mailbox, sel.folder !== undefined ? { folder: sel.folder } : {});
  } else {
    throw new AppError('VALIDATION_FAILED', 'An export needs a mailbox, item ids or a query');
  }
  return ordered(items).map((it) => toExportItem(it, (id) => group.readItemBytes(id)));
}

/** Items of a live mailbox (not its dumpster). @throws MAILBOX_NOT_FOUND, VALIDATION_FAILED */
export function liveExportItems(live: Database, sel: ExportSelection): ExportItem[] {
  if (!sel.mailbox) {
    throw new AppError('VALIDATION_FAILED', 'A live export needs a mailbox');
  }
  if (sel.query !== undefined) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Live mailboxes have no search index: export a folder or the whole mailbox',
    );
  }
  const m = getMailbox(live.sql, sel.mailbox);
  let items = listItems(live.sql, m.id, { folder: sel.folder, state: 'live' });
  if (sel.itemIds?.length) {
    const want = new Set(sel.itemIds);
    items = items.filter((i) => want.has(i.id));
  }
  return ordered(items).map((it) => toExportItem(it, (id) => readItemBytes(live, id)));
}
