/**
 * kill -9 in the middle of a bulk job, twice, then `salvage job run --resume` (issue 7): every
 * item lands exactly once, the report counts each once, the database checks clean, and running
 * the finished job again adds nothing. The killed runs are real processes running the CLI.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LIVE_EXTENSIONS } from '../../src/extensions.js';
import { checkDatabase, createMailbox, deliver } from '../../src/store/index.js';
import { ChildLines, aBody, aMessage, exited, spawnTsx, traceFor } from '../helpers/index.js';
import { cli, identitiesOf, makeHome, otherServer } from '../merge/helpers.js';

const CHILD = 'test/jobs/job-child.ts';
const BOXES = ['ann', 'ben', 'cat', 'dan'].map((u) => `${u}@old.example.com`);
/** Two batches of the merge engine per mailbox. */
const PER_BOX = 700;

describe('a bulk job killed with SIGKILL', () => {
  it('resumes with --resume to every item exactly once', async (t) => {
    const h = makeHome(t);
    const want: Record<string, string[]> = {};
    const rsg = await otherServer(h, 'old', async (db) => {
      for (const [b, box] of BOXES.entries()) {
        await createMailbox(db, { address: box });
        const msgs = Array.from({ length: PER_BOX }, (_, i) =>
          aMessage({
            // every fifth message went to all four: single-instance across the targets too
            messageId: i % 5 === 0 ? `<shared${i}@old.example.com>` : `<b${b}m${i}@old.example.com>`,
            subject: `message ${i}`,
            trace: traceFor(box, i % 3),
            body: aBody(i % 60 === 0 ? 80_000 : 500 + (i % 17) * 40, i % 5 === 0 ? `s${i}` : `b${b}m${i}`),
          }),
        );
        deliver(db, msgs, { to: [box], folder: folderOf(b) });
        want[box.replace('@old.', '@new.')] = msgs
          .map((m) => /Message-ID: <([^>]+)>/.exec(m.toString())![1]!)
          .sort();
      }
    });
    const file = path.join(h.home, 'restore.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        source: { rsg: rsg.id },
        mailboxes: BOXES.map((from) => ({ from, to: from.replace('@old.', '@new.') })),
        createMissingMailboxes: true,
        concurrency: 2,
        report: './report',
      }),
    );
    h.close();
    const children = [
      new ChildLines(spawnTsx(CHILD, [h.home, file])),
      new ChildLines(spawnTsx(CHILD, [h.home, file, '--resume'])),
    ];
    t.after(() => children.forEach((c) => c.child.exitCode === null && c.child.kill('SIGKILL')));
    const progress: string[] = [];

    for (const c of children) {
      c.child.stdin!.write('go\n');
      // a random point after the first mailbox finished, while others are under way
      await c.waitFor((l) => /: (done|failed|stopped),/.test(l));
      await sleep(Math.floor(Math.random() * 200));
      c.child.kill('SIGKILL');
      await exited(c.child);
      h.reopen();
      progress.push(String(h.live.sql.prepare('SELECT count(*) FROM merge_items').pluck().get()));
      h.close();
    }
    t.diagnostic(`items handled when each child was killed: ${progress.join(', ')}`);
    assert.ok(Number(progress[0]) >= PER_BOX, 'the first kill came after a mailbox was done');

    const resumed = await cli(['--home', h.home, '--json', 'job', 'run', '--resume', file], h.clock);

    assert.equal(resumed.code, 0, resumed.stderr);
    const report = resumed.json();
    assert.equal(report.state, 'done');
    const total = BOXES.length * PER_BOX;
    assert.deepEqual(
      [report.totals.selected, report.totals.created, report.totals.failed],
      [total, total, 0],
    );
    const summary = JSON.parse(fs.readFileSync(path.join(h.home, 'report', 'summary.json'), 'utf8'));
    assert.equal(summary.totals.created, total);
    const items = fs
      .readFileSync(path.join(h.home, 'report', 'items.csv'), 'utf8')
      .trim()
      .split('\r\n');
    assert.equal(items.length - 1, total, 'one line per item');
    h.reopen();
    for (const [to, ids] of Object.entries(want)) {
      assert.deepEqual(identitiesOf(h.live, to), ids, `${to}: every item exactly once`);
    }
    const check = checkDatabase(h.live.dir, { extensions: LIVE_EXTENSIONS });
    assert.deepEqual(check.problems, []);
    h.close();

    const again = await cli(['--home', h.home, '--json', 'job', 'run', file], h.clock);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual([again.json().totals.created, again.json().totals.identical], [0, total]);
    h.reopen();
  });
});

/** Folder of mailbox b: a subfolder for half of them. */
function folderOf(b: number): string {
  return b % 2 ? 'Inbox/Projects' : 'Inbox';
}
