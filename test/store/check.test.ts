import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { DB_FILE, blobFilePath, checkDatabase, deliver, parseMessage } from '../../src/store/index.js';
import {
  type LogRecord,
  listSegments,
  scanSegment,
  segmentFileName,
  segmentPath,
} from '../../src/store/txlog.js';
import { aBody, aMessage, flipByte, mailboxes, openTestDb } from '../helpers/index.js';

/** A closed database with `n` one-message deliveries (a ~1.5 KB record each) in 4 KiB segments. */
async function manySegments(t: Parameters<typeof openTestDb>[0], n = 60): Promise<string> {
  const { db, dir } = openTestDb(t, { segmentBytes: 4096 });
  const to = await mailboxes(db, 1);
  for (let i = 0; i < n; i++) {
    deliver(db, [aMessage({ subject: `m${i}`, body: aBody(1200, String(i)) })], { to });
  }
  db.close();
  return dir;
}

function rawSql(dir: string, sql: string, ...params: unknown[]): void {
  const s = new BetterSqlite3(path.join(dir, DB_FILE));
  s.pragma('foreign_keys = OFF');
  try {
    s.prepare(sql).run(...params);
  } finally {
    s.close();
  }
}

describe('checkDatabase', () => {
  it('passes a sound database and counts segments, records, blobs and items', async (t) => {
    const dir = await manySegments(t, 30);
    const r = checkDatabase(dir);
    assert.equal(r.ok, true);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.notices, []);
    assert.ok(r.logSegments >= 8, `${r.logSegments} segments`);
    assert.equal(r.items, 30);
    assert.equal(r.blobs, 30);
    assert.ok(r.logRecords >= 60);
  });

  it('reports LOG_CORRUPT naming the segment and the offset of a bad byte in a middle segment', async (t) => {
    const dir = await manySegments(t);
    const logs = path.join(dir, 'logs');
    const segs = listSegments(logs);
    assert.ok(segs.length >= 15, `${segs.length} segments`);
    const seg = segs[Math.floor(segs.length / 2)]!;
    const recs: LogRecord[] = [];
    scanSegment(logs, seg, 0, { mayBeTorn: false, committedEnd: 0 }, (r) => recs.push(r));
    const victim = recs[1]!;
    flipByte(segmentPath(logs, seg), victim.offset + 24 + 10, 0x20);
    const r = checkDatabase(dir);
    assert.equal(r.ok, false);
    assert.deepEqual(r.problems, [
      {
        kind: 'log',
        message: `Transaction log segment ${segmentFileName(seg)} is corrupt at offset ${victim.offset}: checksum mismatch`,
        segment: segmentFileName(seg),
        offset: victim.offset,
        reason: 'checksum mismatch',
      },
    ]);
  });

  it('mentions a torn tail left by a crash, cuts it, and does not count it as a problem', async (t) => {
    const dir = await manySegments(t, 5);
    const logs = path.join(dir, 'logs');
    const last = listSegments(logs).at(-1)!;
    fs.appendFileSync(segmentPath(logs, last), Buffer.from([40, 0, 0, 0, 1, 2, 3]));
    const r = checkDatabase(dir);
    assert.equal(r.ok, true);
    assert.equal(r.notices.length, 1);
    assert.match(r.notices[0]!, new RegExp(`torn record at the end of ${segmentFileName(last)}.*7 bytes`));
  });

  it('names a blob whose file is missing, and one whose bytes do not match its hash', async (t) => {
    const { db, dir } = openTestDb(t);
    const to = await mailboxes(db, 1);
    const big = [aMessage({ body: aBody(80_000, 'a') }), aMessage({ body: aBody(80_000, 'b') })];
    deliver(db, big, { to });
    db.close();
    const [h1, h2] = big.map((m) => parseMessage(m).contentHash);
    fs.rmSync(blobFilePath(dir, h1!));
    flipByte(blobFilePath(dir, h2!), 100);
    const r = checkDatabase(dir);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.hash, p.message]).sort(),
      [
        ['blob', h1, `Blob ${h1}: its file is missing`],
        ['blob', h2, `Blob ${h2}: its bytes do not match its hash`],
      ].sort(),
    );
  });

  it('names a blob that has no refcount, and a refcount kept for a blob that is not stored', async (t) => {
    const { db, dir } = openTestDb(t);
    const to = await mailboxes(db, 1);
    const m1 = aMessage();
    deliver(db, [m1], { to });
    db.close();
    const h1 = parseMessage(m1).contentHash;
    const ghost = 'f'.repeat(64);
    rawSql(dir, 'DELETE FROM blob_refs WHERE hash = ?', h1);
    rawSql(dir, 'INSERT INTO blob_refs (hash, refcount) VALUES (?, 2)', ghost);
    const r = checkDatabase(dir);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.message]),
      [
        ['refcount', `Blob ${h1}: no refcount is kept, but 1 items refer to it`],
        ['refcount', `Blob ${ghost}: a refcount (2) is kept, but the blob is not stored`],
      ],
    );
  });

  it('names a blob whose refcount differs from the items that refer to it, and an item whose blob is gone', async (t) => {
    const { db, dir } = openTestDb(t);
    const to = await mailboxes(db, 2);
    const m1 = aMessage();
    const m2 = aMessage();
    deliver(db, [m1, m2], { to });
    db.close();
    const [h1, h2] = [m1, m2].map((m) => parseMessage(m).contentHash);
    rawSql(dir, 'UPDATE blob_refs SET refcount = 3 WHERE hash = ?', h1);
    rawSql(dir, 'DELETE FROM blobs WHERE hash = ?', h2);
    rawSql(dir, 'DELETE FROM blob_refs WHERE hash = ?', h2);
    const r = checkDatabase(dir);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.message]),
      [
        ['refcount', `Blob ${h1}: refcount 3, but 2 items refer to it`],
        ['item', `Item 3 refers to blob ${h2}, which is not stored`],
        ['item', `Item 4 refers to blob ${h2}, which is not stored`],
      ],
    );
  });

  it('only notes blob files that no blob row refers to (an interrupted write leaves them)', async (t) => {
    const { db, dir } = openTestDb(t);
    await mailboxes(db, 1);
    db.close();
    const stray = blobFilePath(dir, 'ab'.repeat(32));
    fs.mkdirSync(path.dirname(stray), { recursive: true });
    fs.writeFileSync(stray, 'x');
    const r = checkDatabase(dir);
    assert.equal(r.ok, true);
    assert.deepEqual(r.notices, ['1 blob files are not referenced (left by an interrupted write; harmless)']);
  });
});
