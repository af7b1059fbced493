/**
 * Message factories: valid RFC 5322 bytes with every field defaulted. Kept apart from the other
 * helpers (which load the whole CLI) so that child processes can import them cheaply.
 */

/** 2026-01-05T09:00:00Z: the start of every manual clock unless a test says otherwise. */
export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

export interface MessageSpec {
  subject?: string;
  messageId?: string | null;
  from?: string;
  to?: string;
  date?: Date;
  body?: string | Buffer;
  /** Per-delivery trace fields put first (`Received: …`, `Delivered-To: …`), one per entry. */
  trace?: readonly string[];
  /** More header fields after the standard ones. */
  headers?: readonly string[];
  /** Line ending of the header section (the body is used as given). */
  eol?: '\r\n' | '\n';
}

let messageSeq = 0;

/**
 * A valid RFC 5322 message. Every field has a default; `messageId: null` leaves the field out.
 * The default Message-ID is unique per call, so two calls make two different messages.
 */
export function aMessage(spec: MessageSpec = {}): Buffer {
  const eol = spec.eol ?? '\r\n';
  messageSeq += 1;
  const messageId =
    spec.messageId === undefined ? `<m${messageSeq}.${process.pid}@test.example>` : spec.messageId;
  const lines = [
    ...(spec.trace ?? []),
    `From: ${spec.from ?? 'Alice Example <alice@example.com>'}`,
    `To: ${spec.to ?? 'Bob Example <bob@example.com>'}`,
    `Subject: ${spec.subject ?? 'A test message'}`,
    `Date: ${(spec.date ?? new Date(T0)).toUTCString().replace('GMT', '+0000')}`,
    ...(messageId === null ? [] : [`Message-ID: ${messageId}`]),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(spec.headers ?? []),
  ];
  const body = spec.body ?? `Hello,${eol}${eol}this is a test message.${eol}`;
  return Buffer.concat([Buffer.from(lines.join(eol) + eol + eol, 'utf8'), Buffer.from(body)]);
}

/** A body of about `bytes` bytes of printable text in 76-character lines (a "large" message). */
export function aBody(bytes: number, seed = 'x'): string {
  const line = (seed.repeat(Math.ceil(74 / seed.length)).slice(0, 74) + '\r\n').padEnd(76, '.');
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

/** Trace fields as one MTA hop to one recipient would add them. */
export function traceFor(recipient: string, hop = 1): string[] {
  return [
    `Return-Path: <alice@example.com>`,
    `Delivered-To: ${recipient}`,
    `Received: from mx${hop}.example.com (mx${hop}.example.com [192.0.2.${hop}])\r\n\tby mail.example.org with ESMTPS id ${hop}${recipient.length}; Mon, 5 Jan 2026 09:00:0${hop % 10} +0000`,
  ];
}
