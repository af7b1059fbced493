import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { ZipStreamWriter } from '../../src/export/zip-writer.js';
import { python, tempDir } from './fixtures.js';

/** Python's zipfile as the oracle: every CRC checked, method, sizes, flags and times reported. */
const INSPECT = String.raw`
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
infos = z.infolist()
with open(sys.argv[1], 'rb') as f:
    raw = f.read()
print(json.dumps({
    'bad': z.testzip(),
    'count': len(infos),
    'zip64_end': raw.find(b'PK\x06\x06') >= 0,
    'first': [{'name': i.filename, 'method': i.compress_type, 'size': i.file_size,
               'flags': i.flag_bits, 'date': list(i.date_time), 'data': z.read(i).hex()}
              for i in infos[:3]],
    'last': infos[-1].filename,
}))
`;

interface Inspected {
  bad: string | null;
  count: number;
  zip64_end: boolean;
  first: Array<{ name: string; method: number; size: number; flags: number; date: number[]; data: string }>;
  last: string;
}

async function writeZip(file: string, fill: (w: ZipStreamWriter) => Promise<void>): Promise<void> {
  const w = new ZipStreamWriter(new AbortController().signal);
  const writing = fill(w).then(
    () => w.end(),
    (err: unknown) => w.destroy(err as Error),
  );
  await pipeline(w.output, fs.createWriteStream(file));
  await writing;
}

describe('zip writer', () => {
  it('deflates text, stores what deflate cannot shrink, and streams an entry of unknown length', async (t) => {
    const file = path.join(tempDir(t), 'a.zip');
    const text = Buffer.from('Subject: hello\r\n\r\n' + 'budget '.repeat(2000));
    const noise = randomBytes(5000);
    const streamed = [Buffer.from('From a\n'), randomBytes(300 * 1024), Buffer.from('From b\n')];
    await writeZip(file, async (w) => {
      await w.addBuffer('inbox/00001 hello.eml', text, new Date(2001, 2, 4, 10, 20, 30));
      await w.addBuffer('Ünïcode/00002.eml', noise, new Date(2001, 2, 4));
      const e = w.openEntry('inbox.mbox', new Date(2001, 2, 5));
      for (const c of streamed) {
        await e.write(c);
      }
      await e.close();
    });
    const z = python<Inspected>(INSPECT, file);
    assert.equal(z.bad, null);
    assert.equal(z.count, 3);
    const [a, b, c] = z.first;
    assert.deepEqual(
      { name: a!.name, method: a!.method, data: a!.data, date: a!.date },
      {
        name: 'inbox/00001 hello.eml',
        method: 8,
        data: text.toString('hex'),
        date: [2001, 3, 4, 10, 20, 30],
      },
    );
    assert.deepEqual(
      { name: b!.name, method: b!.method, data: b!.data },
      {
        name: 'Ünïcode/00002.eml',
        method: 0,
        data: noise.toString('hex'),
      },
    );
    assert.ok(b!.flags & 0x800, 'UTF-8 name flag');
    assert.equal(c!.method, 8);
    assert.ok(c!.flags & 0x8, 'data descriptor flag on the streamed entry');
    assert.equal(c!.data, Buffer.concat(streamed).toString('hex'));
  });

  it('writes ZIP64 end records once there are more than 65,534 entries', async (t) => {
    const file = path.join(tempDir(t), 'many.zip');
    const n = 70_000;
    await writeZip(file, async (w) => {
      for (let i = 0; i < n; i++) {
        await w.addBuffer(`m/${i}.eml`, Buffer.from(`Subject: ${i}\r\n\r\n`), new Date(2001, 0, 1));
      }
    });
    const z = python<Inspected>(INSPECT, file);
    assert.equal(z.bad, null);
    assert.equal(z.count, n);
    assert.equal(z.zip64_end, true);
    assert.equal(z.last, `m/${n - 1}.eml`);
  });

  it('refuses a second entry while a streamed one is open', async (t) => {
    const file = path.join(tempDir(t), 'b.zip');
    await assert.rejects(
      writeZip(file, async (w) => {
        w.openEntry('a.mbox', new Date());
        await w.addBuffer('b.eml', Buffer.from('x'), new Date());
      }),
      /close the current entry/,
    );
  });
});
