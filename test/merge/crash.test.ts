/**
 * Crash and resume (issue 6): a real child process runs a merge job and is killed with SIGKILL
 * at a random point, again and again; each time the same job is resumed with runMergeJob in
 * this process. Every round must end with each source item in the target exactly once, and
 * the database must check clean. CRASH_SEED repeats a run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMergeJob, listMergeItems, runMergeJob } from '../../src/merge/index.js';
import { LIVE_EXTENSIONS } from '../../src/extensions.js';
import { Database, checkDatabase, createMailbox, deliver } from '../../src/store/index.js';
import { ChildLines, aBody, aMessage, exited, prng, spawnTsx, traceFor } from '../helpers/index.js';
import { aRequest, identitiesOf, makeHome, otherServer } from './helpers.js';

const CHILD = 'test/merge/crash-child.ts';
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 20);
/** Three batches of the child (250 + 250 + 200): kills land before, between and inside them. */
const ITEMS = 700;

describe('a merge killed with SIGKILL', () => {
  it(`resumes to every item exactly once, ${ROUNDS} rounds at random points`, async (t) => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    t.diagnostic(`CRASH_SEED=${seed}`);
    const random = prng(seed);
    const h = makeHome(t);
    const ids: string[] = [];
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: 'old@example.com' });
      const msgs = Array.from({ length: ITEMS }, (_, i) => {
        ids.push(`m${i}@crash.example.com`);
        return aMessage({
          messageId: `<m${i}@crash.example.com>`,
          subject: `message ${i}`,
          trace: traceFor('old@example.com', i % 7),
          body: aBody(i % 50 === 0 ? 70_000 : 400 + (i % 13) * 50, `m${i}`),
        });
      });
      deliver(db, msgs, { to: ['old@example.com'], folder: 'Archive' });
    });
    const want = [...ids].sort();
    const children: ChildLines[] = [];
    const spawnOne = (): ChildLines => {
      const c = new ChildLines(spawnTsx(CHILD, [h.home, String(h.clock.now())]));
      c.child.stderr!.setEncoding('utf8');
      c.child.stderr!.on('data', (d: string) => process.stderr.write(`[merge child ${c.child.pid}] ${d}`));
      children.push(c);
      return c;
    };
    t.after(() => {
      for (const c of children) {
        if (c.child.exitCode === null && c.child.signalCode === null) {
          c.child.kill('SIGKILL');
        }
      }
    });
    const warm = [spawnOne(), spawnOne(), spawnOne()];
    const landed = { before: 0, during: 0, after: 0 };
    const timings: string[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      const target = `r${round}@example.com`;
      await createMailbox(h.live, { address: target });
      const job = createMergeJob(
        h.deps,
        aRequest(rsg.id, target, { selection: { mailbox: 'old@example.com' } }),
        null,
      );
      const c = warm.shift()!;
      if (round + warm.length + 1 < ROUNDS) {
        warm.push(spawnOne());
      }
      c.child.stdin!.write(`go ${job}\n`);
      await c.waitFor((l) => l === 'open');
      const t1 = Date.now();
      // a random point: after 'open' or after the first committed batch, then up to 400 ms more
      if (random() < 0.5) {
        await c.waitFor((l) => l.startsWith('batch ') || l.startsWith('done '));
      }
      await sleep(Math.floor(random() * 400));
      c.child.kill('SIGKILL');
      await exited(c.child);
      const handled = listMergeItems(h.live, job).length;
      landed[handled === 0 ? 'before' : handled < ITEMS ? 'during' : 'after'] += 1;

      const t2 = Date.now();
      const r = await runMergeJob(h.deps, job);
      timings.push(`${round}:${handled}@${t2 - t1}ms/+${Date.now() - t2}ms`);

      assert.equal(r.state, 'done', `round ${round}`);
      assert.deepEqual([r.done, r.total, r.counts.selected, r.counts.created], [ITEMS, ITEMS, ITEMS, ITEMS]);
      assert.equal(listMergeItems(h.live, job).length, ITEMS);
      assert.deepEqual(identitiesOf(h.live, target), want, `round ${round}: every item once`);
    }

    t.diagnostic(`kills landed ${JSON.stringify(landed)}; round:handled@kill/+resume ${timings.join(' ')}`);
    assert.ok(landed.during >= 3, `kills landed mid-job: ${JSON.stringify(landed)}`);
    const check = checkDatabase(h.live.dir, { extensions: LIVE_EXTENSIONS });
    assert.deepEqual(check.problems, []);
    assert.equal(check.ok, true);
  });

  it('handles every item once when two runs of one job share a database handle and its group commits', async (t) => {
    const h = makeHome(t);
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: 'old@example.com' });
      deliver(
        db,
        Array.from({ length: 60 }, (_, i) => aMessage({ messageId: `<s${i}@crash.example.com>` })),
        { to: ['old@example.com'] },
      );
    });
    await createMailbox(h.live, { address: 'new@example.com' });
    const job = createMergeJob(
      h.deps,
      aRequest(rsg.id, 'new@example.com', { selection: { mailbox: 'old@example.com' } }),
      null,
    );

    // both plan the whole job, then queue their batches side by side: each batch of one run is
    // written in the same transaction as a batch of the other, which has just handled it
    const [a, b] = await Promise.all([
      runMergeJob(h.deps, job, { batchItems: 10 }),
      runMergeJob(h.deps, job, { batchItems: 10 }),
    ]);

    for (const r of [a, b]) {
      assert.equal(r.state, 'done');
    }
    assert.deepEqual([b.done, b.counts.selected, b.counts.created], [60, 60, 60]);
    assert.equal(listMergeItems(h.live, job).length, 60);
    assert.equal(identitiesOf(h.live, 'new@example.com').length, 60);
    assert.equal(new Set(identitiesOf(h.live, 'new@example.com')).size, 60);
  });

  it('does not handle an item twice when another runner went on with the job meanwhile', async (t) => {
    const h = makeHome(t);
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: 'old@example.com' });
      deliver(
        db,
        Array.from({ length: 60 }, (_, i) => aMessage({ messageId: `<o${i}@crash.example.com>` })),
        { to: ['old@example.com'] },
      );
    });
    await createMailbox(h.live, { address: 'new@example.com' });
    const job = createMergeJob(
      h.deps,
      aRequest(rsg.id, 'new@example.com', { selection: { mailbox: 'old@example.com' } }),
      null,
    );
    // a second handle on the same live database, as another process would have
    const other = Database.open(h.live.dir, { clock: h.clock, extensions: LIVE_EXTENSIONS });
    t.after(() => other.close());
    let second: Promise<unknown> | undefined;

    const r = await runMergeJob(h.deps, job, {
      batchItems: 20,
      onProgress: (p) => {
        if (p.done === 20) {
          // after this runner's first batch, the other one runs the rest of the job at once
          second = runMergeJob({ live: other, group: (id) => h.catalogue.group(id) }, job, {
            batchItems: 1000,
          });
        }
      },
    });
    await second;

    assert.equal(r.state, 'done');
    assert.deepEqual([r.done, r.counts.selected, r.counts.created], [60, 60, 60]);
    assert.equal(identitiesOf(h.live, 'new@example.com').length, 60);
    assert.equal(new Set(identitiesOf(h.live, 'new@example.com')).size, 60);
  });
});
