/**
 * Cheap, bounded reading of raw message bytes without mailparser: the pre-check that keeps
 * hostile messages away from the MIME parser, and the header-only fallback that still makes
 * such a message findable by subject, sender and recipients (RFC 5322 §2.2: header fields,
 * folding; RFC 2047: encoded words).
 */
import libmime from 'libmime';
import { parseAddressHeader } from 'mailparser';
import {
  LIMITS,
  headerDocument,
  normaliseMessageId,
  type AddressFields,
  type SearchDocument,
} from './document.js';

const LF = 0x0a;
const CR = 0x0d;

/** Offset of the blank line that ends the header block, or -1 if there is none within `max`. */
export function headerEnd(raw: Uint8Array, max: number): number {
  const limit = Math.min(raw.length, max);
  if (raw.length > 0 && (raw[0] === LF || (raw[0] === CR && raw[1] === LF))) {
    return 0;
  }
  let pos = 0;
  for (;;) {
    const nl = raw.indexOf(LF, pos);
    if (nl < 0 || nl >= limit) {
      return raw.length <= max ? raw.length : -1;
    }
    const next = raw[nl + 1];
    if (next === LF || (next === CR && raw[nl + 2] === LF)) {
      return nl + 1;
    }
    pos = nl + 1;
  }
}

/** Bytes that JavaScript's `\s` matches in a Latin-1 string: tab, LF, VT, FF, CR, space, NBSP. */
function isLatin1Space(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x09 && b <= 0x0d) || b === 0x20 || b === 0xa0);
}

const MULTIPART = Buffer.from('multipart', 'latin1');

/**
 * Occurrences of `multipart\s*\/` (case-insensitive) in the bytes read as Latin-1, counted up
 * to `stopAt + 1`, without making a string of the message: each match ends at a distinct '/',
 * so every '/' preceded by "multipart" and optional white space is one.
 */
export function countMultipart(raw: Uint8Array, stopAt: number): number {
  let n = 0;
  for (let slash = raw.indexOf(0x2f); slash >= 0; slash = raw.indexOf(0x2f, slash + 1)) {
    let end = slash;
    while (isLatin1Space(raw[end - 1])) {
      end--;
    }
    const start = end - MULTIPART.length;
    if (start < 0) {
      continue;
    }
    let i = 0;
    // ASCII letters only: b | 0x20 is the lower case of a letter and of nothing else
    while (i < MULTIPART.length && ((raw[start + i] as number) | 0x20) === MULTIPART[i]) {
      i++;
    }
    if (i === MULTIPART.length && ++n > stopAt) {
      break;
    }
  }
  return n;
}

/** Occurrences of `needle` (which cannot overlap itself) in `raw`, counted up to `stopAt + 1`. */
function countBytes(raw: Buffer, needle: Buffer, stopAt: number): number {
  let n = 0;
  for (let at = raw.indexOf(needle); at >= 0 && n <= stopAt; at = raw.indexOf(needle, at + needle.length)) {
    n++;
  }
  return n;
}

const DELIMITER = Buffer.from('\n--', 'latin1');

/**
 * Why a message must not be given to mailparser, or null when it may. Bounds the work of a
 * parse: size, header block size, number of MIME parts and of multipart containers (nesting).
 * Counts on the bytes: a Latin-1 string of every message cost as much as the rest of the check.
 */
export function precheck(raw: Buffer): string | null {
  if (raw.length > LIMITS.maxParseBytes) {
    return `message larger than ${LIMITS.maxParseBytes} bytes`;
  }
  if (headerEnd(raw, LIMITS.maxHeaderBytes) < 0) {
    return `header block larger than ${LIMITS.maxHeaderBytes} bytes`;
  }
  if (countMultipart(raw, LIMITS.maxMultiparts) > LIMITS.maxMultiparts) {
    return `more than ${LIMITS.maxMultiparts} multipart containers (MIME nesting)`;
  }
  // every part starts after a delimiter line "--boundary" (RFC 2046 §5.1.1)
  if (countBytes(raw, DELIMITER, 2 * LIMITS.maxMimeParts) > 2 * LIMITS.maxMimeParts) {
    return `more than ${LIMITS.maxMimeParts} MIME parts`;
  }
  return null;
}

const WANTED = new Set([
  'subject',
  'from',
  'to',
  'cc',
  'bcc',
  'message-id',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
]);

/**
 * The wanted header fields of a message, scanned line by line over the whole header block
 * however large it is (a hostile 50 MB header is read once, never parsed), each value
 * capped at LIMITS.maxFieldChars. Returns field name → unfolded values.
 */
export function scanHeaders(raw: Uint8Array): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  let current: { name: string; parts: Buffer[]; size: number } | undefined;
  const flush = (): void => {
    if (current) {
      // unfolded as libmime.decodeHeader does; raw 8-bit bytes read as UTF-8, as mailparser does
      const value = Buffer.concat(current.parts)
        .toString('utf8')
        .replace(/(?:\r?\n|\r)[ \t]*/g, ' ')
        .trim();
      const list = fields.get(current.name) ?? [];
      list.push(value);
      fields.set(current.name, list);
      current = undefined;
    }
  };
  let pos = 0;
  while (pos < bytes.length) {
    let nl = bytes.indexOf(LF, pos);
    if (nl < 0) {
      nl = bytes.length;
    }
    const lineEnd = nl > pos && bytes[nl - 1] === CR ? nl - 1 : nl;
    if (lineEnd === pos) {
      break; // blank line: end of the header block
    }
    const first = bytes[pos];
    if (first === 0x20 || first === 0x09) {
      if (current && current.size < LIMITS.maxFieldChars) {
        const piece = bytes.subarray(pos - 1, Math.min(lineEnd, pos + LIMITS.maxFieldChars - current.size));
        current.parts.push(piece);
        current.size += piece.length;
      }
    } else {
      flush();
      const colon = bytes.indexOf(0x3a, pos);
      if (colon > pos && colon < lineEnd && colon - pos <= 76) {
        const name = bytes.toString('latin1', pos, colon).trim().toLowerCase();
        if (WANTED.has(name)) {
          const piece = bytes.subarray(colon + 1, Math.min(lineEnd, colon + 1 + LIMITS.maxFieldChars));
          current = { name, parts: [piece], size: piece.length };
        }
      }
    }
    pos = nl + 1;
  }
  flush();
  return fields;
}

function decodeText(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value; // a malformed encoded word: keep the raw text, still searchable
  }
}

/** A list of bare addresses (`a@x.com, b@y.org`): no names, quotes, comments, groups or punycode. */
const BARE_LIST =
  /^\s*[^\s"(),:;<>@[\\\]]+@[^\s"(),:;<>@[\\\]]+(\s*,\s*[^\s"(),:;<>@[\\\]]+@[^\s"(),:;<>@[\\\]]+)*[\s,]*$/;

function addresses(values: string[] | undefined): ReturnType<typeof parseAddressHeader>['value'] {
  if (!values || values.length === 0) {
    return [];
  }
  // most headers of an archive are bare lists: split them as mailparser's parser would
  if (values.every((v) => BARE_LIST.test(v) && !/=\?|xn--/i.test(v))) {
    return values.flatMap((v) =>
      v
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '')
        .map((address) => ({ address, name: '' })),
    );
  }
  try {
    return parseAddressHeader(values, { flatten: true }).value;
  } catch {
    return []; // unparseable address header: nothing to index for it
  }
}

/** The subject, addresses and Message-ID of scanned header fields, decoded as mailparser does. */
export function headerParts(f: Map<string, string[]>): {
  subject: string;
  addresses: AddressFields;
  messageId: string | null;
} {
  return {
    subject: decodeText(f.get('subject')?.[0] ?? ''),
    addresses: {
      from: addresses(f.get('from')?.slice(0, 1)),
      to: addresses(f.get('to')),
      cc: addresses(f.get('cc')),
      bcc: addresses(f.get('bcc')),
    },
    messageId: normaliseMessageId(f.get('message-id')?.[0]),
  };
}

/** The header-only document of a message, read without mailparser. */
export function headerOnlyDocument(itemId: number, raw: Uint8Array, reason: string): SearchDocument {
  const h = headerParts(scanHeaders(raw));
  return headerDocument(itemId, h.subject, h.addresses, h.messageId, reason);
}
