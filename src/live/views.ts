/** The JSON shapes of live mailboxes, folders and items: what the API returns and `--json` prints. */
import type { DumpsterItem } from '../dumpster/index.js';
import type { Item, MailboxSummary } from '../store/index.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export interface ItemSummaryView {
  id: number;
  folder: string;
  messageId: string | null;
  subject: string;
  from: string;
  to: string;
  cc: string;
  /** The Date: header, if it parses. */
  date: string | null;
  /** When the item arrived in its mailbox: the listing's sort key. */
  received: string;
  size: number;
  sha256: string;
  flags: string[];
  /** When it was moved to the dumpster; null for a live item. */
  deleted: string | null;
}

export function toItemSummary(it: Item): ItemSummaryView {
  return {
    id: it.id,
    folder: it.folder,
    messageId: it.messageId,
    subject: it.subject,
    from: it.from,
    to: it.to,
    cc: it.cc,
    date: it.dateMs === null ? null : iso(it.dateMs),
    received: iso(it.internalMs),
    size: it.size,
    sha256: it.sha256,
    flags: it.flags,
    deleted: it.deletedMs === null ? null : iso(it.deletedMs),
  };
}

export interface DumpsterItemView extends ItemSummaryView {
  deleted: string;
  /** When the purge pass removes it; null while the mailbox is on hold. */
  purgeAt: string | null;
  /** Whole days left before the purge (0 on the last day); null while on hold. */
  daysLeft: number | null;
}

export function toDumpsterItemView(it: DumpsterItem): DumpsterItemView {
  return {
    ...toItemSummary(it),
    deleted: iso(it.deletedMs),
    purgeAt: it.purgeAtMs === null ? null : iso(it.purgeAtMs),
    daysLeft: it.daysLeft,
  };
}

export interface MailboxView {
  address: string;
  name: string;
  /** This mailbox's own retention; null when the database default applies. */
  retentionDays: number | null;
  effectiveRetentionDays: number;
  hold: boolean;
  created: string;
  items: number;
  dumpsterItems: number;
  bytes: number;
}

export function toMailboxView(m: MailboxSummary): MailboxView {
  return {
    address: m.address,
    name: m.name,
    retentionDays: m.retentionDays,
    effectiveRetentionDays: m.effectiveRetentionDays,
    hold: m.hold,
    created: iso(m.createdMs),
    items: m.items,
    dumpsterItems: m.dumpsterItems,
    bytes: m.bytes,
  };
}

export interface FolderView {
  path: string;
  name: string;
  parent: string | null;
  /** Special use (RFC 6154): inbox, sent, drafts, deleted, junk, archive, recoverable. */
  role: string | null;
  /** Live items directly in this folder (not in subfolders). */
  items: number;
  /** Of those, the ones without \Seen. */
  unread: number;
  bytes: number;
}
