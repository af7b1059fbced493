/** The job report: summary.json, summary.csv and items.csv — the ExMerge log, machine-readable. */
import fs from 'node:fs';
import path from 'node:path';
import type { MergeCounts } from '../merge/index.js';

export interface MailboxSummary {
  from: string;
  to: string;
  mergeId: number | null;
  state: string;
  counts: MergeCounts;
  bytesCopied: number;
  bytesShared: number;
  error: string | null;
}

export interface ItemLine {
  sourceMailbox: string;
  sourceFolder: string;
  sourceItemId: number;
  messageId: string;
  targetMailbox: string;
  targetFolder: string;
  targetItemId: number | null;
  class: string;
  action: string;
  reason: string;
}

export interface JobReport {
  id: number | null;
  name: string;
  rsg: string;
  dryRun: boolean;
  state: 'done' | 'partial' | 'stopped' | 'failed' | 'planned';
  mailboxes: MailboxSummary[];
  totals: MergeCounts & { bytesCopied: number; bytesShared: number };
  startedMs: number;
  finishedMs: number;
  reportDir: string | null;
}

/** RFC 4180 field. */
export function csvField(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(values: (string | number | null | undefined)[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

const COUNT_KEYS = [
  'selected',
  'created',
  'identical',
  'changed',
  'updated',
  'keptBoth',
  'deletedSinceBackup',
  'purged',
  'recoverable',
  'expired',
  'failed',
  'skipped',
] as const;

/** Write the three report files into `dir` (created if missing). */
export function writeReport(dir: string, report: JobReport, items: Iterable<ItemLine>): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(report, null, 2) + '\n');
  const head = ['from', 'to', 'merge_id', 'state', ...COUNT_KEYS, 'bytes_copied', 'bytes_shared', 'error'];
  let csv = csvLine(head);
  for (const m of report.mailboxes) {
    csv += csvLine([
      m.from,
      m.to,
      m.mergeId,
      m.state,
      ...COUNT_KEYS.map((k) => m.counts[k]),
      m.bytesCopied,
      m.bytesShared,
      m.error,
    ]);
  }
  fs.writeFileSync(path.join(dir, 'summary.csv'), csv);
  const fd = fs.openSync(path.join(dir, 'items.csv'), 'w');
  try {
    fs.writeSync(
      fd,
      csvLine([
        'source_mailbox',
        'source_folder',
        'source_item_id',
        'message_id',
        'target_mailbox',
        'target_folder',
        'target_item_id',
        'class',
        'action',
        'reason',
      ]),
    );
    for (const i of items) {
      fs.writeSync(
        fd,
        csvLine([
          i.sourceMailbox,
          i.sourceFolder,
          i.sourceItemId,
          i.messageId,
          i.targetMailbox,
          i.targetFolder,
          i.targetItemId,
          i.class,
          i.action,
          i.reason,
        ]),
      );
    }
  } finally {
    fs.closeSync(fd);
  }
}
