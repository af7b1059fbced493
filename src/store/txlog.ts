/**
 * The transaction log: numbered segments `logs/E0000000001.log` of framed records.
 *
 * Record: u32 length | u32 crc32c | u64 lsn | u64 time_ms | payload   (little endian)
 * `length` is the payload's byte length; the CRC-32C covers lsn, time and payload.
 * LSNs increase by one from record to record across segments.
 *
 * Invariants: a record is appended and fsynced before the SQLite transaction that applies it
 * commits; only the last record of the last segment may be torn (a crash mid-append), and it
 * is then cut off; any other damage is LOG_CORRUPT, naming the segment and the offset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { AppError } from '../errors.js';
import { fsyncDir } from '../lib/fs.js';

export const RECORD_HEADER_BYTES = 24;
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024;
/** A single record larger than this is refused: no valid operation is that big. */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export interface LogRecord {
  lsn: number;
  timeMs: number;
  payload: Buffer;
  segment: number;
  offset: number;
  end: number;
}

/** Where the next record goes, and the last LSN written. */
export interface LogTail {
  segment: number;
  offset: number;
  lsn: number;
}

export function segmentFileName(segment: number): string {
  return `E${String(segment).padStart(10, '0')}.log`;
}

export function segmentPath(logsDir: string, segment: number): string {
  return path.join(logsDir, segmentFileName(segment));
}

/** The segment numbers present in `logsDir`, ascending. */
export function listSegments(logsDir: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(logsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw err;
  }
  return names
    .map((n) => /^E(\d{10})\.log$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export function encodeRecord(lsn: number, timeMs: number, payload: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  buf.writeUInt32LE(payload.length, 0);
  buf.writeBigUInt64LE(BigInt(lsn), 8);
  buf.writeBigUInt64LE(BigInt(timeMs), 16);
  payload.copy(buf, RECORD_HEADER_BYTES);
  buf.writeUInt32LE(crc32c(buf.subarray(8)), 4);
  return buf;
}

export type ScanEnd =
  { kind: 'clean'; end: number } | { kind: 'torn'; offset: number; size: number; reason: string };

function corrupt(segment: number, offset: number, reason: string): AppError {
  return new AppError(
    'LOG_CORRUPT',
    `Transaction log segment ${segmentFileName(segment)} is corrupt at offset ${offset}: ${reason}`,
    { segment: segmentFileName(segment), offset, reason },
  );
}

/**
 * Read the records of one segment from `start`, calling `onRecord` for each.
 * A damaged record at the very end of the file is a torn tail when `mayBeTorn` (the last
 * segment) and it lies past `committedEnd`; anything else throws LOG_CORRUPT.
 */
export function scanSegment(
  logsDir: string,
  segment: number,
  start: number,
  opts: { mayBeTorn: boolean; committedEnd: number; expectLsn?: number },
  onRecord: (r: LogRecord) => void,
): ScanEnd {
  const data = fs.readFileSync(segmentPath(logsDir, segment));
  let off = start;
  let expect = opts.expectLsn;
  const size = data.length;
  const damaged = (reason: string, recordEnd: number): ScanEnd => {
    const tornAllowed = opts.mayBeTorn && off >= opts.committedEnd && recordEnd >= size;
    if (tornAllowed) {
      return { kind: 'torn', offset: off, size, reason };
    }
    throw corrupt(segment, off, reason);
  };
  while (off < size) {
    if (off + RECORD_HEADER_BYTES > size) {
      return damaged('incomplete record header', size);
    }
    const len = data.readUInt32LE(off);
    const end = off + RECORD_HEADER_BYTES + len;
    if (len > MAX_RECORD_BYTES) {
      return damaged(`implausible record length ${len}`, size);
    }
    if (end > size) {
      return damaged(`record of ${len} bytes runs past the end of the segment`, end);
    }
    const crc = data.readUInt32LE(off + 4);
    if (crc32c(data.subarray(off + 8, end)) !== crc) {
      return damaged('checksum mismatch', end);
    }
    const lsn = Number(data.readBigUInt64LE(off + 8));
    if (expect !== undefined && lsn !== expect) {
      throw corrupt(segment, off, `expected LSN ${expect}, found ${lsn}`);
    }
    expect = lsn + 1;
    onRecord({
      lsn,
      timeMs: Number(data.readBigUInt64LE(off + 16)),
      payload: data.subarray(off + RECORD_HEADER_BYTES, end),
      segment,
      offset: off,
      end,
    });
    off = end;
  }
  return { kind: 'clean', end: off };
}

/** Cut a torn tail off a segment, durably. */
export function truncateSegment(logsDir: string, segment: number, length: number): void {
  const fd = fs.openSync(segmentPath(logsDir, segment), 'r+');
  try {
    fs.ftruncateSync(fd, length);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Appends records at a known tail, rolling to a new segment when the current one would
 * exceed `segmentBytes` (a record larger than that gets a segment of its own).
 * Callers hold the database's write lock, so the tail they pass is the true end of the log.
 */
export class LogWriter {
  private fd: number | undefined;
  private fdSegment = -1;

  constructor(
    private readonly logsDir: string,
    private readonly segmentBytes: number,
  ) {}

  /** Append `payloads` after `tail`, fsync, and return the new tail. */
  append(tail: LogTail, timeMs: number, payloads: Buffer[]): LogTail {
    let { segment, offset, lsn } = tail;
    let chunks: Buffer[] = [];
    let chunkBytes = 0;
    const flush = (): void => {
      if (chunks.length === 0) {
        return;
      }
      const fd = this.open(segment);
      const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, chunkBytes);
      let written = 0;
      while (written < buf.length) {
        written += fs.writeSync(fd, buf, written, buf.length - written, offset + written);
      }
      offset += buf.length;
      chunks = [];
      chunkBytes = 0;
    };
    const touched = new Set<number>();
    for (const payload of payloads) {
      const rec = encodeRecord(lsn + 1, timeMs, payload);
      if (offset + chunkBytes > 0 && offset + chunkBytes + rec.length > this.segmentBytes) {
        flush();
        this.sync(touched);
        segment += 1;
        offset = 0;
      }
      touched.add(segment);
      chunks.push(rec);
      chunkBytes += rec.length;
      lsn += 1;
    }
    flush();
    this.sync(touched);
    return { segment, offset, lsn };
  }

  private sync(touched: Set<number>): void {
    if (this.fd !== undefined && touched.has(this.fdSegment)) {
      fs.fsyncSync(this.fd);
    }
  }

  private open(segment: number): number {
    if (this.fdSegment === segment && this.fd !== undefined) {
      return this.fd;
    }
    this.close();
    const file = segmentPath(this.logsDir, segment);
    const existed = fs.existsSync(file);
    this.fd = fs.openSync(file, existed ? 'r+' : 'w+');
    this.fdSegment = segment;
    if (!existed) {
      fsyncDir(this.logsDir);
    }
    return this.fd;
  }

  close(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
      this.fdSegment = -1;
    }
  }
}
