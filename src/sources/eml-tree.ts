/**
 * eml-tree: any directory tree of RFC 5322 files (the Enron CMU layout
 * `<user>/<folder>[/<sub>]/<n>.`, a folder of saved `.eml` files, an exported archive).
 *
 * Mapping (deterministic, names in `compareNames` order, depth first):
 * - Mailboxes: each top-level directory is one mailbox named after it. Files lying directly
 *   in the source root form one more mailbox named after the root directory. With
 *   `opts.mailbox` the whole tree is that one mailbox.
 * - Folders: a directory's path relative to its mailbox directory ('inbox', 'inbox/genie');
 *   every directory is a folder, empty ones too. Files lying directly in a mailbox directory
 *   go in folder 'Inbox' (emitted only when there are such files).
 * - Any file name is a message (no extension required: Enron's are `1.`); dotfiles and
 *   dot-directories (`.DS_Store`, `.git`) and `Thumbs.db` / `desktop.ini` are skipped.
 * - internalMs is the file's mtime (the only arrival time a bare file has); flags are empty.
 */
import path from 'node:path';
import { AppError } from '../errors.js';
import { guessFolderRole } from './common.js';
import { listDir, relJoin, type PlanItem } from './tree.js';

/** Folder for files lying directly in a mailbox directory. */
export const EML_LOOSE_FOLDER = 'Inbox';

const JUNK_FILES = new Set(['thumbs.db', 'desktop.ini']);

function isSkipped(name: string): boolean {
  return name.startsWith('.') || JUNK_FILES.has(name.toLowerCase());
}

/**
 * The reading plan of an eml-tree source rooted at `root`.
 * @throws SOURCE_CORRUPT when the root directory cannot be listed
 */
export async function* planEmlTree(root: string, mailbox: string | undefined): AsyncGenerator<PlanItem> {
  const entries = await listDir(root);
  if ('error' in entries) {
    throw new AppError('SOURCE_CORRUPT', `Cannot read eml-tree source '${root}': ${entries.error}`, {
      path: root,
    });
  }
  if (mailbox !== undefined) {
    yield* planMailboxDir(root, '', mailbox, [], entries);
    return;
  }
  const loose = entries.filter((e) => !e.isDir && !isSkipped(e.name));
  if (loose.length > 0) {
    const rootMailbox = path.basename(path.resolve(root));
    yield* planFolder(root, '', rootMailbox, EML_LOOSE_FOLDER, loose);
  }
  for (const e of entries) {
    if (e.isDir && !isSkipped(e.name)) {
      yield* planMailboxDir(path.join(root, e.name), e.name, e.name, [], undefined);
    }
  }
}

function* planFolder(
  dir: string,
  rel: string,
  mailbox: string,
  folderPath: string,
  files: { name: string }[],
): Generator<PlanItem> {
  yield { kind: 'folder', folder: { mailbox, path: folderPath, ...roleOf(folderPath) } };
  for (const f of files) {
    yield {
      kind: 'file',
      abs: path.join(dir, f.name),
      rel: relJoin(rel, f.name),
      mailbox,
      folderPath,
      flags: [],
    };
  }
}

function roleOf(folderPath: string): { role?: ReturnType<typeof guessFolderRole> } {
  const role = guessFolderRole(folderPath);
  return role === undefined ? {} : { role };
}

/** One directory of a mailbox (segments = its folder path), then its subdirectories. */
async function* planMailboxDir(
  dir: string,
  rel: string,
  mailbox: string,
  segments: string[],
  listed: Awaited<ReturnType<typeof listDir>> | undefined,
): AsyncGenerator<PlanItem> {
  const entries = listed ?? (await listDir(dir));
  if ('error' in entries) {
    yield { kind: 'problem', origin: rel || '.', reason: entries.error };
    return;
  }
  const files = entries.filter((e) => !e.isDir && !isSkipped(e.name));
  if (segments.length > 0 || files.length > 0) {
    const folderPath = segments.length > 0 ? segments.join('/') : EML_LOOSE_FOLDER;
    yield* planFolder(dir, rel, mailbox, folderPath, files);
  }
  for (const e of entries) {
    if (e.isDir && !isSkipped(e.name)) {
      yield* planMailboxDir(
        path.join(dir, e.name),
        relJoin(rel, e.name),
        mailbox,
        [...segments, e.name],
        undefined,
      );
    }
  }
}
