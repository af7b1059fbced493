/**
 * Worker-thread entry of a conversion (started by convert-reader.ts): reads the source here,
 * while the mounting thread parses and stores what it already has (measured on the Enron
 * sample, reading is the larger half; parsing here too left the mounting thread idle a third
 * of the time). Directory sources are read with blocking calls (this thread has nothing else
 * to do), which costs a fraction of the CPU of the async read-ahead window.
 *
 * Messages to the parent: `batch` (records in source order; message bytes packed in one
 * transferred buffer), `estimate` (for progress, once known: counted here while the reading
 * waits, which spares the mounting thread ~0.4 s of stats on the Enron sample), `done`,
 * `fatal`. From the parent: `credit` (how many more batches it will take: flow control bounds
 * the memory held in batches; it may hand back the buffer of a batch it is done with, to be
 * filled again), `stop` (end early, closing the source's files).
 *
 * Handing buffers back saves more than their allocation: on this (virtual) machine the first
 * touch of freshly allocated memory is dear, and a fresh buffer per batch cost the copy into it
 * ~0.2 s of CPU on the Enron sample (40,960 messages).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../errors.js';
import type { FolderRole, ResolvedOptions, SourceEstimate, SourceKind } from '../sources/index.js';
// not sources/index.js: that loads zod (~0.2 s of CPU) to check options the parent checked
import { estimateResolvedSource, readResolvedSource } from '../sources/read.js';

export interface ConvertWorkerData {
  kind: SourceKind;
  path: string;
  /** Checked by the parent (`resolveSourceOptions`). */
  options: ResolvedOptions;
  /** Batches the parent takes before its first `credit`. */
  credit: number;
}

/** One event of the source; a message's bytes are in the batch buffer. */
export type ConvertRecord =
  | { t: 'folder'; mailbox: string; path: string; role: FolderRole | null }
  | { t: 'problem'; origin: string; reason: string }
  | {
      t: 'message';
      mailbox: string;
      folderPath: string;
      flags: string[];
      internalMs: number | undefined;
      deletedMs: number | undefined;
      origin: string;
      /** Where its bytes are in the batch buffer. */
      offset: number;
      length: number;
    };

export type ConvertWorkerMessage =
  /** `buffer` may be longer than the bytes the records point into. */
  | { t: 'batch'; records: ConvertRecord[]; buffer: ArrayBuffer }
  | { t: 'estimate'; estimate: SourceEstimate }
  | { t: 'done' }
  | { t: 'fatal'; code: string | undefined; message: string; details: Record<string, unknown> };

/** From the parent: more batches it takes, and perhaps a batch buffer to fill again. */
export type ConvertParentMessage = { t: 'credit'; n: number; buffer?: ArrayBuffer } | { t: 'stop' };

/** A batch is posted once it holds this many records or bytes. */
const BATCH_RECORDS = 256;
const BATCH_BYTES = 4 * 1024 * 1024;
/** Buffers handed back and kept for the next batches (as many as the parent may hold). */
const MAX_SPARE_BUFFERS = 8;

async function run(port: NonNullable<typeof parentPort>, data: ConvertWorkerData): Promise<void> {
  let credit = data.credit;
  let stopped = false;
  let wake: (() => void) | undefined;
  const spare: ArrayBuffer[] = [];
  port.on('message', (m: ConvertParentMessage) => {
    if (m.t === 'credit') {
      credit += m.n;
      if (m.buffer !== undefined && spare.length < MAX_SPARE_BUFFERS) {
        spare.push(m.buffer);
      }
    } else {
      stopped = true;
    }
    wake?.();
  });
  let records: ConvertRecord[] = [];
  let chunks: Buffer[] = [];
  let bytes = 0;
  const post = async (): Promise<void> => {
    while (credit <= 0 && !stopped) {
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (stopped) {
      return;
    }
    credit -= 1;
    const reuse = spare.findIndex((b) => b.byteLength >= bytes);
    const packed =
      reuse >= 0
        ? Buffer.from(spare.splice(reuse, 1)[0]!)
        : // not from the pool, so that its memory can be transferred; room for a batch of
          // typical messages, so that it can be handed back and filled again
          Buffer.allocUnsafeSlow(Math.max(bytes, BATCH_BYTES + 64 * 1024));
    let at = 0;
    for (const c of chunks) {
      at += c.copy(packed, at);
    }
    const buffer = packed.buffer;
    const msg: ConvertWorkerMessage = { t: 'batch', records, buffer };
    port.postMessage(msg, [buffer]);
    records = [];
    chunks = [];
    bytes = 0;
  };
  // the estimate (a stat per file of a directory source, in slices) runs whenever the reading
  // waits: for a directory listing, or for the parent to take more; posted before `done`
  const estimating = estimateResolvedSource(data.kind, data.path, data.options).then(
    (estimate) => {
      if (!stopped) {
        const msg: ConvertWorkerMessage = { t: 'estimate', estimate };
        port.postMessage(msg);
      }
    },
    () => undefined, // an unreadable source fails the reading itself, with its reason
  );
  const source = readResolvedSource(data.kind, data.path, data.options);
  for await (const ev of source) {
    if (ev.kind === 'folder') {
      const f = ev.folder;
      records.push({ t: 'folder', mailbox: f.mailbox, path: f.path, role: f.role ?? null });
    } else if (ev.kind === 'problem') {
      records.push({ t: 'problem', origin: ev.origin, reason: ev.reason });
    } else {
      const m = ev.message;
      records.push({
        t: 'message',
        mailbox: m.mailbox,
        folderPath: m.folderPath,
        flags: m.flags,
        internalMs: m.internalMs,
        deletedMs: m.deletedMs,
        origin: m.origin,
        offset: bytes,
        length: m.bytes.length,
      });
      chunks.push(m.bytes);
      bytes += m.bytes.length;
    }
    if (records.length >= BATCH_RECORDS || bytes >= BATCH_BYTES) {
      await post();
    }
    if (stopped) {
      break; // leaving the loop closes the source's files
    }
  }
  if (records.length > 0 && !stopped) {
    await post();
  }
  if (!stopped) {
    await estimating;
  }
}

const port = parentPort;
if (port !== null) {
  const post = (m: ConvertWorkerMessage): void => port.postMessage(m);
  run(port, workerData as ConvertWorkerData).then(
    () => post({ t: 'done' }),
    (err: unknown) =>
      post({
        t: 'fatal',
        code: isAppError(err) ? err.code : undefined,
        message: err instanceof Error ? err.message : String(err),
        details: isAppError(err) ? (JSON.parse(JSON.stringify(err.details)) as Record<string, unknown>) : {},
      }),
  );
}
