/**
 * Job-file filters (issue 7), each against an independent computation from the fixture files:
 * sent and received ranges, subject keywords, senders, recipients, attachment-name globs,
 * include/exclude folders (well-known names), a query, and all of them combined (AND).
 *
 * The source is a backup of a server where skilling-j's real mail (test/fixtures/merge) was
 * delivered one message every 6 hours, plus a few messages with attachments; it is mounted
 * with the search index, and each filter runs as its own job into a new mailbox.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type JobDocument, runJob, validateJob } from '../../src/jobs/index.js';
import { createMailbox } from '../../src/store/index.js';
import {
  DAY_MS,
  HOUR_MS,
  T0,
  type TestHome,
  fixtureMessages,
  header,
  identitiesOf,
  makeHome,
  messageIdOf,
  otherServer,
  put,
  suiteCleanup,
} from '../merge/helpers.js';

const JEFF = 'jeff@old.example.com';
const FOLDER: Record<string, string> = {
  inbox: 'Inbox',
  sent: 'Sent Items',
  sent_items: 'Sent Items',
  _sent_mail: 'Sent Items',
  deleted_items: 'Deleted Items',
};

interface Msg {
  id: string;
  folder: string;
  receivedMs: number;
  bytes: Buffer;
  attachments: string[];
}

/** A multipart/mixed message with one text part and an attachment per name. */
function withAttachments(subject: string, names: string[]): Buffer {
  const b = 'b0undary';
  seq += 1;
  const parts = names.map((n) =>
    [
      `--${b}`,
      `Content-Type: application/octet-stream; name="${n}"`,
      `Content-Disposition: attachment; filename="${n}"`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(`contents of ${n}`).toString('base64'),
    ].join('\r\n'),
  );
  return Buffer.from(
    [
      'From: Ann Analyst <ann@partner.example.com>',
      'To: jeff.skilling@enron.com',
      `Subject: ${subject}`,
      'Date: Mon, 5 Feb 2001 10:00:00 +0000',
      `Message-ID: <attached.${seq}@partner.example.com>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain',
      '',
      'see attached',
      ...parts,
      `--${b}--`,
      '',
    ].join('\r\n'),
  );
}
let seq = 0;

function words(s: string | undefined): string[] {
  return (s ?? '').toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

function addresses(s: string | undefined): string[] {
  return (s ?? '').toLowerCase().match(/[^\s<>,;"]+@[^\s<>,;"]+/g) ?? [];
}

function dateOf(bytes: Buffer): number {
  return Date.parse((header(bytes, 'Date') ?? '').replace(/\s*\([^)]*\)\s*$/, ''));
}

describe('job filters', () => {
  let h: TestHome;
  let rsg: string;
  const msgs: Msg[] = [];
  const cleanup = suiteCleanup();
  let n = 0;

  before(async () => {
    h = makeHome(cleanup, { searchIndex: true });
    const info = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: JEFF });
      const deliver = (bytes: Buffer, folder: string, attachments: string[] = []): void => {
        h.clock.set(T0 + msgs.length * 6 * HOUR_MS);
        put(db, JEFF, bytes, folder);
        msgs.push({ id: messageIdOf(bytes), folder, receivedMs: h.clock.now(), bytes, attachments });
      };
      for (const f of fixtureMessages('skilling-j')) {
        const [top, ...rest] = f.folder.split('/');
        deliver(f.bytes, [FOLDER[top!] ?? top, ...rest].join('/'));
      }
      for (const names of [
        ['Q3 report.xlsx'],
        ['budget-01.pdf', 'notes.txt'],
        ['photo.XLSX'],
        ['xlsx-guide.txt'],
      ]) {
        deliver(withAttachments(`attached ${names.join(' ')}`, names), 'Inbox', names);
      }
    });
    rsg = info.id;
  });

  /** Run a job of these filters from jeff's mailbox into a new one; the Message-IDs it holds then. */
  async function selected(filters: JobDocument['filters']): Promise<string[]> {
    n += 1;
    const to = `filter${n}@example.com`;
    const doc = validateJob({
      source: { rsg },
      mailboxes: [{ from: JEFF, to }],
      createMissingMailboxes: true,
      filters,
      concurrency: 1,
    });
    const r = await runJob({ live: h.live, catalogue: h.catalogue, merge: h.deps }, doc, {
      name: `filter-${n}.json`,
      baseDir: h.home,
    });
    assert.equal(r.state, 'done', JSON.stringify(r.mailboxes[0]?.error));
    const got = identitiesOf(h.live, to);
    assert.equal(r.totals.created, got.length);
    return got;
  }

  const ids = (pick: (m: Msg) => boolean): string[] =>
    msgs
      .filter(pick)
      .map((m) => m.id)
      .sort();

  it('selects by sent date range (the Date header, whole UTC days)', async () => {
    const from = Date.UTC(2000, 9, 1);
    const to = Date.UTC(2000, 11, 31) + DAY_MS;
    const want = ids((m) => dateOf(m.bytes) >= from && dateOf(m.bytes) < to);
    assert.ok(want.length > 5 && want.length < msgs.length - 5, `a real cut: ${want.length}`);

    assert.deepEqual(await selected({ sent: { from: '2000-10-01', to: '2000-12-31' } }), want);
  });

  it('selects by received range (arrival time in the mailbox), open-ended too', async () => {
    // whole UTC days: from the start of the first to the end of the last
    const from = Date.UTC(2026, 0, 15);
    const to = Date.UTC(2026, 0, 24) + DAY_MS;
    assert.ok(T0 < from && msgs.at(-1)!.receivedMs > to, 'the range cuts the deliveries');

    assert.deepEqual(
      await selected({ received: { from: '2026-01-15', to: '2026-01-24' } }),
      ids((m) => m.receivedMs >= from && m.receivedMs < to),
    );
    assert.deepEqual(
      await selected({ received: { from: '2026-02-01' } }),
      ids((m) => m.receivedMs >= Date.UTC(2026, 1, 1)),
    );
    assert.deepEqual(
      await selected({ received: { to: '2026-01-08' } }),
      ids((m) => m.receivedMs < Date.UTC(2026, 0, 9)),
    );
  });

  it('selects by subject keywords (any of them, whole words, any case)', async () => {
    const keys = ['meeting', 'Enron'];
    const want = ids((m) => words(header(m.bytes, 'Subject')).some((w) => ['meeting', 'enron'].includes(w)));
    assert.ok(want.length > 2);

    assert.deepEqual(await selected({ subjectKeywords: keys }), want);
  });

  it('selects by sender address', async () => {
    const senders = ['jeff.skilling@enron.com', 'sherri.sera@enron.com'];
    const want = ids((m) => addresses(header(m.bytes, 'From')).some((a) => senders.includes(a)));
    assert.ok(want.length > 2);

    assert.deepEqual(await selected({ senders }), want);
  });

  it('selects by recipient address (To, Cc or Bcc)', async () => {
    const who = 'jeff.skilling@enron.com';
    const want = ids((m) => ['To', 'Cc', 'Bcc'].some((f) => addresses(header(m.bytes, f)).includes(who)));
    assert.ok(want.length > 2 && want.length < msgs.length);

    assert.deepEqual(await selected({ recipients: [who] }), want);
  });

  it('selects by attachment file-name globs (case-insensitive, * and ?)', async () => {
    const glob = (g: string): RegExp =>
      new RegExp('^' + g.replace(/[.]/g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
    for (const g of [['*.xlsx'], ['budget-??.pdf'], ['*.pdf', 'photo.*']]) {
      assert.deepEqual(
        await selected({ attachmentNames: g }),
        ids((m) => m.attachments.some((a) => g.some((x) => glob(x).test(a)))),
        g.join(' '),
      );
    }
  });

  it('selects by include and exclude folders, with well-known names', async () => {
    assert.deepEqual(
      await selected({ includeFolders: ['#inbox#'] }),
      ids((m) => m.folder === 'Inbox' || m.folder.startsWith('Inbox/')),
    );
    assert.deepEqual(
      await selected({ excludeFolders: ['#deleted#', '#sent#', 'mark'] }),
      ids((m) => !['Deleted Items', 'Sent Items', 'mark'].includes(m.folder)),
    );
  });

  it('selects by a query in the search language', async () => {
    const want = ids((m) => !addresses(header(m.bytes, 'From')).every((a) => a.endsWith('@enron.com')));
    assert.ok(want.length > 2);

    assert.deepEqual(await selected({ query: 'NOT from:"@enron.com"' }), want);
  });

  it('combines every filter with AND', async () => {
    const from = Date.UTC(2000, 0, 1);
    const to = Date.UTC(2001, 11, 31) + DAY_MS;
    const want = ids(
      (m) =>
        dateOf(m.bytes) >= from &&
        dateOf(m.bytes) < to &&
        (m.folder === 'Inbox' || m.folder.startsWith('Inbox/')) &&
        words(header(m.bytes, 'Subject')).includes('enron'),
    );
    assert.ok(want.length > 0);

    assert.deepEqual(
      await selected({
        sent: { from: '2000-01-01', to: '2001-12-31' },
        includeFolders: ['#inbox#'],
        subjectKeywords: ['enron'],
      }),
      want,
    );
  });
});
