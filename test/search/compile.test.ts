/**
 * The compiler never lets user text into SQL text or into FTS5 syntax: hostile queries are
 * searched literally (or rejected as QUERY_INVALID), never break the statement.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../../src/errors.js';
import { compileQuery, parseQuery, search } from '../../src/search/index.js';
import { indexedRsg, rawMessage, type IndexedRsg } from './helpers.js';

const NOW = Date.UTC(2002, 0, 1);

const mail = (id: string, subject: string, body: string) => ({
  mailbox: 'alice',
  folder: 'inbox',
  raw: rawMessage(
    {
      From: 'alice@example.org',
      To: 'bob@example.org',
      Subject: subject,
      'Message-ID': `<${id}@t>`,
      Date: 'Mon, 1 Oct 2001 10:00:00 +0000',
    },
    body,
  ),
});

const HOSTILE = [
  "'; DROP TABLE items; --",
  '"\'; DROP TABLE items; --"',
  "subject:'; DROP TABLE items; --",
  'from:"x\'); DELETE FROM items; --"',
  'NEAR(alpha beta, 2)',
  'NEAR',
  'alpha NEAR/2 beta',
  '^alpha',
  'alpha^',
  '*',
  '**',
  'alpha*beta',
  '"subject: alpha"',
  'subject:"body: alpha"',
  '{subject}: alpha',
  '{subject body} : alpha',
  'subject : alpha',
  '"a""b"',
  '"',
  'alpha + beta',
  'alpha:',
  'folder:%',
  'folder:"_"',
  'mailbox:%',
  'mailbox:_@%',
  'from:%@%',
  'from:"@"',
  'from:.',
  '\u0000',
  'alpha\u0000beta',
  '💣 alpha',
  'Ω≈ç√',
  '-',
  '- -',
  '--alpha',
  'AND',
  'OR OR',
  'NOT NOT alpha',
  '((((alpha))))',
  'alpha '.repeat(64),
  'alpha '.repeat(65),
  'alpha '.repeat(1000),
  '(alpha OR '.repeat(16) + 'beta' + ')'.repeat(16),
  '('.repeat(10_000),
  'body:"alpha beta" OR -subject:gamma* received>2001-01-01',
];

describe('compiling hostile queries', () => {
  let rsg: IndexedRsg;
  before(async () => {
    rsg = await indexedRsg(undefined, [
      mail('1', 'alpha beta', 'NEAR alpha beta gamma'),
      mail('2', 'DROP TABLE items', 'subject body alpha'),
      mail('3', 'percent', '100% sure; a_b'),
    ]);
  });
  after(() => rsg.cleanup());

  for (const q of HOSTILE) {
    it(`searches ${JSON.stringify(q.length > 60 ? `${q.slice(0, 60)}…` : q)} literally or rejects it cleanly`, () => {
      let ast;
      try {
        ast = parseQuery(q);
      } catch (e) {
        assert.ok(e instanceof AppError && e.code === 'QUERY_INVALID', String(e));
        return;
      }
      const c = compileQuery(ast, { now: NOW, limit: 10 });
      // no user text in the SQL: only our fixed SQL, table and column names, and placeholders
      for (const word of ['DROP', 'DELETE', 'NEAR', '%', 'alpha', '💣', '\u0000']) {
        if (q.includes(word)) {
          assert.ok(!c.sql.includes(word) && !c.count.sql.includes(word), `${word} in SQL`);
        }
      }
      assert.doesNotThrow(() => search(rsg.db, q, { now: NOW, all: true }));
      assert.equal(rsg.db.prepare('SELECT count(*) FROM items').pluck().get(), 3, 'items intact');
    });
  }

  const hits = (q: string): string[] =>
    search(rsg.db, q, { now: NOW, all: true })
      .hits.map((h) => h.messageId ?? '')
      .sort();

  it('treats FTS5 operators and column filters inside quotes as words', () => {
    assert.deepEqual(hits('"NEAR alpha"'), ['1@t']);
    assert.deepEqual(hits('"subject body"'), ['2@t']);
    assert.deepEqual(hits('"subject: body alpha"'), ['2@t']);
    assert.deepEqual(hits("'; DROP TABLE items; --"), ['2@t']);
  });

  it('ignores punctuation-only terms (as Xapian does) and keeps LIKE wildcards literal', () => {
    assert.deepEqual(hits('*'), ['1@t', '2@t', '3@t']);
    assert.deepEqual(hits('alpha ^'), ['1@t', '2@t']);
    assert.deepEqual(hits('-^'), []);
    assert.deepEqual(hits('folder:%'), []);
    assert.deepEqual(hits('mailbox:%'), []);
    assert.deepEqual(hits('a_b'), ['3@t']);
    assert.deepEqual(hits('"100% sure"'), ['3@t']);
  });

  it('passes every FTS5 expression as a bound parameter made of FTS5 string literals', () => {
    const c = compileQuery(parseQuery('subject:"x OR y" body:z* -NEAR'), { now: NOW });
    assert.ok(
      c.params.includes(
        '(({subject} : "x OR y") AND ({body} : "z"*)) NOT ({subject body attachments from_text to_text cc_text bcc_text} : ',
      ),
    );
    assert.ok(
      c.params.includes('near'),
      'a free word and its stem are parameters of the word-forms subquery',
    );
    assert.ok(!c.sql.includes('OR y') && !c.sql.includes('near'));
  });

  it('bounds the size of a query', () => {
    for (const [q, position] of [
      ['alpha '.repeat(65), 384],
      ['x'.repeat(3000), 2048],
      ['('.repeat(17) + 'a' + ')'.repeat(17), 16],
    ] as const) {
      assert.throws(
        () => parseQuery(q),
        (e: unknown) => e instanceof AppError && e.details.position === position,
      );
    }
  });
});

describe('a page of a query ranked by relevance', () => {
  // twelve messages that score the same (same words, same length), dated in turn, and four
  // that score better or worse: pages cut through the ties, where only the date orders them
  let rsg: IndexedRsg;
  const tied = Array.from({ length: 12 }, (_, i) => ({
    ...mail(`tie${i}`, 'quarterly figures', 'the quarterly figures are attached'),
    raw: rawMessage(
      {
        From: 'alice@example.org',
        To: 'bob@example.org',
        Subject: 'quarterly figures',
        'Message-ID': `<tie${i}@t>`,
        Date: `Mon, ${1 + (i % 6)} Oct 2001 10:00:00 +0000`,
      },
      'the quarterly figures are attached',
    ),
  }));
  before(async () => {
    rsg = await indexedRsg(undefined, [
      ...tied,
      mail('best', 'quarterly quarterly', 'quarterly'),
      mail('worse1', 'other', 'quarterly figures and a long body of many other words to dilute them'),
      mail('worse2', 'other', 'quarterly, once, in a longer body still of many more other words'),
      mail('none', 'other', 'nothing here'),
    ]);
  });
  after(() => rsg.cleanup());

  for (const limit of [1, 2, 5, 12, 13, 20]) {
    it(`pages of ${limit} through ties give every hit once, in the order of the whole list`, () => {
      const all = search(rsg.db, 'quarterly', { now: NOW, all: true });
      assert.equal(all.total, 15);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = search(rsg.db, 'quarterly', { now: NOW, limit, cursor });
        assert.equal(page.total, 15);
        assert.ok(page.hits.length <= limit);
        seen.push(...page.hits.map((h) => h.messageId ?? ''));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(
        seen,
        all.hits.map((h) => h.messageId),
      );
      assert.equal(seen[0], 'best@t');
    });
  }

  it('scores and counts without joining every hit to its item (the page only)', () => {
    const c = compileQuery(parseQuery('quarterly'), { now: NOW, limit: 51 });
    assert.match(c.sql, /WITH scored AS MATERIALIZED \(\s*SELECT search_text\.rowid/);
    assert.doesNotMatch(c.count.sql, /JOIN items/);
    // a filter on the items' columns keeps the join where the hits are found
    const f = compileQuery(parseQuery('quarterly sent>=2001-10-01'), { now: NOW, limit: 51 });
    assert.match(f.sql, /WITH hits AS MATERIALIZED/);
  });
});
