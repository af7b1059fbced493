/**
 * One PST mail item → one RFC 5322 MIME message, built with nodemailer's MailComposer.
 *
 * - Header: when the item kept its transport headers (PR_TRANSPORT_MESSAGE_HEADERS, the
 *   header block as received), those fields are used verbatim, in order (Received, From,
 *   Date, Message-ID, …) except the Content-* and MIME-Version fields, which describe the
 *   original body structure and are replaced by those of the rebuilt body. Without them
 *   (sent items, drafts) From/To/Cc/Bcc/Subject/Date/Message-ID/In-Reply-To are made from the
 *   MAPI properties; Date is the client submit time (else delivery, else creation time). A
 *   Message-ID or Date the item does not have is left out, never invented.
 * - Body: plain text (PR_BODY) and HTML (PR_BODY_HTML) as multipart/alternative; RTF-only
 *   bodies fall back to the plain text Outlook keeps beside them.
 * - Attachments by value with their names and content types (inline images keep their
 *   Content-ID); embedded messages become message/rfc822 parts, recursively (8 levels).
 * - Output is deterministic: the MIME boundary derives from a hash of the content, so
 *   reading the same PST twice gives the same bytes (and the same single-instance blob).
 */
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import * as mimeFuncs from 'nodemailer/lib/mime-funcs';
import type { PSTAttachment, PSTMessage } from 'pst-extractor';
import { tooLargeReason } from './common.js';

const CRLF = '\r\n';
const MAX_EMBED_DEPTH = 8;
const ATTACH_BY_VALUE = 1;
const ATTACH_EMBEDDED_MSG = 5;
const ATTACH_OLE = 6;
const PR_SENDER_SMTP_ADDRESS = 0x5d01;
const PR_SENT_REPRESENTING_SMTP_ADDRESS = 0x5d02;

type Address = { name: string; address: string };
type Attachment = {
  filename: string;
  content: Buffer;
  contentType?: string;
  cid?: string;
  contentDisposition?: string;
};

/** Protected pst-extractor accessors used for properties it has no getter for. */
interface PropReader {
  getStringItem(id: number): string;
}

/** A header field: its name and its raw text (continuation lines included, CRLF-joined). */
export interface HeaderField {
  name: string;
  raw: string;
}

/**
 * Split a header block into fields (RFC 5322 §2.2: a field starts with `name:`, continues on
 * lines that begin with white space). Lines that are neither — Exchange's leading
 * "Microsoft Mail Internet Headers Version 2.0" — are dropped. Stops at the first empty line.
 */
export function parseHeaderBlock(block: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line === '') {
      if (fields.length > 0) {
        break;
      }
      continue;
    }
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last !== undefined) {
      last.raw += CRLF + line;
      continue;
    }
    const m = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/.exec(line);
    if (m?.[1] !== undefined) {
      fields.push({ name: m[1], raw: line });
    }
  }
  return fields;
}

function smtp(address: string, fallback: string): string {
  if (address.includes('@')) {
    return address;
  }
  return fallback.includes('@') ? fallback : '';
}

function sender(msg: PSTMessage): Address | undefined {
  const props = msg as unknown as PropReader;
  const name = msg.senderName || msg.sentRepresentingName;
  const address =
    smtp(msg.senderEmailAddress, props.getStringItem(PR_SENDER_SMTP_ADDRESS)) ||
    smtp(msg.sentRepresentingEmailAddress, props.getStringItem(PR_SENT_REPRESENTING_SMTP_ADDRESS));
  return name || address ? { name, address } : undefined;
}

function recipients(msg: PSTMessage): { to: Address[]; cc: Address[]; bcc: Address[] } {
  const out = { to: [] as Address[], cc: [] as Address[], bcc: [] as Address[] };
  for (let i = 0; i < msg.numberOfRecipients; i++) {
    const r = msg.getRecipient(i);
    if (r === null) {
      continue;
    }
    const entry = { name: r.displayName, address: smtp(r.smtpAddress, r.emailAddress) };
    (r.recipientType === 3 ? out.bcc : r.recipientType === 2 ? out.cc : out.to).push(entry);
  }
  return out;
}

function displayName(name: string): string {
  if (!mimeFuncs.isPlainText(name)) {
    return mimeFuncs.encodeWord(name, 'Q', 52); // RFC 2047
  }
  return /^[\w !#$%&'*+\-/=?^`{|}~]*$/.test(name) ? name : mimeFuncs.quoteString(name);
}

/**
 * An address header field. An entry without an SMTP address (an Exchange-only recipient)
 * keeps its display name as an empty group, `Name:;` (RFC 5322 §3.4, RFC 6854 for From),
 * instead of being dropped (nodemailer drops it) or given an invented address.
 */
export function formatAddressField(field: string, list: Address[]): HeaderField | undefined {
  if (list.length === 0) {
    return undefined;
  }
  let raw = `${field}:`;
  let lineLen = raw.length;
  list.forEach((a, i) => {
    const dn = a.name ? displayName(a.name) : '';
    const text = a.address ? (dn ? `${dn} <${a.address}>` : a.address) : `${dn || 'unknown'}:;`;
    const piece = i < list.length - 1 ? `${text},` : text;
    if (lineLen + 1 + piece.length > 76 && i > 0) {
      raw += `${CRLF} ${piece}`;
      lineLen = 1 + piece.length;
    } else {
      raw += ` ${piece}`;
      lineLen += 1 + piece.length;
    }
  });
  return { name: field, raw };
}

function readStream(att: PSTAttachment, budget: number): Buffer | undefined {
  const stream = att.fileInputStream;
  if (stream === null) {
    return undefined; // attached by reference: the PST holds no bytes
  }
  const size = stream.length.toNumber();
  if (size > budget) {
    throw new TooLarge(`attachment: ${tooLargeReason(size, budget)}`);
  }
  const buf = Buffer.alloc(size);
  stream.readCompletely(buf);
  return buf;
}

async function attachments(
  msg: PSTMessage,
  budget: number,
  depth: number,
  warnings: string[],
): Promise<Attachment[]> {
  const out: Attachment[] = [];
  let left = budget;
  for (let i = 0; i < msg.numberOfAttachments; i++) {
    try {
      const added = await attachment(msg, i, left, depth, warnings);
      if (added !== undefined) {
        left -= added.content.length;
        out.push(added);
      }
    } catch (err) {
      if (err instanceof TooLarge) {
        throw err;
      }
      // One unreadable attachment must not cost the whole message: it is reported instead.
      warnings.push(`attachment ${i + 1} dropped: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out;
}

class TooLarge extends Error {}

async function attachment(
  msg: PSTMessage,
  i: number,
  left: number,
  depth: number,
  warnings: string[],
): Promise<Attachment | undefined> {
  const att = msg.getAttachment(i);
  const name = att.longFilename || att.filename || att.displayName || `attachment-${i + 1}`;
  if (att.attachMethod === ATTACH_EMBEDDED_MSG) {
    if (depth >= MAX_EMBED_DEPTH) {
      warnings.push(`attachment ${i + 1} dropped: embedded messages nested deeper than ${MAX_EMBED_DEPTH}`);
      return undefined;
    }
    // pst-extractor 1.12.0 creates attachments without a descriptor node, so
    // embeddedPSTMessage returns null; the embedded message shares its parent's node.
    (att as unknown as { descriptorIndexNode: unknown }).descriptorIndexNode = (
      msg as unknown as { descriptorIndexNode: unknown }
    ).descriptorIndexNode;
    const inner = att.embeddedPSTMessage;
    if (inner === null) {
      throw new Error('embedded message not found');
    }
    return {
      filename: /\.(eml|msg)$/i.test(name) ? name : `${name}.eml`,
      content: await pstMessageToMime(inner, left, depth + 1, warnings),
      contentType: 'message/rfc822',
      contentDisposition: 'attachment', // nodemailer would make a message part inline
    };
  }
  if (att.attachMethod !== ATTACH_BY_VALUE && att.attachMethod !== ATTACH_OLE) {
    return undefined; // by reference: a path on the sender's disk, no bytes in the PST
  }
  const content = readStream(att, left);
  if (content === undefined) {
    return undefined;
  }
  return {
    filename: name,
    content,
    ...(att.mimeTag ? { contentType: att.mimeTag } : {}),
    ...(att.contentId ? { cid: att.contentId.replace(/^<|>$/g, '') } : {}),
  };
}

function splitBuilt(built: Buffer): { fields: HeaderField[]; body: Buffer } {
  const end = built.indexOf('\r\n\r\n');
  const head = end === -1 ? built.toString('latin1') : built.toString('latin1', 0, end);
  return { fields: parseHeaderBlock(head), body: end === -1 ? Buffer.alloc(0) : built.subarray(end + 4) };
}

const MIME_FIELDS = new Set(['mime-version', 'content-type', 'content-transfer-encoding']);

/**
 * Render a PST message as MIME. Throws (with a reason) when the item cannot be read or is
 * larger than `maxBytes`; an attachment that cannot be read is left out and described in
 * `warnings` instead.
 */
export async function pstMessageToMime(
  msg: PSTMessage,
  maxBytes: number,
  depth = 0,
  warnings: string[] = [],
): Promise<Buffer> {
  const transport = parseHeaderBlock(msg.transportMessageHeaders || '');
  const useTransport = transport.some((f) => /^(from|date|subject|message-id|received)$/i.test(f.name));
  const text = msg.body || '';
  const html = msg.bodyHTML || '';
  const files = await attachments(msg, maxBytes, depth, warnings);
  const hash = createHash('sha256').update(text).update('\0').update(html);
  for (const f of files) {
    hash.update('\0').update(f.filename).update('\0').update(f.content);
  }
  const baseBoundary = hash.digest('hex').slice(0, 24);
  const date = msg.clientSubmitTime ?? msg.messageDeliveryTime ?? msg.creationTime ?? undefined;
  const messageId = msg.internetMessageId || undefined;
  const composer = new MailComposer({
    ...(useTransport ? {} : { subject: msg.subject, inReplyTo: msg.inReplyToId || undefined, messageId }),
    date: date ?? new Date(0),
    ...(text ? { text } : {}),
    ...(html ? { html } : {}),
    ...(!text && !html ? { text: '' } : {}),
    attachments: files,
    baseBoundary,
    newline: 'win',
  });
  const root = composer.compile();
  const built = splitBuilt(await root.build());
  let fields: HeaderField[];
  if (useTransport) {
    const kept = transport.filter(
      (f) => !/^content-/i.test(f.name) && f.name.toLowerCase() !== 'mime-version',
    );
    fields = [...kept, ...built.fields.filter((f) => MIME_FIELDS.has(f.name.toLowerCase()))];
  } else {
    const from = sender(msg);
    const people = recipients(msg);
    const addressFields = [
      formatAddressField('From', from ? [from] : []),
      formatAddressField('To', people.to),
      formatAddressField('Cc', people.cc),
      formatAddressField('Bcc', people.bcc),
    ].filter((f): f is HeaderField => f !== undefined);
    fields = [
      ...addressFields,
      ...built.fields.filter((f) => {
        const n = f.name.toLowerCase();
        return !(n === 'message-id' && messageId === undefined) && !(n === 'date' && date === undefined);
      }),
    ];
  }
  const head = Buffer.from(fields.map((f) => f.raw).join(CRLF) + CRLF + CRLF, 'utf8');
  const size = head.length + built.body.length;
  if (size > maxBytes) {
    throw new TooLarge(tooLargeReason(size, maxBytes));
  }
  return Buffer.concat([head, built.body], size);
}
