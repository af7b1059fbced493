import { AppError } from '../errors.js';
import { sha256Hex } from '../lib/hash.js';
import type { ExportItem } from './types.js';

/** Settle with `promise`, or reject with `signal.reason` as soon as the signal aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) {
    return promise;
  }
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the caller's own abort reason, passed through as fetch() and timers/promises do
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A short description of an item for error messages: its Message-ID, else its hash. */
export function describeItem(item: ExportItem): string {
  return item.messageId !== undefined ? `<${item.messageId}>` : `sha256 ${item.sha256}`;
}

/**
 * Load an item's bytes and check them against its `sha256`, so that an export or a mail never
 * carries bytes other than the ones the item names.
 * @throws SOURCE_CORRUPT when the bytes do not hash to `item.sha256`
 */
export async function loadItemBytes(item: ExportItem, signal?: AbortSignal): Promise<Buffer> {
  const bytes = await abortable(item.bytes(), signal);
  const actual = sha256Hex(bytes);
  if (actual !== item.sha256.toLowerCase()) {
    throw new AppError(
      'SOURCE_CORRUPT',
      `The bytes of message ${describeItem(item)} in folder '${item.folderPath}' do not match its sha256`,
      {
        folderPath: item.folderPath,
        messageId: item.messageId,
        expectedSha256: item.sha256,
        actualSha256: actual,
      },
    );
  }
  return bytes;
}
