/** The words of a merge: request, classes, actions, counts, report. */
export type FolderMode = 'original' | 'recovered';
export type ConflictPolicy = 'skip' | 'keep-both' | 'update';

export const MERGE_CLASSES = [
  'missing',
  'identical',
  'changed',
  'deleted-since-backup',
  'purged',
  'recoverable',
  'expired',
  'failed',
] as const;
export type MergeClass = (typeof MERGE_CLASSES)[number];

/** create: a new live item; create-in-dumpster: a recoverable item with its deletion time; update: take the source's flags. */
export type MergeAction = 'create' | 'create-in-dumpster' | 'keep-both' | 'update' | 'skip' | 'fail';

export interface MergeSelection {
  itemIds?: number[];
  /** Source mailbox: the whole mailbox, or the scope of `folder`/`query`. */
  mailbox?: string;
  folder?: string;
  /** With `folder`: include its subfolders (default true). */
  subfolders?: boolean;
  /** A query in the search language. */
  query?: string;
  /** Folder paths or well-known names (#inbox# #sent# #drafts# #deleted# #junk# #archive#), with subfolders. */
  includeFolders?: string[];
  excludeFolders?: string[];
  /** File-name globs (`*.xlsx`): only items with an attachment whose name matches one. */
  attachmentNames?: string[];
}

export interface MergeOverrides {
  /** Merge source-dumpster items whose deletion time is past the target's retention (as live items). */
  expired?: boolean;
  /** Bring back items the user deleted after the backup (they sit in the target's dumpster). */
  deletedSinceBackup?: boolean;
  /** Bring back items whose purge left a tombstone. */
  purged?: boolean;
}

export interface MergeRequest {
  rsg: string;
  target: string;
  selection: MergeSelection;
  folders: FolderMode;
  conflict: ConflictPolicy;
  overrides: MergeOverrides;
  /** Failures tolerated before the job stops (0: stop at the first, as Exchange does). */
  badItemLimit: number;
}

export interface PlannedItem {
  sourceItemId: number;
  sourceMailbox: string;
  sourceFolder: string;
  messageId: string | null;
  identity: string;
  subject: string;
  size: number;
  blobHash: string;
  flags: string[];
  internalMs: number;
  deletedMs: number | null;
  class: MergeClass;
  action: MergeAction;
  /** Where a created item goes (for a dumpster item: the folder it is restored to). */
  targetFolder: string | null;
  /** The target's item, for identical/changed/deleted-since-backup. */
  targetItemId: number | null;
  reason: string | null;
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
  createdMs: number;
  updatedMs: number;
}

export function emptyCounts(): MergeCounts {
  return {
    selected: 0,
    created: 0,
    identical: 0,
    changed: 0,
    updated: 0,
    keptBoth: 0,
    deletedSinceBackup: 0,
    purged: 0,
    recoverable: 0,
    expired: 0,
    failed: 0,
    skipped: 0,
  };
}

const CLASS_COUNT: Record<MergeClass, keyof MergeCounts | null> = {
  missing: null,
  identical: 'identical',
  changed: 'changed',
  'deleted-since-backup': 'deletedSinceBackup',
  purged: 'purged',
  recoverable: 'recoverable',
  expired: 'expired',
  failed: 'failed',
};

/** Add one handled item to the counts: its class, then its action. */
export function countItem(c: MergeCounts, cls: MergeClass, action: MergeAction): void {
  c.selected += 1;
  const k = CLASS_COUNT[cls];
  if (k) {
    c[k] += 1;
  }
  switch (action) {
    case 'create':
      c.created += 1;
      return;
    case 'keep-both':
      c.keptBoth += 1;
      return;
    case 'update':
      c.updated += 1;
      return;
    case 'skip':
      c.skipped += 1;
      return;
    case 'create-in-dumpster':
    case 'fail':
      return;
  }
}
