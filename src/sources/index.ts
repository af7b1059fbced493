/**
 * sources — readers that turn foreign mail dumps (Maildir, a tree of .eml files, mbox,
 * PST/OST) into one ordered stream of folders, messages and problems, for `rsg` mounts and
 * `salvage import`.
 *
 * Invariants:
 * - Sources are only ever read: files are opened read-only (Maildir, eml-tree and mbox files
 *   with O_NOATIME too, where the kernel allows it), never written, renamed, locked or
 *   touched; Maildir's tmp/ is not even opened. A test checks bytes, mtimes and ctimes.
 * - The order of events is deterministic for a given source (names in natural order; PST
 *   in its own stored order), and a folder event always comes before its messages.
 * - Every message yielded is plausibly RFC 5322 (a header field line before the first empty
 *   line) and at most `maxMessageBytes`; anything else becomes a `problem` event with a
 *   precise reason, and reading goes on. Only a wholly unreadable source throws.
 * - Bytes are exact where the source has them (Maildir, eml-tree: the file; mbox: the lines
 *   between From_ lines with the quoting undone), MIME built from MAPI properties for PST.
 * - Memory is bounded per message, never per source: directory readers keep a 64-file
 *   read-ahead window, mbox is streamed, PST items are rendered one at a time in a worker
 *   thread (pst-extractor is synchronous and can stall on corrupt files; see pst.ts).
 * Errors are `AppError`s: SOURCE_NOT_FOUND, SOURCE_CORRUPT, VALIDATION_FAILED.
 */
import { resolveOptions } from './options.js';
import { estimateResolvedSource, readResolvedSource } from './read.js';
import type { ResolvedOptions, SourceEstimate, SourceEvent, SourceKind, SourceOptions } from './types.js';

export type {
  FolderRole,
  ResolvedOptions,
  SourceEstimate,
  SourceEvent,
  SourceFolder,
  SourceKind,
  SourceMessage,
  SourceOptions,
} from './types.js';
export { guessFolderRole } from './common.js';
export { DEFAULT_MAX_MESSAGE_BYTES } from './options.js';

/**
 * Check the kind, path and options as `readSource` does, and fill in the defaults: what
 * `readResolvedSource` (sources/read.ts) takes, in a thread that should not load zod.
 * @throws VALIDATION_FAILED listing every issue
 */
export const resolveSourceOptions: (kind: SourceKind, path: string, opts?: SourceOptions) => ResolvedOptions =
  resolveOptions;

/**
 * Read a source as one stream of events: every folder (before its messages), every message,
 * and a `problem` for each item skipped. Mailbox naming:
 * - `maildir`, `eml-tree`: one mailbox per top-level directory, named after it (a root that
 *   is itself a Maildir is one mailbox named after the directory);
 * - `mbox` (a file, or a directory of files), `pst`: one mailbox named after the file or
 *   directory, without extension;
 * `opts.mailbox` makes the whole source that one mailbox. See each reader's module comment
 * for its folder mapping (maildir.ts, eml-tree.ts, mbox-split.ts, mbox.ts, pst.ts).
 *
 * Errors surface when the stream is iterated. Stopping early (`break`) closes every file.
 * @throws VALIDATION_FAILED bad kind or options, or a file where a directory is expected
 * @throws SOURCE_NOT_FOUND nothing at `path`
 * @throws SOURCE_CORRUPT the source as a whole cannot be read (unlistable root, a PST that
 *   is ANSI, truncated or refused by pst-extractor, a single mbox file that cannot be opened)
 */
export function readSource(
  kind: SourceKind,
  path: string,
  opts?: SourceOptions,
): AsyncGenerator<SourceEvent> {
  // the options are checked once the stream is iterated, as every other error surfaces
  return readResolvedSource(kind, path, () => resolveOptions(kind, path, opts));
}

/**
 * A cheap estimate for progress bars: the number of message files and their bytes for
 * `maildir` / `eml-tree` (one stat per file, nothing read); only the bytes for `mbox` and
 * `pst` (their message counts are known only once read). With `blockingReads` the stats are
 * blocking calls (see `SourceOptions`).
 * @throws the same errors as `readSource` for a missing or unreadable source
 */
export async function estimateSource(
  kind: SourceKind,
  path: string,
  opts?: SourceOptions,
): Promise<SourceEstimate> {
  return estimateResolvedSource(kind, path, resolveOptions(kind, path, opts));
}
