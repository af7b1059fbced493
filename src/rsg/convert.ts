/**
 * Convert a foreign source (Maildir, eml-tree, mbox, PST) into a native database: the
 * source is only read; every message keeps its exact bytes (its blob + prefix hash to the
 * source's sha256), per-item problems are counted and listed, never fatal.
 *
 * The database is filled by bulk load (store/bulk-load.ts: no log, no journal on disk,
 * secondary indexes built at the end) and made durable once when the conversion ends: a
 * conversion that fails or is cancelled leaves a directory the caller throws away.
 */
import { AppError } from '../errors.js';
import { type Clock } from '../lib/clock.js';
import { type SourceEstimate, type SourceKind, estimateSource, readSource } from '../sources/index.js';
import { BulkLoader, parseMessage } from '../store/index.js';
import { MAX_LISTED_PROBLEMS, type MountProblem, type MountProgress } from './catalogue-file.js';

/** Items per bulk-load transaction (and per progress report). */
const BATCH_ITEMS = 4000;

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
  const db = BulkLoader.create(dbDir, { clock: opts.clock, retentionDays: 14 });
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
  let inBatch = 0;
  const report = (): void => {
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
  let finished = false;
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
          db.folder(db.mailbox(ev.folder.mailbox), ev.folder.path, ev.folder.role ?? null);
        }
      } else {
        const m = ev.message;
        let parsed;
        try {
          parsed = parseMessage(m.bytes, opts.maxMessageBytes);
        } catch (err) {
          if (err instanceof AppError) {
            problem({ origin: m.origin, reason: `${err.code}: ${err.message}` });
            continue;
          }
          throw err;
        }
        db.addItem({
          mailboxId: db.mailbox(m.mailbox),
          folderPath: m.folderPath || 'Inbox',
          bytes: m.bytes,
          parsed,
          flags: m.flags,
          internalMs: m.internalMs ?? parsed.dateMs ?? opts.clock.now(),
          deletedMs: m.deletedMs ?? null,
          origin: `source:${m.origin}`,
        });
        result.items += 1;
        result.bytes += m.bytes.length;
        inBatch += 1;
        if (inBatch >= BATCH_ITEMS) {
          inBatch = 0;
          db.commit();
          report();
        }
      }
    }
    db.finish();
    finished = true;
    report();
  } finally {
    if (!finished) {
      db.close();
    }
    await estimating;
  }
  return result;
}
