import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { type ExportItem, MANIFEST_COLUMNS, writeExport } from '../../src/export/index.js';
import { sha256Hex } from '../../src/lib/hash.js';
import { anItem, loadFixtures, python, sourceOf, tempDir, withFinalNewline } from './fixtures.js';

/**
 * Independent oracle: Python's zipfile reads the archive (checking every CRC), and its csv
 * module parses manifest.csv; .mbox members are split by mailbox.mbox, mboxrd quoting undone.
 */
const READ_ZIP = String.raw`
import base64, csv, io, json, mailbox, os, re, sys, tempfile
z = zipfile = __import__('zipfile').ZipFile(sys.argv[1])
out = {'bad': z.testzip(), 'entries': [], 'manifest': None, 'mboxes': {}}
for info in z.infolist():
    data = z.read(info)
    out['entries'].append({'name': info.filename, 'utf8': bool(info.flag_bits & 0x800),
                           'b64': base64.b64encode(data).decode()})
    if info.filename == 'manifest.csv':
        out['manifest'] = list(csv.reader(io.StringIO(data.decode('utf-8'), newline='')))
    elif info.filename.endswith('.mbox'):
        with tempfile.NamedTemporaryFile(suffix='.mbox', delete=False) as f:
            f.write(data)
        box = mailbox.mbox(f.name, create=False)
        out['mboxes'][info.filename] = [
            base64.b64encode(re.sub(rb'(?m)^>(>*From )', rb'\1', box.get_bytes(k))).decode() for k in box.iterkeys()]
        box.close()
        os.unlink(f.name)
print(json.dumps(out))
`;

interface ZipContents {
  bad: string | null;
  entries: Array<{ name: string; utf8: boolean; b64: string }>;
  manifest: string[][] | null;
  mboxes: Record<string, string[]>;
}

async function exportZip(
  t: TestContext,
  items: ExportItem[],
  format: 'zip' | 'mbox' = 'zip',
): Promise<{ zip: ZipContents; bytes: (name: string) => Buffer }> {
  const file = path.join(tempDir(t), 'export.zip');
  await writeExport(sourceOf(items), format, fs.createWriteStream(file), {
    mboxPerFolder: format === 'mbox',
  });
  const zip = python<ZipContents>(READ_ZIP, file);
  assert.equal(zip.bad, null, 'every CRC checks');
  const bytes = (name: string): Buffer => {
    const e = zip.entries.find((x) => x.name === name);
    assert.ok(e, `no entry ${name}`);
    return Buffer.from(e.b64, 'base64');
  };
  return { zip, bytes };
}

function assertSafeEntryName(name: string): void {
  assert.doesNotMatch(name, /^\/|^[A-Za-z]:|\\/u, `${name}: absolute or backslashed`);
  for (const segment of name.split('/')) {
    assert.ok(!['', '.', '..'].includes(segment), `${name}: segment '${segment}'`);
    // eslint-disable-next-line no-control-regex -- control characters are what must be absent
    assert.doesNotMatch(segment, /^\.|[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/u, `${name}: ${segment}`);
    assert.ok(Buffer.byteLength(segment) <= 125, `${name}: segment too long`);
  }
}

describe('writeExport as zip', () => {
  it('lays every fixture out as <folder>/<NNNNN> <subject>.eml, byte-identical, with a manifest row for each', async (t) => {
    const fixtures = await loadFixtures();
    const { zip, bytes } = await exportZip(
      t,
      fixtures.map((f) => f.item),
    );

    assert.equal(zip.entries.length, fixtures.length + 1);
    assert.equal(zip.entries.at(-1)!.name, 'manifest.csv');
    const [header, ...rows] = zip.manifest!;
    assert.deepEqual(header, [...MANIFEST_COLUMNS]);
    assert.equal(rows.length, fixtures.length);
    for (const [i, f] of fixtures.entries()) {
      const name = zip.entries[i]!.name;
      const seq = String(i + 1).padStart(5, '0');
      assert.ok(name.startsWith(`${f.item.folderPath}/${seq} `), name);
      assert.ok(name.endsWith('.eml'), name);
      assertSafeEntryName(name);
      const entry = bytes(name);
      assert.ok(entry.equals(f.bytes), `${f.name} differs in the zip`);
      assert.deepEqual(rows[i], [
        name,
        f.item.messageId ?? '',
        f.item.date?.toISOString() ?? '',
        f.item.from,
        f.item.subject,
        sha256Hex(entry),
      ]);
    }
    const utf8 = fixtures.find((f) => f.name === 'ruby-mail/utf8_headers.eml')!;
    assert.ok(
      zip.entries.some((e) => e.name.endsWith('Säying Hello.eml') && e.utf8),
      `Unicode subject ${utf8.item.subject} kept, with the UTF-8 flag`,
    );
  });

  it('gives hostile subjects and folders safe entry names, while the manifest keeps them exactly', async (t) => {
    const body = Buffer.from('Subject: x\r\n\r\nbody\r\n');
    const longUnicode = 'Ünïcödé 日本語 ✉️ '.repeat(30).slice(0, 300);
    const hostile: Array<[string, string]> = [
      ['inbox', '../../etc/passwd'],
      ['../../../outside/evil', 'ctl\u0001\r\n\u202etxt.exe'],
      ['/abs/olute', longUnicode],
      ['C:\\Windows\\System32', 'a "quoted", subject\r\nwith a newline'],
      ['inbox/./../x//y', ''],
      ['manifest.csv', '=HYPERLINK("http://evil")'],
      ['Ünïcödé/日本', '...'],
    ];
    const items = hostile.map(([folderPath, subject]) => anItem(body, { folderPath, subject }));
    const { zip } = await exportZip(t, items);

    const names = zip.entries.map((e) => e.name);
    assert.equal(new Set(names).size, names.length, 'names are unique');
    names.forEach(assertSafeEntryName);
    assert.deepEqual(names, [
      'inbox/00001 __.._etc_passwd.eml',
      '_/_/_/outside/evil/00002 ctl txt.exe.eml',
      `abs/olute/00003 ${names[2]!.split('/')[2]!.slice(6)}`,
      'C__Windows_System32/00004 a _quoted_, subject with a newline.eml',
      'inbox/_/_/x/y/00005.eml',
      'manifest.csv_/00006 =HYPERLINK(_http___evil_).eml',
      'Ünïcödé/日本/00007 _.eml',
      'manifest.csv',
    ]);
    const long = names[2]!.split('/')[2]!;
    assert.ok(long.startsWith(`00003 ${longUnicode.slice(0, 20)}`), long);
    assert.ok(
      zip.entries.filter((e) => /[^\x20-\x7e]/u.test(e.name)).every((e) => e.utf8),
      'UTF-8 flag',
    );
    const subjects = zip.manifest!.slice(1).map((row) => row[4]);
    assert.deepEqual(
      subjects,
      hostile.map(([, s]) => s),
    );
  });

  it('writes a zip holding only the manifest header for an empty selection', async (t) => {
    const { zip } = await exportZip(t, []);
    assert.deepEqual(
      zip.entries.map((e) => e.name),
      ['manifest.csv'],
    );
    assert.deepEqual(zip.manifest, [[...MANIFEST_COLUMNS]]);
  });
});

describe('writeExport as mbox per folder', () => {
  it('writes one <folder>.mbox per folder whose messages read back byte for byte', async (t) => {
    const fixtures = await loadFixtures();
    const { zip } = await exportZip(
      t,
      fixtures.map((f) => f.item),
      'mbox',
    );
    const folders = [...new Set(fixtures.map((f) => f.item.folderPath))];
    assert.deepEqual(
      zip.entries.map((e) => e.name),
      [...folders.map((f) => `${f}.mbox`), 'manifest.csv'],
    );
    for (const folder of folders) {
      const expected = fixtures
        .filter((f) => f.item.folderPath === folder)
        .map((f) => withFinalNewline(f.bytes));
      const got = zip.mboxes[`${folder}.mbox`]!.map((b64) => Buffer.from(b64, 'base64'));
      assert.deepEqual(got, expected, folder);
    }
    assert.deepEqual(
      zip.manifest!.slice(1).map((row) => row[0]),
      fixtures.map((f) => `${f.item.folderPath}.mbox`),
    );
  });

  it('gives a folder that comes back after another one a second file rather than losing its place', async (t) => {
    const msg = (s: string): ExportItem =>
      anItem(Buffer.from(`Subject: ${s}\n\n${s}\n`), { folderPath: s[0]! });
    const { zip } = await exportZip(t, [msg('a1'), msg('b1'), msg('a2'), msg('A3')], 'mbox');
    assert.deepEqual(
      zip.entries.map((e) => e.name),
      ['a.mbox', 'b.mbox', 'a (2).mbox', 'A (3).mbox', 'manifest.csv'],
    );
    assert.deepEqual(
      zip.mboxes['a (2).mbox']!.map((b) => Buffer.from(b, 'base64').toString()),
      ['Subject: a2\n\na2\n'],
    );
  });
});
