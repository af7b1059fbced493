/**
 * What the store needs to know about one RFC 5322 message: is it one at all, where its
 * per-delivery trace prefix ends (single-instance storage), and the few header fields that
 * listings, identity and search filters use. Deliberately cheap: no MIME body parsing here.
 */
import libmime from 'libmime';
import { AppError } from '../errors.js';
import { sha256Hex } from '../lib/hash.js';

/**
 * Header fields that every MTA adds per recipient and per hop (RFC 5321 §4.4 trace fields,
 * RFC 8601 Authentication-Results, RFC 8617 ARC, and common MTA extensions). Only a LEADING
 * run of these belongs to the trace prefix; the first other field starts the shared content.
 */
export const TRACE_FIELDS: ReadonlySet<string> = new Set([
  'return-path',
  'received',
  'delivered-to',
  'x-original-to',
  'envelope-to',
  'x-envelope-to',
  'x-delivered-to',
  'authentication-results',
  'arc-authentication-results',
  'arc-message-signature',
  'arc-seal',
  'received-spf',
  'x-received',
  'x-spam-status',
  'x-spam-score',
  'x-spam-level',
  'x-spam-flag',
  'x-virus-scanned',
]);

export interface ParsedMessage {
  /** Byte length of the trace prefix: bytes[0, prefixLength) are per-delivery. */
  prefixLength: number;
  /** sha256 of the whole message. */
  sha256: string;
  /** sha256 of the content (everything after the prefix): the blob's key. */
  contentHash: string;
  messageId: string | null;
  /** Normalised Message-ID, or 'sha256:<contentHash>' where it is missing or malformed. */
  identity: string;
  subject: string;
  from: string;
  to: string;
  cc: string;
  dateMs: number | null;
}

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/**
 * The byte that ends a line: LF (with or without CR before it), or CR for a file with classic
 * Mac OS line ends, recognised by its first line end being a bare CR.
 */
function lineEndByte(bytes: Buffer, from: number): number {
  const lf = bytes.indexOf(10, from);
  const end = lf < 0 ? bytes.length : lf;
  const cr = bytes.subarray(from, end).indexOf(13); // look at the first line only
  return cr >= 0 && from + cr < end - 1 ? 13 : 10;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const MBOX_FROM = Buffer.from('From ', 'latin1');

/**
 * Where the header section starts. A file saved from an mbox or by qmail-style delivery starts
 * with an envelope line `From sender date` (RFC 4155), and a file saved by some Windows tools
 * with a UTF-8 byte order mark: neither is a header field, both belong to this copy of the
 * message, so they stay in the trace prefix. `From :` (RFC 5322 §4.5 obsolete syntax, space
 * before the colon) is a header field, not an envelope line.
 */
function headerStart(bytes: Buffer, eolByte: number): number {
  let pos = bytes.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0;
  if (bytes.subarray(pos, pos + 5).equals(MBOX_FROM)) {
    let eol = bytes.indexOf(eolByte, pos);
    eol = eol < 0 ? bytes.length : eol;
    if (!/^From[ \t]*:/.test(bytes.toString('latin1', pos, eol))) {
      pos = Math.min(eol + 1, bytes.length);
    }
  }
  return pos;
}

/**
 * Split the header section into raw fields with their byte offsets (RFC 5322 §2.2, folding §2.2.3).
 * Lenient where real mail is, as mail parsers are: a line that is neither a field nor a
 * continuation ends the header section (the body starts there, as if an empty line came
 * first). Only a message whose first line is not a header field is refused (`ok` false).
 */
function scanHeader(
  bytes: Buffer,
  from: number,
  eolByte: number,
): { fields: { name: string; start: number; end: number }[]; ok: boolean } {
  const fields: { name: string; start: number; end: number }[] = [];
  let pos = from;
  const n = bytes.length;
  while (pos < n) {
    let eol = bytes.indexOf(eolByte, pos);
    if (eol < 0) {
      eol = n;
    }
    const lineEnd = eolByte === 10 && eol > pos && bytes[eol - 1] === 13 ? eol - 1 : eol;
    if (lineEnd === pos) {
      break; // the empty line that ends the header section
    }
    const first = bytes[pos];
    if (first === 32 || first === 9) {
      const last = fields.at(-1);
      if (!last) {
        return { fields, ok: false };
      }
      last.end = Math.min(eol + 1, n);
    } else {
      const colon = bytes.indexOf(58, pos);
      const name = colon < 0 || colon > lineEnd ? '' : bytes.toString('latin1', pos, colon).trimEnd();
      if (!FIELD_NAME.test(name)) {
        if (fields.length === 0) {
          return { fields, ok: false };
        }
        break; // not a header field: the body starts here, without the empty line
      }
      fields.push({ name: name.toLowerCase(), start: pos, end: Math.min(eol + 1, n) });
    }
    pos = eol + 1;
  }
  return { fields, ok: fields.length > 0 };
}

function fieldValue(bytes: Buffer, f: { start: number; end: number }): string {
  const raw = bytes.toString('utf8', f.start, f.end);
  return raw
    .slice(raw.indexOf(':') + 1)
    .replace(/(?:\r\n|\r|\n)[ \t]/g, ' ')
    .trim();
}

function decode(value: string): string {
  if (!value.includes('=?') && !value.includes('\x00')) {
    return value; // no RFC 2047 encoded-word: libmime.decodeWords would return it unchanged
  }
  try {
    return libmime.decodeWords(value);
  } catch {
    // an undecodable encoded-word is shown as written rather than refusing the message
    return value;
  }
}

/** Normalise a Message-ID (RFC 5322 §3.6.4): the msg-id without angle brackets, domain in lower case. */
export function normaliseMessageId(value: string | null | undefined): string | null {
  if (!value) {
    return null;
  }
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(value) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(value);
  if (!m?.[1]) {
    return null;
  }
  const id = m[1];
  const at = id.lastIndexOf('@');
  return id.slice(0, at) + '@' + id.slice(at + 1).toLowerCase();
}

/** Default largest accepted message: 50 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 50 * 1024 * 1024;

/**
 * Check that `bytes` is an RFC 5322 message within the size limit and extract what the store keeps.
 * @throws MESSAGE_INVALID (empty, no header section), MESSAGE_TOO_LARGE
 */
export function parseMessage(bytes: Buffer, maxBytes = DEFAULT_MAX_MESSAGE_BYTES): ParsedMessage {
  if (bytes.length === 0) {
    throw new AppError('MESSAGE_INVALID', 'The message is empty');
  }
  if (bytes.length > maxBytes) {
    throw new AppError(
      'MESSAGE_TOO_LARGE',
      `The message is ${bytes.length} bytes; the limit is ${maxBytes}`,
      {
        size: bytes.length,
        limit: maxBytes,
      },
    );
  }
  const eolByte = lineEndByte(bytes, 0);
  const start = headerStart(bytes, eolByte);
  const { fields, ok } = scanHeader(bytes, start, eolByte);
  if (!ok) {
    throw new AppError(
      'MESSAGE_INVALID',
      'Not an RFC 5322 message: it does not start with a header section of "Name: value" fields',
    );
  }
  let prefixLength = start;
  for (const f of fields) {
    if (!TRACE_FIELDS.has(f.name)) {
      break;
    }
    prefixLength = f.end;
  }
  const get = (name: string): string | null => {
    const f = fields.find((x) => x.name === name);
    return f ? fieldValue(bytes, f) : null;
  };
  const contentHash = sha256Hex(bytes.subarray(prefixLength));
  const messageId = normaliseMessageId(get('message-id'));
  const dateRaw = get('date');
  const dateMs = dateRaw ? Date.parse(dateRaw.replace(/\s*\([^)]*\)\s*$/, '')) : NaN;
  return {
    prefixLength,
    sha256: prefixLength === 0 ? contentHash : sha256Hex(bytes),
    contentHash,
    messageId,
    identity: messageId ?? `sha256:${contentHash}`,
    subject: decode(get('subject') ?? ''),
    from: decode(get('from') ?? ''),
    to: decode(get('to') ?? ''),
    cc: decode(get('cc') ?? ''),
    dateMs: Number.isFinite(dateMs) ? dateMs : null,
  };
}
