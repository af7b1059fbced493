import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { AppError } from '../../src/errors.js';
import { type ExportFormat, type ExportProgress, writeExport } from '../../src/export/index.js';
import { anItem, loadFixtures, RecordingSource, sourceOf } from './fixtures.js';

/** A Writable that keeps what it got and takes `delayMs` per chunk, like a slow client. */
class SlowSink extends Writable {
  readonly chunks: Buffer[] = [];
  received = 0;
  constructor(private readonly delayMs = 0) {
    super({ highWaterMark: 16 * 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error) => void): void {
    this.chunks.push(chunk);
    this.received += chunk.length;
    setTimeout(done, this.delayMs);
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const FORMATS_THAT_STREAM: Array<{ format: ExportFormat; mboxPerFolder?: boolean }> = [
  { format: 'mbox' },
  { format: 'mbox', mboxPerFolder: true },
  { format: 'zip' },
];

/**
 * `limit` incompressible messages of `size` bytes (endless by default), in three folders; notes
 * how many messages loading ran ahead of what `sink` has received.
 */
function bigSource(sink: SlowSink, size: number, ahead: { max: number }, limit = Infinity): RecordingSource {
  const bytes = randomBytes(size);
  return new RecordingSource((i) =>
    i >= limit
      ? undefined
      : anItem(bytes, {
          folderPath: `f${i % 3}`,
          bytes: () => {
            ahead.max = Math.max(ahead.max, i - Math.floor(sink.received / size));
            return Promise.resolve(bytes);
          },
        }),
  );
}

describe('writeExport as eml', () => {
  it('writes the one item’s exact bytes and ends the stream', async () => {
    const fixtures = await loadFixtures();
    for (const f of fixtures.filter(
      (x) => x.name.includes('phanis-s/inbox/2') || x.name.includes('quenet-j'),
    )) {
      const out = new SlowSink();
      const result = await writeExport(sourceOf([f.item]), 'eml', out);
      assert.ok(out.bytes().equals(f.bytes), f.name);
      assert.equal(out.writableFinished, true);
      assert.deepEqual(result, { items: 1, bytes: f.bytes.length, outputBytes: f.bytes.length });
    }
  });

  it('refuses two items with VALIDATION_FAILED before writing, leaving the stream open and closing the source', async () => {
    const [a, b] = await loadFixtures();
    const out = new SlowSink();
    const source = sourceOf([a!.item, b!.item, a!.item]);
    await assert.rejects(writeExport(source, 'eml', out), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'VALIDATION_FAILED');
      assert.match(err.message, /exactly one message/u);
      return true;
    });
    await sleep(10);
    assert.equal(out.received, 0);
    assert.equal(out.destroyed, false);
    assert.equal(out.writableEnded, false);
    assert.equal(source.closed, true);
    assert.equal(source.loaded, 0);
  });

  it('refuses an empty selection with VALIDATION_FAILED', async () => {
    const out = new SlowSink();
    await assert.rejects(writeExport(sourceOf([]), 'eml', out), { code: 'VALIDATION_FAILED' });
    assert.equal(out.destroyed, false);
  });
});

describe('writeExport streaming', () => {
  for (const { format, mboxPerFolder } of FORMATS_THAT_STREAM) {
    const label = mboxPerFolder === true ? 'per-folder mbox' : format;

    it(`${label}: loads the next message only when the output has taken the previous one`, async () => {
      const out = new SlowSink(1);
      const ahead = { max: 0 };
      const size = 64 * 1024;
      const source = bigSource(out, size, ahead, 20);
      const result = await writeExport(source, format, out, mboxPerFolder ? { mboxPerFolder } : {});
      assert.equal(result.items, 20);
      assert.ok(ahead.max <= 2, `loading ran ${ahead.max} messages ahead of the output`);
    });

    it(`${label}: stops promptly on abort, destroys the output and closes the source`, async () => {
      const out = new SlowSink(2);
      const source = bigSource(out, 64 * 1024, { max: 0 });
      const ac = new AbortController();
      let abortedAt = 0;
      const seen: ExportProgress[] = [];
      const opts = {
        signal: ac.signal,
        onProgress: (p: ExportProgress) => {
          seen.push(p);
          if (p.items === 3) {
            abortedAt = performance.now();
            ac.abort();
          }
        },
        ...(mboxPerFolder ? { mboxPerFolder } : {}),
      };
      await assert.rejects(writeExport(source, format, out, opts), { name: 'AbortError' });
      assert.ok(
        performance.now() - abortedAt < 2000,
        'rejected within moments of the abort (the source is endless)',
      );
      assert.equal(out.destroyed, true);
      assert.equal(source.closed, true);
      const loaded = source.loaded;
      assert.ok(loaded <= 5, `loaded ${loaded} messages`);
      await sleep(50);
      assert.equal(source.loaded, loaded, 'nothing loaded after the abort');
      assert.deepEqual(
        seen.map((p) => p.items),
        [1, 2, 3],
      );
    });

    it(`${label}: gives up when the client goes away, closing the source and loading nothing more`, async () => {
      const out = new SlowSink(2);
      const source = bigSource(out, 64 * 1024, { max: 0 });
      const opts = {
        onProgress: (p: ExportProgress) => p.items === 2 && out.destroy(),
        ...(mboxPerFolder ? { mboxPerFolder } : {}),
      };
      await assert.rejects(writeExport(source, format, out, opts), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
      assert.equal(source.closed, true);
      const loaded = source.loaded;
      await sleep(50);
      assert.equal(source.loaded, loaded);
    });
  }

  it('rejects an item whose bytes do not match its sha256 with SOURCE_CORRUPT and destroys the output', async () => {
    const good = anItem(Buffer.from('Subject: ok\n\nfine\n'));
    const bad = anItem(Buffer.from('Subject: bad\n\ntampered\n'), {
      sha256: good.sha256,
      messageId: 'bad@x',
    });
    const out = new SlowSink();
    const source = sourceOf([good, bad, good]);
    await assert.rejects(writeExport(source, 'mbox', out), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'SOURCE_CORRUPT');
      assert.match(err.message, /<bad@x>/u);
      return true;
    });
    assert.equal(out.destroyed, true);
    assert.equal(source.closed, true);
  });

  it('does not start when the signal is already aborted', async () => {
    const out = new SlowSink();
    const source = sourceOf([anItem(Buffer.from('x\n'))]);
    await assert.rejects(writeExport(source, 'zip', out, { signal: AbortSignal.abort() }), {
      name: 'AbortError',
    });
    assert.equal(source.pulled, 0);
    assert.equal(out.received, 0);
  });
});
