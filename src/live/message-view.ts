/**
 * A message as a reader sees it: decoded headers, text, SAFE html and the attachment list.
 *
 * The html is untrusted input shown in our own origin, so it goes through sanitize-html with an
 * allow-list: no scripts, styles, frames, forms or event handlers, and no remote content — an
 * image keeps its `src` only for inline `data:`/`cid:` sources, so opening a message never
 * tells a sender that it was read (no tracking pixels).
 */
import libmime from 'libmime';
import { simpleParser } from 'mailparser';
import sanitizeHtml from 'sanitize-html';

export interface MessageHeader {
  name: string;
  value: string;
}

export interface AttachmentInfo {
  name: string | null;
  contentType: string;
  size: number;
}

export interface RenderedMessage {
  headers: MessageHeader[];
  text: string | null;
  /** Sanitised html, or null when the message has no html part. */
  html: string | null;
  attachments: AttachmentInfo[];
}

/** Header fields returned per message: more is hostile or broken. */
const MAX_HEADERS = 500;
/** Characters of one header value returned. */
const MAX_HEADER_CHARS = 16 * 1024;

export const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'style'),
    'img',
    'font',
    'center',
    'u',
    's',
  ],
  disallowedTagsMode: 'discard',
  allowedAttributes: {
    a: ['href', 'name', 'title', 'rel', 'target'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    font: ['color', 'size', 'face'],
    table: ['border', 'cellpadding', 'cellspacing', 'width', 'align'],
    td: ['colspan', 'rowspan', 'align', 'valign', 'width'],
    th: ['colspan', 'rowspan', 'align', 'valign', 'width'],
    '*': ['dir', 'lang', 'title'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  // remote images (http, https, protocol-relative) lose their src: no tracking, no mixed content
  allowedSchemesByTag: { img: ['data', 'cid'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'action', 'background', 'poster'],
  allowProtocolRelative: false,
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
  },
};

export function sanitizeMessageHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE_OPTIONS);
}

function decodeHeader(line: string): string {
  const value = line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]/g, ' ')
    .trim();
  try {
    return libmime.decodeWords(value).slice(0, MAX_HEADER_CHARS);
  } catch {
    // an undecodable encoded-word is shown as written
    return value.slice(0, MAX_HEADER_CHARS);
  }
}

/** Parse an RFC 5322 message (MIME per RFC 2045–2049) with mailparser and make it safe to show. */
export async function renderMessage(bytes: Buffer): Promise<RenderedMessage> {
  const parsed = await simpleParser(bytes, { skipTextToHtml: true, skipImageLinks: false });
  return {
    headers: parsed.headerLines.slice(0, MAX_HEADERS).map((h) => ({
      name: h.line.slice(0, Math.max(0, h.line.indexOf(':'))).trim() || h.key,
      value: decodeHeader(h.line),
    })),
    text: parsed.text ?? null,
    html: typeof parsed.html === 'string' ? sanitizeMessageHtml(parsed.html) : null,
    attachments: parsed.attachments.map((a) => ({
      name: a.filename ?? null,
      contentType: a.contentType,
      size: a.size,
    })),
  };
}
