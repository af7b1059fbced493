import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';

// DOS timestamps in a zip cover 1980..2107; yazl's extended-timestamp field carries the rest.
const ZIP_MIN_TIME_MS = Date.UTC(1980, 0, 1);
const ZIP_MAX_TIME_MS = Date.UTC(2107, 11, 31);

/** A zip entry's modification time: the message date clamped into what a zip can say, else 1980-01-01. */
export function zipTime(date: Date | undefined): Date {
  const ms = date?.getTime();
  if (ms === undefined || Number.isNaN(ms)) {
    return new Date(ZIP_MIN_TIME_MS);
  }
  return new Date(Math.min(Math.max(ms, ZIP_MIN_TIME_MS), ZIP_MAX_TIME_MS));
}

/** One entry being written: `write` waits while the zip is behind, `close` until its bytes are in. */
export interface ZipEntryWriter {
  write(chunk: Buffer): Promise<void>;
  close(): Promise<void>;
}

/**
 * A zip written as a stream with yazl, one entry at a time: an entry's data goes through a
 * PassThrough that yazl pipes (with backpressure) into `output`, and the caller opens the
 * next entry only after closing the previous one, so at most one message and a few stream
 * buffers are in memory. yazl sets the UTF-8 name flag and switches to zip64 where needed.
 */
export class ZipStreamWriter {
  private readonly zip = new yazl.ZipFile();
  /** The zip bytes; read it (pipe it somewhere) or nothing moves. */
  readonly output: Readable;

  constructor(private readonly signal: AbortSignal) {
    this.output = this.zip.outputStream as Readable;
    this.zip.on('error', (err: Error) => this.output.destroy(err));
  }

  /** Start an entry; close it before opening the next. Names must be relative, '/'-separated, without `..`. */
  openEntry(name: string, mtime: Date): ZipEntryWriter {
    const data = new PassThrough();
    this.zip.addReadStream(data, name, { mtime, compress: true });
    const signal = this.signal;
    return {
      async write(chunk: Buffer): Promise<void> {
        if (!data.write(chunk)) {
          await once(data, 'drain', { signal });
        }
      },
      async close(): Promise<void> {
        data.end();
        await finished(data, { signal });
      },
    };
  }

  /** Add a small entry from memory (the manifest). */
  addBuffer(name: string, bytes: Buffer, mtime: Date): void {
    this.zip.addBuffer(bytes, name, { mtime, compress: true });
  }

  /** No more entries: the central directory is written and `output` ends. */
  end(): void {
    this.zip.end();
  }

  /** Stop: release the entry streams and end `output` with `err` (if any). */
  destroy(err?: Error): void {
    this.output.destroy(err);
  }
}
