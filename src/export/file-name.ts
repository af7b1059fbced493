import type { ExportFormat } from './types.js';

/** Default cap of a file or folder name, in UTF-8 bytes: well under the 255 bytes of common file systems. */
export const DEFAULT_NAME_MAX_BYTES = 120;

// C0, DEL and C1 controls, line/paragraph separators, and the invisible format characters
// that can disguise a name (bidi overrides turn "exe.txt" into "txt.exe" on screen, zero-width
// characters make two names look alike).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/gu;
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;
// Path separators and the characters Windows refuses in a name.
const RESERVED = /[/\\:*?"<>|]/gu;
// Device names Windows treats specially whatever the extension (CON, NUL.txt, COM1.eml, ...).
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/iu;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Cut `s` to at most `maxBytes` UTF-8 bytes without splitting a grapheme (emoji, combining marks). */
function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) {
    return s;
  }
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(s)) {
    const n = Buffer.byteLength(segment);
    if (used + n > maxBytes) {
      break;
    }
    out += segment;
    used += n;
  }
  return out;
}

/**
 * Make `name` safe as one file or folder name on any common file system and in a zip entry:
 * NFC, no control or invisible format characters, no path separators or Windows-reserved
 * characters, no leading dots (no `..`, no hidden files), no trailing dots or spaces, no
 * Windows device names, at most `maxLength` UTF-8 bytes (cut between graphemes). Never empty.
 */
export function safeFileName(name: string, maxLength: number = DEFAULT_NAME_MAX_BYTES): string {
  const max = Math.max(1, Math.floor(maxLength));
  let s = name.normalize('NFC').replace(CONTROL, ' ').replace(INVISIBLE, '').replace(RESERVED, '_');
  s = s.replace(/\s+/gu, ' ').trim();
  s = s.replace(/^\.+/u, '_');
  if (WINDOWS_DEVICE.test(s)) {
    s = `_${s}`;
  }
  s = truncateUtf8(s, max).replace(/[. ]+$/u, '');
  return s === '' ? '_' : s;
}

const EXTENSION: Record<ExportFormat, string> = { eml: '.eml', mbox: '.mbox', zip: '.zip' };
const CONTENT_TYPE: Record<ExportFormat, string> = {
  eml: 'message/rfc822',
  mbox: 'application/mbox', // RFC 4155
  zip: 'application/zip',
};

/** RFC 8187 (was 5987) attr-chars: everything else in `filename*` is percent-encoded UTF-8. */
function encodeExtValue(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9!#$&+\-.^_`|~]/u.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * ASCII stand-in for clients that ignore `filename*`: accents dropped (NFKD), anything else
 * outside printable ASCII, and the characters a quoted-string or a careless decoder trips
 * over (`"`, `\`, `%`), become `_`.
 */
function asciiFallback(fileName: string, ext: string): string {
  const s = fileName
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]|["\\%]/gu, '_');
  const base = s.slice(0, s.length - ext.length);
  return /[A-Za-z0-9]/u.test(base) ? s : `export${ext}`;
}

/** What {@link downloadHeaders} returns, ready for `res.set(...)`. */
export interface DownloadHeaders {
  contentType: string;
  contentDisposition: string;
  /** The file name offered, Unicode, with its extension. */
  fileName: string;
}

/**
 * Content-Type and Content-Disposition for downloading an export (RFC 6266): `attachment`, an
 * ASCII `filename` fallback and, when the name is not plain ASCII, a UTF-8 `filename*` (RFC
 * 8187). The name is made safe with {@link safeFileName} and gets the format's extension.
 * Pass the same `mboxPerFolder` as to `writeExport`: a per-folder mbox export is a zip.
 */
export function downloadHeaders(
  format: ExportFormat,
  baseName: string,
  opts: { mboxPerFolder?: boolean } = {},
): DownloadHeaders {
  const kind: ExportFormat = format === 'mbox' && opts.mboxPerFolder === true ? 'zip' : format;
  const ext = EXTENSION[kind];
  const stem = baseName.toLowerCase().endsWith(ext) ? baseName.slice(0, -ext.length) : baseName;
  const fileName = safeFileName(stem, DEFAULT_NAME_MAX_BYTES) + ext;
  const ascii = asciiFallback(fileName, ext);
  const contentDisposition =
    ascii === fileName
      ? `attachment; filename="${ascii}"`
      : `attachment; filename="${ascii}"; filename*=UTF-8''${encodeExtValue(fileName)}`;
  return { contentType: CONTENT_TYPE[kind], contentDisposition, fileName };
}
