import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { writeExport } from '../../src/export/index.js';
import { asctime, envelopeSender, mboxrdEntry } from '../../src/export/mbox.js';
import { anItem, loadFixtures, python, sourceOf, tempDir, withFinalNewline } from './fixtures.js';

/**
 * Independent oracle: Python's mailbox.mbox splits the file on its own `From ` lines and hands
 * back each message without its separator and without the final empty line; the mboxrd
 * quoting is then undone with a regex (/^>(>*From )/ loses one '>').
 */
const READ_MBOXRD = String.raw`
import base64, json, mailbox, re, sys
box = mailbox.mbox(sys.argv[1], create=False)
out = []
for key in box.iterkeys():
    from_line = box.get_file(key, from_=True).readline().decode('latin-1').rstrip('\n')
    raw = re.sub(rb'(?m)^>(>*From )', rb'\1', box.get_bytes(key))
    out.append({'fromLine': from_line, 'b64': base64.b64encode(raw).decode()})
print(json.dumps(out))
`;

interface MboxMessage {
  fromLine: string;
  b64: string;
}

describe('mboxrd framing', () => {
  it('quotes every line that starts with any number of > then "From " by one more >, and nothing else', () => {
    const bytes = Buffer.from(
      'Subject: q\n\nFrom a\n>From b\n>>From c\nFrom\nFromage\n From d\n>From\nFrom e',
      'latin1',
    );
    const entry = mboxrdEntry(bytes, 'a@example.com', new Date(Date.UTC(2001, 4, 14, 16, 15, 0)));
    assert.equal(
      entry.toString('latin1'),
      'From a@example.com Mon May 14 16:15:00 2001\n' +
        'Subject: q\n\n>From a\n>>From b\n>>>From c\nFrom\nFromage\n From d\n>From\n>From e\n\n',
    );
  });

  it('quotes a From line at the very start of the message and keeps CRLF line ends untouched', () => {
    const bytes = Buffer.from('From x@y Thu Jan  1 00:00:00 1970\r\nSubject: s\r\n\r\nbody\r\n', 'latin1');
    const entry = mboxrdEntry(bytes, 'x@y', undefined).toString('latin1');
    assert.equal(
      entry,
      'From x@y Thu Jan  1 00:00:00 1970\n>From x@y Thu Jan  1 00:00:00 1970\r\nSubject: s\r\n\r\nbody\r\n\n',
    );
  });

  it('writes the date in asctime form, in UTC, with a space-padded day', () => {
    assert.equal(asctime(new Date(0)), 'Thu Jan  1 00:00:00 1970');
    assert.equal(asctime(new Date('2001-12-20T22:30:23Z')), 'Thu Dec 20 22:30:23 2001');
  });

  it('takes the envelope sender from the address in From, or MAILER-DAEMON when there is none', () => {
    assert.equal(envelopeSender('"St. Clair, Carol" <carol.st.clair@enron.com>'), 'carol.st.clair@enron.com');
    assert.equal(envelopeSender('jeff.skilling@enron.com'), 'jeff.skilling@enron.com');
    assert.equal(envelopeSender('Undisclosed recipients'), 'MAILER-DAEMON');
    assert.equal(envelopeSender('"Jöhn" <jdöe@mächine.example>'), 'MAILER-DAEMON');
    assert.equal(envelopeSender(''), 'MAILER-DAEMON');
  });
});

describe('writeExport as mbox', () => {
  it('gives every fixture back byte for byte through Python mailbox.mbox (a final newline added where missing)', async (t) => {
    const fixtures = await loadFixtures();
    const file = path.join(tempDir(t), 'all.mbox');
    const result = await writeExport(
      sourceOf(fixtures.map((f) => f.item)),
      'mbox',
      fs.createWriteStream(file),
    );

    const messages = python<MboxMessage[]>(READ_MBOXRD, file);
    assert.equal(messages.length, fixtures.length);
    for (const [i, f] of fixtures.entries()) {
      const back = Buffer.from(messages[i]!.b64, 'base64');
      assert.ok(back.equals(withFinalNewline(f.bytes)), `${f.name} differs after the round trip`);
    }
    assert.equal(result.items, fixtures.length);
    assert.equal(
      result.bytes,
      fixtures.reduce((n, f) => n + f.bytes.length, 0),
    );
    assert.equal(result.outputBytes, fs.statSync(file).size);
  });

  it('starts each entry with a standard From line naming the sender and the date', async (t) => {
    const fixtures = await loadFixtures();
    const phanis = fixtures.find((f) => f.name === 'enron/phanis-s/inbox/2.eml')!;
    const noDate = anItem(Buffer.from('Subject: none\n\nno date, no address\n'), { from: 'nobody' });
    const file = path.join(tempDir(t), 'two.mbox');
    await writeExport(sourceOf([phanis.item, noDate]), 'mbox', fs.createWriteStream(file));

    const messages = python<MboxMessage[]>(READ_MBOXRD, file);
    assert.deepEqual(
      messages.map((m) => m.fromLine),
      ['From carol.st.@enron.com Thu Dec 20 22:30:23 2001', 'From MAILER-DAEMON Thu Jan  1 00:00:00 1970'],
    );
  });

  it('keeps the fixture set honest: CRLF and LF files, missing final newlines, From and >From body lines', async () => {
    // If an editor or a git setting ever normalises the fixtures, the tests above prove less.
    const fixtures = await loadFixtures();
    const has = (p: (b: Buffer) => boolean): number => fixtures.filter((f) => p(f.bytes)).length;
    assert.ok(has((b) => b.includes('\r\n')) >= 8, 'CRLF messages');
    assert.ok(has((b) => !b.includes('\r')) >= 8, 'LF-only messages');
    assert.ok(has((b) => b[b.length - 1] !== 0x0a) >= 5, 'messages without a final newline');
    assert.ok(has((b) => /^From /mu.test(b.toString('latin1'))) >= 4, 'From body lines');
    assert.ok(has((b) => /^>+From /mu.test(b.toString('latin1'))) >= 4, '>From body lines');
  });

  it('writes nothing at all for an empty selection', async (t) => {
    const file = path.join(tempDir(t), 'empty.mbox');
    const result = await writeExport(sourceOf([]), 'mbox', fs.createWriteStream(file));
    assert.deepEqual(result, { items: 0, bytes: 0, outputBytes: 0 });
    assert.equal(fs.statSync(file).size, 0);
  });
});
