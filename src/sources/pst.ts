/**
 * Outlook/Exchange PST (and OST) files through pst-extractor. MS-PST is the format spec:
 * https://learn.microsoft.com/openspecs/office_file_formats/ms-pst/
 *
 * Mapping (the walk itself is pst-walk.ts; this file runs it in a worker and watches it):
 * - The file is one mailbox: `opts.mailbox` or the file name without extension.
 * - Folder paths are relative to the IPM subtree (the store's PR_IPM_SUBTREE_ENTRYID, shown
 *   as "Top of Personal Folders", "Top of Outlook data file", or an OST's IPM_SUBTREE): that
 *   root and everything above it are stripped: 'Inbox', 'Sent Items', 'lokay-m/Personal'.
 *   Items lying directly in the IPM subtree root go in a folder named after it. A '/' inside
 *   a folder name becomes '_'. Folders come in the PST's own order, depth first.
 * - Outside the IPM subtree only 'Recoverable Items' (Exchange's dumpster) is read; search
 *   folders and system folders (Search Root, views, free/busy, reminders) hold no mail.
 * - Roles: the store's wastebasket and sent-items entry ids give 'deleted' and 'sent' in any
 *   language ('Éléments supprimés'), then `guessFolderRole`. A 'Recoverable Items' folder at
 *   any depth, and its subfolders, is 'recoverable' and its items carry deletedMs:
 *   PR_DELETED_ON, else the last modification time, else the delivery time.
 * - Mail items are IPM.Note*, IPM.Post*, IPM.Schedule.Meeting.* and REPORT.* (delivery and
 *   read reports), rendered as MIME by pst-mime.ts. Other items (contacts, appointments,
 *   tasks, sticky notes, distribution lists) are skipped with a 'problem' event
 *   "skipped: IPM.Contact is not a mail item", so the report accounts for every item.
 * - Flags: read → \Seen, unsent → \Draft, last verb reply/reply-all → \Answered, follow-up
 *   flag → \Flagged. internalMs: delivery time, else submit time, else creation time.
 * - Refused with SOURCE_CORRUPT: not a PST, the ANSI format (Outlook 97–2002, which
 *   pst-extractor cannot read), a file shorter than the end of file its header records
 *   (truncated), or a file pst-extractor cannot open.
 * - A corrupt spot where pst-extractor stops responding (no progress for `stallMs`, 30 s) or
 *   runs out of memory: the worker is stopped, a 'problem' names the item, and a new worker
 *   resumes after it (at most 25 times per file).
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';
import type { ResumePlan, WalkPosition } from './pst-walk.js';
import type { PstWorkerData, PstWorkerMessage } from './pst-worker.js';
import type { ResolvedOptions, SourceEvent } from './types.js';

const HEADER_BYTES = 564;
const CREDIT = 16;
const WORKER_START_MS = 60_000;

/** Watchdog settings (tests shorten them). */
export interface PstTuning {
  /** A worker that reports no progress for this long is stopped. */
  stallMs: number;
  /** Restarts past stalled items before the rest of the file is given up. */
  maxRestarts: number;
  /** V8 old-space limit of the worker, MiB. */
  heapMb: number;
}
/** 30 s without progress, 25 restarts, 1 GiB of V8 heap per worker. */
export const DEFAULT_PST_TUNING: PstTuning = { stallMs: 30_000, maxRestarts: 25, heapMb: 1024 };

function corrupt(file: string, reason: string, cause?: unknown): AppError {
  return new AppError(
    'SOURCE_CORRUPT',
    `PST '${file}' cannot be read: ${reason}`,
    { path: file, reason },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Check the PST header (MS-PST §2.2.2.6) before pst-extractor reads anything.
 * @throws SOURCE_CORRUPT with the precise reason
 */
export async function checkPstHeader(file: string): Promise<{ size: number }> {
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await fh.read(head, 0, HEADER_BYTES, 0);
    if (bytesRead < 4 || head.toString('latin1', 0, 4) !== '!BDN') {
      throw corrupt(file, 'not a PST file (no !BDN signature)');
    }
    const version = head.readUInt16LE(10);
    if (version === 14 || version === 15) {
      throw corrupt(
        file,
        `ANSI PST (Outlook 97–2002 format, version ${version}) is not supported; convert it to a Unicode PST in Outlook first`,
      );
    }
    if (version < 23) {
      throw corrupt(file, `unknown PST format version ${version}`);
    }
    if (bytesRead < HEADER_BYTES) {
      throw corrupt(file, `truncated: ${size} bytes is shorter than a Unicode PST header`);
    }
    const eof = Number(head.readBigUInt64LE(184)); // ROOT.ibFileEof
    if (size < eof) {
      throw corrupt(file, `truncated: the header records ${eof} bytes, the file has ${size}`);
    }
    const crypt = head[513]; // bCryptMethod: 0 none, 1 permute; 2 (cyclic) is not supported
    if (crypt !== 0 && crypt !== 1) {
      throw corrupt(file, `unsupported encryption (bCryptMethod ${crypt})`);
    }
    return { size };
  } finally {
    await fh.close();
  }
}

type Received = PstWorkerMessage | { t: 'exit'; reason: string } | { t: 'stall' };

function startWorker(data: PstWorkerData, heapMb: number): Worker {
  const options = { workerData: data, resourceLimits: { maxOldGenerationSizeMb: heapMb } };
  if (import.meta.url.endsWith('.ts')) {
    // Running from TypeScript sources (tests, tsx): the worker must register tsx itself.
    const entry = new URL('./pst-worker.ts', import.meta.url).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(boot, { ...options, eval: true });
  }
  return new Worker(new URL('./pst-worker.js', import.meta.url), options);
}

/** One worker run: its messages as a pull queue with a stall timeout. */
class WorkerRun {
  private readonly queue: Received[] = [];
  private waiter: ((m: Received) => void) | undefined;
  readonly worker: Worker;

  constructor(data: PstWorkerData, heapMb: number) {
    this.worker = startWorker(data, heapMb);
    this.worker.on('message', (m: PstWorkerMessage) => this.push(m));
    this.worker.on('error', (err) => this.push({ t: 'exit', reason: err.message }));
    this.worker.on('exit', (code) => this.push({ t: 'exit', reason: `worker exited with code ${code}` }));
  }

  private push(m: Received): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(m);
    } else {
      this.queue.push(m);
    }
  }

  next(stallMs: number): Promise<Received> {
    const m = this.queue.shift();
    if (m) {
      return Promise.resolve(m);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve({ t: 'stall' });
      }, stallMs);
      this.waiter = (msg) => {
        clearTimeout(timer);
        resolve(msg);
      };
    });
  }

  credit(n: number): void {
    this.worker.postMessage({ t: 'credit', n });
  }
}

/** The resume plan after a stall at `pos`, or undefined when the stall cannot be skipped. */
function skipPast(pos: WalkPosition, plan: ResumePlan): ResumePlan | undefined {
  switch (pos.phase) {
    case 'open':
      return undefined;
    case 'item':
    case 'convert':
      return { ...plan, at: { folder: pos.folder, cursor: pos.cursor + 1, itemsDone: false } };
    case 'subfolders':
      return {
        at: { folder: pos.folder, cursor: 0, itemsDone: true },
        noSubfolders: [...plan.noSubfolders, pos.folder],
      };
  }
}

function revive(event: SourceEvent): SourceEvent {
  if (event.kind !== 'message') {
    return event;
  }
  const b = event.message.bytes as Uint8Array; // structured clone turns a Buffer into a Uint8Array
  return {
    kind: 'message',
    message: { ...event.message, bytes: Buffer.from(b.buffer, b.byteOffset, b.byteLength) },
  };
}

/**
 * Read a PST/OST file in a worker thread, restarting past items that stall pst-extractor.
 * @throws SOURCE_CORRUPT (not a PST, ANSI, truncated, unreadable by pst-extractor)
 */
export async function* readPst(
  file: string,
  opts: ResolvedOptions,
  tuning: PstTuning = DEFAULT_PST_TUNING,
): AsyncGenerator<SourceEvent> {
  await checkPstHeader(file);
  let plan: ResumePlan = { noSubfolders: [] };
  let yielded = 0;
  for (let restarts = 0; ; restarts++) {
    const run = new WorkerRun(
      { file: path.resolve(file), opts, resume: plan, credit: CREDIT },
      tuning.heapMb,
    );
    let pos: WalkPosition = { folder: -1, folderPath: '', cursor: 0, phase: 'open' };
    let failure: string | undefined;
    let started = false;
    try {
      for (;;) {
        // Starting a worker (loading modules, under tsx compiling them) is not a stall.
        const m = await run.next(started ? tuning.stallMs : Math.max(tuning.stallMs, WORKER_START_MS));
        started = true;
        if (m.t === 'at') {
          pos = m.pos;
        } else if (m.t === 'event') {
          yielded += 1;
          yield revive(m.event);
          run.credit(1);
        } else if (m.t === 'done') {
          return;
        } else if (m.t === 'fatal') {
          if (yielded === 0 || m.code !== 'SOURCE_CORRUPT') {
            throw m.code === 'SOURCE_CORRUPT'
              ? new AppError('SOURCE_CORRUPT', m.message, { path: file })
              : new AppError('INTERNAL', `PST reader failed on '${file}': ${m.message}`, { path: file });
          }
          yield { kind: 'problem', origin: path.basename(file), reason: `reading stopped: ${m.message}` };
          return;
        } else {
          failure =
            m.t === 'stall'
              ? `pst-extractor made no progress for ${tuning.stallMs} ms`
              : `pst-extractor failed (${m.reason})`;
          break;
        }
      }
    } finally {
      await run.worker.terminate();
    }
    const next = skipPast(pos, plan);
    if (next === undefined) {
      if (yielded === 0) {
        throw corrupt(file, `${failure} while opening the file`);
      }
      yield {
        kind: 'problem',
        origin: path.basename(file),
        reason: `${failure} at the top of the folder tree; the rest of the file was not read`,
      };
      return;
    }
    const where = `${path.basename(file)}:${pos.folderPath}`;
    const what = pos.phase === 'subfolders' ? 'listing subfolders' : `reading row ${pos.cursor}`;
    if (restarts >= tuning.maxRestarts) {
      yield {
        kind: 'problem',
        origin: where,
        reason: `${failure} ${what}; gave up on the rest of the file after ${restarts} restarts`,
      };
      return;
    }
    yield {
      kind: 'problem',
      origin: pos.phase === 'subfolders' ? where : `${where}#row${pos.cursor}`,
      reason: `${failure} ${what} (corrupt?); skipped`,
    };
    plan = next;
  }
}
