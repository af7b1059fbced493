import assert from 'node:assert/strict';
import { type TestContext, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Database, checkDatabase, readItemBytes } from '../../src/store/index.js';
import { ChildLines, exited, mailboxes, openTestDb, prng, spawnTsx } from '../helpers/index.js';
import { WRITER_MAILBOXES, type WriterMode, writerMessage } from './crash-writer.js';

const WRITER = 'test/store/crash-writer.ts';

/**
 * Writer processes started ahead of time: Node + tsx take a second or two to start, so the next
 * rounds' writers warm up while the current one runs. Each waits for `go` before it opens.
 */
class WriterPool {
  private warm: ChildLines[] = [];
  private readonly all: ChildLines[] = [];

  constructor(
    private readonly dir: string,
    private readonly mode: WriterMode,
    private left: number,
    private readonly size = 3,
    private readonly args: string[] = [],
  ) {
    this.fill();
  }

  private fill(): void {
    while (this.warm.length < Math.min(this.size, this.left)) {
      const c = new ChildLines(spawnTsx(WRITER, [this.dir, this.mode, ...this.args]));
      c.child.stderr!.setEncoding('utf8');
      c.child.stderr!.on('data', (d: string) => process.stderr.write(`[writer ${c.child.pid}] ${d}`));
      this.warm.push(c);
      this.all.push(c);
    }
  }

  take(): ChildLines {
    const c = this.warm.shift()!;
    this.left -= 1;
    this.fill();
    return c;
  }

  killAll(): void {
    for (const c of this.all) {
      if (c.child.exitCode === null && c.child.signalCode === null) {
        c.child.kill('SIGKILL');
      }
    }
  }
}

interface Acked {
  round: number;
  i: number;
}

function ackedOf(lines: string[], round: number): Map<number, Acked> {
  const out = new Map<number, Acked>();
  for (const l of lines) {
    const m = /^ack (\d+) ([\d,]+) \d+$/.exec(l);
    if (m) {
      for (const id of m[2]!.split(',')) {
        out.set(Number(id), { round, i: Number(m[1]) });
      }
    }
  }
  return out;
}

/**
 * After a kill: reopen; every acknowledged id is there with its exact bytes; an item that was
 * not acknowledged can only be one of the last round's in-flight writes, complete; every item's
 * blob exists and refcounts match; `checkDatabase` is clean. Returns the in-flight items found,
 * which from now on must survive like acknowledged ones.
 */
function verify(
  dir: string,
  mode: WriterMode,
  acked: Map<number, Acked>,
  round: number,
  seed: number,
): Map<number, Acked> {
  const where = `round ${round} (CRASH_SEED=${seed})`;
  const db = Database.open(dir);
  const found = new Map<number, Acked>();
  try {
    for (const [id, m] of acked) {
      const bytes = readItemBytes(db, id);
      assert.ok(bytes.equals(writerMessage(m.round, m.i, mode)), `${where}: item ${id} has other bytes`);
    }
    const ids = (db.sql.prepare('SELECT id FROM items').all() as { id: number }[]).map((r) => r.id);
    for (const id of ids.filter((x) => !acked.has(x))) {
      const bytes = readItemBytes(db, id);
      const i = Number(/^Delivered-To: copy-(\d+)@crash\.test/.exec(bytes.toString('latin1', 0, 60))?.[1]);
      assert.ok(
        bytes.equals(writerMessage(round, i, mode)),
        `${where}: item ${id} was never acknowledged and is not an in-flight message of this round`,
      );
      found.set(id, { round, i });
    }
    assert.ok(
      found.size <= 6,
      `${where}: ${found.size} unacknowledged items (at most one group commit of 3 x 2)`,
    );
    const dangling = db.sql
      .prepare(
        'SELECT count(*) AS n FROM items i LEFT JOIN blobs b ON b.hash = i.blob_hash WHERE b.hash IS NULL',
      )
      .get() as { n: number };
    assert.equal(dangling.n, 0, `${where}: items without their blob`);
    const badRefs = db.sql
      .prepare(
        `SELECT count(*) AS n FROM blobs b LEFT JOIN blob_refs r ON r.hash = b.hash
          WHERE r.refcount IS NOT (SELECT count(*) FROM items i WHERE i.blob_hash = b.hash)`,
      )
      .get() as { n: number };
    assert.equal(badRefs.n, 0, `${where}: refcounts differ from references`);
  } finally {
    db.close();
  }
  const report = checkDatabase(dir);
  assert.deepEqual(report.problems, [], `${where}: db check`);
  return found;
}

async function killRound(pool: WriterPool, round: number, killAt: (c: ChildLines) => Promise<void>) {
  const c = pool.take();
  c.child.stdin!.write(`go ${round}\n`);
  await c.waitFor((l) => l === 'open');
  await killAt(c);
  c.child.kill('SIGKILL');
  const end = await exited(c.child);
  await c.ended;
  assert.equal(end.signal, 'SIGKILL', `round ${round}: the writer ended before it was killed`);
  return c;
}

/**
 * A database with the writers' mailboxes, closed for them, and the random moments of this run
 * (CRASH_SEED repeats a run).
 */
async function crashDb(t: TestContext): Promise<{ seed: number; random: () => number; dir: string }> {
  const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
  const { db, dir } = openTestDb(t);
  await mailboxes(db, WRITER_MAILBOXES);
  db.close();
  return { seed, random: prng(seed), dir };
}

/**
 * After a round: its acknowledged writes join `acked`, `verify` checks everything acknowledged so
 * far, and the in-flight writes it found stored count as acknowledged from then on.
 */
function settleRound(
  acked: Map<number, Acked>,
  mine: Map<number, Acked>,
  dir: string,
  mode: WriterMode,
  round: number,
  seed: number,
): void {
  for (const [id, m] of mine) {
    acked.set(id, m);
  }
  for (const [id, m] of verify(dir, mode, acked, round, seed)) {
    acked.set(id, m);
  }
}

describe('crash safety (real processes, SIGKILL)', () => {
  it('keeps every acknowledged delivery, byte for byte, through 20 kills at random moments', async (t) => {
    const { seed, random, dir } = await crashDb(t);
    const rounds = 20;
    const pool = new WriterPool(dir, 'small', rounds);
    t.after(() => pool.killAll());
    const acked = new Map<number, Acked>();
    let total = 0;
    for (let round = 1; round <= rounds; round++) {
      // a random number of writes in, then a random moment of the write cycle
      const c = await killRound(pool, round, async (w) => {
        const k = 1 + Math.floor(random() * 25);
        await w.waitFor((l) => Number(/^ack (\d+) /.exec(l)?.[1] ?? -1) >= k);
        await sleep(Math.floor(random() * 4));
      });
      const mine = ackedOf(c.lines, round);
      total += mine.size;
      settleRound(acked, mine, dir, 'small', round, seed);
    }
    assert.ok(
      total >= rounds * 3,
      `only ${total} acknowledged writes in ${rounds} rounds (CRASH_SEED=${seed})`,
    );
  });

  it('keeps every acknowledged delivery through kills while the background checkpointer copies the WAL', async (t) => {
    const { seed, random, dir } = await crashDb(t);
    const rounds = 6;
    // 64 pages: a checkpoint every 20-odd writes of the writer, each copying ~256 KiB + fsyncs
    const pool = new WriterPool(dir, 'small', rounds, 3, ['64']);
    t.after(() => pool.killAll());
    const acked = new Map<number, Acked>();
    for (let round = 1; round <= rounds; round++) {
      const c = await killRound(pool, round, async (w) => {
        const k = 1 + Math.floor(random() * 3);
        await w.waitFor((l) => Number(/^ckpt (\d+)$/.exec(l)?.[1] ?? -1) >= k);
        await sleep(Math.floor(random() * 2));
      });
      const mine = ackedOf(c.lines, round);
      assert.ok(mine.size > 0, `round ${round}: nothing acknowledged (CRASH_SEED=${seed})`);
      settleRound(acked, mine, dir, 'small', round, seed);
    }
  });

  it('keeps the database whole when killed while delivering a large (> 64 KiB) message', async (t) => {
    const { seed, random, dir } = await crashDb(t);
    const rounds = 3;
    const pool = new WriterPool(dir, 'large', rounds, 2);
    t.after(() => pool.killAll());
    const acked = new Map<number, Acked>();
    let midWrite = 0;
    for (let round = 1; round <= rounds; round++) {
      let target = 0;
      const c = await killRound(pool, round, async (w) => {
        // an even message: its content is new, so its delivery writes a blob file
        target = 2 * (1 + Math.floor(random() * 2));
        await w.waitFor((l) => l === `begin ${target}`);
        await sleep(Math.floor(random() * 5));
      });
      const mine = ackedOf(c.lines, round);
      if (![...mine.values()].some((m) => m.i === target)) {
        midWrite += 1;
      }
      settleRound(acked, mine, dir, 'large', round, seed);
    }
    assert.ok(midWrite >= 1, `no kill landed inside a large write (CRASH_SEED=${seed})`);
  });
});
