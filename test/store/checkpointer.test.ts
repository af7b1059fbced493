import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import {
  DB_FILE,
  Database,
  addItemTx,
  getMailbox,
  backupFull,
  backupIncremental,
  deliver,
  readItemBytes,
  restoreBackup,
} from '../../src/store/index.js';
import { isAppError } from '../../src/errors.js';
import { Checkpointer } from '../../src/store/checkpointer.js';
import { REPO_ROOT, aBody, aMessage, exited, mailboxes, openTestDb, tempDir } from '../helpers/index.js';

/**
 * WAL pages after which the checkpointer runs, in these tests: 256 KiB (the writer itself
 * checkpoints at 4 times that).
 */
const PAGES = 64;

/** Messages of ~6 KiB, each its own content: a batch of n writes about 2.5 n WAL pages. */
function messages(n: number, tag: string): Buffer[] {
  return Array.from({ length: n }, (_, i) =>
    aMessage({ subject: `${tag} ${i}`, body: aBody(6000, `${tag}${i}`) }),
  );
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting until ${what}`);
    }
    await sleep(5);
  }
}

/** The items of salvage.db copied alone (no WAL beside it): what the database file itself holds. */
function itemsInFileAlone(dir: string, t: Parameters<typeof tempDir>[0]): Map<number, Buffer> {
  const copy = path.join(tempDir(t), DB_FILE);
  fs.copyFileSync(path.join(dir, DB_FILE), copy);
  const s = new BetterSqlite3(copy, { readonly: true, fileMustExist: true });
  try {
    const rows = s.prepare('SELECT id, sha256 FROM items').all() as { id: number; sha256: string }[];
    return new Map(rows.map((r) => [r.id, Buffer.from(r.sha256, 'hex')]));
  } finally {
    s.close();
  }
}

describe('the background WAL checkpointer', () => {
  it('is started by the first commit that leaves checkpointPages frames, and copies the WAL into salvage.db while the database stays open', async (t) => {
    const { db, dir } = openTestDb(t, { checkpointPages: PAGES });
    const to = await mailboxes(db, 1);
    assert.equal(db.checkpointerStatus()?.started, false, 'a few small writes start no checkpointer');
    const before = fs.statSync(path.join(dir, DB_FILE)).size;
    const ids = deliver(db, messages(40, 'bg'), { to }).delivered.map((d) => d.ids[0]!);
    await until('the checkpoint ran', () => (db.checkpointerStatus()?.runs ?? 0) >= 1);
    const s = db.checkpointerStatus()!;
    assert.equal(s.started, true);
    assert.equal(s.failures, 0);
    assert.deepEqual(s.last && { busy: s.last.busy, complete: s.last.checkpointed === s.last.log }, {
      busy: 0,
      complete: true,
    });
    assert.ok(fs.statSync(path.join(dir, DB_FILE)).size > before + 40 * 6000, 'salvage.db grew by the batch');
    const alone = itemsInFileAlone(dir, t);
    for (const id of ids) {
      assert.ok(alone.has(id), `item ${id} is in salvage.db without its WAL`);
    }
  });

  it('never keeps a process alive: one that leaves its database open after a checkpoint exits by itself', async (t) => {
    const dir = path.join(tempDir(t), 'db');
    const store = pathToFileURL(path.join(REPO_ROOT, 'src', 'store', 'index.ts')).href;
    const helpers = pathToFileURL(path.join(REPO_ROOT, 'test', 'helpers', 'messages.ts')).href;
    const script = `
      const { Database, createMailbox, deliver } = await import(${JSON.stringify(store)});
      const { aBody, aMessage } = await import(${JSON.stringify(helpers)});
      const db = Database.create(${JSON.stringify(dir)}, { checkpointPages: ${PAGES} });
      await createMailbox(db, { address: 'a@example.com' });
      const msgs = Array.from({ length: 40 }, (_, i) => aMessage({ subject: 's' + i, body: aBody(6000, 'k' + i) }));
      deliver(db, msgs, { to: ['a@example.com'] });
      while (db.checkpointerStatus().runs < 1) await new Promise((r) => setTimeout(r, 5));
      process.stdout.write(JSON.stringify(db.checkpointerStatus()));
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const end = await exited(child);
    clearTimeout(timer);
    assert.deepEqual(end, { code: 0, signal: null }, 'the process exited by itself');
    assert.equal((JSON.parse(out) as { started: boolean }).started, true);
  });

  it('is never started for a read-only database, nor by writes below the threshold', async (t) => {
    const { db, dir } = openTestDb(t);
    deliver(db, messages(20, 'ro'), { to: await mailboxes(db, 1) });
    assert.equal(db.checkpointerStatus()?.started, false);
    db.close();
    const ro = Database.open(dir, { readOnly: true });
    t.after(() => ro.close());
    assert.equal(ro.checkpointerStatus(), undefined);
  });

  it('close() leaves everything in salvage.db, whenever it comes during checkpoints, and removes the WAL', async (t) => {
    let closedWhileRunning = 0;
    for (let round = 0; round < 8; round++) {
      const dir = path.join(tempDir(t), 'db');
      const db = Database.create(dir, { checkpointPages: PAGES });
      const to = await mailboxes(db, 1);
      const ids: number[] = [];
      const batch = (tag: string): void => {
        ids.push(...deliver(db, messages(30, tag), { to }).delivered.map((d) => d.ids[0]!));
      };
      batch(`c${round}`);
      await until('the checkpointer ran once', () => (db.checkpointerStatus()?.runs ?? 0) >= 1);
      for (let b = 0; b < 1 + (round % 3); b++) {
        batch(`c${round}.${b}`); // each asks for a checkpoint when none runs
      }
      // async writes too, the service's path: still queued when close() flushes them
      const queued = messages(5, `q${round}`).map((bytes) =>
        db
          .write((tx) => addItemTx(tx, { mailboxId: getMailbox(tx.sql, to[0]!).id, bytes }).id)
          .then((id) => void ids.push(id)),
      );
      closedWhileRunning += db.checkpointerStatus()!.running ? 1 : 0;
      db.close();
      await Promise.all(queued);
      assert.equal(fs.existsSync(path.join(dir, `${DB_FILE}-wal`)), false, `round ${round}: the WAL is gone`);
      const alone = itemsInFileAlone(dir, t);
      assert.equal(alone.size, ids.length, `round ${round}: every item in salvage.db alone`);
      for (const id of ids) {
        assert.ok(alone.has(id), `round ${round}: item ${id}`);
      }
    }
    t.diagnostic(`close() came while a checkpoint ran in ${closedWhileRunning} of 8 rounds`);
  });

  it('close() that times out throws INTERNAL, ends the worker, and loses nothing: the WAL still holds the writes', (t) => {
    // a database with a WAL to copy, closed by its own writer without a checkpoint
    const dir = path.join(tempDir(t), 'wal');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'w.db');
    const w = new BetterSqlite3(file);
    w.pragma('journal_mode = WAL');
    w.pragma('wal_autocheckpoint = 0');
    w.exec('CREATE TABLE t (x BLOB)');
    const rows = 200;
    const insert = w.prepare('INSERT INTO t VALUES (randomblob(8000))');
    w.transaction(() => {
      for (let i = 0; i < rows; i++) {
        insert.run();
      }
    })();
    const cp = new Checkpointer(file, 1);
    assert.ok(cp.framesPending() >= rows, 'the WAL holds the rows, not yet copied');
    cp.afterCommit(); // starts the worker and asks for a checkpoint
    assert.equal(cp.status().started, true);
    // no time at all to stop: the worker is still starting (or checkpointing)
    assert.throws(
      () => cp.close(0),
      (err: unknown) =>
        isAppError(err) && err.code === 'INTERNAL' && /did not stop within 0 ms/.test(err.message),
    );
    assert.doesNotThrow(() => cp.close(0), 'a second close() has nothing left to stop');
    w.close(); // the last connection: SQLite copies the WAL into the file now
    const r = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    t.after(() => r.close());
    assert.equal((r.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, rows);
  });

  it('keeps the WAL under a ceiling when the checkpointer does not run: the writer checkpoints itself at 4 x checkpointPages', async (t) => {
    const { db, dir } = openTestDb(t, { checkpointPages: PAGES });
    const to = await mailboxes(db, 1);
    const wal = path.join(dir, `${DB_FILE}-wal`);
    const ids: number[] = [];
    let largest = 0;
    db.withoutBackgroundCheckpoint(() => {
      for (let b = 0; b < 12; b++) {
        ids.push(...deliver(db, messages(40, `w${b}`), { to }).delivered.map((d) => d.ids[0]!));
        largest = Math.max(largest, fs.statSync(wal).size);
      }
    });
    assert.equal(db.checkpointerStatus()!.runs, 0, 'the checkpointer was paused throughout');
    // ~100 frames a batch, 1,200 in all: without the ceiling the WAL would hold them all
    const frame = 4096 + 24;
    assert.ok(largest <= (4 * PAGES + 150) * frame, `the WAL reached ${largest} bytes`);
    const alone = itemsInFileAlone(dir, t);
    assert.ok(alone.size >= ids.length / 2, 'the writer copied the WAL into salvage.db itself');
  });

  it('pauses for checkpoint(): FULL is never busy because of it, and completes', async (t) => {
    const { db } = openTestDb(t, { checkpointPages: PAGES });
    const to = await mailboxes(db, 1);
    let sawRunning = 0;
    for (let i = 0; i < 30; i++) {
      deliver(db, messages(40, `f${i}`), { to }); // asks for a checkpoint: the worker starts it now
      sawRunning += db.checkpointerStatus()!.running ? 1 : 0;
      const r = db.checkpoint('FULL');
      assert.equal(r.busy, 0, `round ${i}: FULL was busy`);
      assert.equal(r.checkpointed, r.log, `round ${i}: FULL left frames`);
    }
    assert.ok(db.checkpointerStatus()!.runs >= 1);
    t.diagnostic(`the checkpointer was running at ${sawRunning} of 30 FULL checkpoints`);
  });

  it('lets full and incremental backups taken while it checkpoints purge their logs, and restore whole', async (t) => {
    const { db } = openTestDb(t, { checkpointPages: PAGES, segmentBytes: 64 * 1024 });
    const to = await mailboxes(db, 1);
    const root = tempDir(t);
    const acked: number[] = [];
    const writeSome = (tag: string): void => {
      acked.push(...deliver(db, messages(40, tag), { to }).delivered.map((d) => d.ids[0]!));
    };
    for (let set = 0; set < 3; set++) {
      const dir = path.join(root, `set${set}`);
      writeSome(`s${set}`);
      // writes while the snapshot is copied: the checkpointer cannot copy them (the snapshot's
      // reader holds the file) and gets asked again just before the backup's own checkpoint
      const full = backupFull(db, dir, { onSnapshot: () => writeSome(`s${set}.snap`) });
      assert.equal(full.logsKept, undefined, `set ${set}: full backup kept its logs`);
      assert.equal(full.snapshot, 'copy');
      for (let k = 0; k < 3; k++) {
        writeSome(`s${set}.${k}`);
        const incr = backupIncremental(db, dir);
        assert.equal(incr.logsKept, undefined, `set ${set}, incremental ${k}: kept its logs`);
        assert.ok(incr.purgedSegments.length > 0, `set ${set}, incremental ${k}: purged segments`);
      }
      const restored = restoreBackup(dir, path.join(root, `restored${set}`));
      const r = Database.open(restored.dir, { readOnly: true });
      try {
        for (const id of acked) {
          assert.ok(readItemBytes(r, id).length > 6000, `set ${set}: item ${id} restored`);
        }
      } finally {
        r.close();
      }
    }
    assert.ok(db.checkpointerStatus()!.runs >= 3, 'the checkpointer ran between the backups');
  });
});
