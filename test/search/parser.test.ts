import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../src/errors.js';
import { parseQuery, type QueryAst } from '../../src/search/index.js';

const DAY = 86_400_000;
const day = (iso: string): { kind: 'absolute'; start: number; end: number } => {
  const start = Date.parse(`${iso}T00:00:00Z`);
  return { kind: 'absolute', start, end: start + DAY };
};
const word = (value: string, start: number, field = 'any'): QueryAst =>
  ({ type: 'text', field, match: 'word', value, span: { start, end: start + value.length } }) as QueryAst;

const VALID: [string, QueryAst][] = [
  ['from:alice', { type: 'text', field: 'from', match: 'word', value: 'alice', span: { start: 0, end: 10 } }],
  [
    'subject:"budget 2001"',
    { type: 'text', field: 'subject', match: 'phrase', value: 'budget 2001', span: { start: 0, end: 21 } },
  ],
  ['budg*', { type: 'text', field: 'any', match: 'prefix', value: 'budg', span: { start: 0, end: 5 } }],
  [
    '"risk management"',
    { type: 'text', field: 'any', match: 'phrase', value: 'risk management', span: { start: 0, end: 17 } },
  ],
  ['a b', { type: 'and', items: [word('a', 0), word('b', 2)], span: { start: 0, end: 3 } }],
  ['a AND b', { type: 'and', items: [word('a', 0), word('b', 6)], span: { start: 0, end: 7 } }],
  [
    'a OR b c',
    {
      type: 'or',
      items: [word('a', 0), { type: 'and', items: [word('b', 5), word('c', 7)], span: { start: 5, end: 8 } }],
      span: { start: 0, end: 8 },
    },
  ],
  [
    '(a OR b) c',
    {
      type: 'and',
      items: [{ type: 'or', items: [word('a', 1), word('b', 6)], span: { start: 1, end: 7 } }, word('c', 9)],
      span: { start: 1, end: 10 },
    },
  ],
  ['NOT a', { type: 'not', item: word('a', 4), span: { start: 0, end: 5 } }],
  ['-a', { type: 'not', item: word('a', 1), span: { start: 0, end: 2 } }],
  [
    '-from:x',
    {
      type: 'not',
      item: { type: 'text', field: 'from', match: 'word', value: 'x', span: { start: 1, end: 7 } },
      span: { start: 0, end: 7 },
    },
  ],
  [
    '-"a b"',
    {
      type: 'not',
      item: { type: 'text', field: 'any', match: 'phrase', value: 'a b', span: { start: 1, end: 6 } },
      span: { start: 0, end: 6 },
    },
  ],
  [
    'and or not',
    { type: 'and', items: [word('and', 0), word('or', 4), word('not', 7)], span: { start: 0, end: 10 } },
  ],
  ['-', word('-', 0)],
  [
    'from:"@enron.com"',
    { type: 'text', field: 'from', match: 'phrase', value: '@enron.com', span: { start: 0, end: 17 } },
  ],
  [
    'subject:(conference OR seminar)',
    {
      type: 'or',
      items: [word('conference', 9, 'subject'), word('seminar', 23, 'subject')],
      span: { start: 9, end: 30 },
    },
  ],
  [
    'received>=2001-03-01',
    { type: 'date', field: 'received', op: '>=', value: day('2001-03-01'), span: { start: 0, end: 20 } },
  ],
  [
    'sent:2001-03-01..2001-03-31',
    {
      type: 'dateRange',
      field: 'sent',
      from: day('2001-03-01'),
      to: day('2001-03-31'),
      span: { start: 0, end: 27 },
    },
  ],
  [
    'date:..2000-12-31',
    { type: 'dateRange', field: 'sent', from: null, to: day('2000-12-31'), span: { start: 0, end: 17 } },
  ],
  [
    'received:2001',
    {
      type: 'date',
      field: 'received',
      op: '=',
      value: { kind: 'absolute', start: Date.UTC(2001, 0, 1), end: Date.UTC(2002, 0, 1) },
      span: { start: 0, end: 13 },
    },
  ],
  [
    'sent<2001-03',
    {
      type: 'date',
      field: 'sent',
      op: '<',
      value: { kind: 'absolute', start: Date.UTC(2001, 2, 1), end: Date.UTC(2001, 3, 1) },
      span: { start: 0, end: 12 },
    },
  ],
  [
    'received>2001-03-01T10:00:00+02:00',
    {
      type: 'date',
      field: 'received',
      op: '>',
      value: { kind: 'absolute', start: Date.UTC(2001, 2, 1, 8), end: Date.UTC(2001, 2, 1, 8) + 1 },
      span: { start: 0, end: 34 },
    },
  ],
  [
    'received:last7days',
    {
      type: 'date',
      field: 'received',
      op: '=',
      value: { kind: 'relative', name: 'lastdays', days: 7 },
      span: { start: 0, end: 18 },
    },
  ],
  [
    'received:>=yesterday',
    {
      type: 'date',
      field: 'received',
      op: '>=',
      value: { kind: 'relative', name: 'yesterday' },
      span: { start: 0, end: 20 },
    },
  ],
  ['size>1MB', { type: 'size', op: '>', bytes: 1024 * 1024, span: { start: 0, end: 8 } }],
  ['size<=1.5kb', { type: 'size', op: '<=', bytes: 1536, span: { start: 0, end: 11 } }],
  ['size:1KB..2KB', { type: 'sizeRange', min: 1024, max: 2048, span: { start: 0, end: 13 } }],
  ['hasattachment:true', { type: 'flag', flag: 'hasattachment', value: true, span: { start: 0, end: 18 } }],
  ['IsRead:False', { type: 'flag', flag: 'isread', value: false, span: { start: 0, end: 12 } }],
  ['isdeleted:yes', { type: 'flag', flag: 'isdeleted', value: true, span: { start: 0, end: 13 } }],
  ['folder:Inbox/Projects/', { type: 'folder', path: 'Inbox/Projects', span: { start: 0, end: 22 } }],
  ['folder:"Sent Items"', { type: 'folder', path: 'Sent Items', span: { start: 0, end: 19 } }],
  ['mailbox:beck-s', { type: 'mailbox', address: 'beck-s', span: { start: 0, end: 14 } }],
  ['10:30', word('10:30', 0)],
];

const INVALID: [string, number, RegExp][] = [
  ['', 0, /empty query/],
  ['"abc', 0, /unclosed quote/],
  ['foo "bar', 4, /unclosed quote/],
  ['subject:"weekly', 8, /unclosed quote/],
  ['foo AND', 4, /AND needs a term after it/],
  ['foo OR', 4, /OR needs a term after it/],
  ['OR foo', 0, /OR needs a term before it/],
  ['foo OR OR bar', 4, /OR needs a term after it/],
  ['foo AND )', 4, /AND needs a term after it/],
  ['NOT', 0, /NOT needs a term after it/],
  ['a NOT', 2, /NOT needs a term after it/],
  ['()', 0, /empty parentheses/],
  ['a ( )', 2, /empty parentheses/],
  ['(a', 0, /unclosed parenthesis/],
  ['a (b OR (c)', 2, /unclosed parenthesis/],
  ['a)', 1, /unmatched '\)'/],
  ['bogus:x', 0, /unknown property 'bogus'/],
  ['a foo:bar', 2, /unknown property 'foo'/],
  ['from>x', 4, /from takes ':'/],
  ['subject:', 8, /missing value/],
  ['received>=', 10, /missing value/],
  ['received>=2001-13-01', 10, /bad date '2001-13-01'/],
  ['sent:2001-01-01..2001-02-30', 17, /bad date '2001-02-30'/],
  ['received:lastXdays', 9, /bad date/],
  ['received:last0days', 9, /bad date/],
  ['received>2001-01-01..2001-02-01', 19, /range/],
  ['size>1XB', 6, /unknown size unit 'XB'/],
  ['size>abc', 5, /bad size/],
  ['size:1MB..2QB', 11, /unknown size unit 'QB'/],
  ['hasattachment:maybe', 14, /true or false/],
];

describe('parseQuery', () => {
  for (const [q, ast] of VALID) {
    it(`parses ${JSON.stringify(q)}`, () => {
      assert.deepEqual(parseQuery(q), ast);
    });
  }

  for (const [q, position, message] of INVALID) {
    it(`rejects ${JSON.stringify(q)} at position ${position}`, () => {
      assert.throws(
        () => parseQuery(q),
        (err: unknown) => {
          assert.ok(err instanceof AppError);
          assert.equal(err.code, 'QUERY_INVALID');
          assert.deepEqual(err.details, { position, query: q });
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});
