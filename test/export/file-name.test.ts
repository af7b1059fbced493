import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downloadHeaders, safeFileName } from '../../src/export/index.js';

/** Properties every safe name has, whatever went in. */
function assertSafe(name: string, maxBytes = 120): void {
  assert.ok(name.length > 0, 'not empty');
  assert.ok(Buffer.byteLength(name) <= maxBytes, `at most ${maxBytes} bytes: ${Buffer.byteLength(name)}`);
  assert.doesNotMatch(name, /[/\\:*?"<>|]/u, 'no separators or reserved characters');
  // eslint-disable-next-line no-control-regex -- control characters are what must be absent
  assert.doesNotMatch(name, /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u);
  assert.doesNotMatch(name, /^\./u, 'no leading dot');
  assert.doesNotMatch(name, /[. ]$/u, 'no trailing dot or space');
  assert.equal(name, name.normalize('NFC'));
  assert.ok(!name.includes('\ufffd'), 'no broken character');
}

describe('safeFileName', () => {
  it('turns a path traversal into one harmless name', () => {
    const name = safeFileName('../../etc/passwd');
    assertSafe(name);
    assert.equal(name, '__.._etc_passwd');
  });

  it('drops control characters and bidi overrides, collapsing the whitespace they leave', () => {
    assert.equal(safeFileName('a\u0000b\r\nc\u202eexe.txt\u0007'), 'a b cexe.txt');
    assertSafe(safeFileName('\u0001\u0002\u0003'));
  });

  it('caps a 300-character Unicode name at the byte limit without splitting a character', () => {
    const long = '日本語のメール'.repeat(43).slice(0, 300);
    const name = safeFileName(long);
    assertSafe(name);
    assert.ok(long.startsWith(name));
    assert.equal(Buffer.byteLength(name), 120); // 40 three-byte characters
  });

  it('keeps emoji sequences and combining marks whole when it cuts', () => {
    const family = '👨‍👩‍👧';
    const name = safeFileName(family.repeat(40), 50);
    assertSafe(name, 50);
    assert.equal(name.length % family.length, 0);
    assert.equal(safeFileName('e\u0301'.repeat(3)), 'ééé'); // NFC
  });

  it('defuses Windows device names, trailing dots and empty results', () => {
    assert.equal(safeFileName('CON'), '_CON');
    assert.equal(safeFileName('nul.txt'), '_nul.txt');
    assert.equal(safeFileName('report. . '), 'report');
    assert.equal(safeFileName(''), '_');
    assert.equal(safeFileName('..'), '_');
  });
});

describe('downloadHeaders', () => {
  it('offers a plain ASCII name in a quoted filename only', () => {
    assert.deepEqual(downloadHeaders('mbox', 'beck-s inbox 2001'), {
      contentType: 'application/mbox',
      contentDisposition: 'attachment; filename="beck-s inbox 2001.mbox"',
      fileName: 'beck-s inbox 2001.mbox',
    });
  });

  it('adds a UTF-8 filename* beside an ASCII fallback for a Unicode name', () => {
    const h = downloadHeaders('zip', 'Rapport — Ünïcödé 日本');
    assert.equal(h.contentType, 'application/zip');
    assert.equal(h.fileName, 'Rapport — Ünïcödé 日本.zip');
    const m = /^attachment; filename="([^"]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+)$/u.exec(
      h.contentDisposition,
    );
    assert.ok(m, h.contentDisposition);
    assert.equal(m[1], 'Rapport _ Unicode __.zip');
    assert.equal(decodeURIComponent(m[2]!), h.fileName);
    assert.match(h.contentDisposition, /^[\x20-\x7e]+$/u, 'header is printable ASCII');
  });

  it('keeps separators, quotes, percent signs and control characters out of both names', () => {
    const h = downloadHeaders('eml', '../x"y\\z 100%\r\nSet-Cookie: a=b');
    assert.equal(h.fileName, '__x_y_z 100% Set-Cookie_ a=b.eml');
    assert.match(h.contentDisposition, /filename="__x_y_z 100_ Set-Cookie_ a=b\.eml"/u);
    assert.match(h.contentDisposition, /filename\*=UTF-8''__x_y_z%20100%25%20Set-Cookie_%20a%3Db\.eml$/u);
    assert.doesNotMatch(h.contentDisposition, /[\r\n]/u);
  });

  it('falls back to export.<ext> when nothing of the name is ASCII, and does not double the extension', () => {
    assert.match(
      downloadHeaders('eml', '日本語').contentDisposition,
      /^attachment; filename="export\.eml"; filename\*=/u,
    );
    assert.equal(downloadHeaders('zip', 'backup.ZIP').fileName, 'backup.zip');
    assert.equal(downloadHeaders('eml', 'message/rfc822').contentType, 'message/rfc822');
  });

  it('names a per-folder mbox export as the zip it is', () => {
    const h = downloadHeaders('mbox', 'alice', { mboxPerFolder: true });
    assert.equal(h.contentType, 'application/zip');
    assert.equal(h.fileName, 'alice.zip');
  });
});
