import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { simpleParser } from 'mailparser';
import { readSource } from '../../src/sources/index.js';
import { isEnvelopeLine, parseEnvelopeDate } from '../../src/sources/mbox-envelope.js';
import { MboxSplitter, type MboxPiece } from '../../src/sources/mbox-split.js';
import { mboxFlags } from '../../src/sources/mbox.js';
import { collect, fixture, folderList, sha256, tempDir } from './helpers.js';

const FROM_LINE = 'From MAILER-DAEMON Thu Jan  1 00:00:00 1970';

/** Our exporter's rule: From_ line, mboxrd-quoted bytes, '\n' if they lack one, then '\n'. */
function exportMbox(messages: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of messages) {
    const quoted = m.toString('latin1').replace(/^(>*From )/gm, '>$1');
    parts.push(Buffer.from(`${FROM_LINE}\n${quoted}${quoted.endsWith('\n') ? '' : '\n'}\n`, 'latin1'));
  }
  return Buffer.concat(parts);
}

function enronMessages(): Buffer[] {
  const root = fixture('eml-tree');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) {
        walk(path.join(dir, e.name));
      } else {
        files.push(path.join(dir, e.name));
      }
    }
  };
  walk(root);
  return files.map((f) => fs.readFileSync(f));
}

function split(
  data: Buffer,
  chunk: number,
  quoting: 'mboxrd' | 'mboxo' = 'mboxrd',
  max = 1 << 30,
): MboxPiece[] {
  const s = new MboxSplitter(quoting, max);
  const out: MboxPiece[] = [];
  for (let i = 0; i < data.length; i += chunk) {
    out.push(...s.push(data.subarray(i, i + chunk)));
  }
  return [...out, ...s.end()];
}

describe('mbox source', () => {
  it('reads a file as one mailbox named after it, with folder Inbox', async () => {
    const c = await collect(readSource('mbox', fixture('mbox', 'simple.mbox')));
    assert.deepEqual(folderList(c), ['simple:Inbox [inbox]']);
    assert.equal(c.messages.length, 3);
    assert.deepEqual(
      c.messages.map((m) => m.origin),
      ['simple.mbox:0', 'simple.mbox:526', 'simple.mbox:1029'],
    );
    assert.deepEqual(c.problems, []);
  });

  it('round-trips what our exporter writes: exact bytes, CRLF and LF, quoted From lines', async (t) => {
    const crafted = [
      Buffer.from('Subject: quoting\n\nFrom the start\n>From one\n>>From two\nFrom\n'),
      Buffer.from('Subject: crlf\r\n\r\nFrom here\r\n>From there\r\nno final newline'),
      Buffer.from('Subject: ends in an empty line\n\nbody\n\n'),
    ];
    const originals = [...enronMessages(), ...crafted];
    const file = path.join(tempDir(t), 'export.mbox');
    fs.writeFileSync(file, exportMbox(originals));
    const c = await collect(readSource('mbox', file));
    assert.equal(c.messages.length, originals.length);
    c.messages.forEach((m, i) => {
      const original = originals[i]!;
      const expected = original.at(-1) === 0x0a ? original : Buffer.concat([original, Buffer.from('\n')]);
      assert.equal(sha256(m.bytes), sha256(expected), `message ${i}`);
      assert.equal(m.internalMs, 0);
    });
  });

  it('undoes mboxrd quoting by default and mboxo quoting when asked', async (t) => {
    const file = path.join(tempDir(t), 'q.mbox');
    fs.writeFileSync(file, `${FROM_LINE}\nSubject: q\n\n>From a\n>>From b\n> From c\n>Fromage\n\n`);
    const rd = await collect(readSource('mbox', file));
    assert.equal(rd.messages[0]!.bytes.toString(), 'Subject: q\n\nFrom a\n>From b\n> From c\n>Fromage\n');
    const o = await collect(readSource('mbox', file, { mboxQuoting: 'mboxo' }));
    assert.equal(o.messages[0]!.bytes.toString(), 'Subject: q\n\nFrom a\n>>From b\n> From c\n>Fromage\n');
  });

  it('keeps an unquoted "From " line of a body inside its message (MimeKit unmunged.mbox, with a BOM)', async () => {
    const c = await collect(readSource('mbox', fixture('mbox', 'unmunged.mbox')));
    assert.equal(c.messages.length, 2);
    assert.match(
      c.messages[0]!.bytes.toString(),
      /movie:\n\nFrom Russia with love\n\nWhat does Thunderbird do\?\n$/,
    );
    assert.match(c.messages[1]!.bytes.toString(), /^From: Jeffrey Stedfast/);
  });

  it('splits on From_ lines that follow a non-empty line and ignores Content-Length (Solaris mbox)', async () => {
    const c = await collect(readSource('mbox', fixture('mbox', 'content-length.mbox')));
    assert.equal(c.messages.length, 29);
    assert.deepEqual(c.problems, []);
    const offsets = c.messages.map((m) => Number(m.origin.split(':')[1]));
    assert.deepEqual(
      offsets,
      [...offsets].sort((a, b) => a - b),
    );
    const withDate = c.messages.find((m) => m.origin === 'content-length.mbox:' + offsets[3]);
    assert.equal(withDate?.internalMs, Date.UTC(1996, 5, 3, 12, 50, 27));
  });

  it('takes internalMs from the From_ line date', async () => {
    const c = await collect(readSource('mbox', fixture('mbox', 'sisimai-mbox-1.mbox')));
    assert.equal(c.messages.length, 1);
    assert.equal(c.messages[0]!.internalMs, Date.UTC(2015, 11, 22, 17, 54, 4));
    const parsed = await simpleParser(c.messages[0]!.bytes);
    assert.ok(parsed.subject !== undefined && parsed.subject.length > 0);
  });

  it('reports garbage before the first From_ line and a From_ block that is not a message, and reads the others', async (t) => {
    const file = path.join(tempDir(t), 'g.mbox');
    fs.writeFileSync(
      file,
      'this is not mail\n\n' +
        'From a@example.com Thu Jan  1 00:00:00 2004\nSubject: one\n\nbody 1\n\n' +
        'From x@example.com Fri Jan  2 00:00:00 2004\njust text, no header\n\n' +
        'From b@example.com Sat Jan  3 00:00:00 2004\nSubject: two\n\nbody 2\n',
    );
    const c = await collect(readSource('mbox', file));
    assert.deepEqual(
      c.events.map((e) =>
        e.kind === 'message'
          ? e.message.bytes.toString()
          : e.kind === 'problem'
            ? `${e.origin} ${e.reason}`
            : e.kind,
      ),
      [
        'folder',
        'g.mbox:0 18 bytes of garbage before the first From_ line',
        'Subject: one\n\nbody 1\n',
        'g.mbox:84 not an RFC 5322 message: no header field line before the first empty line',
        'Subject: two\n\nbody 2\n',
      ],
    );
  });

  it('reads a bare message without any From_ line as one message', async (t) => {
    const file = path.join(tempDir(t), 'bare.mbox');
    fs.writeFileSync(file, 'Subject: bare\r\n\r\nno envelope\r\n');
    const c = await collect(readSource('mbox', file));
    assert.deepEqual(
      c.messages.map((m) => [m.origin, m.bytes.toString()]),
      [['bare.mbox:0', 'Subject: bare\r\n\r\nno envelope\r\n']],
    );
  });

  it('skips a message larger than maxMessageBytes with a problem and reads the next', async (t) => {
    const file = path.join(tempDir(t), 'big.mbox');
    const big = `Subject: big\n\n${'x'.repeat(10_000)}\n`;
    fs.writeFileSync(file, exportMbox([Buffer.from(big), Buffer.from('Subject: small\n\nok\n')]));
    const c = await collect(readSource('mbox', file, { maxMessageBytes: 5000 }));
    assert.deepEqual(c.problems, [
      {
        origin: 'big.mbox:0',
        reason: `message of ${big.length + 1} bytes is larger than maxMessageBytes (5000)`,
      },
    ]);
    assert.deepEqual(
      c.messages.map((m) => m.bytes.toString()),
      ['Subject: small\n\nok\n'],
    );
  });

  it('reads a directory as one mailbox with a folder per file (Thunderbird .sbd and .msf handled)', async (t) => {
    const root = path.join(tempDir(t), 'Local Folders');
    fs.mkdirSync(path.join(root, 'Archive.sbd'), { recursive: true });
    fs.mkdirSync(path.join(root, 'lists'));
    fs.copyFileSync(fixture('mbox', 'simple.mbox'), path.join(root, 'Inbox'));
    fs.writeFileSync(path.join(root, 'Inbox.msf'), '// <!-- <mdb:mork:z v="1.4"/> -->');
    fs.writeFileSync(path.join(root, '.hidden'), 'x');
    fs.copyFileSync(fixture('mbox', 'sisimai-mbox-1.mbox'), path.join(root, 'Sent.mbox'));
    fs.copyFileSync(fixture('mbox', 'unmunged.mbox'), path.join(root, 'lists', 'foo.mbox'));
    fs.writeFileSync(path.join(root, 'Archive.sbd', '2001'), '');
    const c = await collect(readSource('mbox', root));
    assert.deepEqual(folderList(c), [
      'Local Folders:Archive/2001',
      'Local Folders:Inbox [inbox]',
      'Local Folders:lists/foo',
      'Local Folders:Sent [sent]',
    ]);
    assert.deepEqual(
      c.messages.map((m) => `${m.folderPath} ${m.origin}`),
      [
        'Inbox Inbox:0',
        'Inbox Inbox:526',
        'Inbox Inbox:1029',
        'lists/foo lists/foo.mbox:3',
        'lists/foo lists/foo.mbox:245',
        'Sent Sent.mbox:0',
      ],
    );
    assert.deepEqual(c.problems, []);
  });

  it('reports a gzip mbox cut short at the incomplete message and keeps the complete ones', async (t) => {
    const file = path.join(tempDir(t), 'cut.mbox.gz');
    const gz = gzipSync(fs.readFileSync(fixture('mbox', 'content-length.mbox')));
    fs.writeFileSync(file, gz.subarray(0, gz.length >> 1));
    const c = await collect(readSource('mbox', file));
    assert.ok(c.messages.length >= 1 && c.messages.length < 29);
    assert.equal(c.problems.length, 1);
    assert.match(
      c.problems[0]!.reason,
      /^read stopped early \(unexpected end of file\); the message here is incomplete and was skipped$/,
    );
    assert.ok(Number(c.problems[0]!.origin.split(':')[1]) > Number(c.messages.at(-1)!.origin.split(':')[1]));
  });

  it('reads a gzip-compressed mbox like the plain one', async (t) => {
    const file = path.join(tempDir(t), 'simple.mbox.gz');
    fs.writeFileSync(file, gzipSync(fs.readFileSync(fixture('mbox', 'simple.mbox'))));
    const plain = await collect(readSource('mbox', fixture('mbox', 'simple.mbox')));
    const gz = await collect(readSource('mbox', file));
    assert.deepEqual(folderList(gz), ['simple:Inbox [inbox]']);
    assert.deepEqual(
      gz.messages.map((m) => sha256(m.bytes)),
      plain.messages.map((m) => sha256(m.bytes)),
    );
  });

  it('reads flags from Status, X-Status and X-Mozilla-Status headers', () => {
    assert.deepEqual(mboxFlags(Buffer.from('Subject: a\nStatus: RO\nX-Status: AF\n\nStatus: D\n')), [
      '\\Seen',
      '\\Answered',
      '\\Flagged',
    ]);
    assert.deepEqual(mboxFlags(Buffer.from('X-Mozilla-Status: 0009\r\nSubject: b\r\n\r\n')), [
      '\\Seen',
      '\\Deleted',
    ]);
    assert.deepEqual(mboxFlags(Buffer.from('Subject: c\n\n')), []);
  });

  it('streams a 200 MB mbox with memory growth under 100 MB', async (t) => {
    const file = path.join(tempDir(t), 'huge.mbox');
    const body = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n'.repeat(
      24,
    );
    const one = `${FROM_LINE}\nFrom: a@example.com\nSubject: filler\n\n${body}>From quoted\n\n`;
    const block = Buffer.from(one.repeat(Math.ceil((1 << 20) / one.length)));
    const fd = fs.openSync(file, 'w');
    for (let i = 0; i < 200; i++) {
      fs.writeSync(fd, block);
    }
    fs.closeSync(fd);
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let count = 0;
    let bytes = 0;
    for await (const ev of readSource('mbox', file)) {
      if (ev.kind === 'message') {
        count += 1;
        bytes += ev.message.bytes.length;
        if (count % 2000 === 0) {
          peak = Math.max(peak, process.memoryUsage().rss);
        }
      }
    }
    const expected = Math.ceil((1 << 20) / one.length) * 200;
    assert.equal(count, expected);
    assert.equal(bytes, expected * (one.length - FROM_LINE.length - 3));
    assert.ok(
      peak - baseline < 100 * 1024 * 1024,
      `RSS grew by ${Math.round((peak - baseline) / 1048576)} MB`,
    );
  });
});

describe('mbox splitter', () => {
  const sample = Buffer.concat([
    exportMbox([Buffer.from('Subject: a\r\n\r\nFrom x\r\n>From y\r\n'), Buffer.from('Subject: b\n\nb\n')]),
    Buffer.from('From - \nSubject: c\n\nc\n'),
  ]);

  it('gives the same messages whatever the chunk boundaries', () => {
    const whole = split(sample, sample.length);
    assert.equal(whole.length, 3);
    for (const size of [1, 2, 3, 5, 7, 16, 64]) {
      assert.deepEqual(split(sample, size), whole, `chunks of ${size}`);
    }
  });

  it('recognises envelope lines after an empty line and, strictly, after a non-empty line', () => {
    assert.ok(isEnvelopeLine('From MAILER-DAEMON', true));
    assert.ok(isEnvelopeLine('From -', false));
    assert.ok(isEnvelopeLine('From - Mon Jun  3 12:50:27 1996', false));
    assert.ok(isEnvelopeLine('From jgb at example.com  Thu Apr 14 11:06:56 2016', false));
    assert.ok(isEnvelopeLine('From a@b.c Sat, 23 Mar 2002 10:00:00 +0100', false));
    assert.ok(!isEnvelopeLine('From 1844347792267117879@xxx', false));
    assert.ok(!isEnvelopeLine('From Russia with love', true));
    assert.ok(!isEnvelopeLine('From: a@b.c', true));
  });

  it('parses asctime and RFC 5322 style envelope dates, zones included', () => {
    assert.equal(parseEnvelopeDate('x Thu Dec 22 17:54:04 2015'), Date.UTC(2015, 11, 22, 17, 54, 4));
    assert.equal(parseEnvelopeDate('x Thu Dec 22 17:54:04 PST 2015'), Date.UTC(2015, 11, 23, 1, 54, 4));
    assert.equal(parseEnvelopeDate('x Thu Dec 22 17:54 2015 +0100'), Date.UTC(2015, 11, 22, 16, 54, 0));
    assert.equal(parseEnvelopeDate('a@b.c Sat, 23 Mar 2002 10:00:00 -0200'), Date.UTC(2002, 2, 23, 12, 0, 0));
    assert.equal(parseEnvelopeDate('-'), undefined);
    assert.equal(parseEnvelopeDate('x Thu Dec 41 17:54:04 2015'), undefined);
  });
});
