/**
 * Raw message bytes → SearchDocument, inside the bounds of LIMITS. Runs in the parse workers
 * (worker.ts); pure enough to test directly.
 *
 * Every MIME message (multipart, attachments, HTML, format=flowed, encoded parts) goes
 * through mailparser. A message that is a single text/plain part — nine in ten of a typical
 * corporate archive, 99.9% of the Enron sample — is decoded directly: header fields with
 * mailparser's own address parser and libmime, the body by its transfer encoding and charset.
 * mailparser's stream pipeline costs ~0.6 ms per such message, the direct path ~0.05 ms; the
 * two give the same words (test/search/parse.test.ts compares them on the fixture).
 */
import { TextDecoder } from 'node:util';
import libmime from 'libmime';
import { simpleParser, type ParsedMail, type SimpleParserOptions } from 'mailparser';
import { LIMITS, parsedDocument, plainTextDocument, type SearchDocument } from './document.js';
import { headerEnd, headerOnlyDocument, headerParts, precheck, scanHeaders } from './headers.js';

const PARSER_OPTIONS: SimpleParserOptions = {
  skipTextToHtml: true, // we index text; textAsHtml and linkify are wasted work
  skipTextLinks: true,
  skipImageLinks: true,
  keepCidLinks: true,
  checksumAlgo: false,
  maxHtmlLengthToParse: LIMITS.maxHtmlChars,
  maxHeadSize: LIMITS.maxHeaderBytes,
  maxChildNodes: LIMITS.maxMimeParts,
};

function describe(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 200 ? `${msg.slice(0, 200)}…` : msg;
}

const decoders = new Map<string, TextDecoder | undefined>();

function decoderFor(charset: string): TextDecoder | undefined {
  const name = libmime.normalizeCharset(charset).toLowerCase();
  if (!decoders.has(name)) {
    let d: TextDecoder | undefined;
    try {
      d = new TextDecoder(name);
    } catch {
      d = undefined; // not a WHATWG label: leave the message to mailparser (iconv-lite)
    }
    decoders.set(name, d);
  }
  return decoders.get(name);
}

/** RFC 2045 §6.7 quoted-printable, leniently (a stray '=' stays). */
function decodeQuotedPrintable(bytes: Buffer): Buffer {
  const text = bytes
    .toString('latin1')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(text, 'latin1');
}

/** The body text of a one-part text/plain message, or undefined if it needs mailparser. */
function plainBody(raw: Buffer, f: Map<string, string[]>): string | undefined {
  let charset = 'utf-8';
  const ct = f.get('content-type');
  if (ct) {
    const v = libmime.parseHeaderValue(ct[0] ?? '');
    if (
      ct.length > 1 ||
      v.value.toLowerCase() !== 'text/plain' ||
      (v.params.format ?? '').toLowerCase() === 'flowed'
    ) {
      return undefined;
    }
    charset = v.params.charset || charset;
  }
  if (f.has('content-disposition')) {
    return undefined; // an attachment, or a named part: mailparser decides
  }
  const cte = (f.get('content-transfer-encoding')?.[0] ?? '').toLowerCase();
  const decoder = decoderFor(charset);
  const end = headerEnd(raw, LIMITS.maxHeaderBytes);
  if (!decoder || end < 0) {
    return undefined;
  }
  let body = raw.subarray(end + (raw[end] === 0x0d ? 2 : 1));
  if (cte === 'base64') {
    body = Buffer.from(body.toString('latin1'), 'base64');
  } else if (cte === 'quoted-printable') {
    body = decodeQuotedPrintable(body);
  } else if (cte !== '' && cte !== '7bit' && cte !== '8bit' && cte !== 'binary') {
    return undefined;
  }
  return decoder.decode(body);
}

/**
 * mailparser converts HTML to text only for a top-level HTML body or next to a plain text
 * part, not for an HTML-only multipart (multipart/related with inline images: most HTML
 * mail). Convert such HTML the way mailparser converts a top-level HTML body, with its limits.
 */
async function withHtmlText(mail: ParsedMail): Promise<ParsedMail> {
  if ((mail.text ?? '').trim() !== '' || typeof mail.html !== 'string' || mail.html === '') {
    return mail;
  }
  const wrapped = Buffer.concat([
    Buffer.from('Content-Type: text/html; charset=utf-8\r\n\r\n'),
    Buffer.from(mail.html),
  ]);
  const converted = await simpleParser(wrapped, PARSER_OPTIONS);
  return { ...mail, text: converted.text ?? '', textConversionError: converted.textConversionError };
}

/**
 * A message whose lines end in a bare CR (classic Mac OS; the store keeps such files as they
 * are, see src/store/message.ts) with CRLF line ends, which the header scanner and mailparser
 * need (they would read it as one header line); any other message as it is.
 */
export function withLineFeeds(raw: Buffer): Buffer {
  const cr = raw.indexOf(0x0d);
  const lf = raw.indexOf(0x0a);
  if (cr < 0 || (lf >= 0 && lf <= cr + 1)) {
    return raw; // no CR, or the first line ends in LF or CRLF
  }
  return Buffer.from(raw.toString('latin1').replace(/\r(?!\n)/g, '\r\n'), 'latin1');
}

/**
 * Parse one message. Never throws: a message that fails the pre-check or makes mailparser
 * fail is indexed by its headers only (status 'headers', with the reason).
 */
export async function parseMessage(itemId: number, bytes: Buffer): Promise<SearchDocument> {
  const raw = withLineFeeds(bytes);
  const refused = precheck(raw);
  if (refused !== null) {
    return headerOnlyDocument(itemId, raw, refused);
  }
  try {
    const fields = scanHeaders(raw);
    const text = plainBody(raw, fields);
    if (text !== undefined) {
      const h = headerParts(fields);
      return plainTextDocument(itemId, h.subject, h.addresses, h.messageId, text);
    }
    return parsedDocument(itemId, await withHtmlText(await simpleParser(raw, PARSER_OPTIONS)));
  } catch (err) {
    return headerOnlyDocument(itemId, raw, `MIME parse failed: ${describe(err)}`);
  }
}

/** Parse with mailparser only (no direct path): for tests that compare the two. */
export async function parseWithMailparser(itemId: number, raw: Buffer): Promise<SearchDocument> {
  return parsedDocument(itemId, await withHtmlText(await simpleParser(raw, PARSER_OPTIONS)));
}
