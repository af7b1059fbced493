/**
 * Hostile messages neither crash nor stall the index build: each is indexed by its headers
 * only, reported as failed with the reason, and still findable by subject.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS, buildSearchIndex, parseMessage, search } from '../../src/search/index.js';
import { createTestRsg, indexedRsg, rawMessage, tempDir, type ExtraItem } from './helpers.js';

const NOW = Date.UTC(2002, 0, 1);
const HEAD = {
  From: 'mallory@example.org',
  To: 'victim@example.org',
  Date: 'Mon, 1 Oct 2001 10:00:00 +0000',
};

/** multipart/mixed nested `depth` deep. */
function deepNesting(depth: number): Buffer {
  let body = 'innermost text\r\n';
  for (let i = depth - 1; i >= 0; i--) {
    body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--\r\n`;
  }
  const head = rawMessage(
    { ...HEAD, Subject: 'hostilenesting doll', 'Message-ID': '<nest@test>', 'MIME-Version': '1.0' },
    '',
  );
  // the outermost Content-Type belongs to the message header: drop the blank line before it
  return Buffer.concat([head.subarray(0, head.length - 2), Buffer.from(body)]);
}

/** One multipart with `n` tiny parts. */
function manyParts(n: number): Buffer {
  const part = '--p\r\nContent-Type: text/plain\r\n\r\npartword\r\n';
  return rawMessage(
    {
      ...HEAD,
      Subject: 'hostileparts confetti',
      'Message-ID': '<parts@test>',
      'MIME-Version': '1.0',
      'Content-Type': 'multipart/mixed; boundary="p"',
    },
    `${part.repeat(n)}--p--\r\n`,
  );
}

/** A header block of `bytes` bytes of filler fields, the Subject after all of it. */
function hugeHeader(bytes: number): Buffer {
  const line = `X-Filler: ${'a'.repeat(1000)}\r\n`;
  const filler = line.repeat(Math.ceil(bytes / line.length));
  return Buffer.from(
    `From: mallory@example.org\r\nMessage-ID: <header@test>\r\n${filler}Subject: hostileheader avalanche\r\n\r\nbody after the header\r\n`,
  );
}

describe('hostile messages', () => {
  it('are refused by the pre-check quickly, before mailparser sees them', async () => {
    for (const [raw, reason] of [
      [deepNesting(1000), /multipart containers/],
      [manyParts(100_000), /more than 1000 MIME parts/],
      [hugeHeader(50 * 1024 * 1024), /header block larger than/],
    ] as const) {
      const t = performance.now();
      const doc = await parseMessage(1, raw);
      const ms = performance.now() - t;
      assert.equal(doc.status, 'headers');
      assert.match(doc.reason ?? '', reason);
      assert.match(doc.subject, /^hostile/);
      assert.ok(ms < 3000, `${doc.subject}: ${ms} ms`);
    }
  });

  it('are indexed by headers, reported as failed and findable by subject; the build does not stall', async () => {
    const extra: ExtraItem[] = [
      { mailbox: 'mallory', folder: 'inbox', raw: deepNesting(1000) },
      { mailbox: 'mallory', folder: 'inbox', raw: manyParts(100_000) },
      { mailbox: 'mallory', folder: 'inbox', raw: hugeHeader(50 * 1024 * 1024) },
      {
        mailbox: 'mallory',
        folder: 'inbox',
        raw: rawMessage({ ...HEAD, Subject: 'ordinary neighbour', 'Message-ID': '<ok@test>' }, 'plain words'),
      },
    ];
    const t = performance.now();
    const rsg = await indexedRsg(undefined, extra);
    try {
      // the parse of each is bounded (above); this bounds the whole build, worker start included
      const ms = performance.now() - t;
      assert.ok(ms < 60_000, `build took ${ms} ms`);
      assert.equal(rsg.report.indexed, 4);
      assert.deepEqual(rsg.report.failed.map((f) => f.reason.replace(/\d+/g, 'N')).sort(), [
        'header block larger than N bytes',
        'more than N MIME parts',
        'more than N multipart containers (MIME nesting)',
      ]);
      for (const word of ['hostilenesting', 'hostileparts', 'hostileheader', 'ordinary']) {
        assert.equal(search(rsg.db, `subject:${word}`, { now: NOW }).total, 1, word);
      }
      assert.equal(search(rsg.db, 'plain', { now: NOW }).total, 1);
      assert.equal(search(rsg.db, 'partword OR innermost', { now: NOW }).total, 0, 'bodies were not indexed');
    } finally {
      rsg.cleanup();
    }
  });

  it('a stalled parse falls back to headers, never to an error or a hang', async (t) => {
    const rsg = createTestRsg(tempDir(t), undefined, [
      { mailbox: 'm', folder: 'inbox', raw: rawMessage({ ...HEAD, Subject: 'first stalled' }, 'a') },
      { mailbox: 'm', folder: 'inbox', raw: rawMessage({ ...HEAD, Subject: 'second stalled' }, 'b') },
    ]);
    t.after(() => rsg.db.close());
    // 1 ms cannot be met (a worker takes longer to start): the batch times out, then each
    // message alone does; each is indexed by its headers, with the reason
    const report = await buildSearchIndex(rsg.db, {
      readMessage: rsg.readMessage,
      workers: 1,
      batchTimeoutMs: 1,
    });
    assert.equal(report.indexed, 2);
    assert.deepEqual(
      report.failed.map((f) => f.reason),
      ['parse timed out after 1 ms', 'parse timed out after 1 ms'],
    );
    assert.equal(search(rsg.db, 'subject:stalled', { now: NOW }).total, 2);
  });

  it('limits are what the README documents', () => {
    assert.equal(LIMITS.maxBodyChars, 1_048_576);
    assert.equal(LIMITS.maxMimeParts, 1000);
    assert.equal(LIMITS.maxHeaderBytes, 256 * 1024);
  });
});
