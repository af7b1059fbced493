/**
 * A streaming mbox splitter: feed it chunks, it hands back whole messages. Memory is bounded
 * by one message (at most maxBytes) plus one chunk plus one 4 KiB partial line — never by the
 * file, so a 2 GB mbox streams in constant space.
 *
 * Separator rule (mbox(5); RFC 4155 describes the format and its many variants):
 * - at the start of the file (after an optional UTF-8 BOM) or after an empty line, a line
 *   `From <sender>` (one word: `From -`, `From MAILER-DAEMON`) or `From <sender> <date>`;
 * - after a non-empty line (writers that omit the blank line, Solaris Content-Length
 *   files) only a full `From <sender> <date>` line, or Mozilla's `From - ` marker.
 * A `From ` line matching neither (`From Russia with love`, unquoted prose in an mboxo body)
 * stays message text. `<date>` is asctime (`Thu Apr 14 11:06:56 2016`, optional zone) or
 * RFC 5322 style (`14 Apr 2016 11:06:56 +0200`). `Content-Length:` headers are ignored.
 *
 * Quoting is undone line by line: mboxrd removes one '>' from /^>+From /, mboxo from
 * /^>From /. A message's bytes are the lines between its From_ line and the next one, with
 * exactly one trailing '\n' removed when they end in '\n\n' (the separator blank line a
 * writer adds; '\r\n\n' included). Line endings, CRLF or LF, are kept exactly.
 */

import { isEnvelopeLine, parseEnvelopeDate } from './mbox-envelope.js';

/** What the splitter hands back. `offset` is the byte offset of the From_ line (or 0). */
export type MboxPiece =
  | { kind: 'message'; offset: number; bytes: Buffer; envelopeMs?: number }
  | { kind: 'too-large'; offset: number; size: number }
  /** Bytes before the first From_ line: a bare message, or garbage. Not trimmed. */
  | { kind: 'leading'; offset: number; bytes?: Buffer; size: number };

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const F = 0x46;
const NL_F = Buffer.from('\nF');
const NL_GT = Buffer.from('\n>');
/** Longest line kept whole across chunks; a From_ line is far shorter. */
const CARRY_MAX = 4096;

interface Current {
  offset: number;
  leading: boolean;
  parts: Buffer[];
  size: number;
  tooBig: boolean;
  envelopeMs: number | undefined;
}

/** Splits an mbox byte stream into messages; see the module comment for the rules. */
export class MboxSplitter {
  private carry: Buffer | undefined;
  private base = 0; // file offset of the next chunk's first byte
  private atLineStart = true;
  /** The last 3 bytes scanned; the start of the file counts as "after an empty line". */
  private tail: (number | undefined)[] = [LF, LF, LF];
  private started = false;
  private cur: Current = {
    offset: 0,
    leading: true,
    parts: [],
    size: 0,
    tooBig: false,
    envelopeMs: undefined,
  };
  private out: MboxPiece[] = [];

  constructor(
    private readonly quoting: 'mboxrd' | 'mboxo',
    private readonly maxBytes: number,
  ) {}

  /** Feed the next chunk; returns the pieces it completed. */
  push(chunk: Buffer): MboxPiece[] {
    const base = this.base;
    this.base += chunk.length;
    const carry = this.carry;
    if (carry === undefined) {
      this.scan(chunk, base, false);
      return this.out.splice(0);
    }
    // Only the carried partial line is copied, with the start of this chunk that ends it.
    this.carry = undefined;
    const carryBase = base - carry.length;
    const nl = chunk.indexOf(LF);
    if (nl === -1) {
      this.scan(Buffer.concat([carry, chunk]), carryBase, false);
    } else {
      this.scan(Buffer.concat([carry, chunk.subarray(0, nl + 1)]), carryBase, false);
      this.scan(chunk.subarray(nl + 1), base + nl + 1, false);
    }
    return this.out.splice(0);
  }

  /** End of input: returns the last pieces. */
  end(): MboxPiece[] {
    const carry = this.carry;
    if (carry !== undefined) {
      this.carry = undefined;
      this.scan(carry, this.base - carry.length, true);
    }
    this.finish();
    return this.out.splice(0);
  }

  /** Byte at `i` of the buffer being scanned, or of the bytes scanned before it (i < 0). */
  private byteAt(buf: Buffer, i: number): number | undefined {
    return i >= 0 ? buf[i] : this.tail[3 + i];
  }

  /**
   * Scan one buffer. Only lines that start with 'F' or '>' matter, so instead of walking every
   * line it jumps between "\nF" and "\n>" (native indexOf); whether the line before a
   * candidate was empty is read from the bytes just before it.
   */
  private scan(buf: Buffer, bufBase: number, final: boolean): void {
    const len = buf.length;
    let pos = 0;
    let firstLine = -1;
    if (!this.started && len >= 3) {
      this.started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        pos = 3; // UTF-8 BOM before the first From_ line (seen in MimeKit's test data)
        firstLine = 3;
      }
    }
    let from = pos; // start of the content not yet added to the current message
    let nextF = -2;
    let nextGt = -2;
    /** The next line start after `at` whose first byte is 'F' or '>', or -1. */
    const nextCandidate = (at: number): number => {
      if (nextF !== -1 && nextF < at) {
        nextF = buf.indexOf(NL_F, at);
      }
      if (nextGt !== -1 && nextGt < at) {
        nextGt = buf.indexOf(NL_GT, at);
      }
      const next = nextF === -1 ? nextGt : nextGt === -1 ? nextF : Math.min(nextF, nextGt);
      return next === -1 ? -1 : next + 1;
    };
    let lineStart = this.atLineStart ? pos : nextCandidate(pos);
    let carried = false;
    while (lineStart !== -1 && lineStart < len) {
      pos = lineStart;
      const c = buf[pos];
      if (c === F || c === GT) {
        const nl = buf.indexOf(LF, pos);
        if (nl === -1 && !final && len - pos < CARRY_MAX) {
          this.carry = buf.subarray(pos);
          carried = true;
          break;
        }
        const end = nl === -1 ? len : nl + 1;
        const b2 = this.byteAt(buf, pos - 2);
        const prevEmpty = pos === firstLine || b2 === LF || (b2 === CR && this.byteAt(buf, pos - 3) === LF);
        if (c === F && this.isSeparator(buf, pos, end, prevEmpty)) {
          this.add(buf.subarray(from, pos));
          this.finish();
          this.cur = {
            offset: bufBase + pos,
            leading: false,
            parts: [],
            size: 0,
            tooBig: false,
            envelopeMs: this.envelopeMs,
          };
          from = end;
        } else if (c === GT && this.isQuotedFrom(buf, pos, end)) {
          this.add(buf.subarray(from, pos));
          from = pos + 1; // drop one '>'
        }
      }
      lineStart = nextCandidate(pos);
    }
    const scanned = carried ? len - (this.carry?.length ?? 0) : len;
    this.add(buf.subarray(from, scanned));
    if (scanned > 0) {
      this.atLineStart = buf[scanned - 1] === LF;
      this.tail = [
        this.byteAt(buf, scanned - 3),
        this.byteAt(buf, scanned - 2),
        this.byteAt(buf, scanned - 1),
      ];
    }
  }

  private envelopeMs: number | undefined;

  private isSeparator(buf: Buffer, pos: number, end: number, prevEmpty: boolean): boolean {
    const line = buf.toString('latin1', pos, Math.min(end, pos + CARRY_MAX)).replace(/\r?\n$/, '');
    if (!isEnvelopeLine(line, prevEmpty)) {
      return false;
    }
    this.envelopeMs = parseEnvelopeDate(line.slice(5));
    return true;
  }

  private isQuotedFrom(buf: Buffer, pos: number, end: number): boolean {
    let i = pos;
    while (i < end && buf[i] === GT) {
      i++;
    }
    if (this.quoting === 'mboxo' && i !== pos + 1) {
      return false;
    }
    return (
      end - i >= 5 &&
      buf[i] === F &&
      buf[i + 1] === 0x72 &&
      buf[i + 2] === 0x6f &&
      buf[i + 3] === 0x6d &&
      buf[i + 4] === 0x20
    ); // 'From
  }

  private add(part: Buffer): void {
    if (part.length === 0) {
      return;
    }
    const cur = this.cur;
    cur.size += part.length;
    if (cur.tooBig || cur.size > this.maxBytes) {
      cur.tooBig = true;
      cur.parts = [];
      return;
    }
    cur.parts.push(part);
  }

  /** Offset of the message being accumulated (its From_ line), if one has started. */
  pendingOffset(): number | undefined {
    return this.cur.leading && this.cur.size === 0 ? undefined : this.cur.offset;
  }

  private finish(): void {
    const cur = this.cur;
    if (cur.leading) {
      if (cur.size > 0) {
        const bytes = cur.tooBig ? undefined : Buffer.concat(cur.parts, cur.size);
        this.out.push({ kind: 'leading', offset: cur.offset, size: cur.size, ...(bytes ? { bytes } : {}) });
      }
      return;
    }
    if (cur.tooBig) {
      this.out.push({ kind: 'too-large', offset: cur.offset, size: cur.size });
      return;
    }
    let bytes = Buffer.concat(cur.parts, cur.size); // a copy: never pins a read chunk
    if (bytes.length >= 2 && bytes[bytes.length - 1] === LF && bytes[bytes.length - 2] === LF) {
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    this.out.push({
      kind: 'message',
      offset: cur.offset,
      bytes,
      ...(cur.envelopeMs !== undefined ? { envelopeMs: cur.envelopeMs } : {}),
    });
  }
}
