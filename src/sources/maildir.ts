/**
 * Maildir (https://cr.yp.to/proto/maildir.html) and Maildir++ (Courier, Dovecot) trees.
 *
 * Mapping (deterministic, names in `compareNames` order):
 * - A source root with `cur/` or `new/` is one Maildir: one mailbox, named `opts.mailbox` or
 *   after the directory. Otherwise each top-level directory is one Maildir mailbox (or, with
 *   `opts.mailbox`, the whole tree is one); files lying beside them are reported, not read.
 * - A mailbox's root is folder 'INBOX'. Maildir++ subfolders `.Folder.Sub` become
 *   'Folder/Sub'; plain subdirectories (Dovecot LAYOUT=fs, notmuch, mbsync "verbatim") become
 *   nested folders too. Names are decoded from IMAP modified UTF-7 (RFC 3501 §5.1.3) when
 *   valid (`.Entw&APw-rfe` → 'Entwürfe'). Folders are emitted in path order, parents first.
 * - Messages are the files in `cur/` and `new/`, plus stray files lying in the folder
 *   directory itself (some tools leave mail there; better reported than silently lost).
 *   `tmp/` is never read (deliveries in progress). Dovecot and Courier metadata
 *   (`dovecot-uidlist`, `dovecot.index*`, `dovecot-keywords`, `subscriptions`,
 *   `maildirfolder`, `maildirsize`, `courierimap*`) and dotfiles are skipped silently.
 * - Flags come from the info suffix `:2,<letters>` (also `!2,` / `;2,`, the separators used
 *   where ':' is not allowed in file names): S → \Seen, R → \Answered, F → \Flagged,
 *   T → \Deleted, D → \Draft. P (passed) has no IMAP system flag and is dropped, as are the
 *   lowercase Dovecot keyword letters (their names live in dovecot-keywords).
 * - internalMs is the file's mtime (Dovecot keeps the received date there), or the
 *   unique name's leading timestamp when the mtime is unusable (0, before 1970).
 */
import path from 'node:path';
import { AppError } from '../errors.js';
import { compareNames, guessFolderRole } from './common.js';
import { listDir, relJoin, type Entry, type PlanItem } from './tree.js';

/** Folder path of a Maildir's root. */
export const MAILDIR_ROOT_FOLDER = 'INBOX';

const METADATA_RE = /^(dovecot[-.]|courier|maildirsize$|maildirfolder$|subscriptions$)/i;
const INFO_RE = /[:;!]2,([^:;!]*)$/;
const FLAG_LETTERS: [string, string][] = [
  ['S', '\\Seen'],
  ['R', '\\Answered'],
  ['F', '\\Flagged'],
  ['T', '\\Deleted'],
  ['D', '\\Draft'],
];

/** IMAP system flags from a Maildir file name's `:2,` info suffix. */
export function maildirFlags(name: string): string[] {
  const letters = INFO_RE.exec(name)?.[1];
  if (letters === undefined) {
    return [];
  }
  return FLAG_LETTERS.filter(([letter]) => letters.includes(letter)).map(([, flag]) => flag);
}

/** Arrival time from a unique name `<seconds>.<unique>.<host>`, if it has one. */
export function maildirNameTimeMs(name: string): number | undefined {
  const m = /^(\d{9,10})[._]/.exec(name);
  return m?.[1] === undefined ? undefined : Number(m[1]) * 1000;
}

/** Decode an IMAP modified UTF-7 name (RFC 3501 §5.1.3); invalid input is returned as is. */
export function decodeMutf7(name: string): string {
  if (!name.includes('&')) {
    return name;
  }
  let out = '';
  let i = 0;
  while (i < name.length) {
    const c = name[i] ?? '';
    if (c !== '&') {
      out += c;
      i += 1;
      continue;
    }
    const end = name.indexOf('-', i + 1);
    if (end === -1) {
      return name;
    }
    const b64 = name.slice(i + 1, end).replaceAll(',', '/');
    if (b64.length === 0) {
      out += '&';
    } else {
      const bytes = /^[A-Za-z0-9+/]+$/.test(b64) ? Buffer.from(b64, 'base64') : Buffer.alloc(1);
      if (bytes.length % 2 !== 0) {
        return name;
      }
      out += bytes.swap16().toString('utf16le');
    }
    i = end + 1;
  }
  return out;
}

function isIgnored(name: string): boolean {
  return name.startsWith('.') || METADATA_RE.test(name);
}

function isMaildir(entries: Entry[]): boolean {
  return entries.some((e) => e.isDir && (e.name === 'cur' || e.name === 'new'));
}

/**
 * The reading plan of a maildir source rooted at `root`.
 * @throws SOURCE_CORRUPT when the root directory cannot be listed
 */
export async function* planMaildir(root: string, mailbox: string | undefined): AsyncGenerator<PlanItem> {
  const entries = await listDir(root);
  if ('error' in entries) {
    throw new AppError('SOURCE_CORRUPT', `Cannot read maildir source '${root}': ${entries.error}`, {
      path: root,
    });
  }
  if (mailbox !== undefined || isMaildir(entries)) {
    yield* planMailbox(root, '', mailbox ?? path.basename(path.resolve(root)), entries);
    return;
  }
  for (const e of entries) {
    if (isIgnored(e.name)) {
      continue;
    }
    if (e.isDir) {
      const listed = await listDir(path.join(root, e.name));
      if ('error' in listed) {
        yield { kind: 'problem', origin: e.name, reason: listed.error };
      } else {
        yield* planMailbox(path.join(root, e.name), e.name, e.name, listed);
      }
    } else {
      yield {
        kind: 'problem',
        origin: e.name,
        reason:
          'skipped: a file beside the Maildirs belongs to no mailbox (each directory here is one Maildir)',
      };
    }
  }
}

/** A folder and the directories its messages are in. */
interface FolderDirs {
  segments: string[];
  /** [absolute dir, relative dir, listing] of the folder's own directory (one per layout). */
  dirs: [string, string, Entry[]][];
}

async function* planMailbox(
  dir: string,
  rel: string,
  mailbox: string,
  entries: Entry[],
): AsyncGenerator<PlanItem> {
  const folders = new Map<string, FolderDirs>();
  const problems: PlanItem[] = [];
  const add = (segments: string[], abs: string, relDir: string, listed: Entry[]): void => {
    const key = segments.join('/');
    const found = folders.get(key);
    if (found) {
      found.dirs.push([abs, relDir, listed]);
    } else {
      folders.set(key, { segments, dirs: [[abs, relDir, listed]] });
    }
  };
  const gather = async (abs: string, relDir: string, segments: string[], listed: Entry[]): Promise<void> => {
    const isRoot = segments.length === 0;
    if (!isRoot || isMaildir(listed) || listed.some((e) => !e.isDir && !isIgnored(e.name))) {
      add(segments, abs, relDir, listed);
    }
    for (const e of listed) {
      if (!e.isDir || e.name === 'cur' || e.name === 'new' || e.name === 'tmp') {
        continue;
      }
      let childSegments: string[];
      if (isRoot && e.name.startsWith('.') && e.name.length > 1 && !METADATA_RE.test(e.name.slice(1))) {
        childSegments = e.name
          .slice(1)
          .split('.')
          .filter((s) => s.length > 0)
          .map(decodeMutf7); // Maildir++
      } else if (!isIgnored(e.name)) {
        childSegments = [...segments, decodeMutf7(e.name)];
      } else {
        continue;
      }
      const childAbs = path.join(abs, e.name);
      const childRel = relJoin(relDir, e.name);
      const childListed = await listDir(childAbs);
      if ('error' in childListed) {
        problems.push({ kind: 'problem', origin: childRel, reason: childListed.error });
      } else if (childSegments.length > 0) {
        await gather(childAbs, childRel, childSegments, childListed);
      }
    }
  };
  await gather(dir, rel, [], entries);
  yield* problems;
  const ordered = [...folders.values()].sort((a, b) => compareSegments(a.segments, b.segments));
  for (const folder of ordered) {
    const folderPath = folder.segments.length > 0 ? folder.segments.join('/') : MAILDIR_ROOT_FOLDER;
    const role = guessFolderRole(folderPath);
    yield { kind: 'folder', folder: { mailbox, path: folderPath, ...(role ? { role } : {}) } };
    for (const [abs, relDir, listed] of folder.dirs) {
      yield* planFolderFiles(abs, relDir, listed, mailbox, folderPath);
    }
  }
}

function compareSegments(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareNames(a[i] ?? '', b[i] ?? '');
    if (c !== 0) {
      return c;
    }
  }
  return a.length - b.length;
}

/** The message files of one folder directory: cur/ and new/ and stray files, by name. */
async function* planFolderFiles(
  abs: string,
  relDir: string,
  listed: Entry[],
  mailbox: string,
  folderPath: string,
): AsyncGenerator<PlanItem> {
  const files: { name: string; abs: string; rel: string }[] = [];
  for (const e of listed) {
    if (!e.isDir && !isIgnored(e.name)) {
      files.push({ name: e.name, abs: path.join(abs, e.name), rel: relJoin(relDir, e.name) });
    }
  }
  for (const sub of ['cur', 'new']) {
    if (!listed.some((e) => e.isDir && e.name === sub)) {
      continue;
    }
    const subListed = await listDir(path.join(abs, sub));
    if ('error' in subListed) {
      yield { kind: 'problem', origin: relJoin(relDir, sub), reason: subListed.error };
      continue;
    }
    for (const e of subListed) {
      if (!e.isDir && !isIgnored(e.name)) {
        files.push({ name: e.name, abs: path.join(abs, sub, e.name), rel: relJoin(relDir, sub, e.name) });
      }
    }
  }
  files.sort((a, b) => compareNames(a.name, b.name) || compareNames(a.rel, b.rel));
  for (const f of files) {
    const nameTimeMs = maildirNameTimeMs(f.name);
    yield {
      kind: 'file',
      abs: f.abs,
      rel: f.rel,
      mailbox,
      folderPath,
      flags: maildirFlags(f.name),
      ...(nameTimeMs !== undefined ? { nameTimeMs } : {}),
    };
  }
}
