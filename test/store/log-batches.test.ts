import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  DB_FILE,
  Database,
  backupFull,
  backupIncremental,
  checkDatabase,
  deliver,
  getMailbox,
  listItems,
  restoreBackup,
} from '../../src/store/index.js';
import { type LogRecord, segmentPath } from '../../src/store/txlog.js';
import { aBody, aMessage, mailboxes, openTestDb, tempDir, logRecords } from '../helpers/index.js';

/**
 * Run `writes` on a closed database, then put its SQLite file back as it was before them: the
 * state a writer leaves when it dies between its log fsync and its commit. Returns the records
 * SQLite does not have.
 */
function unappliedAfter(
  dir: string,
  opts: { segmentBytes?: number },
  writes: (db: Database) => void,
): LogRecord[] {
  const saved = fs.readFileSync(path.join(dir, DB_FILE));
  const appliedLsn = logRecords(dir).at(-1)?.lsn ?? 0;
  const db = Database.open(dir, opts);
  writes(db);
  db.close();
  fs.writeFileSync(path.join(dir, DB_FILE), saved);
  for (const f of [`${DB_FILE}-wal`, `${DB_FILE}-shm`]) {
    fs.rmSync(path.join(dir, f), { force: true });
  }
  return logRecords(dir).filter((r) => r.lsn > appliedLsn);
}

function subjects(dir: string, address: string): string[] {
  const db = Database.open(dir, { readOnly: true });
  try {
    return listItems(db.sql, getMailbox(db.sql, address).id)
      .map((i) => i.subject)
      .sort();
  } finally {
    db.close();
  }
}

const messages = (prefix: string, n: number, bodyBytes = 300): Buffer[] =>
  Array.from({ length: n }, (_, i) =>
    aMessage({ subject: `${prefix} ${i}`, body: aBody(bodyBytes, `${prefix}${i}`) }),
  );

describe('write batches are atomic in the log', () => {
  it('cuts a batch torn in the middle whole on open: none of its records is applied', async (t) => {
    const { db, dir } = openTestDb(t);
    const to = await mailboxes(db, 1);
    deliver(db, messages('applied', 1), { to });
    db.close();
    const unapplied = unappliedAfter(dir, {}, (w) => {
      deliver(w, messages('first', 2), { to });
      deliver(w, messages('torn', 3), { to }); // one batch of 6 records: 3 x (blob.put, item.add)
    });
    const torn = unapplied.slice(4);
    assert.deepEqual(
      torn.map((r) => r.batchEnd),
      [false, false, false, false, false, true],
    );
    const file = segmentPath(path.join(dir, 'logs'), torn[2]!.segment);
    fs.truncateSync(file, torn[2]!.offset + 30); // inside the batch's third record
    const again = Database.open(dir);
    assert.equal(again.recovery.replayed, 4);
    assert.equal(again.recovery.tornTail?.offset, torn[0]!.offset);
    assert.equal(again.tail().lsn, unapplied[3]!.lsn);
    again.close();
    assert.equal(fs.statSync(file).size, torn[0]!.offset);
    assert.deepEqual(subjects(dir, to[0]!), ['applied 0', 'first 0', 'first 1']);
    assert.deepEqual(checkDatabase(dir).problems, []);
  });

  it('replays a multi-record batch larger than a segment whole, from a segment of its own', async (t) => {
    const segmentBytes = 4096;
    const { db, dir } = openTestDb(t, { segmentBytes });
    const to = await mailboxes(db, 1);
    deliver(db, messages('small', 1), { to });
    db.close();
    const unapplied = unappliedAfter(dir, { segmentBytes }, (w) => {
      deliver(w, messages('big', 6, 2000), { to }); // 12 records, about 13 KB
    });
    assert.equal(unapplied.length, 12);
    assert.equal(new Set(unapplied.map((r) => r.segment)).size, 1, 'the batch is not split');
    assert.equal(unapplied[0]!.offset, 0, 'the batch starts a segment');
    assert.ok(unapplied.at(-1)!.end > segmentBytes);
    const again = Database.open(dir, { segmentBytes });
    assert.equal(again.recovery.replayed, 12);
    assert.equal(again.recovery.tornTail, undefined);
    again.close();
    assert.deepEqual(subjects(dir, to[0]!), [
      'big 0',
      'big 1',
      'big 2',
      'big 3',
      'big 4',
      'big 5',
      'small 0',
    ]);
    assert.deepEqual(checkDatabase(dir).problems, []);
  });

  it('restores --until an LSN inside a batch to the end of the batch before it, and says where it stopped', async (t) => {
    const { db, dir } = openTestDb(t);
    const to = await mailboxes(db, 1);
    const bk = path.join(tempDir(t), 'backup');
    backupFull(db, bk);
    deliver(db, messages('one', 2), { to });
    const endOfOne = db.tail().lsn;
    deliver(db, messages('two', 3), { to });
    const endOfTwo = db.tail().lsn;
    backupIncremental(db, bk);
    db.close();
    assert.equal(endOfTwo - endOfOne, 6);
    for (const until of [endOfOne + 1, endOfOne + 3, endOfTwo - 1]) {
      const target = path.join(tempDir(t), `pitr-${until}`);
      const r = restoreBackup(bk, target, { until: { lsn: until } });
      assert.equal(r.lsn, endOfOne, `--until ${until}`);
      assert.deepEqual(subjects(target, to[0]!), ['one 0', 'one 1'], `--until ${until}`);
      assert.deepEqual(checkDatabase(target).problems, []);
    }
    const whole = restoreBackup(bk, path.join(tempDir(t), 'pitr-end'), { until: { lsn: endOfTwo } });
    assert.equal(whole.lsn, endOfTwo);
    assert.ok(fs.existsSync(dir));
  });
});
