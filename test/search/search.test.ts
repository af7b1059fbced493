import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { AppError } from '../../src/errors.js';
import {
  attachmentNamesOf,
  buildSearchIndex,
  search,
  type Hit,
  type SearchOptions,
} from '../../src/search/index.js';
import { compileQuery } from '../../src/search/compile.js';
import { parseQuery } from '../../src/search/parser.js';
import { FIXTURE_DIR, indexedRsg, rawMessage, type ExtraItem, type IndexedRsg } from './helpers.js';

const NOW = Date.UTC(2002, 0, 15, 12);
const DAY = 86_400_000;

const ATTACHMENT_MAIL = rawMessage(
  {
    From: '"Alice Example" <alice@example.org>',
    To: 'bob@example.net',
    Cc: 'carol.cc@example.org',
    Bcc: 'dave.bcc@mail.example.org',
    Subject: 'Quarterly budget pack',
    'Message-ID': '<synthetic-attach@test>',
    Date: 'Fri, 15 Jun 2001 10:00:00 +0000',
    'MIME-Version': '1.0',
    'Content-Type': 'multipart/mixed; boundary="outer"',
  },
  [
    '--outer',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Please find the zebrafinance numbers attached.',
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Please find the <b>zebrafinance</b> numbers attached.</p>',
    '--alt--',
    '--outer',
    'Content-Type: application/vnd.ms-excel; name="budget-2001.xls"',
    'Content-Disposition: attachment; filename="budget-2001.xls"',
    'Content-Transfer-Encoding: base64',
    '',
    'AAECAwQ=',
    '--outer--',
    '',
  ].join('\n'),
);

const simple = (id: string, subject: string, body: string, extra: Record<string, string> = {}): Buffer =>
  rawMessage(
    {
      From: 'tester@example.org',
      To: 'someone@example.org',
      Subject: subject,
      'Message-ID': `<${id}@test>`,
      Date: 'Mon, 14 Jan 2002 09:00:00 +0000',
      ...extra,
    },
    body,
  );

const EXTRA: ExtraItem[] = [
  { mailbox: 'beck-s', folder: 'inbox/projects', raw: ATTACHMENT_MAIL, flags: '\\Seen \\Flagged' },
  {
    mailbox: 'watson-k',
    folder: 'inbox',
    raw: simple(
      'html-only',
      'Html only note',
      '<html><body><p>The <i>xylophonic</i> committee &amp; friends</p><script>var hiddenword = 1;</script></body></html>',
      { 'Content-Type': 'text/html; charset=utf-8' },
    ),
  },
  {
    mailbox: 'white-s',
    folder: 'inbox',
    raw: simple('dumpster', 'Deleted quokka memo', 'The quokka report.'),
    deletedMs: NOW - DAY,
  },
  { mailbox: 'white-s', folder: 'inbox', raw: simple('huge', 'Huge ledger', 'ledger '.repeat(200_000)) },
  {
    mailbox: 'ybarbo-p',
    folder: 'inbox',
    raw: simple('recent', 'Recent wombat', 'wombat'),
    internalMs: NOW - 2 * DAY,
  },
  {
    mailbox: 'ybarbo-p',
    folder: 'inbox',
    raw: simple('older', 'Older wombat', 'wombat'),
    internalMs: NOW - 30 * DAY,
  },
  {
    mailbox: 'ybarbo-p',
    folder: 'inbox',
    raw: simple('accents', '=?utf-8?q?Caf=C3=A9_r=C3=A9sum=C3=A9?=', 'Un café.'),
  },
];

describe('search over the indexed fixture', () => {
  let rsg: IndexedRsg;
  const run = (q: string, opts: Partial<SearchOptions> = {}) =>
    search(rsg.db, q, { now: NOW, all: true, ...opts });
  const subjects = (q: string, opts: Partial<SearchOptions> = {}) =>
    run(q, opts)
      .hits.map((h) => h.subject)
      .sort();
  const ids = (hits: Hit[]) => hits.map((h) => h.itemId);

  before(async () => {
    rsg = await indexedRsg(FIXTURE_DIR, EXTRA);
  });
  after(() => rsg.cleanup());

  it('indexes every item and reports the ones it had to limit', () => {
    const items = rsg.db.prepare('SELECT count(*) FROM items').pluck().get() as number;
    assert.equal(items, 1364 + EXTRA.length);
    assert.equal(rsg.report.indexed, items);
    assert.deepEqual(rsg.report.failed, []);
    assert.equal(rsg.report.limited.length, 1);
    assert.match(rsg.report.limited[0]!.reason, /body text truncated at 1048576 characters/);
  });

  it('matches English word forms for free words (stemmed), exact words for subject:', () => {
    assert.equal(run('meeting').total, run('meetings').total);
    assert.ok(subjects('meeting').includes('Trade meetings'));
    assert.ok(!subjects('subject:meeting').includes('Trade meetings'));
    assert.ok(subjects('subject:meetings').includes('Trade meetings'));
  });

  it('matches a quoted phrase exactly and marks it in the snippet', () => {
    const r = run('"risk management"');
    assert.ok(r.total > 10);
    for (const h of r.hits) {
      assert.match(h.snippet, /«risk management»/i, h.snippet);
    }
  });

  it('marks the matched word forms in snippets and collapses whitespace', () => {
    const h = run('capacity', { limit: 5, all: false }).hits;
    assert.equal(h.length, 5);
    for (const hit of h) {
      assert.match(hit.snippet, /«capacit(y|ies)»/i);
      assert.doesNotMatch(hit.snippet, /\s{2}|\n/);
    }
  });

  it('finds by address, whole or by part', () => {
    const whole = run('from:sally.beck@enron.com').total;
    assert.ok(whole > 0);
    assert.equal(run('from:sally.beck').total, whole);
    assert.equal(run('from:@enron.com').total, run('from:enron.com').total);
    assert.equal(run('from:"@enron.com"').total, run('from:enron.com').total);
    assert.deepEqual(subjects('from:"Alice Example"'), ['Quarterly budget pack']);
    assert.deepEqual(subjects('from:alice'), ['Quarterly budget pack']);
  });

  it('to: covers To, Cc and Bcc (as notmuch); cc: and bcc: are narrower', () => {
    assert.deepEqual(subjects('to:bob@example.net'), ['Quarterly budget pack']);
    assert.deepEqual(subjects('to:carol.cc@example.org'), ['Quarterly budget pack']);
    assert.deepEqual(subjects('to:dave.bcc@mail.example.org'), ['Quarterly budget pack']);
    assert.deepEqual(subjects('cc:carol.cc@example.org'), ['Quarterly budget pack']);
    assert.deepEqual(subjects('cc:bob@example.net'), []);
    assert.deepEqual(subjects('bcc:@example.org'), ['Quarterly budget pack']);
    assert.deepEqual(subjects('participants:alice@example.org'), ['Quarterly budget pack']);
  });

  it('indexes attachments: hasattachment, attachment:, attachment names', () => {
    const r = run('hasattachment:true');
    assert.deepEqual(
      r.hits.map((h) => [h.subject, h.hasAttachment]),
      [['Quarterly budget pack', true]],
    );
    assert.deepEqual(subjects('attachment:budget'), ['Quarterly budget pack']);
    assert.deepEqual(subjects('attachment:xls'), ['Quarterly budget pack']);
    assert.deepEqual(attachmentNamesOf(rsg.db, r.hits[0]!.itemId), ['budget-2001.xls']);
    assert.equal(run('hasattachment:false').total, run('*').total - 1);
  });

  it('converts HTML to text (scripts are not text)', () => {
    assert.deepEqual(subjects('xylophonic'), ['Html only note']);
    assert.deepEqual(subjects('zebrafinance'), ['Quarterly budget pack']);
    assert.deepEqual(subjects('hiddenword'), []);
    assert.doesNotMatch(run('xylophonic').hits[0]!.snippet, /<|>/);
  });

  it('folds case and accents', () => {
    assert.deepEqual(subjects('cafe'), ['Café résumé']);
    const resume = subjects('subject:RÉSUMÉ');
    assert.ok(resume.includes('Café résumé') && resume.includes('RE: Resume'));
  });

  it('makes snippets in bounded time, even of a body that repeats the word 200,000 times', () => {
    const t = performance.now();
    const [h] = run('ledger subject:huge').hits;
    assert.ok(performance.now() - t < 2000);
    assert.match(h!.snippet, /^«ledger» «ledger» .*…$/);
  });

  it('filters on flags, the dumpster and size', () => {
    assert.deepEqual(subjects('isread:true'), ['Quarterly budget pack']);
    assert.deepEqual(subjects('isflagged:true'), ['Quarterly budget pack']);
    assert.deepEqual(subjects('isdeleted:true'), ['Deleted quokka memo']);
    assert.deepEqual(subjects('quokka isdeleted:false'), []);
    assert.deepEqual(subjects('size>1MB'), ['Huge ledger']);
    assert.equal(run('size<=1MB').total + 1, run('*').total);
    assert.deepEqual(subjects('ledger size:1MB..2MB'), ['Huge ledger']);
  });

  it('filters on folders, subfolders included, and on mailboxes', () => {
    const inbox = run('folder:inbox').total;
    assert.equal(inbox, run('*').total);
    assert.equal(run('folder:inbox/ncl').total, 1);
    assert.equal(run('folder:ncl').total, 1);
    assert.deepEqual(subjects('folder:INBOX/Projects'), ['Quarterly budget pack']);
    assert.equal(run('folder:%').total, 0);
    const beck = run('mailbox:beck-s').total;
    assert.equal(beck, 372 + 1);
    assert.equal(run('mailbox:beck-s@example.com').total, beck);
    assert.equal(run('*', { mailbox: 'BECK-S@example.com' }).total, beck);
    assert.equal(run('mailbox:%').total, 0);
  });

  it('rejects an unknown mailbox option with MAILBOX_NOT_FOUND', () => {
    assert.throws(() => run('x', { mailbox: 'nobody@example.com' }), { code: 'MAILBOX_NOT_FOUND' });
  });

  it('filters on sent dates, both ends of a range whole days (UTC)', () => {
    const r = run('sent:2001-10-01..2001-10-31');
    assert.ok(r.total > 100);
    for (const h of r.hits) {
      assert.ok(h.date >= '2001-10-01T00:00:00.000Z' && h.date < '2001-11-01T00:00:00.000Z', h.date);
    }
    assert.equal(
      run('sent>=2001-10-01 sent<=2001-10-31').total,
      r.total,
      'a range equals the two comparisons that bound it',
    );
    assert.equal(run('sent:2001-10').total, r.total);
  });

  it('reads sent: terms through the index on items (date_ms, internal_ms), not a scan of items', () => {
    const ast = parseQuery('sent:2001-10-01..2001-10-31');
    const q = compileQuery(ast, { now: NOW, sort: 'date', limit: 50 });
    const plan = rsg.db
      .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
      .all(...q.params)
      .map((r) => (r as { detail: string }).detail);
    assert.ok(
      plan.some((d) => /USING COVERING INDEX search_items_sent/.test(d)),
      plan.join('\n'),
    );
  });

  it('reads hasattachment: through the partial index of documents with an attachment, not a scan of them', () => {
    const q = compileQuery(parseQuery('hasattachment:true'), { now: NOW, sort: 'date', limit: 50 });
    const plan = rsg.db
      .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
      .all(...q.params)
      .map((r) => (r as { detail: string }).detail);
    assert.ok(
      plan.some((d) => /search_docs USING COVERING INDEX search_docs_attachment/.test(d)),
      plan.join('\n'),
    );
    const withAttachment = rsg.db
      .prepare('SELECT count(*) FROM search_docs WHERE has_attachment = 1')
      .pluck()
      .get();
    assert.equal(run('hasattachment:true').total, withAttachment);
  });

  it('resolves relative dates against the injected now', () => {
    assert.deepEqual(subjects('wombat received:last7days'), ['Recent wombat']);
    assert.deepEqual(subjects('wombat received:last60days'), ['Older wombat', 'Recent wombat']);
    assert.deepEqual(subjects('wombat received:thismonth'), ['Recent wombat']);
    assert.deepEqual(subjects('wombat received:lastmonth'), ['Older wombat']);
    assert.deepEqual(subjects('wombat received:today'), []);
    assert.deepEqual(subjects('wombat', { now: NOW + 2 * DAY }).length, 2);
    assert.deepEqual(subjects('wombat received:today', { now: NOW - 2 * DAY }), ['Recent wombat']);
    assert.deepEqual(subjects('wombat received:yesterday', { now: NOW - DAY }), ['Recent wombat']);
  });

  it('combines AND, OR, NOT, -word and parentheses', () => {
    const a = run('transwestern').total;
    const b = run('subject:transwestern').total;
    assert.equal(run('transwestern NOT subject:transwestern').total, a - b);
    assert.equal(run('transwestern -subject:transwestern').total, a - b);
    assert.equal(
      run('subject:(conference OR seminar)').total,
      run('subject:conference OR subject:seminar').total,
    );
    assert.equal(run('NOT transwestern').total, run('*').total - a);
    assert.equal(run('wombat OR quokka').total, 3);
    assert.deepEqual(subjects('(wombat OR quokka) AND received:last7days'), [
      'Deleted quokka memo',
      'Recent wombat',
    ]);
    assert.equal(run('wombat OR isdeleted:true').total, 3);
  });

  it('expands suffix wildcards over words', () => {
    const r = run('subject:revis*');
    assert.ok(r.total > 5);
    for (const h of r.hits) {
      assert.match(h.subject, /\brevis/i);
    }
  });

  it('returns hits of the documented shape', () => {
    const [h] = run('subject:"Quarterly budget pack"').hits;
    assert.deepEqual(Object.keys(h!).sort(), [
      'date',
      'folder',
      'from',
      'hasAttachment',
      'itemId',
      'mailbox',
      'messageId',
      'size',
      'snippet',
      'subject',
    ]);
    assert.equal(h!.messageId, 'synthetic-attach@test');
    assert.equal(h!.mailbox, 'beck-s@example.com');
    assert.equal(h!.folder, 'inbox/projects');
    assert.equal(h!.date, '2001-06-15T10:00:00.000Z');
    assert.equal(h!.size, ATTACHMENT_MAIL.length);
  });

  for (const sort of ['relevance', 'date'] as const) {
    it(`pages with cursors through every hit (sort ${sort})`, () => {
      const all = ids(run('enron', { sort }).hits);
      assert.ok(all.length > 500);
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = search(rsg.db, 'enron', { now: NOW, sort, limit: 97, cursor });
        assert.equal(page.total, all.length);
        seen.push(...ids(page.hits));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, all);
    });
  }

  it('sorts by date, newest first, and by relevance (best bm25 first)', () => {
    const dates = run('enron', { sort: 'date' }).hits.map((h) => h.date);
    assert.deepEqual(dates, [...dates].sort().reverse());
    const top = run('transwestern', { sort: 'relevance', limit: 3, all: false }).hits;
    assert.ok(top.every((h) => /transwestern/i.test(h.subject + h.snippet)));
  });

  it('defaults to 50 hits a page and rejects bad limits and cursors', () => {
    const r = search(rsg.db, 'enron', { now: NOW });
    assert.equal(r.hits.length, 50);
    assert.ok(r.nextCursor);
    for (const limit of [0, 1001, 1.5]) {
      assert.throws(() => search(rsg.db, 'enron', { now: NOW, limit }), { code: 'VALIDATION_FAILED' });
    }
    assert.throws(() => search(rsg.db, 'enron', { now: NOW, cursor: 'garbage' }), {
      code: 'VALIDATION_FAILED',
    });
    assert.throws(() => search(rsg.db, 'enron', { now: NOW, cursor: r.nextCursor, sort: 'date' }), {
      code: 'VALIDATION_FAILED',
    });
  });

  it('refuses a cursor of another query or mailbox, which would page from a foreign position', () => {
    const r = search(rsg.db, 'enron', { now: NOW, limit: 5 });
    assert.ok(r.nextCursor);
    assert.equal(search(rsg.db, 'enron', { now: NOW, limit: 5, cursor: r.nextCursor }).hits.length, 5);
    assert.throws(() => search(rsg.db, 'enron OR gas', { now: NOW, limit: 5, cursor: r.nextCursor }), {
      code: 'VALIDATION_FAILED',
    });
    const mailbox = r.hits[0]!.mailbox;
    assert.throws(() => search(rsg.db, 'enron', { now: NOW, limit: 5, mailbox, cursor: r.nextCursor }), {
      code: 'VALIDATION_FAILED',
    });
  });

  it('reports query errors with their position', () => {
    assert.throws(
      () => run('subject:"weekly'),
      (e: unknown) => e instanceof AppError && e.code === 'QUERY_INVALID' && e.details.position === 8,
    );
  });

  it('searches a read-only handle of the sealed database', () => {
    rsg.db.pragma('wal_checkpoint(TRUNCATE)');
    const ro = new Database(rsg.file, { readonly: true });
    try {
      assert.equal(search(ro, 'capacity', { now: NOW, all: true }).total, run('capacity').total);
    } finally {
      ro.close();
    }
  });

  it('indexes nothing twice when the build runs again', async () => {
    const before = run('*').total;
    const again = await buildSearchIndex(rsg.db, { readMessage: rsg.readMessage, workers: 1 });
    assert.equal(again.indexed, 0);
    assert.equal(run('*').total, before);
  });
});

describe('search without an index', () => {
  it('answers NOT_FOUND', () => {
    const db = new Database(':memory:');
    assert.throws(() => search(db, 'x', { now: NOW }), { code: 'NOT_FOUND' });
    db.close();
  });
});

describe('building on the calling thread', () => {
  it('gives the same index as the writer thread (used when the database is not in WAL mode)', async () => {
    const queries = [
      'meeting',
      '"risk management"',
      'from:enron.com',
      'subject:revis*',
      'to:sally.beck@enron.com',
      'wombat',
    ];
    const totals = async (writerThread: boolean): Promise<number[]> => {
      const rsg = await indexedRsg(FIXTURE_DIR, EXTRA, { writerThread, workers: 1 });
      try {
        assert.equal(rsg.report.indexed, 1364 + EXTRA.length);
        return queries.map((q) => search(rsg.db, q, { now: NOW, all: true }).total);
      } finally {
        rsg.cleanup();
      }
    };
    assert.deepEqual(await totals(false), await totals(true));
  });
});
