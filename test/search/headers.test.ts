import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { countMultipart, precheck } from '../../src/search/headers.js';
import { FIXTURE_DIR, listTree } from './helpers.js';

/** The reference: the regular expression on the message read as Latin-1. */
function byRegex(raw: Buffer): number {
  return raw.toString('latin1').match(/multipart\s*\//gi)?.length ?? 0;
}

describe('countMultipart (the nesting bound of the pre-check, counted on bytes)', () => {
  it('counts what /multipart\\s*\\//gi counts in the Latin-1 text', () => {
    const cases = [
      'Content-Type: multipart/mixed; boundary=x',
      'MULTIPART/Alternative multipart /x MuLtIpArT\t\r\n /y',
      'multipart\xa0/nbsp multipart\x85/nel multipart\x1c/fs multipart\x0b/vt',
      'xmultipart/ multipart/multipart// multipart ',
      '/multipart/ ultipart/ multipar/ multipart',
      'mul\xcdipart/ \xedultipart/ multipart\u00e9/',
      '',
      '/////',
    ];
    for (const c of cases) {
      const raw = Buffer.from(c, 'latin1');
      assert.equal(countMultipart(raw, 1000), byRegex(raw), JSON.stringify(c));
    }
  });

  it('stops counting after stopAt + 1', () => {
    const raw = Buffer.from('multipart/'.repeat(500), 'latin1');
    assert.equal(countMultipart(raw, 100), 101);
  });

  it('agrees with the regular expression on every fixture message, and the pre-check lets them all through', () => {
    for (const [, , file] of listTree(FIXTURE_DIR)) {
      const raw = fs.readFileSync(file);
      assert.equal(countMultipart(raw, Infinity), byRegex(raw), file);
      assert.equal(precheck(raw), null, file);
    }
  });

  it('refuses 101 multipart containers and 1,001 parts', () => {
    const nested = Buffer.from(`Subject: x\r\n\r\n${'Content-Type: multipart/mixed\r\n'.repeat(101)}`);
    assert.match(precheck(nested) ?? '', /multipart containers/);
    const parts = Buffer.from(`Subject: x\r\n\r\n${'\n--b\n'.repeat(2001)}`);
    assert.match(precheck(parts) ?? '', /MIME parts/);
    const fine = Buffer.from(`Subject: x\r\n\r\n${'\n--b\n'.repeat(2000)}`);
    assert.equal(precheck(fine), null);
  });
});
