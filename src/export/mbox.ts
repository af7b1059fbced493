/**
 * mboxrd framing (RFC 4155 and the mboxrd convention): a `From ` separator line before each
 * message, every line matching /^>*From / quoted with one more '>', and one empty line after.
 * The message bytes are otherwise left exactly as they are (CRLF stays CRLF).
 */

const LF = 0x0a;
const GT = 0x3e;
const FROM_ = Buffer.from('From ', 'latin1');
const ONE_GT = Buffer.from('>', 'latin1');
const NL = Buffer.from('\n', 'latin1');
const NL_NL = Buffer.from('\n\n', 'latin1');

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** C asctime() form in UTC, as in `From ` lines: `Thu Jan  1 00:00:00 1970`. */
export function asctime(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${date.getUTCFullYear()}`
  );
}

/**
 * The envelope sender for a `From ` line: the addr-spec of a `From:` value (`Name <a@b>` or
 * a bare `a@b`), or MAILER-DAEMON when there is none usable (it must be one printable
 * ASCII word, or the separator line could not be parsed back).
 */
export function envelopeSender(from: string): string {
  const angle = /<([^<>]*)>/u.exec(from);
  const candidate = (angle ? angle[1] : from)?.trim() ?? '';
  return /^[\x21-\x7e]+@[\x21-\x7e]+$/u.test(candidate) ? candidate : 'MAILER-DAEMON';
}

/** The separator line: `From <sender> <asctime date>\n`; a missing or invalid date is the epoch. */
export function mboxFromLine(from: string, date: Date | undefined): Buffer {
  const when = date !== undefined && !Number.isNaN(date.getTime()) ? date : new Date(0);
  return Buffer.from(`From ${envelopeSender(from)} ${asctime(when)}\n`, 'latin1');
}

function isFromLine(bytes: Buffer, lineStart: number): boolean {
  let i = lineStart;
  while (bytes[i] === GT) {
    i++;
  }
  return bytes.length - i >= FROM_.length && bytes.compare(FROM_, 0, FROM_.length, i, i + FROM_.length) === 0;
}

/**
 * One message framed as mboxrd: separator line, the bytes with each /^>*From / line quoted
 * by one more '>', a '\n' if the bytes do not end with one, and the empty line that ends the
 * entry. A reader that undoes the quoting and drops that last '\n' gets the bytes back
 * exactly (plus a final '\n' where the original had none: mbox cannot say otherwise).
 */
export function mboxrdEntry(bytes: Buffer, from: string, date: Date | undefined): Buffer {
  const parts: Buffer[] = [mboxFromLine(from, date)];
  let copied = 0;
  let lineStart = 0;
  while (lineStart < bytes.length) {
    if (isFromLine(bytes, lineStart)) {
      parts.push(bytes.subarray(copied, lineStart), ONE_GT);
      copied = lineStart;
    }
    const nl = bytes.indexOf(LF, lineStart);
    if (nl === -1) {
      break;
    }
    lineStart = nl + 1;
  }
  parts.push(bytes.subarray(copied));
  parts.push(bytes.length > 0 && bytes[bytes.length - 1] === LF ? NL : NL_NL);
  return Buffer.concat(parts);
}
