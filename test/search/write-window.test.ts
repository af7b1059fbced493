import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BATCH_MAX_BYTES, WRITE_WINDOW_BYTES, buildSearchIndex } from '../../src/search/build.js';
import { WriteWindow } from '../../src/search/write-window.js';
import { createTestRsg, rawMessage, tempDir, type ExtraItem } from './helpers.js';

const MIB = 1024 * 1024;

describe('WriteWindow (what an index build holds before it is written)', () => {
  it('closes at its byte bound however few the items, and opens as they are written', () => {
    const w = new WriteWindow(100, 10 * MIB);
    w.add(1, 6 * MIB);
    assert.equal(w.isFull, false);
    w.add(2, 4 * MIB);
    assert.equal(w.isFull, true);
    assert.equal(w.items, 2);
    w.written([2]);
    assert.equal(w.isFull, false);
    assert.equal(w.bytes, 6 * MIB);
  });

  it('closes at its item bound however small the items', () => {
    const w = new WriteWindow(3, 10 * MIB);
    w.add(1, 10);
    w.add(2, 10);
    assert.equal(w.isFull, false);
    w.add(3, 10);
    assert.equal(w.isFull, true);
  });

  it('counts an item written twice (a retried batch) or never added once', () => {
    const w = new WriteWindow(100, 10 * MIB);
    w.add(1, 3 * MIB);
    w.add(1, 3 * MIB); // handed out again
    w.add(2, 1 * MIB);
    w.written([1, 1, 7]);
    assert.equal(w.bytes, 1 * MIB);
    assert.equal(w.items, 1);
  });

  it('is open when empty, so a message larger than the window still goes through', () => {
    const w = new WriteWindow(100, 1 * MIB);
    assert.equal(w.isFull, false);
    w.add(1, 5 * MIB);
    assert.equal(w.isFull, true);
    w.written([1]);
    assert.equal(w.isFull, false);
  });
});

/** A message of about `size` bytes: a short text and a base64 attachment (a small document). */
function withAttachment(n: number, size: number): Buffer {
  const line = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3';
  const lines = Array.from({ length: Math.ceil(size / (line.length + 2)) }, () => line).join('\r\n');
  return rawMessage(
    {
      From: 'big@example.org',
      To: 'someone@example.org',
      Subject: `attachment ${n} zanzibar`,
      'Message-ID': `<big-${n}@test>`,
      'MIME-Version': '1.0',
      'Content-Type': 'multipart/mixed; boundary="b"',
    },
    [
      '--b',
      'Content-Type: text/plain',
      '',
      `see attached ${n}`,
      '--b',
      `Content-Type: application/octet-stream; name="data-${n}.bin"`,
      'Content-Transfer-Encoding: base64',
      '',
      lines,
      '--b--',
      '',
    ].join('\r\n'),
  );
}

describe('building the index of large messages', () => {
  it('holds at most the byte window (and one batch) of messages not yet written, and indexes one larger than the window', async (t) => {
    const extra: ExtraItem[] = [
      ...Array.from({ length: 28 }, (_, i) => ({
        mailbox: 'big',
        folder: 'inbox',
        raw: withAttachment(i, MIB),
      })),
      { mailbox: 'big', folder: 'inbox', raw: withAttachment(99, WRITE_WINDOW_BYTES + MIB) },
    ];
    const rsg = createTestRsg(tempDir(t), undefined, extra);
    t.after(() => rsg.db.close());
    let read = 0;
    let written = 0;
    let most = 0;
    const report = await buildSearchIndex(rsg.db, {
      workers: 1,
      readMessage: (id) => {
        const raw = rsg.readMessage(id);
        read += raw.length;
        if (raw.length < 2 * MIB) {
          // the largest message is read last: until then every message is about 1 MiB
          most = Math.max(most, read - written);
        }
        return raw;
      },
      onProgress: (p) => {
        written = p.done * MIB;
      },
    });
    assert.equal(report.indexed, extra.length);
    assert.deepEqual(report.failed, []);
    const hits = rsg.db
      .prepare(`SELECT count(*) FROM search_text WHERE search_text MATCH 'zanzibar'`)
      .pluck()
      .get();
    assert.equal(hits, extra.length);
    assert.ok(most <= WRITE_WINDOW_BYTES + BATCH_MAX_BYTES + 2 * MIB, `held ${most} bytes`);
  });
});
