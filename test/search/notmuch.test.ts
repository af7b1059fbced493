/**
 * Salvage's search against an independent engine: the fixture indexed by notmuch (Xapian,
 * GMime), configured as checks/search.sh configures it. For every query the Message-ID sets
 * must be identical, or every message in the difference must be explained by a documented
 * semantic difference named in the table (DIFFERENCES), checked message by message.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { search } from '../../src/search/index.js';
import { FIXTURE_DIR, headerValue, indexedRsg, listTree, makeTempDir, type IndexedRsg } from './helpers.js';

/** Documented differences: a name, why, and a test every message in a difference must pass. */
const DIFFERENCES = {
  /**
   * GMime (notmuch's parser) drops an address whose local part has two dots in a row or
   * starts with a dot (`s..theriot@enron.com`, `<.amy@enron.com>`, frequent in Enron's
   * Exchange exports), so notmuch indexes neither its words nor its domain. mailparser keeps
   * it: Salvage finds such a message by that address.
   */
  INVALID_LOCAL_PART: (raw: Buffer, _query: string): boolean =>
    ['from', 'to', 'cc', 'bcc'].some((h) =>
      (headerValue(raw, h) ?? '').match(/[^\s<>,;:"]*@/g)?.some((a) => a.startsWith('.') || a.includes('..')),
    ),
  /**
   * Xapian keeps an apostrophe between letters inside the word (`Enron's` is one word, which
   * subject:enron does not match); unicode61 splits there (`Enron` `s`), so subject:enron
   * finds "Enron's" in Salvage. Free words agree: Xapian stems `enron's` to `enron`.
   */
  APOSTROPHE: (raw: Buffer, query: string): boolean => {
    const word = /:(\w+)/.exec(query)?.[1] ?? '';
    return new RegExp(`\\b${word}['’]\\p{L}`, 'iu').test(headerValue(raw, 'subject') ?? '');
  },
} as const;
type Difference = keyof typeof DIFFERENCES;

/** [Salvage query, notmuch query, the difference that explains any disagreement]. */
const QUERIES: [string, string, Difference?][] = [
  // checks/queries.tsv, in order
  ['from:master.amar@hoegh.no', 'from:master.amar@hoegh.no'],
  ['from:vkaminski@aol.com', 'from:vkaminski@aol.com'],
  ['subject:meeting', 'subject:meeting'],
  ['subject:"weekly report"', 'subject:"weekly report"'],
  ['capacity', 'capacity'],
  ['to:sally.beck@enron.com', 'to:sally.beck@enron.com'],
  ['"risk management"', '"risk management"'],
  ['subject:request NOT from:no.address@enron.com', 'subject:request and not from:no.address@enron.com'],
  ['subject:conference OR subject:seminar', 'subject:conference or subject:seminar'],
  ['subject:revis*', 'subject:revis*'],
  ['body:trading', 'body:trading'],
  ['sent:2001-10-01..2001-10-31', 'date:2001-10-01..2001-10-31'],
  ['subject:update sent:2001-11-01..2001-12-31', 'subject:update and date:2001-11-01..2001-12-31'],
  ['transwestern NOT subject:transwestern', 'transwestern and not subject:transwestern'],
  [
    'to:vince.kaminski@enron.com sent:2001-01-01..2001-12-31',
    'to:vince.kaminski@enron.com and date:2001-01-01..2001-12-31',
  ],
  // sender, recipient, domain
  ['from:kaminski', 'from:kaminski'],
  ['from:sally', 'from:sally'],
  [
    'from:master.amar@hoegh.no OR from:vkaminski@aol.com',
    'from:master.amar@hoegh.no or from:vkaminski@aol.com',
  ],
  ['from:enron.com', 'from:enron.com', 'INVALID_LOCAL_PART'],
  ['from:"@enron.com"', 'from:@enron.com', 'INVALID_LOCAL_PART'],
  ['-from:enron.com', 'not from:enron.com', 'INVALID_LOCAL_PART'],
  ['to:kaminski', 'to:kaminski', 'INVALID_LOCAL_PART'],
  ['to:"sally beck"', 'to:"sally beck"'],
  ['participants:vince.kaminski@enron.com', 'from:vince.kaminski@enron.com or to:vince.kaminski@enron.com'],
  // subject and body words, phrases, stems, wildcards
  ['meeting', 'meeting'],
  ['scheduled', 'scheduled'],
  ['employees', 'employees'],
  ['running', 'running'],
  ['price OR prices', 'price or prices', 'INVALID_LOCAL_PART'],
  ['subject:gas', 'subject:gas'],
  ['subject:re', 'subject:re'],
  ['subject:"re: meeting"', 'subject:"re: meeting"'],
  ['subject:enron', 'subject:enron', 'APOSTROPHE'],
  ['subject:madeline', 'subject:madeline', 'APOSTROPHE'],
  ['body:contract', 'body:contract'],
  ['body:"please call"', 'body:"please call"'],
  ['"natural gas"', '"natural gas"'],
  ['"year end"', '"year end"'],
  ['risk-management', 'risk-management'],
  ['enron.com', 'enron.com', 'INVALID_LOCAL_PART'],
  ['budg*', 'budg*'],
  ['trad*', 'trad*'],
  // combinations and negation
  ['subject:(conference OR seminar)', 'subject:conference or subject:seminar'],
  ['forecast* AND NOT subject:forecast*', 'forecast* and not subject:forecast*'],
  ['deal* AND NOT body:deal*', 'deal* and not body:deal*'],
  ['(power OR gas) NOT electricity', '(power or gas) and not electricity'],
  // dates
  ['sent>=2001-12-01', 'date:2001-12-01..'],
  ['sent<2001-06-01', 'date:..2001-05-31'],
  ['sent:2001-10', 'date:2001-10-01..2001-10-31'],
  [
    'sent:2001-05-01..2001-05-31 to:sally.beck@enron.com',
    'date:2001-05-01..2001-05-31 and to:sally.beck@enron.com',
  ],
  // mailbox and folder (notmuch: path and folder under its root)
  ['mailbox:beck-s', 'path:beck-s/**'],
  ['folder:inbox/ncl', 'folder:beck-s/inbox/ncl'],
  ['capacity AND NOT mailbox:beck-s', 'capacity and not path:beck-s/**'],
];

const NOW = Date.UTC(2002, 0, 1);

describe('agreement with notmuch on the fixture', () => {
  let rsg: IndexedRsg;
  let nm: { dir: string; remove: () => void };
  const raws = new Map<string, Buffer>();

  const notmuch = (args: string[]): string => {
    const r = spawnSync('notmuch', args, {
      encoding: 'utf8',
      // notmuch 0.37 exits 1 without a word when HOME is unset; dates are local time
      env: { NOTMUCH_CONFIG: path.join(nm.dir, 'config'), PATH: process.env.PATH, HOME: nm.dir, TZ: 'UTC' },
    });
    if (r.error || r.status !== 0) {
      throw new Error(`notmuch ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.error?.message ?? ''}`);
    }
    return r.stdout;
  };

  before(async () => {
    const probe = spawnSync('notmuch', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      throw new Error(
        'notmuch is not installed: this test compares Salvage with it. Install it (Debian: apt-get install -y notmuch); `npm test` does so in scripts/pretest.sh when run as root.',
      );
    }
    nm = makeTempDir('salvage-notmuch-');
    fs.cpSync(FIXTURE_DIR, path.join(nm.dir, 'mail'), { recursive: true });
    fs.writeFileSync(
      path.join(nm.dir, 'config'),
      `[database]\npath=${nm.dir}/mail\n[user]\nname=x\nprimary_email=x@example.com\n[new]\ntags=\n[search]\nexclude_tags=\n`,
    );
    notmuch(['new', '--quiet']);
    for (const [, , file] of listTree(FIXTURE_DIR)) {
      const raw = fs.readFileSync(file);
      raws.set((headerValue(raw, 'message-id') ?? '').replace(/^<|>$/g, '').toLowerCase(), raw);
    }
    rsg = await indexedRsg(FIXTURE_DIR);
  });
  after(() => {
    rsg?.cleanup();
    nm?.remove();
  });

  it('covers at least 30 queries, the 15 of checks/queries.tsv first', () => {
    assert.ok(QUERIES.length >= 30);
  });

  for (const [q, nq, difference] of QUERIES) {
    it(`${q}  ≡  notmuch ${nq}${difference ? ` (except ${difference})` : ''}`, () => {
      const ours = new Set(
        search(rsg.db, q, { all: true, now: NOW }).hits.map((h) => (h.messageId ?? '').toLowerCase()),
      );
      const theirs = new Set(
        notmuch(['search', '--output=messages', nq])
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => l.replace(/^id:/, '').toLowerCase()),
      );
      assert.ok(ours.size + theirs.size > 0, 'a query that finds nothing proves nothing');
      const onlyOurs = [...ours].filter((id) => !theirs.has(id));
      const onlyTheirs = [...theirs].filter((id) => !ours.has(id));
      if (!difference) {
        assert.deepEqual({ onlyOurs, onlyTheirs }, { onlyOurs: [], onlyTheirs: [] });
        return;
      }
      const explained = DIFFERENCES[difference];
      const unexplained = [...onlyOurs, ...onlyTheirs].filter(
        (id) => !explained(raws.get(id) ?? Buffer.alloc(0), q),
      );
      assert.deepEqual(unexplained, [], `differences not explained by ${difference}`);
      assert.ok(onlyOurs.length + onlyTheirs.length > 0, `${difference} is listed but nothing differs`);
    });
  }
});
