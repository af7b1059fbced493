/**
 * Helpers shared by the readers: fs error reasons, folder roles, the "is this plausibly
 * RFC 5322" test and a deterministic name order. (No zod here: the PST worker imports this.)
 */
import type { FolderRole } from './types.js';

/** The errno code of a Node fs error, if any. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return undefined;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file (dangling symbolic link, or removed while reading)',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
};

/** A short human reason for an fs error: "permission denied (EACCES)". */
export function describeFsError(err: unknown): string {
  const code = errnoCode(err);
  const text = code === undefined ? undefined : ERRNO_TEXT[code];
  if (code !== undefined && text !== undefined) {
    return `${text} (${code})`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Human size for problem reasons: exact bytes, since reports are read by admins. */
export function tooLargeReason(size: number, max: number): string {
  return `message of ${size} bytes is larger than maxMessageBytes (${max})`;
}

// RFC 6154 special-use names and the names Exchange, Outlook, Thunderbird, Gmail exports and
// the Enron dump use. Keys are normalised by `roleKey`.
const ROLE_NAMES: Record<string, FolderRole> = {
  inbox: 'inbox',
  sent: 'sent',
  'sent items': 'sent',
  'sent mail': 'sent',
  'sent messages': 'sent',
  drafts: 'drafts',
  draft: 'drafts',
  'deleted items': 'deleted',
  'deleted messages': 'deleted',
  deleted: 'deleted',
  trash: 'deleted',
  bin: 'deleted',
  junk: 'junk',
  'junk e mail': 'junk',
  'junk email': 'junk',
  'junk mail': 'junk',
  spam: 'junk',
  'bulk mail': 'junk',
  archive: 'archive',
  archives: 'archive',
  'recoverable items': 'recoverable',
};

function roleKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[_\-\s]+/g, ' ')
    .trim();
}

/**
 * Guess the special-use role of a folder from its name. Only a top-level folder
 * (`'Sent Items'`, `'_sent_mail'`, `'Junk E-mail'`, `'Trash'`) gets a role: `'inbox/genie'`
 * or `'lokay-m/Sent Items'` are ordinary folders, so a mailbox has one folder per role.
 * The exception is Exchange's dumpster: every folder under a top-level `'Recoverable Items'`
 * (`Deletions`, `Purges`, `Versions`) is `'recoverable'`. Case, `_`, `-` and spaces are ignored.
 */
export function guessFolderRole(path: string): FolderRole | undefined {
  const segments = path.split('/').filter((s) => s.length > 0);
  const top = segments[0];
  if (top === undefined) {
    return undefined;
  }
  const role = ROLE_NAMES[roleKey(top)];
  if (segments.length === 1 || role === 'recoverable') {
    return role;
  }
  return undefined;
}

/** True when a folder path has a `Recoverable Items` segment at any depth (Exchange dumpster). */
export function isRecoverablePath(path: string): boolean {
  return path.split('/').some((s) => roleKey(s) === 'recoverable items');
}

const HEADER_SCAN_BYTES = 256 * 1024;
const FIRST_LINE_SCAN_BYTES = 1024;
const LF_LF = Buffer.from('\n\n');
const LF_CRLF = Buffer.from('\n\r\n');
const CR_CR = Buffer.from('\r\r');
// A header field line (RFC 5322 §2.2: printable ASCII except ':' before the colon; §4.5.1
// obsolete syntax allows white space before it). latin1 maps bytes 1:1, and `m` makes `^`
// match after CR as well as LF, so CR-only (old Mac) files pass too.
const HEADER_FIELD_RE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/m;

/** Does the line at `start` open with `name:` (the common case, checked without a string)? */
function startsWithField(bytes: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = bytes[i] ?? 0;
    if (c < 0x21 || c > 0x7e || c === 0x3a) {
      break;
    }
    i++;
  }
  while (i > start && i < end && (bytes[i] === 0x20 || bytes[i] === 0x09)) {
    i++;
  }
  return i > start && i < end && bytes[i] === 0x3a;
}

/** Offset of the first empty line (the end of the header block) within `limit` bytes. */
function headerEnd(bytes: Buffer, limit: number): number {
  if (bytes[0] === 0x0a || (bytes[0] === 0x0d && (bytes[1] === 0x0a || bytes[1] === 0x0d))) {
    return 0;
  }
  const window = bytes.subarray(0, limit);
  let end = limit;
  for (const blank of [LF_LF, LF_CRLF]) {
    const i = window.indexOf(blank);
    if (i !== -1 && i < end) {
      end = i;
    }
  }
  if (end === limit && !window.includes(0x0a)) {
    const i = window.indexOf(CR_CR); // CR-only line endings
    end = i === -1 ? limit : i;
  }
  return end;
}

/**
 * Why `bytes` is not plausibly an RFC 5322 message, or undefined when it is: it needs at
 * least one `Name: value` field line before the first empty line, and no NUL byte in its
 * first line (binary files have them early; a stray NUL later in a real header — seen in
 * bounces — does not disqualify it). A leading UTF-8 BOM is tolerated.
 */
export function notRfc5322Reason(bytes: Buffer): string | undefined {
  if (bytes.length === 0) {
    return 'empty (0 bytes)';
  }
  const end = headerEnd(bytes, Math.min(bytes.length, HEADER_SCAN_BYTES));
  const head = bytes.subarray(0, end);
  const firstLine = head.subarray(0, Math.min(FIRST_LINE_SCAN_BYTES, end));
  const lf = firstLine.indexOf(0x0a);
  if ((lf === -1 ? firstLine : firstLine.subarray(0, lf)).includes(0)) {
    return 'not an RFC 5322 message: NUL byte in the first line (a binary file)';
  }
  if (!startsWithField(head, 0, end) && !HEADER_FIELD_RE.test(head.toString('latin1'))) {
    return 'not an RFC 5322 message: no header field line before the first empty line';
  }
  return undefined;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/**
 * Deterministic "natural" order for names: `2.` before `10.`, then plain code-unit order as
 * the tie-break, so the order never depends on the file system or the locale.
 */
export function compareNames(a: string, b: string): number {
  const c = collator.compare(a, b);
  if (c !== 0) {
    return c;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Base name without its extension: 'lists/foo.mbox' → 'foo', 'Outlook.pst' → 'Outlook'. */
export function stripExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
