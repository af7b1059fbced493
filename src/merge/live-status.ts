/**
 * "Compare with production": where a message of a recovery group stands today in the live
 * mailbox of the same address — present (in which folder), in the dumpster (days left),
 * purged (a tombstone), or missing.
 */
import { DAY_MS } from '../lib/clock.js';
import { type Database, type Mailbox, databaseRetentionDays, findMailbox, stmt } from '../store/index.js';

export type LiveStatus =
  | { status: 'present'; mailbox: string; folder: string; itemId: number }
  | { status: 'in-dumpster'; mailbox: string; folder: string; itemId: number; daysLeft: number | null }
  | { status: 'purged'; mailbox: string; purgedAt: string }
  | { status: 'missing'; mailbox: string | null };

/** A message of a recovery group: the address of its mailbox and its identity (the normalised Message-ID, or the content hash: message.ts). */
export interface GroupMessage {
  mailbox: string;
  identity: string;
}

/** Where each message stands in the live mailbox of the same address, in order. */
export function liveStatuses(live: Database, messages: readonly GroupMessage[]): LiveStatus[] {
  const mailboxes = new Map<string, Mailbox | undefined>();
  const now = live.clock.now();
  return messages.map((msg) => {
    if (!mailboxes.has(msg.mailbox)) {
      mailboxes.set(msg.mailbox, findMailbox(live.sql, msg.mailbox));
    }
    return statusIn(live, mailboxes.get(msg.mailbox), msg.identity, now);
  });
}

function statusIn(live: Database, m: Mailbox | undefined, identity: string, now: number): LiveStatus {
  if (!m) {
    return { status: 'missing', mailbox: null };
  }
  const r = stmt(
    live.sql,
    'SELECT id, folder_path AS folder, deleted_ms AS deletedMs FROM items WHERE mailbox_id = ? AND identity = ? ORDER BY deleted_ms IS NOT NULL, id LIMIT 1',
  ).get(m.id, identity) as { id: number; folder: string; deletedMs: number | null } | undefined;
  if (r && r.deletedMs === null) {
    return { status: 'present', mailbox: m.address, folder: r.folder, itemId: r.id };
  }
  if (r) {
    const purgeAt = r.deletedMs! + (m.retentionDays ?? databaseRetentionDays(live.sql)) * DAY_MS;
    return {
      status: 'in-dumpster',
      mailbox: m.address,
      folder: r.folder,
      itemId: r.id,
      daysLeft: m.hold ? null : Math.max(0, Math.floor((purgeAt - now) / DAY_MS)),
    };
  }
  const t = stmt(
    live.sql,
    'SELECT purged_ms AS p FROM tombstones WHERE mailbox_id = ? AND identity = ? ORDER BY purged_ms DESC LIMIT 1',
  ).get(m.id, identity) as { p: number } | undefined;
  if (t) {
    return { status: 'purged', mailbox: m.address, purgedAt: new Date(t.p).toISOString() };
  }
  return { status: 'missing', mailbox: m.address };
}
