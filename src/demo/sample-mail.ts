/**
 * The demo's mail: the slice of the Enron corpus in samples/mail/enron (see samples/README.md),
 * one directory per user, one directory per folder, one RFC 5322 file per message.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ParsedMessage } from '../store/index.js';

/** The demo's mailboxes: an Enron user directory and the live mailbox it becomes. */
export const DEMO_MAILBOXES = [
  { dir: 'beck-s', address: 'sally.beck@example.com', name: 'Sally Beck' },
  { dir: 'kaminski-v', address: 'vince.kaminski@example.com', name: 'Vince Kaminski' },
  { dir: 'davis-d', address: 'dana.davis@example.com', name: 'Dana Davis' },
  { dir: 'phanis-s', address: 'stephanie.panus@example.com', name: 'Stephanie Panus' },
] as const;

/** Enron folder directories and the live folder each one becomes. */
const TOP_FOLDERS: Record<string, string> = {
  inbox: 'Inbox',
  sent_items: 'Sent Items',
  deleted_items: 'Deleted Items',
  contacts: 'Contacts',
};

export interface DemoMessage {
  mailbox: string;
  folder: string;
  file: string;
  bytes: Buffer;
  parsed: ParsedMessage;
}

/** `inbox/new_job` → `Inbox/new_job`. */
export function liveFolderOf(rel: string): string {
  const [top = '', ...rest] = rel.split('/');
  return [TOP_FOLDERS[top] ?? top, ...rest].join('/');
}

function filesUnder(dir: string, rel = ''): { rel: string; file: string }[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
    .flatMap((e) => {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      return e.isDirectory() ? filesUnder(dir, r) : [{ rel: r, file: path.join(dir, r) }];
    });
}

/**
 * Every sample message of every demo mailbox, per mailbox in date order (oldest first).
 * @throws SOURCE_NOT_FOUND when a mailbox directory is missing; MESSAGE_INVALID from `parse`
 */
export function loadDemoMail(samplesDir: string, parse: (bytes: Buffer) => ParsedMessage): DemoMessage[] {
  return DEMO_MAILBOXES.flatMap((box) =>
    filesUnder(path.join(samplesDir, box.dir))
      .map(({ rel, file }) => {
        const bytes = fs.readFileSync(file);
        return {
          mailbox: box.address,
          folder: liveFolderOf(path.posix.dirname(rel)),
          file: `${box.dir}/${rel}`,
          bytes,
          parsed: parse(bytes),
        };
      })
      .sort((a, b) => (a.parsed.dateMs ?? 0) - (b.parsed.dateMs ?? 0) || a.file.localeCompare(b.file)),
  );
}
