/**
 * `salvage job run` refusing malformed job files — each kind of mistake named with its exact
 * path, nothing written — and its exit codes: 0 done, 5 some items failed within the bad-item
 * limit, 1 stopped. The source is the Enron fixture mounted as an eml-tree, with one blob file
 * of a large message gone.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { blobFilePath, createMailbox } from '../../src/store/index.js';
import { diskState, logicalState } from '../helpers/index.js';
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
} from '../merge/helpers.js';

describe('salvage job run', () => {
  const cleanup = suiteCleanup();
  let h: TestHome;
  let rsg: string;
  /** One mailbox named as a dump might name it, not an address. */
  let named: string;
  let dir: string;

  /** Write a job file (YAML unless named .json) beside the others. */
  const jobFile = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const run = (...args: string[]): ReturnType<typeof cli> =>
    cli(['--home', h.home, 'job', 'run', ...args], h.clock);

  before(async () => {
    h = makeHome(cleanup);
    rsg = (await mount(h, { source: 'eml-tree', path: ENRON, label: 'enron' })).id;
    named = (
      await mount(h, {
        source: 'eml-tree',
        path: path.join(ENRON, 'phanis-s'),
        mailbox: 'Old PC (Phanis)',
        label: 'old pc',
      })
    ).id;
    await createMailbox(h.live, { address: 'phanis@example.com' });
    const large = messageIdOf(fs.readFileSync(path.join(ENRON, 'skilling-j', 'inbox', '986.')));
    const it = h.catalogue
      .group(rsg)
      .listItems('skilling-j')
      .find((i) => i.messageId === large)!;
    fs.rmSync(blobFilePath(path.join(h.catalogue.root, rsg, 'db'), it.blobHash));
    dir = path.join(h.home, 'jobs');
    fs.mkdirSync(dir);
    h.close();
    cleanup.after(() => h.reopen());
  });

  describe('refuses a malformed job file with the exact path of each mistake, writing nothing', () => {
    const cases: { name: string; file: string; text: (rsg: string) => string; errors: [string, RegExp][] }[] =
      [
        {
          name: 'an unknown key (at the top and inside filters)',
          file: 'unknown-key.yaml',
          text: (r) =>
            `source: { rsg: ${r} }\nmailboxes: all\nconcurency: 2\nfilters: { subjectKeyword: [budget] }\n`,
          errors: [
            ['concurency', /unrecognized key/i],
            ['filters.subjectKeyword', /unrecognized key/i],
          ],
        },
        {
          name: 'an RSG id that YAML reads as a number',
          file: 'numeric-id.yaml',
          text: () => 'source: { rsg: 123e4567 }\nmailboxes: all\n',
          errors: [['source.rsg', /quote it/]],
        },
        {
          name: 'a source to mount of an unknown kind',
          file: 'bad-mount.yaml',
          text: () => 'source: { mount: { source: emltree, path: dumps/x } }\nmailboxes: all\n',
          errors: [['source.mount.source', /eml-tree/]],
        },
        {
          name: 'a source that is neither an RSG nor a mount',
          file: 'bad-source.yaml',
          text: () => 'source: { path: dumps/x }\nmailboxes: all\n',
          errors: [['source', /either rsg .* or mount/]],
        },
        {
          name: 'a value of the wrong type',
          file: 'wrong-type.json',
          text: (r) => JSON.stringify({ source: { rsg: r }, mailboxes: 'all', badItemLimit: 'none' }),
          errors: [['badItemLimit', /number/i]],
        },
        {
          name: 'a value outside an enum',
          file: 'bad-enum.yaml',
          text: (r) => `source: { rsg: ${r} }\nmailboxes: all\nconflict: overwrite\nfolders: flat\n`,
          errors: [
            ['conflict', /skip|keep-both|update/],
            ['folders', /original|recovered/],
          ],
        },
        {
          name: 'dates that are not calendar days',
          file: 'bad-date.yaml',
          text: (r) =>
            `source: { rsg: ${r} }\nmailboxes: all\nfilters:\n  sent: { from: 2001-02-30 }\n  received: { to: 12/31/2001 }\n`,
          errors: [
            ['filters.sent.from', /date/i],
            ['filters.received.to', /date/i],
          ],
        },
        {
          name: 'no mailboxes at all',
          file: 'no-mailboxes.yaml',
          text: (r) => `source: { rsg: ${r} }\ncreateMissingMailboxes: true\n`,
          errors: [['mailboxes', /name the mailboxes/]],
        },
        {
          name: 'a source mailbox the RSG does not hold',
          file: 'unknown-source.yaml',
          text: (r) =>
            `source: { rsg: ${r} }\nmailboxes:\n  - { from: phanis-s, to: phanis@example.com }\n  - { from: lay-k, to: ken@example.com }\ncreateMissingMailboxes: true\n`,
          errors: [['mailboxes.1.from', /no mailbox 'lay-k' in the source/]],
        },
        {
          name: 'a target that does not exist, without createMissingMailboxes',
          file: 'missing-target.yaml',
          text: (r) =>
            `source: { rsg: ${r} }\nmailboxes:\n  - { from: phanis-s, to: phanis@example.com }\n  - { from: delainey-d, to: dave@example.com }\n`,
          errors: [['mailboxes.1.to', /no live mailbox 'dave@example.com'/]],
        },
        {
          name: "'all' over a source mailbox whose name is not a live address",
          file: 'all-unaddressable.yaml',
          text: () => `source: { rsg: ${named} }\nmailboxes: all\ncreateMissingMailboxes: true\n`,
          errors: [['mailboxes', /'Old PC \(Phanis\)' is not a mailbox address: name a target for it/]],
        },
        {
          name: 'a bad line in the mailbox list file',
          file: 'bad-list.yaml',
          text: (r) =>
            `source: { rsg: ${r} }\nmailboxListFile: ./mailboxes.txt\ncreateMissingMailboxes: true\n`,
          errors: [['mailboxListFile:3', /expected "from to"/]],
        },
        {
          name: 'a YAML syntax error',
          file: 'syntax.yaml',
          text: (r) =>
            `source: { rsg: ${r} }\nmailboxes: [ { from: phanis-s, to: x@example.com }\nfolders: original\n`,
          errors: [['(syntax)', /line \d+/]],
        },
      ];

    for (const c of cases) {
      it(`refuses ${c.name}`, async () => {
        fs.writeFileSync(
          path.join(dir, 'mailboxes.txt'),
          '# from to\nphanis-s phanis@example.com\nskilling-j jeff@example.com extra-field\n',
        );
        const file = jobFile(c.file, c.text(rsg));
        h.reopen();
        const logical = logicalState(h.live);
        const disk = diskState(h.live.dir);
        h.close();

        const r = await run(file);

        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /^error\[JOB_INVALID\]: /);
        for (const [p, message] of c.errors) {
          const line = r.stderr.split('\n').find((l) => l.startsWith(`  ${p}: `));
          assert.ok(line, `stderr names ${p}:\n${r.stderr}`);
          assert.match(line, message);
        }
        h.reopen();
        try {
          assert.deepEqual(logicalState(h.live), logical);
          assert.deepEqual(diskState(h.live.dir), disk);
        } finally {
          h.close();
        }
      });
    }
  });

  it('exits 5 when some items failed within the bad-item limit, and the report lists them', async () => {
    const file = jobFile(
      'partial.yaml',
      `source: { rsg: ${rsg} }\nmailboxes: [ { from: skilling-j, to: partial@example.com } ]\ncreateMissingMailboxes: true\nbadItemLimit: 2\nreport: ./partial\n`,
    );

    const r = await run(file);

    assert.equal(r.code, 5, r.stderr);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'partial', 'summary.json'), 'utf8'));
    const all = fixtureMessages('skilling-j');
    assert.deepEqual(
      [summary.state, summary.totals.created, summary.totals.failed],
      ['partial', all.length - 1, 1],
    );
    const items = fs.readFileSync(path.join(dir, 'partial', 'items.csv'), 'utf8').split('\r\n');
    const failed = items.filter((l) => l.includes(',failed,fail,'));
    assert.equal(failed.length, 1);
    assert.match(failed[0]!, /BLOB_MISSING/);
  });

  it('exits 1 when the bad-item limit stops the job', async () => {
    const file = jobFile(
      'stopped.json',
      JSON.stringify({
        source: { rsg },
        mailboxes: [{ from: 'skilling-j', to: 'stopped@example.com' }],
        createMissingMailboxes: true,
      }),
    );

    const r = await run('--json', file);

    assert.equal(r.code, 1, r.stderr);
    assert.equal(JSON.parse(r.stdout).state, 'failed');
  });

  it('exits 0 for a mailbox list file of "from to" lines, comments and blank lines allowed', async () => {
    fs.writeFileSync(
      path.join(dir, 'good.txt'),
      '# ExMerge-style mailbox list\n\nphanis-s phanis@example.com\ndelainey-d   dave@example.com  # a comment\n',
    );
    const file = jobFile(
      'list.yaml',
      `source: { rsg: ${rsg} }\nmailboxListFile: ./good.txt\ncreateMissingMailboxes: true\n`,
    );

    const r = await run(file);

    assert.equal(r.code, 0, r.stderr);
    h.reopen();
    try {
      assert.deepEqual(
        identitiesOf(h.live, 'dave@example.com'),
        fixtureMessages('delainey-d')
          .map((f) => messageIdOf(f.bytes))
          .sort(),
      );
      assert.equal(identitiesOf(h.live, 'phanis@example.com').length, fixtureMessages('phanis-s').length);
    } finally {
      h.close();
    }
  });
});
