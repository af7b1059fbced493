import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.js';
import { abortable, loadItemBytes } from './item-bytes.js';
import { mboxrdEntry } from './mbox.js';
import type { ExportFormat, ExportItem, ExportProgress, ExportResult, WriteExportOptions } from './types.js';
import { zipExportChunks } from './zip-export.js';

/**
 * Pull the single item of an eml export, checking there is exactly one before anything is
 * written.
 * @throws VALIDATION_FAILED when there is no item or more than one
 */
async function takeExactlyOne(items: AsyncIterable<ExportItem>, signal?: AbortSignal): Promise<ExportItem> {
  const it = items[Symbol.asyncIterator]();
  let finished = false;
  try {
    const first = await abortable(it.next(), signal);
    if (first.done === true) {
      finished = true;
      throw new AppError(
        'VALIDATION_FAILED',
        'An eml export holds exactly one message; the selection is empty',
        {
          format: 'eml',
          items: 0,
        },
      );
    }
    const second = await abortable(it.next(), signal);
    finished = second.done === true;
    if (!finished) {
      throw new AppError(
        'VALIDATION_FAILED',
        'An eml export holds exactly one message; the selection has more: export it as mbox or zip',
        { format: 'eml', items: 'more than one' },
      );
    }
    return first.value;
  } finally {
    if (!finished) {
      // Release the source (close its cursor): nothing more will be read from it. Not awaited,
      // so that an abort is not held up by a source still busy with the pending next(); its
      // failure to close is not the caller's concern, the outcome above is.
      Promise.resolve(it.return?.()).catch(() => undefined);
    }
  }
}

async function* emlChunks(
  item: ExportItem,
  advance: (bytes: number) => void,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const bytes = await loadItemBytes(item, signal);
  yield bytes;
  advance(bytes.length);
}

async function* mboxChunks(
  items: AsyncIterable<ExportItem>,
  advance: (bytes: number) => void,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  for await (const item of items) {
    const bytes = await loadItemBytes(item, signal);
    yield mboxrdEntry(bytes, item.from, item.date);
    advance(bytes.length);
  }
}

/**
 * Write `items` to `out` (a file or an HTTP response) as one download in `format`:
 *
 * - `eml`: the one item's exact bytes;
 * - `mbox`: mboxrd, messages byte-exact between their `From ` lines, or with
 *   `mboxPerFolder` a zip of one `<folder path>.mbox` per folder plus manifest.csv;
 * - `zip`: `<folder path>/<NNNNN> <subject>.eml` entries plus manifest.csv.
 *
 * Streamed: items are read one at a time, and the next one is loaded only once `out` has
 * taken the previous one (backpressure), so memory holds about one message. `out` is ended
 * on success and destroyed on failure or abort; nothing else is destroyed, and the item
 * source is closed (its iterator's `return()`). `bytes` counts message bytes, `outputBytes`
 * what was written.
 *
 * @throws VALIDATION_FAILED for `eml` with zero or several items, before anything is written
 *   (`out` is left untouched, so the caller can still answer with an error)
 * @throws SOURCE_CORRUPT when an item's bytes do not hash to its `sha256`
 * @throws `signal.reason` (an AbortError unless the caller chose another reason) when aborted
 */
export async function writeExport(
  items: AsyncIterable<ExportItem>,
  format: ExportFormat,
  out: NodeJS.WritableStream,
  opts: WriteExportOptions = {},
): Promise<ExportResult> {
  const { signal, onProgress } = opts;
  signal?.throwIfAborted();
  const progress: ExportProgress = { items: 0, bytes: 0 };
  const advance = (bytes: number): void => {
    progress.items += 1;
    progress.bytes += bytes;
    onProgress?.({ ...progress });
  };
  let source: AsyncIterable<Buffer>;
  switch (format) {
    case 'eml':
      source = emlChunks(await takeExactlyOne(items, signal), advance, signal);
      break;
    case 'mbox':
      source =
        opts.mboxPerFolder === true
          ? zipExportChunks(items, 'mbox', advance, signal)
          : mboxChunks(items, advance, signal);
      break;
    case 'zip':
      source = zipExportChunks(items, 'eml', advance, signal);
      break;
  }
  let outputBytes = 0;
  const counted = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      outputBytes += chunk.length;
      yield chunk;
    }
  };
  try {
    await pipeline(counted(), out, signal ? { signal } : {});
  } catch (err) {
    throw signal?.aborted === true ? signal.reason : err;
  }
  return { ...progress, outputBytes };
}
