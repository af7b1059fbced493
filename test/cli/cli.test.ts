import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DAY_MS } from '../../src/lib/clock.js';
import { listSegments, segmentPath } from '../../src/store/txlog.js';
import {
  type CliJson,
  REPO_ROOT,
  aBody,
  aClock,
  aMessage,
  flipByte,
  runCli,
  tempDir,
} from '../helpers/index.js';

/** The command list of the store's CLI (DESIGN.md, the CLI contract). */
const COMMANDS = [
  ['init'],
  ['mailbox', 'create'],
  ['mailbox', 'list'],
  ['mailbox', 'set'],
  ['deliver'],
  ['item', 'list'],
  ['item', 'delete'],
  ['dumpster', 'list'],
  ['dumpster', 'restore'],
  ['dumpster', 'purge'],
  ['db', 'stats'],
  ['db', 'check'],
  ['backup', 'full'],
  ['backup', 'incremental'],
  ['restore'],
];

function writeMessages(dir: string, msgs: Buffer[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return msgs.map((m, i) => {
    const f = path.join(dir, `${i + 1}.eml`);
    fs.writeFileSync(f, m);
    return f;
  });
}

/** A home with an initialised live database and the given mailboxes. */
async function aHome(t: Parameters<typeof tempDir>[0], ...addresses: string[]) {
  const home = path.join(tempDir(t), 'home');
  const clock = aClock();
  const cli = (...argv: string[]) => runCli([...argv, '--home', home], { clock });
  assert.equal((await cli('init')).code, 0);
  for (const a of addresses) {
    assert.equal((await cli('mailbox', 'create', a)).code, 0);
  }
  return { home, clock, cli };
}

describe('salvage --help', () => {
  for (const cmd of COMMANDS) {
    it(`salvage ${cmd.join(' ')} --help prints its usage and exits 0`, async () => {
      const r = await runCli([...cmd, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: salvage ${cmd.join(' ')} `));
      assert.equal(r.stderr, '');
    });
  }
});

describe('salvage commands with --json', () => {
  it('init, mailbox create|list|set print one JSON document each', async (t) => {
    const home = path.join(tempDir(t), 'home');
    const j = async (...argv: string[]): Promise<CliJson> => {
      const r = await runCli([...argv, '--home', home, '--json'], { clock: aClock() });
      assert.equal(r.code, 0, r.stderr);
      return r.json();
    };
    const init = await j('init', '--retention-days', '10');
    assert.equal(init.retentionDays, 10);
    assert.match(init.databaseId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(home, 'salvage.json'), 'utf8')), {
      retentionDays: 10,
      port: 8080,
    });
    const m = await j('mailbox', 'create', 'alice@example.com', '--name', 'Alice', '--hold');
    assert.deepEqual(
      { address: m.address, name: m.name, hold: m.hold, retentionDays: m.retentionDays },
      { address: 'alice@example.com', name: 'Alice', hold: true, retentionDays: null },
    );
    const set = await j('mailbox', 'set', 'alice@example.com', '--no-hold', '--retention-days', '3');
    assert.equal(set.hold, false);
    assert.equal(set.retentionDays, 3);
    const list = await j('mailbox', 'list');
    assert.equal(list.mailboxes.length, 1);
    assert.equal(list.mailboxes[0].effectiveRetentionDays, 3);
    const back = await j('mailbox', 'set', 'alice@example.com', '--retention-days', 'default');
    assert.equal(back.retentionDays, null);
  });

  it('deliver, item list|delete, dumpster list|restore|purge, db stats|check work end to end', async (t) => {
    const { home, clock, cli } = await aHome(t, 'alice@example.com', 'bob@example.com');
    const j = async (...argv: string[]): Promise<CliJson> => {
      const r = await cli(...argv, '--json');
      assert.equal(r.code, 0, r.stderr);
      return r.json();
    };
    const files = writeMessages(path.join(home, '..', 'in'), [
      aMessage({ subject: 'one' }),
      aMessage({ subject: 'two', body: aBody(100_000) }),
    ]);
    const d = await j(
      'deliver',
      '--to',
      'alice@example.com',
      '--to',
      'bob@example.com',
      '--folder',
      'Work',
      ...files,
    );
    assert.equal(d.messages, 2);
    assert.equal(d.recipients, 2);
    assert.equal(d.delivered[0].file, files[0]);
    assert.equal(d.delivered[0].ids.length, 2);
    const piped = await runCli(['deliver', '--to', 'alice@example.com', '--home', home, '--json'], {
      clock,
      stdin: aMessage({ subject: 'from stdin' }),
    });
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.json().delivered[0].file, '-');

    const items = await j('item', 'list', '--mailbox', 'alice@example.com');
    assert.equal(items.count, 3);
    assert.deepEqual(items.items.map((i: { subject: string }) => i.subject).sort(), [
      'from stdin',
      'one',
      'two',
    ]);
    const work = await j('item', 'list', '--mailbox', 'alice@example.com', '--folder', 'Work');
    assert.equal(work.count, 2);
    const id = String(work.items.find((i: { subject: string }) => i.subject === 'one').id);

    assert.deepEqual(await j('item', 'delete', '--mailbox', 'alice@example.com', id), {
      deleted: [Number(id)],
    });
    const dl = await j('dumpster', 'list', '--mailbox', 'alice@example.com');
    assert.equal(dl.count, 1);
    assert.equal(dl.items[0].daysLeft, 14);
    assert.equal(dl.items[0].folder, 'Work');
    assert.deepEqual(await j('dumpster', 'restore', '--mailbox', 'alice@example.com', id), {
      restored: [{ id: Number(id), folder: 'Work' }],
    });
    await j('item', 'delete', '--mailbox', 'alice@example.com', id);
    clock.advance(15 * DAY_MS);
    const purge = await j('dumpster', 'purge');
    assert.equal(purge.purged, 1);

    const s = await j('db', 'stats');
    assert.equal(s.mailboxes, 2);
    assert.equal(s.items, 4);
    assert.equal(s.blobs, 3);
    assert.equal(s.fileBlobs, 1);
    assert.equal(s.tombstones, 1);
    const c = await j('db', 'check');
    assert.equal(c.ok, true);
    assert.deepEqual(c.problems, []);
  });

  it('backup full|incremental and restore (also --until a time) work end to end', async (t) => {
    const { home, clock, cli } = await aHome(t, 'alice@example.com');
    const j = async (...argv: string[]): Promise<CliJson> => {
      const r = await cli(...argv, '--json');
      assert.equal(r.code, 0, r.stderr);
      return r.json();
    };
    const dir = path.join(home, '..');
    const deliverOne = async (subject: string) => {
      const [f] = writeMessages(path.join(dir, subject), [aMessage({ subject })]);
      await j('deliver', '--to', 'alice@example.com', f!);
    };
    await deliverOne('first');
    const full = await j('backup', 'full', path.join(dir, 'bk'));
    assert.equal(full.kind, 'full');
    clock.advance(60_000);
    await deliverOne('second');
    const between = new Date(clock.now() + 30_000).toISOString();
    clock.advance(60_000);
    await deliverOne('third');
    const incr = await j('backup', 'incremental', path.join(dir, 'bk'));
    assert.equal(incr.fromLsn, full.toLsn);
    const all = await j('restore', path.join(dir, 'bk'), path.join(dir, 'all'));
    assert.equal(all.lsn, incr.toLsn);
    const pitr = await j('restore', path.join(dir, 'bk'), path.join(dir, 'pitr'), '--until', between);
    assert.ok(pitr.lsn < incr.toLsn && pitr.lsn > full.toLsn);
    assert.equal((await j('db', 'stats', '--db', path.join(dir, 'all'))).items, 3);
    assert.equal((await j('db', 'stats', '--db', path.join(dir, 'pitr'))).items, 2);
    const byLsn = await j(
      'restore',
      path.join(dir, 'bk'),
      path.join(dir, 'by-lsn'),
      '--until',
      String(full.toLsn),
    );
    assert.equal(byLsn.lsn, full.toLsn);
  });
});

describe('exit codes and errors', () => {
  it('exits 2 on bad input, with error[CODE] on stderr and the error as JSON with --json', async (t) => {
    const { home, cli } = await aHome(t, 'alice@example.com');
    const bad = path.join(home, '..', 'bad.eml');
    fs.writeFileSync(bad, 'just some text\nwithout any header\n');
    const r = await cli('deliver', '--to', 'alice@example.com', bad, '--json');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error\[MESSAGE_INVALID\]: .*bad\.eml: Not an RFC 5322 message/);
    assert.equal(r.json().error.code, 'MESSAGE_INVALID');
    const addr = await cli('mailbox', 'create', 'not an address');
    assert.equal(addr.code, 2);
    assert.match(addr.stderr, /^error\[VALIDATION_FAILED\]: 'not an address' is not a mailbox address/);
    const days = await cli('mailbox', 'create', 'x@example.com', '--retention-days', 'soon');
    assert.equal(days.code, 2);
    assert.match(days.stderr, /^error\[VALIDATION_FAILED\]: --retention-days/);
    const until = await cli('restore', home, path.join(home, '..', 'r'), '--until', 'yesterday');
    assert.equal(until.code, 2);
    assert.match(until.stderr, /^error\[VALIDATION_FAILED\]: --until takes an LSN or an ISO time/);
  });

  it('exits 2 on a usage error (missing option, unknown command) with error[VALIDATION_FAILED]', async () => {
    const missing = await runCli(['item', 'list']);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /^error\[VALIDATION_FAILED\]: required option '--mailbox <address>' not specified/,
    );
    const unknown = await runCli(['frobnicate', '--json']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error\[VALIDATION_FAILED\]: unknown command 'frobnicate'/);
    assert.equal(unknown.json().error.code, 'VALIDATION_FAILED');
  });

  it('exits 3 when something named is not found', async (t) => {
    const { home, cli } = await aHome(t, 'alice@example.com');
    const f = writeMessages(path.join(home, '..', 'in'), [aMessage()]);
    const cases: [string[], string][] = [
      [['deliver', '--to', 'nobody@example.com', ...f], 'MAILBOX_NOT_FOUND'],
      [['item', 'list', '--mailbox', 'nobody@example.com'], 'MAILBOX_NOT_FOUND'],
      [['item', 'delete', '--mailbox', 'alice@example.com', '999'], 'MESSAGE_NOT_FOUND'],
      [['dumpster', 'restore', '--mailbox', 'alice@example.com', '999'], 'MESSAGE_NOT_FOUND'],
      [['deliver', '--to', 'alice@example.com', path.join(home, 'missing.eml')], 'NOT_FOUND'],
      [['db', 'stats', '--db', path.join(home, 'nothing-here')], 'DATABASE_NOT_FOUND'],
      [['backup', 'incremental', path.join(home, '..', 'no-backup')], 'BACKUP_NOT_FOUND'],
      [['restore', path.join(home, '..', 'no-backup'), path.join(home, '..', 'r')], 'BACKUP_NOT_FOUND'],
    ];
    for (const [argv, code] of cases) {
      const r = await cli(...argv);
      assert.equal(r.code, 3, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^error\\[${code}\\]: `), argv.join(' '));
    }
    const noHome = await runCli(['mailbox', 'list', '--home', path.join(home, '..', 'nohome')]);
    assert.equal(noHome.code, 3);
    assert.match(noHome.stderr, /run 'salvage init' first/);
  });

  it('exits 4 on a conflict: init twice, a mailbox that exists, a restore into a non-empty directory', async (t) => {
    const { home, cli } = await aHome(t, 'alice@example.com');
    const again = await cli('init');
    assert.equal(again.code, 4);
    assert.match(again.stderr, /^error\[DATABASE_EXISTS\]: /);
    const dup = await cli('mailbox', 'create', 'alice@example.com');
    assert.equal(dup.code, 4);
    assert.match(dup.stderr, /^error\[MAILBOX_EXISTS\]: A mailbox 'alice@example.com' already exists/);
    const bk = path.join(home, '..', 'bk');
    assert.equal((await cli('backup', 'full', bk)).code, 0);
    assert.equal((await cli('backup', 'full', bk)).code, 4);
    const r = await cli('restore', bk, home);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /^error\[DATABASE_EXISTS\]: .* is not empty/);
  });

  it('db check exits 1 and names the problem on a damaged log; the next command still exits 0', async (t) => {
    const { home, cli } = await aHome(t, 'alice@example.com', 'bob@example.com', 'carol@example.com');
    const logs = path.join(home, 'live', 'logs');
    flipByte(segmentPath(logs, listSegments(logs)[0]!), 30);
    const r = await cli('db', 'check', '--json');
    assert.equal(r.code, 1);
    const report = r.json();
    assert.equal(report.ok, false);
    assert.equal(report.problems[0].segment, 'E0000000001.log');
    assert.equal(report.problems[0].offset, 0);
    const text = await cli('db', 'check');
    assert.equal(text.code, 1);
    assert.match(
      text.stdout,
      /PROBLEMS in .*\n {2}log: Transaction log segment E0000000001\.log is corrupt at offset 0/,
    );
    const next = await cli('mailbox', 'list');
    assert.equal(next.code, 0, 'an exit code must not leak into the next command');
  });
});

/** dist/ is what bin/salvage runs: build it when it is missing or older than a source file. */
function ensureBuilt(): void {
  const main = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  const built = fs.existsSync(main) ? fs.statSync(main).mtimeMs : 0;
  const newest = (fs.readdirSync(path.join(REPO_ROOT, 'src'), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .reduce((m, f) => Math.max(m, fs.statSync(path.join(REPO_ROOT, 'src', f)).mtimeMs), 0);
  if (built >= newest) {
    return;
  }
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, encoding: 'utf8' });
  // a type error elsewhere still emits JavaScript; what matters here is a fresh dist/
  assert.ok(
    fs.existsSync(main) && fs.statSync(main).mtimeMs > built,
    `npm run build did not produce ${main}:\n${r.stdout}\n${r.stderr}`,
  );
}

describe('bin/salvage', () => {
  it('runs as a real process: init, mailbox create, deliver from stdin, db stats --json, exit codes', (t) => {
    ensureBuilt();
    const home = path.join(tempDir(t), 'home');
    const run = (args: string[], input?: Buffer) =>
      spawnSync(path.join(REPO_ROOT, 'bin', 'salvage'), [...args, '--home', home], {
        cwd: REPO_ROOT,
        input,
        encoding: 'utf8',
      });
    assert.equal(run(['init']).status, 0);
    assert.equal(run(['mailbox', 'create', 'alice@example.com']).status, 0);
    const d = run(['deliver', '--to', 'alice@example.com', '-'], aMessage({ subject: 'smoke' }));
    assert.equal(d.status, 0, d.stderr);
    assert.match(d.stdout, /^Delivered 1 message to 1 mailbox/);
    const s = run(['db', 'stats', '--json']);
    assert.equal(s.status, 0, s.stderr);
    assert.equal(JSON.parse(s.stdout).items, 1);
    const dup = run(['mailbox', 'create', 'alice@example.com']);
    assert.equal(dup.status, 4);
    assert.match(dup.stderr, /^error\[MAILBOX_EXISTS\]/);
  });
});
