/**
 * One message turned into the plain document the index stores: the work of a parse worker.
 * Pure functions: no database, no threads.
 */
import type { AddressObject, EmailAddress, ParsedMail } from 'mailparser';

/** Limits applied per message. A message beyond a limit is indexed by its headers only. */
export const LIMITS = {
  /** Body text kept per message, in UTF-16 code units (~1 MB): the rest is not indexed. */
  maxBodyChars: 1_048_576,
  /** Messages larger than this are not given to mailparser (headers only). */
  maxParseBytes: 64 * 1024 * 1024,
  /** The top-level header block; larger is hostile or broken (headers only, scanned cheaply). */
  maxHeaderBytes: 256 * 1024,
  /** MIME parts per message (mailparser's `maxChildNodes`). */
  maxMimeParts: 1000,
  /** `multipart/` declarations per message: bounds the nesting depth mailparser sees. */
  maxMultiparts: 100,
  /** HTML longer than this is not converted by html-to-text; its tags are stripped instead. */
  maxHtmlChars: 2 * 1024 * 1024,
  /** One header field's value, in characters, when headers are scanned without mailparser. */
  maxFieldChars: 64 * 1024,
  /** Attachment file names kept per message. */
  maxAttachmentNames: 1000,
} as const;

/** How completely a message was indexed. */
export type DocStatus = 'full' | 'limited' | 'headers';

/** The indexable content of one item, as a parse worker returns it. */
export interface SearchDocument {
  itemId: number;
  subject: string;
  body: string;
  /** Attachment file names, one per line. */
  attachments: string;
  fromText: string;
  toText: string;
  ccText: string;
  bccText: string;
  /** Address tokens (see schema.ts), space-separated, for the address index. */
  fromAddr: string;
  toAddr: string;
  ccAddr: string;
  bccAddr: string;
  messageId: string | null;
  hasAttachment: boolean;
  status: DocStatus;
  /** Why `status` is not 'full'. */
  reason?: string;
}

/** The address headers of a message, parsed. */
export interface AddressFields {
  from: EmailAddress[];
  to: EmailAddress[];
  cc: EmailAddress[];
  bcc: EmailAddress[];
}

/** Flatten groups (`Team: a@x, b@x;`) into their members. */
export function flattenAddresses(list: EmailAddress[]): EmailAddress[] {
  const out: EmailAddress[] = [];
  for (const a of list) {
    if (a.group) {
      out.push(...flattenAddresses(a.group));
    } else {
      out.push(a);
    }
  }
  return out;
}

/** 'Name <address>, address, ...': the text the word indexes see for an address header. */
export function formatAddresses(list: EmailAddress[]): string {
  return list
    .map((a) => {
      const addr = a.address ?? '';
      if (a.name && addr) {
        return `${a.name} <${addr}>`;
      }
      return a.name || addr;
    })
    .filter((s) => s !== '')
    .join(', ');
}

/**
 * The address tokens of a header: each address lower-cased, then its local part, `@domain`,
 * `domain` and the same for each parent domain down to two labels
 * (`a@mail.enron.com` → `a@mail.enron.com a @mail.enron.com mail.enron.com @enron.com enron.com`).
 */
export function addressTokens(list: EmailAddress[]): string {
  const tokens = new Set<string>();
  for (const a of list) {
    const addr = (a.address ?? '').trim().toLowerCase();
    if (addr === '') {
      continue;
    }
    tokens.add(addr);
    const at = addr.lastIndexOf('@');
    if (at < 0) {
      continue;
    }
    if (at > 0) {
      tokens.add(addr.slice(0, at));
    }
    addDomainTokens(tokens, addr.slice(at + 1));
  }
  return [...tokens].join(' ');
}

/** `@domain` and `domain` for the domain and each parent domain of two labels or more. */
function addDomainTokens(tokens: Set<string>, domain: string): void {
  if (domain.startsWith('.') || domain.endsWith('.') || domain.includes('..')) {
    // empty labels: drop them first (the rare case, kept apart from the common one below)
    const labels = domain.split('.').filter((l) => l !== '');
    for (let i = 0; i === 0 || i <= labels.length - 2; i++) {
      const d = labels.slice(i).join('.');
      if (d !== '') {
        tokens.add(`@${d}`);
        tokens.add(d);
      }
    }
    return;
  }
  if (domain === '') {
    return;
  }
  tokens.add(`@${domain}`);
  tokens.add(domain);
  // each parent: what follows a dot, while another dot follows (two labels at least)
  for (let dot = domain.indexOf('.'); dot >= 0 && domain.indexOf('.', dot + 1) >= 0;) {
    const parent = domain.slice(dot + 1);
    tokens.add(`@${parent}`);
    tokens.add(parent);
    dot = domain.indexOf('.', dot + 1);
  }
}

function asList(v: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (!v) {
    return [];
  }
  return flattenAddresses((Array.isArray(v) ? v : [v]).flatMap((o) => o.value));
}

/** Message-ID without angle brackets, or null. */
export function normaliseMessageId(v: string | undefined): string | null {
  const s = (v ?? '').trim().replace(/^<+/, '').replace(/>+$/, '').trim();
  return s === '' ? null : s;
}

/** The document of a message whose headers only could be read. */
export function headerDocument(
  itemId: number,
  subject: string,
  addresses: AddressFields,
  messageId: string | null,
  reason: string,
): SearchDocument {
  return {
    itemId,
    subject,
    body: '',
    attachments: '',
    ...addressColumns(addresses),
    messageId,
    hasAttachment: false,
    status: 'headers',
    reason,
  };
}

/**
 * The document of a one-part text/plain message decoded without mailparser (parse.ts): the
 * same fields mailparser would give, body capped at LIMITS.maxBodyChars.
 */
export function plainTextDocument(
  itemId: number,
  subject: string,
  addresses: AddressFields,
  messageId: string | null,
  text: string,
): SearchDocument {
  const doc: SearchDocument = {
    itemId,
    subject,
    body: text.length > LIMITS.maxBodyChars ? text.slice(0, LIMITS.maxBodyChars) : text,
    attachments: '',
    ...addressColumns(addresses),
    messageId,
    hasAttachment: false,
    status: 'full',
  };
  if (text.length > LIMITS.maxBodyChars) {
    doc.status = 'limited';
    doc.reason = `body text truncated at ${LIMITS.maxBodyChars} characters`;
  }
  return doc;
}

function addressColumns(
  a: AddressFields,
): Pick<
  SearchDocument,
  'fromText' | 'toText' | 'ccText' | 'bccText' | 'fromAddr' | 'toAddr' | 'ccAddr' | 'bccAddr'
> {
  return {
    fromText: formatAddresses(a.from),
    toText: formatAddresses(a.to),
    ccText: formatAddresses(a.cc),
    bccText: formatAddresses(a.bcc),
    fromAddr: addressTokens(a.from),
    toAddr: addressTokens(a.to),
    ccAddr: addressTokens(a.cc),
    bccAddr: addressTokens(a.bcc),
  };
}

/** Crude tag stripping for HTML that html-to-text was not allowed to convert. */
export function stripTags(html: string): string {
  return html
    .slice(0, LIMITS.maxBodyChars * 4)
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&(amp|lt|gt|quot|#39);/gi, ' ');
}

/** Turn mailparser's result into a document. */
export function parsedDocument(itemId: number, mail: ParsedMail): SearchDocument {
  const reasons: string[] = [];
  let body = mail.text ?? '';
  if (mail.textConversionError && typeof mail.html === 'string') {
    body = `${body}\n${stripTags(mail.html)}`;
    reasons.push(`HTML not converted (${mail.textConversionError.message}), tags stripped`);
  }
  if (body.length > LIMITS.maxBodyChars) {
    body = body.slice(0, LIMITS.maxBodyChars);
    reasons.push(`body text truncated at ${LIMITS.maxBodyChars} characters`);
  }
  const real = mail.attachments.filter((a) => !a.related);
  const names = mail.attachments
    .map((a) => a.filename ?? '')
    .filter((n) => n !== '')
    .slice(0, LIMITS.maxAttachmentNames);
  const doc: SearchDocument = {
    itemId,
    subject: mail.subject ?? '',
    body,
    attachments: names.join('\n'),
    ...addressColumns({
      from: asList(mail.from),
      to: asList(mail.to),
      cc: asList(mail.cc),
      bcc: asList(mail.bcc),
    }),
    messageId: normaliseMessageId(mail.messageId),
    hasAttachment: real.length > 0,
    status: reasons.length > 0 ? 'limited' : 'full',
  };
  if (reasons.length > 0) {
    doc.reason = reasons.join('; ');
  }
  return doc;
}
