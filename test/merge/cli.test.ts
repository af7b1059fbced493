/**
 * `salvage merge` in process (runCli of src/cli/main.ts): the --json report and the exit codes
 * of the CLI contract — 0 done, 2 bad input, 3 not found, 4 conflict, 5 some items failed
 * within the bad-item limit, 1 stopped — on the Enron fixture mounted as an eml-tree.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { blobFilePath, createMailbox, stats } from '../../src/store/index.js';
import {
  ENRON,
  type TestHome,
  cli,
  fixtureMessages,
  identitiesOf,
  makeHome,
  messageIdOf,
  mount,
  suiteCleanup,
} from './helpers.js';

describe('salvage merge', () => {
  let h: TestHome;
  let rsg: string;
  const cleanup = suiteCleanup();
  const phanis = fixtureMessages('phanis-s');
  const inbox = fixtureMessages('skilling-j').filter((f) => f.folder.startsWith('inbox'));
  const merge = (...args: string[]): ReturnType<typeof cli> =>
    cli(['--home', h.home, '--json', 'merge', '--rsg', rsg, ...args], h.clock);

  before(async () => {
    h = makeHome(cleanup);
    rsg = (await mount(h, { source: 'eml-tree', path: ENRON, label: 'enron' })).id;
    for (const a of ['phanis@example.com', 'partial@example.com', 'stopped@example.com']) {
      await createMailbox(h.live, { address: a });
    }
    // a blob file of a message over 64 KiB goes missing in the mounted RSG
    const large = messageIdOf(fs.readFileSync(path.join(ENRON, 'skilling-j', 'inbox', '986.')));
    const it = h.catalogue
      .group(rsg)
      .listItems('skilling-j')
      .find((i) => i.messageId === large)!;
    fs.rmSync(blobFilePath(path.join(h.catalogue.root, rsg, 'db'), it.blobHash));
    h.close();
    cleanup.after(() => h.reopen());
  });

  it('prints the report with --json and exits 0; the same merge again creates nothing', async () => {
    const first = await merge('--to', 'phanis@example.com', '--mailbox', 'phanis-s');
    const second = await merge('--to', 'phanis@example.com', '--mailbox', 'phanis-s');

    assert.equal(first.code, 0, first.stderr);
    const r = first.json();
    assert.equal(r.state, 'done');
    assert.equal(typeof r.id, 'number');
    assert.deepEqual(
      [r.counts.selected, r.counts.created, r.counts.failed],
      [phanis.length, phanis.length, 0],
    );
    assert.equal(
      r.bytesCopied,
      phanis.reduce((s, f) => s + f.bytes.length, 0),
      'Enron files have no trace fields: all of each is content',
    );
    assert.equal(second.code, 0);
    const r2 = second.json();
    assert.deepEqual([r2.counts.created, r2.counts.identical], [0, phanis.length]);
    assert.notEqual(r2.id, r.id);

    const shown = await cli(['--home', h.home, '--json', 'merge', '--show', String(r.id)], h.clock);
    assert.equal(shown.code, 0);
    assert.deepEqual(shown.json().counts, r.counts);
  });

  it('writes nothing with --dry-run', async () => {
    const before = await cli(['--home', h.home, '--json', 'db', 'stats'], h.clock);

    const dry = await merge(
      '--to',
      'stopped@example.com',
      '--folder',
      'inbox',
      '--mailbox',
      'skilling-j',
      '--dry-run',
    );

    assert.equal(dry.code, 0, dry.stderr);
    const r = dry.json();
    assert.deepEqual([r.dryRun, r.id, r.counts.created], [true, null, inbox.length]);
    const after = await cli(['--home', h.home, '--json', 'db', 'stats'], h.clock);
    assert.deepEqual(after.json(), before.json());
  });

  it('exits 5 when some items failed within the bad-item limit, with each failure in the report', async () => {
    const run = await merge(
      '--to',
      'partial@example.com',
      '--mailbox',
      'skilling-j',
      '--folder',
      'inbox',
      '--bad-item-limit',
      '3',
    );

    assert.equal(run.code, 5, run.stderr);
    const r = run.json();
    assert.deepEqual([r.state, r.counts.created, r.counts.failed], ['done', inbox.length - 1, 1]);
    assert.match(r.failures[0]!.reason, /^BLOB_MISSING: /);
  });

  it('exits 1 when the bad-item limit stops the merge', async () => {
    const run = await merge('--to', 'stopped@example.com', '--mailbox', 'skilling-j', '--folder', 'inbox');

    assert.equal(run.code, 1, run.stderr);
    const r = run.json();
    assert.equal(r.state, 'failed');
    assert.match(r.error, /bad-item limit of 0/);
  });

  it('exits 2 on bad input, naming the problem on stderr', async () => {
    const cases = [
      ['--to', 'phanis@example.com', '--mailbox', 'phanis-s', '--conflict', 'sometimes'],
      ['--to', 'phanis@example.com', '--mailbox', 'phanis-s', '--folders', 'flat'],
      ['--to', 'phanis@example.com'],
      ['--to', 'phanis@example.com', '--mailbox', 'phanis-s', '--bad-item-limit', '-1'],
    ];
    for (const args of cases) {
      const run = await merge(...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /^error\[VALIDATION_FAILED\]: /, args.join(' '));
    }
  });

  it('exits 3 when the RSG, the source mailbox, the target or the merge does not exist', async () => {
    const cases: [string[], string][] = [
      [
        ['merge', '--rsg', 'abcdef0123', '--to', 'phanis@example.com', '--mailbox', 'phanis-s'],
        'RSG_NOT_FOUND',
      ],
      [['merge', '--rsg', rsg, '--to', 'nobody@example.com', '--mailbox', 'phanis-s'], 'MAILBOX_NOT_FOUND'],
      [['merge', '--rsg', rsg, '--to', 'phanis@example.com', '--mailbox', 'nobody'], 'MAILBOX_NOT_FOUND'],
      [['merge', '--show', '999'], 'MERGE_NOT_FOUND'],
      [['merge', '--resume', '999'], 'MERGE_NOT_FOUND'],
    ];
    for (const [args, code] of cases) {
      const run = await cli(['--home', h.home, '--json', ...args], h.clock);
      assert.equal(run.code, 3, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.json().error.code, code);
    }
  });

  it('undoes a merge with --undo, then exits 4 on undoing or resuming it again', async () => {
    const made = await merge(
      '--to',
      'phanis@example.com',
      '--mailbox',
      'phanis-s',
      '--conflict',
      'keep-both',
    );
    const id = made.json().id;
    assert.equal(made.json().counts.keptBoth, phanis.length);

    const undo = await cli(['--home', h.home, '--json', 'merge', '--undo', String(id)], h.clock);

    assert.equal(undo.code, 0, undo.stderr);
    assert.deepEqual(undo.json(), { id, removed: phanis.length, flagsRestored: 0, touched: 0, gone: 0 });
    for (const args of [
      ['merge', '--undo', String(id)],
      ['merge', '--resume', String(id)],
    ]) {
      const run = await cli(['--home', h.home, '--json', ...args], h.clock);
      assert.equal(run.code, 4, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.json().error.code, 'MERGE_CONFLICT');
    }
    h.reopen();
    try {
      assert.deepEqual(
        identitiesOf(h.live, 'phanis@example.com'),
        phanis.map((f) => messageIdOf(f.bytes)).sort(),
        'one copy of each left',
      );
      assert.equal(stats(h.live).dumpsterItems, phanis.length);
    } finally {
      h.close();
    }
  });
});
