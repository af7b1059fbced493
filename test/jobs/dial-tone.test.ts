/**
 * A dial-tone recovery end to end through the CLI (issue 7). A server holds three users' real
 * mail (test/fixtures/merge) and a circular sent to all of them; some items sit in the
 * dumpster; a full backup is taken. The server is lost: a new one starts with new, empty
 * mailboxes (the dial tone) for two of the users, and new mail arrives. The backup is mounted
 * and one job file merges every mailbox back. Everything expected is computed from the files
 * the test delivered, not from the store.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { LIVE_EXTENSIONS } from '../../src/extensions.js';
import { Database, checkDatabase, listItems } from '../../src/store/index.js';
import { type CliJson, aMessage } from '../helpers/index.js';
import {
  HOUR_MS,
  ManualClock,
  T0,
  cli,
  fixtureMessages,
  messageIdOf,
  suiteCleanup,
  tempHome,
} from '../merge/helpers.js';

const USERS: Record<string, string> = {
  'delainey-d': 'delainey@example.com',
  'phanis-s': 'phanis@example.com',
  'skilling-j': 'skilling@example.com',
};
/** Where the old server filed each fixture folder. */
const FOLDER: Record<string, string> = {
  inbox: 'Inbox',
  sent: 'Sent Items',
  sent_items: 'Sent Items',
  _sent_mail: 'Sent Items',
  deleted_items: 'Deleted Items',
};
const DELETED_AT = T0 + HOUR_MS;

interface Expect {
  /** Message-IDs of the live items at backup time. */
  live: string[];
  /** Message-IDs of the dumpster items at backup time. */
  dumpster: string[];
  /** Message-IDs of the new mail on the dial-tone server. */
  fresh: string[];
}

/** Every row of every table of a database file, hashed: its content, whatever the page layout. */
function contentHash(file: string): string {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const h = crypto.createHash('sha256');
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    for (const t of tables) {
      const cols = (db.prepare(`SELECT * FROM "${t}" LIMIT 0`).columns() as { name: string }[]).length;
      const order = Array.from({ length: cols }, (_, i) => i + 1).join(', ');
      h.update(`${t}\n`);
      for (const row of db.prepare(`SELECT * FROM "${t}" ORDER BY ${order}`).raw().iterate()) {
        h.update(
          JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)) + '\n',
        );
      }
    }
    return h.digest('hex');
  } finally {
    db.close();
  }
}

function fileHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) {
      out[f] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  }
  return out;
}

/** A tiny RFC 4180 reader (fields may be quoted, with doubled quotes). */
function readCsv(file: string): Record<string, string>[] {
  const text = fs.readFileSync(file, 'utf8');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head!.map((k, i) => [k, r[i] ?? ''])));
}

describe('a dial-tone recovery through the CLI', () => {
  const cleanup = suiteCleanup();
  const clock = new ManualClock(T0);
  const expect: Record<string, Expect> = {};
  let base: string;
  let oldHome: string;
  let home: string;
  let jobFile: string;
  let oldStats: Record<string, number>;
  let dialToneStats: Record<string, number>;

  const ok = async (h: string, ...args: string[]): Promise<CliJson> => {
    const r = await cli(['--home', h, '--json', ...args], clock);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.json();
  };

  before(async () => {
    base = tempHome(cleanup, 'salvage-dial-tone-');
    oldHome = path.join(base, 'old-server');
    home = path.join(base, 'new-server');
    await ok(oldHome, 'init');
    const circular = path.join(base, 'circular.eml');
    fs.writeFileSync(circular, aMessage({ subject: 'All-hands on Friday', from: 'hr@example.com' }));
    for (const [user, address] of Object.entries(USERS)) {
      await ok(oldHome, 'mailbox', 'create', address);
      const files = fixtureMessages(user);
      expect[address] = { live: files.map((f) => messageIdOf(f.bytes)), dumpster: [], fresh: [] };
      for (const folder of new Set(files.map((f) => f.folder))) {
        const [top, ...rest] = folder.split('/');
        const batch = files.filter((f) => f.folder === folder).map((f) => f.file);
        await ok(
          oldHome,
          'deliver',
          '--to',
          address,
          '--folder',
          [FOLDER[top!] ?? top, ...rest].join('/'),
          ...batch,
        );
      }
    }
    await ok(oldHome, 'deliver', ...Object.values(USERS).flatMap((a) => ['--to', a]), circular);
    for (const e of Object.values(expect)) {
      e.live.push(messageIdOf(fs.readFileSync(circular)));
    }
    // some mail is in the dumpster at backup time: two of phanis's, three of skilling's
    clock.set(DELETED_AT);
    for (const [address, n] of [
      ['phanis@example.com', 2],
      ['skilling@example.com', 3],
    ] as const) {
      const items = (await ok(oldHome, 'item', 'list', '--mailbox', address)).items as {
        id: number;
        messageId: string;
      }[];
      const gone = items.slice(0, n);
      await ok(oldHome, 'item', 'delete', '--mailbox', address, ...gone.map((i) => String(i.id)));
      const e = expect[address]!;
      e.dumpster = gone.map((i) => i.messageId);
      e.live = e.live.filter((id) => !e.dumpster.includes(id));
    }
    clock.advance(HOUR_MS);
    oldStats = await ok(oldHome, 'db', 'stats');
    await ok(oldHome, 'backup', 'full', path.join(base, 'backup'));

    // the disaster: a new server, new empty mailboxes for two users, new mail arriving
    clock.advance(5 * HOUR_MS);
    await ok(home, 'init');
    for (const address of ['delainey@example.com', 'phanis@example.com']) {
      await ok(home, 'mailbox', 'create', address);
      const fresh = path.join(base, `fresh-${address}.eml`);
      fs.writeFileSync(fresh, aMessage({ subject: `Welcome back, ${address}`, from: 'it@example.com' }));
      await ok(home, 'deliver', '--to', address, fresh);
      expect[address]!.fresh.push(messageIdOf(fs.readFileSync(fresh)));
    }
    const rsg = (
      await ok(
        home,
        'rsg',
        'mount',
        '--source',
        'backup',
        path.join(base, 'backup'),
        '--label',
        'pre-disaster',
      )
    ).id as string;
    dialToneStats = await ok(home, 'db', 'stats');
    jobFile = path.join(base, 'dial-tone.yaml');
    fs.writeFileSync(
      jobFile,
      [
        '# every mailbox of the backup back into the mailbox of the same address',
        `source: { rsg: ${rsg} }`,
        'mailboxes: all',
        'createMissingMailboxes: true   # skilling has no dial-tone mailbox yet',
        'folders: original',
        'conflict: skip',
        'badItemLimit: 0',
        'concurrency: 2',
        'report: ./reports/dial-tone',
        '',
      ].join('\n'),
    );
    clock.advance(HOUR_MS);
  });

  it('plans every mailbox with --dry-run and changes nothing in the live database', async () => {
    // "Unchanged" is taken literally: the bytes of salvage.db, of its WAL, of every log
    // segment and blob file. Left out is only what holds no data: salvage.db-shm (SQLite's
    // shared-memory index) and an empty WAL (a read-only connection creates one). The dry run
    // opens the live database read-only for this; the rows of every table are compared as
    // well, so that a failure tells whether content or only bytes moved.
    const live = path.join(home, 'live');
    const EMPTY = crypto.createHash('sha256').digest('hex');
    const files = (): Record<string, string> =>
      Object.fromEntries(
        Object.entries(fileHashes(live)).filter(
          ([f, h]) => !f.endsWith('-shm') && !(f.endsWith('-wal') && h === EMPTY),
        ),
      );
    const before = files();
    const rows = contentHash(path.join(live, 'salvage.db'));

    const dry = await ok(home, 'job', 'run', '--dry-run', jobFile);

    assert.equal(contentHash(path.join(live, 'salvage.db')), rows, 'every row of every table unchanged');
    assert.deepEqual(files(), before, 'salvage.db, its WAL, the log and the blobs byte for byte');
    assert.equal(dry.state, 'planned');
    assert.equal(dry.id, null);
    assert.deepEqual(await ok(home, 'db', 'stats'), dialToneStats, 'applied LSN, counts and bytes unchanged');
    assert.equal((await ok(home, 'mailbox', 'list')).mailboxes.length, 2, 'skilling was not created');
    for (const m of dry.mailboxes as { to: string; counts: Record<string, number> }[]) {
      const e = expect[m.to]!;
      assert.deepEqual([m.counts.created, m.counts.recoverable], [e.live.length, e.dumpster.length], m.to);
    }
    fs.rmSync(path.join(base, 'reports'), { recursive: true });
  });

  it('merges every old item back exactly once, leaves the new mail alone and keeps single-instance storage', async () => {
    const run = await cli(['--home', home, 'job', 'run', jobFile], clock);

    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /done/);
    const db = Database.open(path.join(home, 'live'), { readOnly: true, extensions: LIVE_EXTENSIONS });
    try {
      for (const [address, e] of Object.entries(expect)) {
        const m = db.sql.prepare('SELECT id FROM mailboxes WHERE address = ?').pluck().get(address) as number;
        const live = listItems(db.sql, m, { state: 'live' });
        const dumpster = listItems(db.sql, m, { state: 'dumpster' });
        assert.deepEqual(
          live.map((i) => i.identity).sort(),
          [...e.live, ...e.fresh].sort(),
          `${address}: live`,
        );
        assert.deepEqual(
          dumpster.map((i) => i.identity).sort(),
          [...e.dumpster].sort(),
          `${address}: dumpster`,
        );
        assert.ok(
          dumpster.every((i) => i.deletedMs === DELETED_AT),
          'recoverable items keep their deletion time',
        );
        for (const id of e.fresh) {
          assert.equal(
            live.find((i) => i.identity === id)?.origin,
            null,
            'the new mail is the one delivered',
          );
        }
      }
    } finally {
      db.close();
    }
    const after = await ok(home, 'db', 'stats');
    for (const k of ['items', 'dumpsterItems', 'blobs', 'logicalBytes', 'physicalBytes']) {
      assert.equal(after[k] - dialToneStats[k]!, oldStats[k], `${k}: what the old server held, added once`);
    }
    assert.ok(oldStats.ratio! > 1, 'the circular was stored once for three users');
    assert.equal(checkDatabase(path.join(home, 'live'), { extensions: LIVE_EXTENSIONS }).ok, true);
  });

  it('writes summary.json, summary.csv and items.csv with the counts the test computes', () => {
    const dir = path.join(base, 'reports', 'dial-tone');
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    const rows = readCsv(path.join(dir, 'summary.csv'));
    const items = readCsv(path.join(dir, 'items.csv'));

    assert.equal(summary.state, 'done');
    assert.deepEqual(summary.mailboxes.map((m: { to: string }) => m.to).sort(), Object.keys(expect).sort());
    let total = 0;
    for (const [address, e] of Object.entries(expect)) {
      const n = e.live.length + e.dumpster.length;
      total += n;
      const s = summary.mailboxes.find((m: { to: string }) => m.to === address);
      assert.deepEqual(
        [
          s.state,
          s.counts.selected,
          s.counts.created,
          s.counts.recoverable,
          s.counts.skipped,
          s.counts.failed,
        ],
        ['done', n, e.live.length, e.dumpster.length, 0, 0],
        address,
      );
      const row = rows.find((r) => r.to === address)!;
      assert.deepEqual(
        [row.from, row.state, row.selected, row.created, row.recoverable, row.failed],
        [address, 'done', String(n), String(e.live.length), String(e.dumpster.length), '0'],
      );
      assert.equal(row.bytes_copied, String(s.bytesCopied));
      const mine = items.filter((i) => i.target_mailbox === address);
      assert.deepEqual(mine.map((i) => i.message_id).sort(), [...e.live, ...e.dumpster].sort());
      assert.deepEqual(
        mine
          .filter((i) => i.action === 'create-in-dumpster')
          .map((i) => i.message_id)
          .sort(),
        [...e.dumpster].sort(),
      );
    }
    assert.equal(summary.totals.selected, total);
    assert.equal(items.length, total);
    assert.ok(items.every((i) => i.class === 'missing' || i.class === 'recoverable'));
    assert.equal(summary.totals.bytesCopied + summary.totals.bytesShared, oldStats.logicalBytes);
  });

  it('adds nothing when the finished job is run again', async () => {
    const before = await ok(home, 'db', 'stats');

    const again = await ok(home, 'job', 'run', jobFile);

    assert.equal(again.state, 'done');
    assert.equal(again.totals.created, 0);
    assert.equal(
      again.totals.identical,
      Object.values(expect).reduce((s, e) => s + e.live.length + e.dumpster.length, 0),
    );
    const after = await ok(home, 'db', 'stats');
    assert.deepEqual(
      [after.items, after.dumpsterItems, after.blobs],
      [before.items, before.dumpsterItems, before.blobs],
    );
  });
});
