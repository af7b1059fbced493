/**
 * Convert a foreign source (Maildir, eml-tree, mbox, PST) into a native database: the
 * source is only read; every message keeps its exact bytes (its blob + prefix hash to the
 * source's sha256), per-item problems are counted and listed, never fatal.
 */
import { AppError } from '../errors.js';
import { type Clock } from '../lib/clock.js';
import { type SourceEstimate, type SourceKind, estimateSource, readSource } from '../sources/index.js';
import {
  type AddItemInput,
  Database,
  type FolderRole,
  addItemTx,
  createMailboxTx,
  ensureFolder,
  findMailbox,
  parseMessage,
} from '../store/index.js';
import { MAX_LISTED_PROBLEMS, type MountProblem, type MountProgress } from './catalogue-file.js';

/**
 * One write batch (one transaction, one log fsync) per this many items or bytes. Measured on
 * 10,335 Enron messages (median of 5 runs each), 4,000-item batches cost more CPU in the store
 * (1.5 s) than 1,000-item ones (1.35 s), and raise the peak RSS: keep batches at this size.
 */
const BATCH_ITEMS = 1000;
const BATCH_BYTES = 16 * 1024 * 1024;

type Pending =
  | { kind: 'folder'; mailbox: string; path: string; role?: FolderRole }
  | { kind: 'message'; mailbox: string; input: Omit<AddItemInput, 'mailboxId'>; origin: string };

export interface ConvertResult {
  items: number;
  bytes: number;
  problems: MountProblem[];
  problemCount: number;
}

export async function convertSource(
  dbDir: string,
  kind: SourceKind,
  path: string,
  opts: {
    mailbox?: string;
    clock: Clock;
    maxMessageBytes: number;
    onProgress?: (p: MountProgress) => void;
    signal?: AbortSignal;
  },
): Promise<ConvertResult> {
  const db = Database.create(dbDir, { clock: opts.clock, retentionDays: 14 });
  // The estimate (a stat of every file of a directory source) only feeds progress: run it beside
  // the conversion instead of before it, and use it once it is known.
  let estimate: SourceEstimate | undefined;
  const estimating = estimateSource(kind, path, { mailbox: opts.mailbox }).then(
    (e) => {
      estimate = e;
    },
    () => undefined, // an unreadable source fails the conversion itself, with its reason
  );
  const started = Date.now();
  const result: ConvertResult = { items: 0, bytes: 0, problems: [], problemCount: 0 };
  const problem = (p: MountProblem): void => {
    result.problemCount += 1;
    if (result.problems.length < MAX_LISTED_PROBLEMS) {
      result.problems.push(p);
    }
  };
  let pending: Pending[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pending.length === 0) {
      return;
    }
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    db.writeSync((tx) => {
      const boxes = new Map<string, number>();
      const box = (name: string): number => {
        let id = boxes.get(name) ?? findMailbox(tx.sql, name)?.id;
        if (id === undefined) {
          id = createMailboxTx(tx, { address: name, defaultFolders: false }).id;
        }
        boxes.set(name, id);
        return id;
      };
      for (const p of batch) {
        if (p.kind === 'folder') {
          ensureFolder(tx, box(p.mailbox), p.path, p.role ?? null);
        } else {
          addItemTx(tx, { ...p.input, mailboxId: box(p.mailbox) });
          result.items += 1;
          result.bytes += p.input.bytes.length;
        }
      }
    });
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = result.items / secs;
    opts.onProgress?.({
      phase: 'converting',
      items: result.items,
      bytes: result.bytes,
      totalItems: estimate?.messages,
      totalBytes: estimate?.bytes,
      itemsPerSecond: Math.round(rate),
      etaSeconds: !estimate
        ? undefined
        : estimate.messages !== undefined
          ? Math.max(0, Math.round((estimate.messages - result.items) / Math.max(rate, 1)))
          : Math.max(0, Math.round(((estimate.bytes - result.bytes) / Math.max(result.bytes, 1)) * secs)),
    });
  };
  try {
    for await (const ev of readSource(kind, path, {
      mailbox: opts.mailbox,
      maxMessageBytes: opts.maxMessageBytes,
    })) {
      if (opts.signal?.aborted) {
        throw new AppError('VALIDATION_FAILED', 'The mount was cancelled');
      }
      if (ev.kind === 'problem') {
        problem({ origin: ev.origin, reason: ev.reason });
      } else if (ev.kind === 'folder') {
        if (ev.folder.path !== '') {
          pending.push({
            kind: 'folder',
            mailbox: ev.folder.mailbox,
            path: ev.folder.path,
            role: ev.folder.role,
          });
        }
      } else {
        const m = ev.message;
        try {
          // parse here, so that a bad message is a problem of its own and not a failed batch
          const parsed = parseMessage(m.bytes, opts.maxMessageBytes);
          pending.push({
            kind: 'message',
            mailbox: m.mailbox,
            origin: m.origin,
            input: {
              folderPath: m.folderPath || 'Inbox',
              bytes: m.bytes,
              parsed,
              flags: m.flags,
              internalMs: m.internalMs ?? parsed.dateMs ?? opts.clock.now(),
              deletedMs: m.deletedMs ?? null,
              origin: `source:${m.origin}`,
            },
          });
          pendingBytes += m.bytes.length;
        } catch (err) {
          if (err instanceof AppError) {
            problem({ origin: m.origin, reason: `${err.code}: ${err.message}` });
          } else {
            throw err;
          }
        }
      }
      if (pending.length >= BATCH_ITEMS || pendingBytes >= BATCH_BYTES) {
        flush();
      }
    }
    flush();
  } finally {
    db.close();
    await estimating;
  }
  return result;
}
