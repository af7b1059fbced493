import nodemailer, { type Mail } from 'nodemailer';
import type { SMTPSentMessageInfo, SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import { AppError } from '../errors.js';
import { safeFileName } from './file-name.js';
import { describeItem, loadItemBytes } from './item-bytes.js';
import { type SentMail, smtpFailed } from './smtp-error.js';
import { type SmtpSettings, smtpTransportOptions } from './smtp-settings.js';
import type { ExportItem } from './types.js';

/** Default largest mail: 20 MiB, under the common 25 MB relay limits. */
export const DEFAULT_MAX_MAIL_BYTES = 20 * 1024 * 1024;
// Upper bounds of what nodemailer adds around the attachments: headers, boundaries, the cover
// text part (encoded: at most 4 bytes per byte, QP soft breaks included), each part's headers
// (the file name appears twice, RFC 2231-encoded: at most 4 bytes per byte each time).
const MAIL_FRAME_BYTES = 2048;
const PART_FRAME_BYTES = 512;
const ENCODED_FACTOR = 4;
const ATTACHMENT_NAME_MAX_BYTES = 80;

export interface SendItemsProgress {
  mailsSent: number;
  mailsTotal: number;
  itemsSent: number;
  itemsTotal: number;
}

export interface SendItemsOptions {
  smtp: SmtpSettings;
  /** Sender of the mails (header and envelope). */
  from: string;
  /** Recipient(s) of the mails. */
  to: string;
  /** Text of the body above the attachments. */
  coverText: string;
  /** Subject; ` (i/n)` is appended when the items go out as n > 1 mails. */
  subject: string;
  /** Largest mail, in bytes, all framing included (default 20 MiB). */
  maxMailBytes?: number;
  /** Allow sending the items as several mails when they do not fit in one. */
  splitLarge: boolean;
  /** Stops between items and mails, and cancels the mail being sent; rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called after each mail the server accepted. */
  onProgress?: (p: SendItemsProgress) => void;
}

/** Bytes with every bare LF and bare CR made CRLF, the only line end SMTP carries (RFC 5321 2.3.8). */
export function toCrlf(bytes: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if ((b === 0x0a && bytes[i - 1] !== 0x0d) || (b === 0x0d && bytes[i + 1] !== 0x0a)) {
      extra++;
    }
  }
  if (extra === 0) {
    return bytes;
  }
  const out = Buffer.allocUnsafe(bytes.length + extra);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0a && bytes[i - 1] !== 0x0d) {
      out[o++] = 0x0d;
    }
    out[o++] = b;
    if (b === 0x0d && bytes[i + 1] !== 0x0a) {
      out[o++] = 0x0a;
    }
  }
  return out;
}

/** 7bit when the bytes are ASCII without NUL and no line is over 998 octets (RFC 5322 2.1.1), else 8bit. */
function transferEncoding(bytes: Buffer): '7bit' | '8bit' {
  let line = 0;
  for (const b of bytes) {
    if (b === 0 || b > 0x7f) {
      return '8bit';
    }
    line = b === 0x0a || b === 0x0d ? 0 : line + 1;
    if (line > 998) {
      return '8bit';
    }
  }
  return '7bit';
}

function address(a: string | { address: string }): string {
  return typeof a === 'string' ? a : a.address;
}

function attachmentName(item: ExportItem): string {
  return `${safeFileName(item.subject.trim() === '' ? 'message' : item.subject, ATTACHMENT_NAME_MAX_BYTES)}.eml`;
}

interface Measured {
  item: ExportItem;
  /** Upper bound of what the item adds to a mail: its CRLF bytes and its part's framing. */
  cost: number;
}

/** Greedy, in the given order: a mail takes items until the next one would not fit. */
function packMails(measured: Measured[], budget: number): Measured[][] {
  const mails: Measured[][] = [];
  let current: Measured[] = [];
  let used = 0;
  for (const m of measured) {
    if (current.length > 0 && used + m.cost > budget) {
      mails.push(current);
      current = [];
      used = 0;
    }
    current.push(m);
    used += m.cost;
  }
  if (current.length > 0) {
    mails.push(current);
  }
  return mails;
}

function mailFrameBytes(opts: SendItemsOptions): number {
  const text = `${opts.from}${opts.to}${opts.subject} (999/999)${opts.coverText}\n\nPart 999 of 999.`;
  return MAIL_FRAME_BYTES + ENCODED_FACTOR * Buffer.byteLength(text);
}

/** First pass: each item's size on the wire, one item in memory at a time. */
async function measure(items: Iterable<ExportItem> | AsyncIterable<ExportItem>, opts: SendItemsOptions) {
  const maxMailBytes = opts.maxMailBytes ?? DEFAULT_MAX_MAIL_BYTES;
  const budget = maxMailBytes - mailFrameBytes(opts);
  const measured: Measured[] = [];
  for await (const item of items) {
    const size = toCrlf(await loadItemBytes(item, opts.signal)).length;
    const cost = size + PART_FRAME_BYTES + 2 * ENCODED_FACTOR * Buffer.byteLength(attachmentName(item));
    if (cost > budget) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Message ${describeItem(item)} (${size} bytes) does not fit in a mail of at most ${maxMailBytes} bytes`,
        { maxMailBytes, itemBytes: size, messageId: item.messageId, sha256: item.sha256 },
      );
    }
    measured.push({ item, cost });
  }
  return { measured, budget, maxMailBytes };
}

type Transporter = Mail<SMTPSentMessageInfo, SMTPTransportOptions>;

/** Build and send one mail of `batch` (part `index` of `of`), loading its items' bytes. */
async function sendMail(
  transporter: Transporter,
  batch: Measured[],
  part: { index: number; of: number },
  opts: SendItemsOptions,
): Promise<SentMail> {
  const attachments = [];
  for (const { item } of batch) {
    const content = toCrlf(await loadItemBytes(item, opts.signal));
    attachments.push({
      content,
      filename: attachmentName(item),
      contentType: 'message/rfc822',
      contentDisposition: 'attachment' as const,
      contentTransferEncoding: transferEncoding(content),
    });
  }
  const split = part.of > 1;
  const info = await transporter.sendMail({
    from: opts.from,
    to: opts.to,
    subject: split ? `${opts.subject} (${part.index}/${part.of})` : opts.subject,
    text: split ? `${opts.coverText}\n\nPart ${part.index} of ${part.of}.` : opts.coverText,
    attachments,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return {
    messageIds: batch.flatMap(({ item }) => (item.messageId !== undefined ? [item.messageId] : [])),
    sha256s: batch.map(({ item }) => item.sha256.toLowerCase()),
    mailMessageId: info.messageId.replace(/^<|>$/gu, ''),
    smtpResponse: info.response,
    accepted: info.accepted.map(address),
    rejected: info.rejected.map(address),
    bytes: info.messageSize,
  };
}

/**
 * Mail `items` to `opts.to`, each attached as `message/rfc822` with its original bytes (7bit
 * or 8bit, never base64 or quoted-printable: RFC 2046 5.2.1 forbids encoding a message/rfc822
 * body). SMTP carries CRLF line ends only, so bare LF / bare CR become CRLF; a CRLF message
 * arrives byte for byte. Items are packed in order into mails of at most `maxMailBytes`.
 * Everything is checked before the first mail goes out. Items are loaded twice (measure,
 * then send), one mail's worth at a time; metadata of the selection stays in memory.
 *
 * @throws VALIDATION_FAILED when there is no item, when one item alone exceeds
 *   `maxMailBytes`, or when `splitLarge` is false and more than one mail is needed
 *   (`details.mailsNeeded`)
 * @throws SOURCE_CORRUPT when an item's bytes do not hash to its `sha256`
 * @throws SMTP_FAILED when the server cannot be reached or refuses the login, the sender, the
 *   recipient or a mail; `details.sentMails` are the mails accepted before the failure
 * @throws `signal.reason` when aborted (mails already accepted were reported to `onProgress`)
 */
export async function sendItems(
  items: ExportItem[] | AsyncIterable<ExportItem>,
  opts: SendItemsOptions,
): Promise<{ mails: SentMail[] }> {
  opts.signal?.throwIfAborted();
  const { measured, budget, maxMailBytes } = await measure(items, opts);
  if (measured.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'There is nothing to send: the selection is empty', { items: 0 });
  }
  const batches = packMails(measured, budget);
  if (batches.length > 1 && !opts.splitLarge) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The ${measured.length} messages need ${batches.length} mails of at most ${maxMailBytes} bytes; allow splitting to send them`,
      { mailsNeeded: batches.length, maxMailBytes, items: measured.length },
    );
  }
  const transporter = nodemailer.createTransport(smtpTransportOptions(opts.smtp));
  const mails: SentMail[] = [];
  let itemsSent = 0;
  try {
    for (const [index, batch] of batches.entries()) {
      const part = { index: index + 1, of: batches.length };
      try {
        mails.push(await sendMail(transporter, batch, part, opts));
      } catch (err) {
        if (opts.signal?.aborted === true) {
          throw opts.signal.reason;
        }
        if (err instanceof AppError) {
          throw err; // SOURCE_CORRUPT while loading the mail's items: nothing of it was sent
        }
        const { host, port } = opts.smtp;
        throw smtpFailed(err, {
          host,
          port,
          sentMails: [...mails],
          failedMail: part.index,
          mailsTotal: part.of,
        });
      }
      itemsSent += batch.length;
      opts.onProgress?.({
        mailsSent: mails.length,
        mailsTotal: part.of,
        itemsSent,
        itemsTotal: measured.length,
      });
    }
  } finally {
    transporter.close();
  }
  return { mails };
}
