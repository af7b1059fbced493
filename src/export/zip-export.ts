import { safeFileName } from './file-name.js';
import { loadItemBytes } from './item-bytes.js';
import { ManifestBuilder } from './manifest.js';
import { mboxrdEntry } from './mbox.js';
import type { ExportItem } from './types.js';
import { type ZipEntryWriter, ZipStreamWriter, zipTime } from './zip-writer.js';

export const MANIFEST_NAME = 'manifest.csv';
const FOLDER_SEGMENT_MAX_BYTES = 100;
const SUBJECT_MAX_BYTES = 80;
const ROOT_MBOX_NAME = 'unfiled';

/**
 * A folder path as safe zip path segments: empty segments dropped, each one made safe by
 * safeFileName (so no `..`, no absolute path, no separators inside a segment), and a top
 * folder that would clash with manifest.csv renamed.
 */
export function folderSegments(folderPath: string): string[] {
  const segments = folderPath
    .split('/')
    .filter((s) => s.trim() !== '')
    .map((s) => safeFileName(s, FOLDER_SEGMENT_MAX_BYTES));
  if (segments[0]?.toLowerCase() === MANIFEST_NAME) {
    segments[0] = `${segments[0]}_`;
  }
  return segments;
}

/** `<folder path>/<NNNNN> <safe subject>.eml`; `seq` is 1-based and unique in the export. */
export function emlEntryName(item: ExportItem, seq: number): string {
  const number = String(seq).padStart(5, '0');
  const subject = item.subject.trim() === '' ? '' : ` ${safeFileName(item.subject, SUBJECT_MAX_BYTES)}`;
  return [...folderSegments(item.folderPath), `${number}${subject}.eml`].join('/');
}

/** `<folder path>.mbox`, or `<folder path> (n).mbox` when that name (case-insensitively) is taken. */
export function mboxEntryName(folderPath: string, used: Set<string>): string {
  const segments = folderSegments(folderPath);
  const base = segments.length > 0 ? segments.join('/') : ROOT_MBOX_NAME;
  let name = `${base}.mbox`;
  for (let n = 2; used.has(name.toLowerCase()); n++) {
    name = `${base} (${n}).mbox`;
  }
  used.add(name.toLowerCase());
  return name;
}

interface FeedContext {
  writer: ZipStreamWriter;
  signal: AbortSignal;
  manifest: ManifestBuilder;
  /** Called once an item is in the zip, with its message size. */
  advance: (item: ExportItem, bytes: number) => void;
}

async function feedEmlEntries(items: AsyncIterable<ExportItem>, ctx: FeedContext): Promise<void> {
  let seq = 0;
  for await (const item of items) {
    const bytes = await loadItemBytes(item, ctx.signal);
    const name = emlEntryName(item, ++seq);
    await ctx.writer.addBuffer(name, bytes, zipTime(item.date));
    ctx.manifest.add(name, item, item.sha256.toLowerCase());
    ctx.advance(item, bytes.length);
  }
}

/**
 * One mbox entry per run of consecutive items in the same folder: a folder that comes back
 * after another one gets a second entry (`inbox (2).mbox`), since a streamed zip cannot go
 * back to an entry it has closed. Callers that order items by folder get one file per folder.
 */
async function feedMboxEntries(items: AsyncIterable<ExportItem>, ctx: FeedContext): Promise<void> {
  const used = new Set<string>();
  let current: { folderPath: string; name: string; entry: ZipEntryWriter } | undefined;
  for await (const item of items) {
    const bytes = await loadItemBytes(item, ctx.signal);
    if (current?.folderPath !== item.folderPath) {
      await current?.entry.close();
      const name = mboxEntryName(item.folderPath, used);
      current = { folderPath: item.folderPath, name, entry: ctx.writer.openEntry(name, zipTime(item.date)) };
    }
    await current.entry.write(mboxrdEntry(bytes, item.from, item.date));
    ctx.manifest.add(current.name, item, item.sha256.toLowerCase());
    ctx.advance(item, bytes.length);
  }
  await current?.entry.close();
}

/**
 * The bytes of a zip export, produced as they are read: `.eml` entries laid out by folder
 * (`layout: 'eml'`) or one mboxrd file per folder (`layout: 'mbox'`), then manifest.csv.
 * `advance` is called once each item is in the zip. Stopping the iteration (or aborting
 * `outerSignal`) stops reading items and loading bytes.
 */
export async function* zipExportChunks(
  items: AsyncIterable<ExportItem>,
  layout: 'eml' | 'mbox',
  advance: (bytes: number) => void,
  outerSignal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  const stop = new AbortController();
  const signal = outerSignal ? AbortSignal.any([outerSignal, stop.signal]) : stop.signal;
  const writer = new ZipStreamWriter(signal);
  let newest: Date | undefined;
  const ctx: FeedContext = {
    writer,
    signal,
    manifest: new ManifestBuilder(),
    advance: (item, bytes) => {
      if (item.date && !Number.isNaN(item.date.getTime()) && (!newest || item.date > newest)) {
        newest = item.date;
      }
      advance(bytes);
    },
  };
  const feed = layout === 'eml' ? feedEmlEntries(items, ctx) : feedMboxEntries(items, ctx);
  const feeding = feed
    .then(async () => {
      await writer.addBuffer(MANIFEST_NAME, ctx.manifest.toBuffer(), zipTime(newest));
      await writer.end();
    })
    .catch((err: unknown) => writer.destroy(err instanceof Error ? err : new Error(String(err))));
  try {
    for await (const chunk of writer.output) {
      yield chunk as Buffer;
    }
  } finally {
    // Reached on completion, on error, and when the consumer stops early: in the last two
    // cases the feed is still waiting on an item or on the zip, and the abort releases it.
    stop.abort();
    writer.destroy();
    await feeding;
  }
}
