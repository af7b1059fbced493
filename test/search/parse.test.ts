import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { LIMITS, parseMessage, type SearchDocument } from '../../src/search/index.js';
import { parseWithMailparser } from '../../src/search/parse.js';
import { FIXTURE_DIR, listTree, rawMessage } from './helpers.js';

/** The words of a text as the index sees them. */
const words = (s: string): string =>
  (
    s
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}\p{Co}_]+/gu) ?? []
  ).join(' ');

const FIELDS = ['subject', 'body', 'attachments', 'fromText', 'toText', 'ccText', 'bccText'] as const;
const SAME = ['fromAddr', 'toAddr', 'ccAddr', 'bccAddr', 'messageId', 'hasAttachment', 'status'] as const;

function assertSameWords(a: SearchDocument, b: SearchDocument, label: string): void {
  for (const f of FIELDS) {
    assert.equal(words(a[f]), words(b[f]), `${label}: ${f}`);
  }
  for (const f of SAME) {
    assert.equal(a[f], b[f], `${label}: ${f}`);
  }
}

const HEAD = {
  From: '=?iso-8859-1?q?Andr=E9?= <andre@example.org>',
  To: 'Team: a@example.org, b@example.org;',
  Subject: '=?utf-8?b?UsOpc3Vtw6k=?= du jour',
  'Message-ID': '<m1@test>',
};

describe('parseMessage', () => {
  it('gives the words mailparser gives, for every fixture message (direct path included)', async () => {
    const files = listTree(FIXTURE_DIR);
    assert.equal(files.length, 1364);
    for (const [, , file] of files) {
      const raw = fs.readFileSync(file);
      assertSameWords(await parseMessage(1, raw), await parseWithMailparser(1, raw), file);
    }
  });

  it('reads a message whose lines end in a bare CR (classic Mac OS) as the same message with LF', async () => {
    const files = listTree(FIXTURE_DIR).map(([, , f]) => fs.readFileSync(f));
    const plain = files.find((b) => !/^content-type:\s*multipart/im.test(b.toString('latin1')))!;
    const multipart = files.find((b) => /^content-type:\s*multipart/im.test(b.toString('latin1')))!;
    for (const raw of [plain, multipart]) {
      const lf = Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
      const cr = Buffer.from(lf.toString('latin1').replace(/\n/g, '\r'), 'latin1');
      const want = await parseMessage(1, lf);
      const got = await parseMessage(1, cr);
      assert.ok(want.fromAddr !== '' && want.body !== '');
      assertSameWords(got, want, 'CR-only');
    }
  });

  for (const [name, headers, body] of [
    [
      'quoted-printable latin-1',
      { 'Content-Type': 'text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding': 'quoted-printable' },
      'Caf=E9 cr=\n=E8me =3D ok',
    ],
    [
      'base64 utf-8',
      { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Transfer-Encoding': 'base64' },
      Buffer.from('Grüße aus Köln').toString('base64'),
    ],
    ['no content type', {}, 'plain old text'],
    ['format=flowed', { 'Content-Type': 'text/plain; format=flowed; delsp=yes' }, 'joi \nned words'],
    [
      'windows-1252',
      { 'Content-Type': 'text/plain; charset=windows-1252', 'Content-Transfer-Encoding': '8bit' },
      'it\x92s',
    ],
  ] as const) {
    it(`decodes ${name} as mailparser does`, async () => {
      const raw = Buffer.concat([
        rawMessage({ ...HEAD, ...headers }, ''),
        Buffer.from(body.replace(/\n/g, '\r\n'), 'latin1'),
      ]);
      const doc = await parseMessage(1, raw);
      assertSameWords(doc, await parseWithMailparser(1, raw), name);
      assert.equal(doc.subject, 'Résumé du jour');
      assert.equal(doc.fromText, 'André <andre@example.org>');
      assert.equal(doc.toAddr, 'a@example.org a @example.org example.org b@example.org b');
    });
  }

  it('indexes attachment names and converts HTML; inline cid images are not attachments', async () => {
    const raw = rawMessage(
      { ...HEAD, 'MIME-Version': '1.0', 'Content-Type': 'multipart/mixed; boundary="x"' },
      [
        '--x',
        'Content-Type: multipart/related; boundary="r"',
        '',
        '--r',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>See <b>chart</b> &amp; notes<img src="cid:img1"></p>',
        '--r',
        'Content-Type: image/png',
        'Content-ID: <img1>',
        '',
        'iVBORw0KGgo=',
        '--r--',
        '--x',
        'Content-Type: application/pdf; name="Q3 report.pdf"',
        'Content-Disposition: attachment; filename="Q3 report.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0=',
        '--x--',
      ].join('\n'),
    );
    const doc = await parseMessage(7, raw);
    assert.equal(doc.itemId, 7);
    assert.equal(doc.hasAttachment, true);
    assert.equal(doc.attachments.split('\n').includes('Q3 report.pdf'), true);
    assert.match(doc.body, /See chart & notes/i);
    assert.doesNotMatch(doc.body, /<p>|<b>/);
    assert.equal(doc.status, 'full');
  });

  it('caps the body text and says so', async () => {
    const doc = await parseMessage(1, rawMessage(HEAD, 'word '.repeat(300_000)));
    assert.equal(doc.body.length, LIMITS.maxBodyChars);
    assert.equal(doc.status, 'limited');
    assert.match(doc.reason ?? '', /truncated/);
  });

  it('falls back to the headers when mailparser refuses the message', async () => {
    const parts = Array.from(
      { length: 1200 },
      (_, i) => `--p\r\nContent-Type: text/plain\r\n\r\nn${i}\r\n`,
    ).join('');
    const raw = rawMessage(
      { ...HEAD, 'MIME-Version': '1.0', 'Content-Type': 'multipart/mixed; boundary="p"' },
      `${parts}--p--`,
    );
    const doc = await parseMessage(1, raw);
    assert.equal(doc.status, 'headers');
    assert.match(doc.reason ?? '', /MIME parse failed|MIME parts/);
    assert.equal(doc.subject, 'Résumé du jour');
    assert.equal(doc.body, '');
  });
});
