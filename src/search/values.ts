/**
 * Values of the date and size properties: `received>=2001-03-01`, `sent:2001-03..2001-05`,
 * `received:last7days`, `size>1.5MB`, `size:1KB..2KB`.
 */
import type { CompareOp, QueryAst, Span } from './ast.js';
import { parseDateValue, type DateValue } from './dates.js';
import { fail } from './lexer.js';

const SIZE = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/;
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

function dateValue(q: string, text: string, at: number): DateValue {
  const v = parseDateValue(text);
  if (!v) {
    fail(
      q,
      at,
      `bad date '${text}' (use YYYY, YYYY-MM, YYYY-MM-DD, an ISO time, today, yesterday, thisweek, lastweek, thismonth, lastmonth, thisyear, lastyear or lastNdays)`,
    );
  }
  return v;
}

/** A `received`/`sent` restriction: one date value, or a range `a..b` (either end may be open). */
export function dateTerm(
  q: string,
  field: 'received' | 'sent',
  op: CompareOp,
  text: string,
  at: number,
  span: Span,
): QueryAst {
  const dots = text.indexOf('..');
  if (dots < 0) {
    return { type: 'date', field, op, value: dateValue(q, text, at), span };
  }
  if (op !== '=') {
    fail(q, at + dots, "a range 'a..b' takes ':' before it");
  }
  const [a, b] = [text.slice(0, dots), text.slice(dots + 2)];
  if (a === '' && b === '') {
    fail(q, at, 'a range needs at least one end');
  }
  const from = a === '' ? null : dateValue(q, a, at);
  const to = b === '' ? null : dateValue(q, b, at + dots + 2);
  return { type: 'dateRange', field, from, to, span };
}

function bytes(q: string, text: string, at: number): number {
  const m = SIZE.exec(text);
  if (!m) {
    const bad = /^\d/.test(text) ? at + (/^\d+(?:\.\d+)?/.exec(text)?.[0].length ?? 0) : at;
    fail(q, bad, `bad size '${text}' (a number with an optional unit B, KB, MB or GB)`);
  }
  const unit = SIZE_UNITS[(m[2] as string).toLowerCase()];
  if (unit === undefined) {
    fail(q, at + (m[1] as string).length, `unknown size unit '${m[2]}' (use B, KB, MB or GB)`);
  }
  return Math.round(Number(m[1]) * unit);
}

/** A `size` restriction: bytes with an optional unit (B, KB, MB, GB: powers of 1024), or a range. */
export function sizeTerm(q: string, op: CompareOp, text: string, at: number, span: Span): QueryAst {
  const dots = text.indexOf('..');
  if (dots < 0) {
    return { type: 'size', op, bytes: bytes(q, text, at), span };
  }
  if (op !== '=') {
    fail(q, at + dots, "a range 'a..b' takes ':' before it");
  }
  const [a, b] = [text.slice(0, dots), text.slice(dots + 2)];
  if (a === '' && b === '') {
    fail(q, at, 'a range needs at least one end');
  }
  return {
    type: 'sizeRange',
    min: a === '' ? null : bytes(q, a, at),
    max: b === '' ? null : bytes(q, b, at + dots + 2),
    span,
  };
}
