/**
 * mbox: one file, or a directory of files, streamed (see mbox-split.ts for the format rules).
 *
 * Mapping:
 * - A file is one mailbox (`opts.mailbox` or the file name without extension) with one
 *   folder, 'Inbox'. A directory is one mailbox (`opts.mailbox` or the directory name) and
 *   each file in it, recursively, is a folder named by its relative path without extension
 *   ('Sent', 'lists/foo'); Thunderbird's `X.sbd/` child directories map to 'X/…'.
 * - Dotfiles and index files (`.msf`, `.dat`, `.toc`, `.idx`, `.json`) are skipped.
 * - A gzip-compressed file (`.mbox.gz`, detected by its magic bytes) is decompressed on the
 *   fly; its message offsets then count uncompressed bytes.
 * - Bytes before the first From_ line: ignored when blank; yielded as a message when they
 *   are a plausible RFC 5322 message (a bare message saved under an mbox name, as in
 *   patchwork's test data); otherwise a 'problem'.
 * - internalMs is the From_ line's date (asctime carries no zone: read as UTC).
 * - Flags come from the Status / X-Status headers (mutt, pine, elm: R → \Seen, A → \Answered,
 *   F → \Flagged, D → \Deleted, T → \Draft) and Mozilla's X-Mozilla-Status bit field.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { AppError } from '../errors.js';
import {
  compareNames,
  describeFsError,
  guessFolderRole,
  notRfc5322Reason,
  stripExtension,
  tooLargeReason,
} from './common.js';
import { MboxSplitter, type MboxPiece } from './mbox-split.js';
import { listDir, relJoin } from './tree.js';
import type { ResolvedOptions, SourceEvent } from './types.js';

/** Folder of a single-file mbox source. */
export const MBOX_FILE_FOLDER = 'Inbox';
const CHUNK_BYTES = 1024 * 1024;
const SKIPPED_EXT = new Set(['.msf', '.dat', '.toc', '.idx', '.json']);
const O_NOATIME: number = (fs.constants as Record<string, number>)['O_NOATIME'] ?? 0;
const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** An mbox file to read: where it is and what it becomes. */
export interface MboxFile {
  abs: string;
  rel: string;
  folderPath: string;
}

/** Mailbox name for a file: 'Sent.mbox.gz' → 'Sent'. */
export function mboxBaseName(name: string): string {
  return stripExtension(name.toLowerCase().endsWith('.gz') ? name.slice(0, -3) : name);
}

/** The mbox files under a directory, in folder order. */
export async function listMboxFiles(root: string): Promise<{ files: MboxFile[]; problems: SourceEvent[] }> {
  const files: MboxFile[] = [];
  const problems: SourceEvent[] = [];
  const walk = async (dir: string, rel: string, segments: string[]): Promise<void> => {
    const entries = await listDir(dir);
    if ('error' in entries) {
      problems.push({ kind: 'problem', origin: rel || '.', reason: entries.error });
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || SKIPPED_EXT.has(path.extname(e.name).toLowerCase())) {
        continue;
      }
      const childRel = relJoin(rel, e.name);
      if (e.isDir) {
        await walk(path.join(dir, e.name), childRel, [...segments, e.name.replace(/\.sbd$/i, '')]);
      } else {
        files.push({
          abs: path.join(dir, e.name),
          rel: childRel,
          folderPath: [...segments, mboxBaseName(e.name)].join('/'),
        });
      }
    }
  };
  await walk(root, '', []);
  files.sort((a, b) => compareNames(a.folderPath, b.folderPath) || compareNames(a.rel, b.rel));
  return { files, problems };
}

async function openReadOnly(file: string): Promise<fsp.FileHandle> {
  if (O_NOATIME !== 0) {
    try {
      return await fsp.open(file, READ_FLAGS | O_NOATIME);
    } catch (err) {
      // EPERM: O_NOATIME is refused for files we do not own; plain read-only still is.
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') {
        throw err;
      }
    }
  }
  return fsp.open(file, READ_FLAGS);
}

/** Open an mbox file and give its (decompressed) byte stream. Caller closes via the stream. */
async function openMboxStream(file: string): Promise<AsyncIterable<Buffer>> {
  const fh = await openReadOnly(file);
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      throw new Error('not a regular file');
    }
    const magic = Buffer.alloc(2);
    await fh.read(magic, 0, 2, 0);
    const stream = fh.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES, autoClose: true });
    if (magic[0] === 0x1f && magic[1] === 0x8b) {
      const gunzip = createGunzip({ chunkSize: 64 * 1024 });
      stream.on('error', (err) => gunzip.destroy(err));
      gunzip.on('close', () => stream.destroy());
      return stream.pipe(gunzip);
    }
    return stream;
  } catch (err) {
    await fh.close();
    throw err;
  }
}

const STATUS_FLAGS: [string, string][] = [
  ['R', '\\Seen'],
  ['A', '\\Answered'],
  ['F', '\\Flagged'],
  ['D', '\\Deleted'],
  ['T', '\\Draft'],
];

/** IMAP flags from mbox status headers (Status / X-Status letters, X-Mozilla-Status bits). */
export function mboxFlags(bytes: Buffer): string[] {
  const limit = bytes.subarray(0, Math.min(bytes.length, 64 * 1024));
  const ends = [limit.indexOf('\n\n'), limit.indexOf('\n\r\n')].filter((i) => i !== -1);
  const header = limit.toString('latin1', 0, ends.length > 0 ? Math.min(...ends) : limit.length);
  if (!/status:/i.test(header)) {
    return [];
  }
  const letters = [...header.matchAll(/^(?:X-)?Status:[ \t]*([A-Z]*)/gim)].map((m) => m[1] ?? '').join('');
  const moz = /^X-Mozilla-Status:[ \t]*([0-9a-f]{1,4})\s*$/im.exec(header)?.[1];
  const bits = moz === undefined ? 0 : parseInt(moz, 16);
  const mozFlags = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted'].filter(
    (_, i) => (bits & (1 << i)) !== 0,
  );
  return STATUS_FLAGS.filter(([l, f]) => letters.includes(l) || mozFlags.includes(f)).map(([, f]) => f);
}

function pieceEvent(
  piece: MboxPiece,
  file: MboxFile,
  mailbox: string,
  opts: ResolvedOptions,
): SourceEvent | undefined {
  const origin = `${file.rel}:${piece.offset}`;
  if (piece.kind === 'too-large') {
    return { kind: 'problem', origin, reason: tooLargeReason(piece.size, opts.maxMessageBytes) };
  }
  if (piece.kind === 'leading') {
    if (piece.bytes !== undefined && piece.bytes.toString('latin1').trim() === '') {
      return undefined;
    }
    if (piece.bytes === undefined || notRfc5322Reason(piece.bytes) !== undefined) {
      return {
        kind: 'problem',
        origin,
        reason: `${piece.size} bytes of garbage before the first From_ line`,
      };
    }
  }
  if (piece.bytes === undefined) {
    return undefined;
  }
  const reason = notRfc5322Reason(piece.bytes);
  if (reason !== undefined) {
    return { kind: 'problem', origin, reason };
  }
  const envelopeMs = piece.kind === 'message' ? piece.envelopeMs : undefined;
  return {
    kind: 'message',
    message: {
      mailbox,
      folderPath: file.folderPath,
      bytes: piece.bytes,
      flags: mboxFlags(piece.bytes),
      ...(envelopeMs !== undefined ? { internalMs: envelopeMs } : {}),
      origin,
    },
  };
}

/** Stream one mbox file into events. `single`: the whole source is this file (errors are fatal). */
async function* readMboxFile(
  file: MboxFile,
  mailbox: string,
  opts: ResolvedOptions,
  single: boolean,
): AsyncGenerator<SourceEvent> {
  let stream: AsyncIterable<Buffer>;
  try {
    stream = await openMboxStream(file.abs);
  } catch (err) {
    const reason = `cannot open: ${describeFsError(err)}`;
    if (single) {
      throw new AppError(
        'SOURCE_CORRUPT',
        `Cannot read mbox source '${file.abs}': ${reason}`,
        { path: file.abs },
        { cause: err },
      );
    }
    yield { kind: 'problem', origin: file.rel, reason };
    return;
  }
  const splitter = new MboxSplitter(opts.mboxQuoting, opts.maxMessageBytes);
  const emit = function* (pieces: MboxPiece[]): Generator<SourceEvent> {
    for (const piece of pieces) {
      const event = pieceEvent(piece, file, mailbox, opts);
      if (event !== undefined) {
        yield event;
      }
    }
  };
  try {
    for await (const chunk of stream) {
      yield* emit(splitter.push(chunk));
    }
  } catch (err) {
    // The message being read when the stream failed is cut off: report it, do not yield it.
    const at = splitter.pendingOffset();
    yield {
      kind: 'problem',
      origin: at === undefined ? file.rel : `${file.rel}:${at}`,
      reason: `read stopped early (${describeFsError(err)}); the message here is incomplete and was skipped`,
    };
    return;
  } finally {
    (stream as { destroy?: () => void }).destroy?.();
  }
  yield* emit(splitter.end());
}

/**
 * Read an mbox source (a file or a directory of files).
 * @throws SOURCE_NOT_FOUND, SOURCE_CORRUPT (a single file that cannot be opened)
 */
export async function* readMbox(
  root: string,
  isDir: boolean,
  opts: ResolvedOptions,
): AsyncGenerator<SourceEvent> {
  if (!isDir) {
    const name = path.basename(root);
    const mailbox = opts.mailbox ?? mboxBaseName(name);
    yield { kind: 'folder', folder: { mailbox, path: MBOX_FILE_FOLDER, role: 'inbox' } }; // guessFolderRole('Inbox')
    yield* readMboxFile({ abs: root, rel: name, folderPath: MBOX_FILE_FOLDER }, mailbox, opts, true);
    return;
  }
  const mailbox = opts.mailbox ?? path.basename(path.resolve(root));
  const { files, problems } = await listMboxFiles(root);
  yield* problems;
  const seen = new Set<string>();
  for (const file of files) {
    if (!seen.has(file.folderPath)) {
      seen.add(file.folderPath);
      const role = guessFolderRole(file.folderPath);
      yield { kind: 'folder', folder: { mailbox, path: file.folderPath, ...(role ? { role } : {}) } };
    }
    yield* readMboxFile(file, mailbox, opts, false);
  }
}
