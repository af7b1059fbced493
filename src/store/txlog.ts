/**
 * The transaction log: numbered segments `logs/E0000000001.log` of framed records.
 *
 * Record (little endian):
 *
 *     u32 length | u32 crc32c | u48 lsn | u8 flags | u8 format | u64 time_ms | payload
 *
 * `length` is the payload's byte length; the CRC-32C covers everything after it (lsn, flags,
 * format, time and payload). LSNs increase by one from record to record across segments.
 * `format` is the record format: 1 today; 0 marks a record written before batches were marked
 * (it is a batch of its own); any other value is refused as LOG_CORRUPT ("unknown log format").
 * `flags` bit 0 (BATCH_END) marks the last record of a write batch.
 *
 * Batches: one `Database.write` batch (group commit) is one run of records, the last one flagged
 * BATCH_END, and is atomic in the log. A batch never spans segments: the writer rolls to a new
 * segment *before* a batch that would not fit in the current one (a batch larger than a segment
 * gets a segment of its own), and appends the whole batch with one write and one fsync. Readers
 * (`scanSegment`) hand out whole batches only: records after the last BATCH_END of a segment are
 * an incomplete batch — a torn tail when they end the last segment, cut off whole; LOG_CORRUPT
 * anywhere else. A point-in-time cut (`cutLog`) stops at a batch boundary.
 *
 * Invariants: a batch is appended and fsynced before the SQLite transaction that applies it
 * commits; only the last batch of the last segment may be torn (a crash mid-append), and it
 * is then cut off whole; any other damage is LOG_CORRUPT, naming the segment and the offset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { AppError } from '../errors.js';
import { fsyncDir } from '../lib/fs.js';

export const RECORD_HEADER_BYTES = 24;
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024;
/** The record format this code writes (byte 15 of a record). */
export const LOG_FORMAT = 1;
/** Format of records written before batches were marked: each record is a batch of its own. */
const LEGACY_FORMAT = 0;
/** Flag (byte 14 of a record): the last record of a write batch. */
export const BATCH_END = 1;
/** A single record larger than this is refused: no valid operation is that big. */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export interface LogRecord {
  lsn: number;
  timeMs: number;
  payload: Buffer;
  segment: number;
  offset: number;
  end: number;
  /** The last record of its write batch. */
  batchEnd: boolean;
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

/** A record's payload: one buffer, or parts written one after the other (not copied). */
export type Payload = Buffer | readonly Buffer[];

function payloadParts(p: Payload): readonly Buffer[] {
  return Buffer.isBuffer(p) ? [p] : p;
}

/**
 * Fill the 24-byte header at `hdr[at..]` of a record whose payload is `parts`; the CRC covers
 * bytes 8..24 of the header, then the payload.
 */
function frameHeader(
  hdr: Buffer,
  at: number,
  parts: readonly Buffer[],
  lsn: number,
  timeMs: number,
  flags: number,
): void {
  let len = 0;
  for (const p of parts) {
    len += p.length;
  }
  hdr.writeUInt32LE(len, at);
  hdr.writeUIntLE(lsn, at + 8, 6);
  hdr[at + 14] = flags;
  hdr[at + 15] = LOG_FORMAT;
  hdr.writeUInt32LE(timeMs % 0x1_0000_0000, at + 16);
  hdr.writeUInt32LE(Math.floor(timeMs / 0x1_0000_0000), at + 20);
  let crc = crc32c(hdr.subarray(at + 8, at + RECORD_HEADER_BYTES));
  for (const p of parts) {
    crc = crc32c(p, crc);
  }
  hdr.writeUInt32LE(crc, at + 4);
}

/** One framed record; by default a batch of its own (flagged BATCH_END). */
export function encodeRecord(lsn: number, timeMs: number, payload: Payload, batchEnd = true): Buffer {
  const parts = payloadParts(payload);
  const hdr = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  frameHeader(hdr, 0, parts, lsn, timeMs, batchEnd ? BATCH_END : 0);
  return Buffer.concat([hdr, ...parts]);
}

/**
 * The records of one write batch with consecutive LSNs after `lsn`, as the list of buffers to
 * write in order (headers and the payloads' own buffers), and their total length.
 */
export function encodeBatch(
  lsn: number,
  timeMs: number,
  payloads: readonly Payload[],
): { buffers: Buffer[]; bytes: number } {
  const hdrs = Buffer.allocUnsafe(RECORD_HEADER_BYTES * payloads.length);
  const buffers: Buffer[] = [];
  let bytes = 0;
  for (const [i, p] of payloads.entries()) {
    const parts = payloadParts(p);
    const at = i * RECORD_HEADER_BYTES;
    frameHeader(hdrs, at, parts, lsn + i + 1, timeMs, i === payloads.length - 1 ? BATCH_END : 0);
    buffers.push(hdrs.subarray(at, at + RECORD_HEADER_BYTES), ...parts);
    bytes += RECORD_HEADER_BYTES + hdrs.readUInt32LE(at);
  }
  return { buffers, bytes };
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
 * A buffer that a run of scans reads their segments into, one after the other: a fresh buffer
 * per segment (megabytes each) cost more than the scan itself (the first touch of new pages),
 * so a replay of a long log was mostly page faults. Keep one for as long as the scans last.
 */
export class ScanBuffer {
  private buf: Buffer | undefined;

  /** The bytes of `file`, valid until the next read through this buffer. */
  read(file: string): Buffer {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (!this.buf || this.buf.length < size) {
        this.buf = Buffer.allocUnsafeSlow(Math.max(size, DEFAULT_SEGMENT_BYTES));
      }
      let got = 0;
      while (got < size) {
        const n = fs.readSync(fd, this.buf, got, size - got, got);
        if (n === 0) {
          break; // the file shrank meanwhile: scan what is there
        }
        got += n;
      }
      return this.buf.subarray(0, got);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * Read the records of one segment from `start` (a batch boundary), calling `onRecord` for each
 * record of each complete batch, in order; the records of a batch are checked before the first
 * is handed out. Damage at the very end of the file — a damaged last record, or a last batch
 * without its BATCH_END record — is a torn tail when `mayBeTorn` (the last segment) and the
 * batch starts at or past `committedEnd`: the result then names the batch's offset, to cut
 * it whole. Anything else throws LOG_CORRUPT.
 *
 * `into`: read the segment into this buffer; a record's payload is then valid only until the
 * next scan through it, for callers that use each payload at once.
 */
export function scanSegment(
  logsDir: string,
  segment: number,
  start: number,
  opts: { mayBeTorn: boolean; committedEnd: number; expectLsn?: number; into?: ScanBuffer },
  onRecord: (r: LogRecord) => void,
): ScanEnd {
  const file = segmentPath(logsDir, segment);
  const data = opts.into ? opts.into.read(file) : fs.readFileSync(file);
  let off = start;
  let expect = opts.expectLsn;
  const size = data.length;
  let batch: LogRecord[] = [];
  const damaged = (reason: string, recordEnd: number): ScanEnd => {
    const at = batch[0]?.offset ?? off;
    const tornAllowed = opts.mayBeTorn && at >= opts.committedEnd && recordEnd >= size;
    if (tornAllowed) {
      return { kind: 'torn', offset: at, size, reason };
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
    const flags = data[off + 14]!;
    const format = data[off + 15]!;
    if (format !== LOG_FORMAT && !(format === LEGACY_FORMAT && flags === 0)) {
      throw corrupt(
        segment,
        off,
        `unknown log format ${format} (flags ${flags}); this version of Salvage reads format ${LOG_FORMAT}`,
      );
    }
    const lsn = data.readUIntLE(off + 8, 6);
    if (expect !== undefined && lsn !== expect) {
      throw corrupt(segment, off, `expected LSN ${expect}, found ${lsn}`);
    }
    expect = lsn + 1;
    const batchEnd = format === LEGACY_FORMAT || (flags & BATCH_END) !== 0;
    batch.push({
      lsn,
      timeMs: data.readUInt32LE(off + 16) + data.readUInt32LE(off + 20) * 0x1_0000_0000,
      payload: data.subarray(off + RECORD_HEADER_BYTES, end),
      segment,
      offset: off,
      end,
      batchEnd,
    });
    off = end;
    if (batchEnd) {
      for (const r of batch) {
        onRecord(r);
      }
      batch = [];
    }
  }
  if (batch.length > 0) {
    return damaged(`write batch of ${batch.length} record(s) without its last record`, size);
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
 * Point-in-time cut: keep the log up to the end of the last whole batch none of whose records
 * `isPast`; truncate the segment there and remove the later segments. A restore point inside a
 * batch thus stops at the end of the batch before it.
 */
export function cutLog(logsDir: string, isPast: (r: LogRecord) => boolean): void {
  let stopped = false;
  for (const seg of listSegments(logsDir)) {
    if (stopped) {
      fs.rmSync(segmentPath(logsDir, seg));
      continue;
    }
    let batchStart = 0;
    let cutAt: number | undefined;
    scanSegment(logsDir, seg, 0, { mayBeTorn: false, committedEnd: 0 }, (r) => {
      if (cutAt !== undefined) {
        return;
      }
      if (isPast(r)) {
        cutAt = batchStart;
      } else if (r.batchEnd) {
        batchStart = r.end;
      }
    });
    if (cutAt !== undefined) {
      truncateSegment(logsDir, seg, cutAt);
      stopped = true;
    }
  }
}

/**
 * Appends write batches at a known tail. A batch goes whole into one segment: the writer rolls
 * to a new segment before a batch that would pass `segmentBytes` (a batch larger than that gets
 * a segment of its own), so each batch costs one write and one fsync (and a directory fsync when
 * it starts a segment). Callers hold the database's write lock, so the tail they pass is the
 * true end of the log.
 */
export class LogWriter {
  private fd: number | undefined;
  private fdSegment = -1;

  constructor(
    private readonly logsDir: string,
    private readonly segmentBytes: number,
  ) {}

  /** Append `payloads` as one batch after `tail`, fsync, and return the new tail. */
  append(tail: LogTail, timeMs: number, payloads: readonly Payload[]): LogTail {
    if (payloads.length === 0) {
      return tail;
    }
    const { buffers, bytes } = encodeBatch(tail.lsn, timeMs, payloads);
    let { segment, offset } = tail;
    if (offset > 0 && offset + bytes > this.segmentBytes) {
      segment += 1;
      offset = 0;
    }
    const fd = this.open(segment);
    const written = fs.writevSync(fd, buffers, offset);
    if (written < bytes) {
      // a short write (rare): write the rest from one buffer
      const rest = Buffer.concat(buffers).subarray(written);
      let done = 0;
      while (done < rest.length) {
        done += fs.writeSync(fd, rest, done, rest.length - done, offset + written + done);
      }
    }
    fs.fsyncSync(fd);
    return { segment, offset: offset + bytes, lsn: tail.lsn + payloads.length };
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
