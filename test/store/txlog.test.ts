import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { decodeOp, encodeOp } from '../../src/store/ops.js';
import {
  BATCH_END,
  LOG_FORMAT,
  LogWriter,
  type LogRecord,
  RECORD_HEADER_BYTES,
  ScanBuffer,
  cutLog,
  encodeRecord,
  listSegments,
  scanSegment,
  segmentFileName,
  segmentPath,
} from '../../src/store/txlog.js';
import { expectAppError, flipByte, tempDir } from '../helpers/index.js';

function logsDir(t: Parameters<typeof tempDir>[0]): string {
  const dir = path.join(tempDir(t), 'logs');
  fs.mkdirSync(dir);
  return dir;
}

function readAll(dir: string, seg: number, start = 0): LogRecord[] {
  const out: LogRecord[] = [];
  scanSegment(dir, seg, start, { mayBeTorn: false, committedEnd: 0 }, (r) => out.push(r));
  return out;
}

const payloads = (n: number, bytes = 100): Buffer[] =>
  Array.from({ length: n }, (_, i) => Buffer.alloc(bytes, 0x41 + (i % 26)));

describe('log records', () => {
  it('frames a record as u32 length | u32 crc32c | u48 lsn | u8 flags | u8 format | u64 time_ms | payload, little endian', () => {
    const payload = Buffer.from('hello');
    const rec = encodeRecord(7, 1_767_600_000_000, payload);
    assert.equal(rec.length, RECORD_HEADER_BYTES + 5);
    assert.equal(RECORD_HEADER_BYTES, 24);
    assert.equal(rec.readUInt32LE(0), 5);
    assert.equal(rec.readUInt32LE(4), crc32c(rec.subarray(8)));
    assert.equal(rec.readUIntLE(8, 6), 7);
    assert.equal(rec[14], BATCH_END);
    assert.equal(rec[15], LOG_FORMAT);
    assert.equal(LOG_FORMAT, 1);
    assert.equal(rec.readBigUInt64LE(16), 1_767_600_000_000n);
    assert.deepEqual(rec.subarray(24), payload);
    assert.equal(encodeRecord(7, 1, payload, false)[14], 0);
  });

  it('names segments E0000000001.log … and lists them in order, ignoring other files', (t) => {
    const dir = logsDir(t);
    for (const n of [10, 2, 1]) {
      fs.writeFileSync(segmentPath(dir, n), '');
    }
    fs.writeFileSync(path.join(dir, 'E12.log'), '');
    fs.writeFileSync(path.join(dir, 'notes.txt'), '');
    assert.equal(segmentFileName(1), 'E0000000001.log');
    assert.deepEqual(listSegments(dir), [1, 2, 10]);
    assert.deepEqual(listSegments(path.join(dir, 'missing')), []);
  });

  it('keeps the bytes of an operation through encodeOp/decodeOp, Buffers in the binary section', () => {
    const data = Buffer.from([0, 1, 2, 255, 10, 13]);
    const op = { t: 'blob.put', hash: 'ab', size: 6, data } as const;
    const back = decodeOp(encodeOp(op));
    assert.deepEqual(back, op);
    assert.ok(Buffer.isBuffer((back as { data: Buffer }).data));
    assert.ok(!encodeOp(op).subarray(4).toString('latin1').includes('"data":[0'));
  });
});

describe('LogWriter', () => {
  it('appends records with consecutive LSNs after the tail and returns the new tail', (t) => {
    const dir = logsDir(t);
    const w = new LogWriter(dir, 1024 * 1024);
    t.after(() => w.close());
    const tail = w.append({ segment: 1, offset: 0, lsn: 0 }, 1000, payloads(3));
    assert.deepEqual(tail, { segment: 1, offset: 3 * (24 + 100), lsn: 3 });
    const tail2 = w.append(tail, 2000, payloads(2));
    const recs = readAll(dir, 1);
    assert.deepEqual(
      recs.map((r) => [r.lsn, r.timeMs, r.offset]),
      [
        [1, 1000, 0],
        [2, 1000, 124],
        [3, 1000, 248],
        [4, 2000, 372],
        [5, 2000, 496],
      ],
    );
    assert.equal(tail2.offset, fs.statSync(segmentPath(dir, 1)).size);
  });

  it('marks only the last record of a batch BATCH_END and writes it with one fsync-able write', (t) => {
    const dir = logsDir(t);
    const w = new LogWriter(dir, 1024 * 1024);
    t.after(() => w.close());
    w.append({ segment: 1, offset: 0, lsn: 0 }, 1000, payloads(3));
    const data = fs.readFileSync(segmentPath(dir, 1));
    assert.deepEqual(
      [0, 124, 248].map((o) => [data[o + 14], data[o + 15]]),
      [
        [0, LOG_FORMAT],
        [0, LOG_FORMAT],
        [BATCH_END, LOG_FORMAT],
      ],
    );
    assert.deepEqual(
      readAll(dir, 1).map((r) => r.batchEnd),
      [false, false, true],
    );
  });

  it('never splits a batch across segments: rolls before a batch that would not fit, and gives an oversized batch a segment of its own', (t) => {
    const dir = logsDir(t);
    const w = new LogWriter(dir, 1000);
    t.after(() => w.close());
    let tail = w.append({ segment: 1, offset: 0, lsn: 0 }, 1, payloads(3, 176)); // 200 bytes each
    assert.deepEqual(tail, { segment: 1, offset: 600, lsn: 3 });
    tail = w.append(tail, 2, payloads(3, 176)); // 600 more would pass 1000: a new segment
    assert.deepEqual(tail, { segment: 2, offset: 600, lsn: 6 });
    tail = w.append(tail, 3, payloads(20, 176)); // 4000 bytes: a segment of its own
    assert.deepEqual(tail, { segment: 3, offset: 4000, lsn: 26 });
    tail = w.append(tail, 4, [Buffer.alloc(5000)]);
    assert.deepEqual(tail, { segment: 4, offset: 5024, lsn: 27 });
    tail = w.append(tail, 5, payloads(1));
    assert.deepEqual(tail, { segment: 5, offset: 124, lsn: 28 });
    assert.deepEqual(
      listSegments(dir).map((s) => readAll(dir, s).map((r) => r.lsn)),
      [[1, 2, 3], [4, 5, 6], Array.from({ length: 20 }, (_, i) => i + 7), [27], [28]],
    );
    for (const s of listSegments(dir)) {
      assert.equal(readAll(dir, s).at(-1)!.batchEnd, true, `segment ${s} ends with a batch end`);
    }
  });
});

describe('scanSegment', () => {
  /** `n` records of 100 bytes, each a batch of its own. */
  function writeSegment(dir: string, n: number): { size: number; offsets: number[] } {
    const w = new LogWriter(dir, 1024 * 1024);
    let tail = { segment: 1, offset: 0, lsn: 0 };
    for (const p of payloads(n)) {
      tail = w.append(tail, 1, [p]);
    }
    w.close();
    return { size: tail.offset, offsets: Array.from({ length: n }, (_, i) => i * 124) };
  }

  it('reads segments of different sizes one after the other through one ScanBuffer, each whole', (t) => {
    const dir = logsDir(t);
    const w = new LogWriter(dir, 1024);
    let tail = { segment: 1, offset: 0, lsn: 0 };
    // segment 1: one small batch; segment 2: a batch larger than a segment; segment 3: small again
    for (const batch of [payloads(2, 50), payloads(30, 200), payloads(1, 10)]) {
      tail = w.append(tail, 1, batch);
    }
    w.close();
    assert.deepEqual(listSegments(dir), [1, 2, 3]);
    const into = new ScanBuffer();
    const seen: { lsn: number; payload: Buffer }[] = [];
    for (const seg of [1, 2, 3]) {
      const end = scanSegment(dir, seg, 0, { mayBeTorn: false, committedEnd: 0, into }, (r) =>
        seen.push({ lsn: r.lsn, payload: Buffer.from(r.payload) }),
      );
      assert.deepEqual(end, { kind: 'clean', end: fs.statSync(segmentPath(dir, seg)).size });
    }
    const want = [1, 2, 3].flatMap((seg) =>
      readAll(dir, seg).map((r) => ({ lsn: r.lsn, payload: r.payload })),
    );
    assert.equal(seen.length, 33);
    assert.deepEqual(seen, want);
  });

  it('reports an incomplete last record as a torn tail at its offset when the segment may be torn', (t) => {
    const dir = logsDir(t);
    const { size, offsets } = writeSegment(dir, 4);
    fs.truncateSync(segmentPath(dir, 1), size - 10);
    const seen: number[] = [];
    const end = scanSegment(dir, 1, 0, { mayBeTorn: true, committedEnd: 0 }, (r) => seen.push(r.lsn));
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(end, {
      kind: 'torn',
      offset: offsets[3],
      size: size - 10,
      reason: 'record of 100 bytes runs past the end of the segment',
    });
  });

  it('reports a torn header (fewer than 24 bytes left) as a torn tail', (t) => {
    const dir = logsDir(t);
    const { size } = writeSegment(dir, 2);
    fs.appendFileSync(segmentPath(dir, 1), Buffer.alloc(7, 1));
    const end = scanSegment(dir, 1, 0, { mayBeTorn: true, committedEnd: 0 }, () => {});
    assert.deepEqual(end, { kind: 'torn', offset: size, size: size + 7, reason: 'incomplete record header' });
  });

  it('throws LOG_CORRUPT naming segment and offset for a damaged record that is not the last one', async (t) => {
    const dir = logsDir(t);
    const { offsets } = writeSegment(dir, 5);
    flipByte(segmentPath(dir, 1), offsets[2]! + 24 + 50, 0xff);
    const err = await expectAppError(
      () => scanSegment(dir, 1, 0, { mayBeTorn: true, committedEnd: 0 }, () => {}),
      'LOG_CORRUPT',
    );
    assert.deepEqual(err.details, {
      segment: 'E0000000001.log',
      offset: offsets[2],
      reason: 'checksum mismatch',
    });
    assert.match(err.message, /E0000000001\.log.*offset 248.*checksum mismatch/);
  });

  it('throws LOG_CORRUPT for damage at the end of a segment that may not be torn, or before the committed end', async (t) => {
    const dir = logsDir(t);
    const { size, offsets } = writeSegment(dir, 3);
    fs.truncateSync(segmentPath(dir, 1), size - 1);
    await expectAppError(
      () => scanSegment(dir, 1, 0, { mayBeTorn: false, committedEnd: 0 }, () => {}),
      'LOG_CORRUPT',
    );
    const err = await expectAppError(
      () => scanSegment(dir, 1, 0, { mayBeTorn: true, committedEnd: size }, () => {}),
      'LOG_CORRUPT',
    );
    assert.equal(err.details.offset, offsets[2]);
  });

  it('throws LOG_CORRUPT when LSNs do not follow on from the expected one', async (t) => {
    const dir = logsDir(t);
    writeSegment(dir, 3);
    const err = await expectAppError(
      () => scanSegment(dir, 1, 124, { mayBeTorn: false, committedEnd: 0, expectLsn: 5 }, () => {}),
      'LOG_CORRUPT',
    );
    assert.equal(err.details.reason, 'expected LSN 5, found 2');
    assert.equal(err.details.offset, 124);
  });
});

describe('write batches in the log', () => {
  /** Batches of 2 and 3 records (100-byte payloads, 124 bytes a record) in segment 1. */
  function twoBatches(dir: string): void {
    const w = new LogWriter(dir, 1024 * 1024);
    const tail = w.append({ segment: 1, offset: 0, lsn: 0 }, 1, payloads(2));
    w.append(tail, 2, payloads(3));
    w.close();
  }

  for (const [what, cut] of [
    ['inside its second record', 248 + 124 + 50],
    ['between two of its records', 248 + 124],
  ] as const) {
    it(`reports a last batch torn ${what} as a torn tail at the batch's start, and hands out only whole batches`, (t) => {
      const dir = logsDir(t);
      twoBatches(dir);
      fs.truncateSync(segmentPath(dir, 1), cut);
      const seen: number[] = [];
      const end = scanSegment(dir, 1, 0, { mayBeTorn: true, committedEnd: 0 }, (r) => seen.push(r.lsn));
      assert.deepEqual(seen, [1, 2]);
      assert.equal(end.kind, 'torn');
      assert.equal(end.kind === 'torn' && end.offset, 248);
    });
  }

  it('names a batch without its last record LOG_CORRUPT where the log may not be torn', async (t) => {
    const dir = logsDir(t);
    twoBatches(dir);
    fs.truncateSync(segmentPath(dir, 1), 248 + 124);
    const err = await expectAppError(
      () => scanSegment(dir, 1, 0, { mayBeTorn: false, committedEnd: 0 }, () => {}),
      'LOG_CORRUPT',
    );
    assert.equal(err.details.reason, 'write batch of 1 record(s) without its last record');
  });

  it('refuses a record of an unknown log format with a clear LOG_CORRUPT, even at the tail', async (t) => {
    const dir = logsDir(t);
    const rec = encodeRecord(1, 1, Buffer.from('x'));
    rec[15] = 7;
    rec.writeUInt32LE(crc32c(rec.subarray(8)), 4);
    fs.writeFileSync(segmentPath(dir, 1), rec);
    const err = await expectAppError(
      () => scanSegment(dir, 1, 0, { mayBeTorn: true, committedEnd: 0 }, () => {}),
      'LOG_CORRUPT',
    );
    assert.match(err.message, /unknown log format 7.*reads format 1/);
  });

  it('reads records of format 0 (written before batches were marked) as batches of one record', (t) => {
    const dir = logsDir(t);
    const legacy = [1, 2].map((lsn) => {
      const rec = encodeRecord(lsn, 5, Buffer.from(`r${lsn}`), false);
      rec[15] = 0;
      rec.writeUInt32LE(crc32c(rec.subarray(8)), 4);
      return rec;
    });
    fs.writeFileSync(segmentPath(dir, 1), Buffer.concat(legacy));
    assert.deepEqual(
      readAll(dir, 1).map((r) => [r.lsn, r.batchEnd, r.payload.toString()]),
      [
        [1, true, 'r1'],
        [2, true, 'r2'],
      ],
    );
  });

  it('cuts a point in time inside a batch at the end of the batch before it, dropping later segments', (t) => {
    const dir = logsDir(t);
    const w = new LogWriter(dir, 300);
    let tail = { segment: 1, offset: 0, lsn: 0 };
    for (const n of [2, 3, 1]) {
      tail = w.append(tail, n, payloads(n)); // batches 1-2, 3-5, 6 in segments 1, 2, 3
    }
    w.close();
    assert.deepEqual(listSegments(dir), [1, 2, 3]);
    cutLog(dir, (r) => r.lsn > 4);
    assert.deepEqual(listSegments(dir), [1, 2]);
    assert.equal(fs.statSync(segmentPath(dir, 2)).size, 0);
    assert.deepEqual(
      readAll(dir, 1).map((r) => r.lsn),
      [1, 2],
    );
  });
});

describe('operation payloads', () => {
  it('decodes byte arrays as copies, or as views of the payload when shared (replay)', () => {
    const payload = encodeOp({ t: 'blob.put', hash: 'ab', size: 3, data: Buffer.from('xyz') });
    const copied = decodeOp(payload) as { data: Buffer };
    const shared = decodeOp(payload, true) as { data: Buffer };
    assert.equal(copied.data.toString(), 'xyz');
    assert.equal(shared.data.toString(), 'xyz');
    payload[payload.length - 1] = 0x21; // the payload changes under a view, not under a copy
    assert.equal(copied.data.toString(), 'xyz');
    assert.equal(shared.data.toString(), 'xy!');
  });

  it('frames a payload given as parts exactly as the same bytes in one buffer', () => {
    const parts = [Buffer.from('ab'), Buffer.from('cde')];
    assert.deepEqual(encodeRecord(3, 9, parts), encodeRecord(3, 9, Buffer.concat(parts)));
  });
});
