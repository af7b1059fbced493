/** The API's JSON shapes the pages read (see openapi.yaml). */

export interface MountProgress {
  phase: string;
  items: number;
  bytes: number;
  totalItems?: number;
  itemsPerSecond: number;
  etaSeconds?: number;
}

export interface Rsg {
  id: string;
  label: string;
  source: { kind: string; path: string; until?: string };
  state: 'mounting' | 'mounted' | 'failed';
  error?: { code: string; message: string };
  selfService: boolean;
  createdMs: number;
  mountedMs?: number;
  counts: { mailboxes: number; folders: number; items: number; dumpsterItems: number; bytes: number };
  items: number;
  progress?: MountProgress;
  report: { problems: { origin: string; reason: string }[]; problemCount: number };
}

export interface RsgMailbox {
  address: string;
  items: number;
  dumpsterItems: number;
  bytes: number;
}

export interface Folder {
  path: string;
  name: string;
  role: string | null;
  items: number;
  bytes: number;
}

export interface Item {
  id: number;
  folder: string;
  messageId: string | null;
  subject: string;
  from: string;
  to?: string;
  cc?: string;
  date: string | null;
  received: string;
  size: number;
  sha256: string;
  flags: string[];
  deleted?: string | null;
}

export interface DumpsterItem extends Item {
  deleted: string;
  purgeAt: string | null;
  daysLeft: number | null;
}

export type LiveStatus =
  | { status: 'present'; folder?: string }
  | { status: 'in-dumpster'; folder?: string; daysLeft?: number | null }
  | { status: 'purged'; purgedAt?: string }
  | { status: 'missing' };

export interface Hit {
  itemId: number;
  messageId: string | null;
  mailbox: string;
  folder: string;
  date: string;
  from: string;
  subject: string;
  size: number;
  hasAttachment: boolean;
  snippet: string;
  live: LiveStatus;
}

export interface SearchResult {
  total: number;
  hits: Hit[];
  nextCursor?: string;
}

export interface MessageDetail extends Item {
  mailbox?: string;
  to?: string;
  cc?: string;
  headers: { name: string; value: string }[];
  text: string | null;
  html: string | null;
  attachments: { name: string | null; contentType: string; size: number }[];
}

export interface MergeCounts {
  selected: number;
  created: number;
  identical: number;
  changed: number;
  updated: number;
  keptBoth: number;
  deletedSinceBackup: number;
  purged: number;
  recoverable: number;
  expired: number;
  failed: number;
  skipped: number;
}

export interface MergeReport {
  id: number | null;
  rsg: string;
  target: string;
  dryRun: boolean;
  state: 'planned' | 'running' | 'stopped' | 'done' | 'failed' | 'undone';
  counts: MergeCounts;
  bytesCopied: number;
  bytesShared: number;
  total: number;
  done: number;
  error: string | null;
  failures: { sourceItemId: number; reason: string }[];
}

export interface UndoReport {
  id: number;
  removed: number;
  flagsRestored: number;
  touched: number;
  gone: number;
}

export interface LiveMailbox {
  address: string;
  name: string;
  items: number;
  dumpsterItems: number;
  bytes: number;
  effectiveRetentionDays: number;
  hold: boolean;
}

export interface AuditEntry {
  id: number;
  time: string;
  actor: { tokenId: number | null; name: string; role: string | null };
  action: string;
  target: string;
  outcome: 'ok' | 'denied' | 'failed';
  code: string | null;
  requestId: string | null;
  detail: Record<string, unknown> | null;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}
