/**
 * The shared half of the directory readers (Maildir, eml-tree): a reader first walks the
 * tree into a *plan* — folders, message files and problems in their final order — and
 * `readPlan` then reads the files through an ordered read-ahead window.
 */
import fsSync, { type Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { compareNames, describeFsError } from './common.js';
import {
  dropRead,
  finishRead,
  mapOrdered,
  prefetch,
  readMessageFile,
  readMessageFileSync,
  type FileReadResult,
} from './files.js';
import type { SourceEvent, SourceFolder } from './types.js';

/** Plan items listed ahead of the reads (a few directories' worth). */
const PLAN_PREFETCH = 4096;
/** A blocking estimate lets the event loop run after this many stats (a few ms). */
const ESTIMATE_SLICE_FILES = 1000;

/** One step of a directory reader's plan. */
export type PlanItem =
  | { kind: 'folder'; folder: SourceFolder }
  | { kind: 'problem'; origin: string; reason: string }
  | {
      kind: 'file';
      /** Absolute path to open. */
      abs: string;
      /** Path relative to the source root, '/'-separated: the message's origin. */
      rel: string;
      mailbox: string;
      folderPath: string;
      flags: string[];
      /** Arrival time from the file name (Maildir unique names), used when mtime is unusable. */
      nameTimeMs?: number;
    };

/** A directory entry with its type resolved (lstat when the file system did not say). */
export interface Entry {
  name: string;
  isDir: boolean;
}

/**
 * List a directory, sorted with `compareNames`. Symbolic links are listed as non-directories
 * (never followed into, so a link loop cannot trap the walk).
 * @returns the entries, or the fs error's description
 */
export async function listDir(dir: string): Promise<Entry[] | { error: string }> {
  let dirents: Dirent[];
  try {
    dirents = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    return { error: `cannot list directory: ${describeFsError(err)}` };
  }
  const entries: Entry[] = [];
  for (const d of dirents) {
    let isDir = d.isDirectory();
    const known = isDir || d.isFile() || d.isSymbolicLink() || d.isFIFO() || d.isSocket();
    if (!known && !d.isBlockDevice() && !d.isCharacterDevice()) {
      // DT_UNKNOWN (some network and older file systems): ask lstat.
      isDir = await fs.lstat(path.join(dir, d.name)).then(
        (st) => st.isDirectory(),
        () => false,
      );
    }
    entries.push({ name: d.name, isDir });
  }
  return entries.sort((a, b) => compareNames(a.name, b.name));
}

/** Join relative path segments with '/' (origins and folder paths are '/'-separated everywhere). */
export function relJoin(...parts: string[]): string {
  return parts.filter((p) => p.length > 0).join('/');
}

function startRead(item: PlanItem, maxBytes: number): Promise<FileReadResult | undefined> {
  return item.kind === 'file' ? readMessageFile(item.abs, maxBytes) : Promise.resolve(undefined);
}

/**
 * Read the files of a plan through the read-ahead window and turn everything into events,
 * in plan order.
 */
export async function* readPlan(
  plan: AsyncIterable<PlanItem>,
  maxBytes: number,
  blockingReads = false,
): AsyncGenerator<SourceEvent> {
  if (blockingReads) {
    for await (const item of plan) {
      yield item.kind === 'file' ? fileEvent(item, readMessageFileSync(item.abs, maxBytes)) : item;
    }
    return;
  }
  const results = mapOrdered<PlanItem, FileReadResult | undefined>(
    prefetch(plan, PLAN_PREFETCH),
    (item) => startRead(item, maxBytes),
    (res) => {
      if (res !== undefined) {
        dropRead(res);
      }
    },
  );
  for await (const [item, first] of results) {
    if (item.kind === 'folder') {
      yield { kind: 'folder', folder: item.folder };
      continue;
    }
    if (item.kind === 'problem') {
      yield { kind: 'problem', origin: item.origin, reason: item.reason };
      continue;
    }
    yield fileEvent(item, first?.ok === 'deferred' ? await finishRead(first) : first);
  }
}

/** The event of a file of the plan, once read. */
function fileEvent(item: PlanItem & { kind: 'file' }, res: FileReadResult | undefined): SourceEvent {
  if (res === undefined || res.ok !== true) {
    return { kind: 'problem', origin: item.rel, reason: res?.ok === false ? res.reason : 'not read' };
  }
  const mtime = Math.floor(res.mtimeMs);
  const internalMs = mtime > 0 ? mtime : item.nameTimeMs;
  return {
    kind: 'message',
    message: {
      mailbox: item.mailbox,
      folderPath: item.folderPath,
      bytes: res.bytes,
      flags: item.flags,
      ...(internalMs !== undefined ? { internalMs } : {}),
      origin: item.rel,
    },
  };
}

/** Count the files and bytes a plan would read, without reading them (for `estimateSource`). */
export async function estimatePlan(
  plan: AsyncIterable<PlanItem>,
  blocking = false,
): Promise<{ messages: number; bytes: number }> {
  let messages = 0;
  let bytes = 0;
  if (blocking) {
    for await (const item of plan) {
      if (item.kind === 'file') {
        messages += 1;
        bytes += fsSync.statSync(item.abs, { throwIfNoEntry: false })?.size ?? 0;
        if (messages % ESTIMATE_SLICE_FILES === 0) {
          await new Promise((resolve) => setImmediate(resolve)); // let the event loop run
        }
      }
    }
    return { messages, bytes };
  }
  const batch: Promise<number>[] = [];
  const flush = async (): Promise<void> => {
    for (const size of await Promise.all(batch.splice(0))) {
      bytes += size;
    }
  };
  for await (const item of plan) {
    if (item.kind !== 'file') {
      continue;
    }
    messages += 1;
    batch.push(
      fs.stat(item.abs).then(
        (st) => st.size,
        () => 0,
      ),
    );
    if (batch.length >= 64) {
      await flush();
    }
  }
  await flush();
  return { messages, bytes };
}
