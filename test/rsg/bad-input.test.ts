// Bad sources: a mount either fails with a precise reason and leaves nothing half-mounted, or
// skips the bad items, each counted and listed with its reason in the mount report.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { INFO_FILE, type RsgCatalogue, type RsgInfo } from '../../src/rsg/index.js';
import { Database, backupFull, createMailbox, deliver } from '../../src/store/index.js';
import {
  OUTLOOK_PST,
  SOURCES,
  aCatalogue,
  aClock,
  copyTrees,
  expectAppError,
  filesUnder,
  mailboxCounts,
  mountOk,
  snapshotTree,
  tempDir,
} from './helpers.js';

/** A failed mount: state and reason on record, no database left in the RSG, nothing to browse. */
async function assertFailedCleanly(cat: RsgCatalogue, info: RsgInfo, code: string): Promise<void> {
  assert.equal(info.state, 'failed');
  assert.equal(info.error?.code, code);
  assert.deepEqual(cat.get(info.id), info, 'the failure is on record');
  assert.deepEqual(filesUnder(path.join(cat.root, info.id)), [INFO_FILE], 'nothing half-mounted');
  await expectAppError(() => cat.group(info.id), 'RSG_NOT_MOUNTED');
  cat.unmount(info.id);
  assert.deepEqual(cat.list(), []);
}

describe('mounting bad input', () => {
  it('fails a truncated PST with SOURCE_CORRUPT naming both sizes, and mounts nothing', async (t) => {
    const pst = path.join(tempDir(t), 'cut.pst');
    const whole = fs.readFileSync(OUTLOOK_PST);
    fs.writeFileSync(pst, whole.subarray(0, 1024 * 1024));
    const cat = aCatalogue(t);
    const info = await cat.mount({ source: 'pst', path: pst });
    assert.match(info.error?.message ?? '', /truncated/i);
    assert.match(info.error?.message ?? '', new RegExp(`${whole.length}`));
    assert.match(info.error?.message ?? '', new RegExp(`${1024 * 1024}`));
    await assertFailedCleanly(cat, info, 'SOURCE_CORRUPT');
  });

  it('skips what is not mail in an mbox, counts and lists each with its reason, and mounts the other messages', async (t) => {
    const real = fs.readFileSync(path.join(SOURCES, 'mbox', 'simple.mbox'), 'latin1');
    const parts = real.split(/^(?=From )/m);
    assert.equal(parts.length, 3);
    const garbage = 'this line is no mbox\n\n';
    const junkBlock =
      'From junk@example.com Fri Jan  2 00:00:00 2004\n\u0000\u0001 binary junk, no header\n\n';
    const file = path.join(tempDir(t), 'g.mbox');
    fs.writeFileSync(file, garbage + parts[0] + junkBlock + parts[1] + parts[2], 'latin1');
    const junkAt = Buffer.byteLength(garbage + parts[0], 'latin1');
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'mbox', path: file });
    assert.equal(info.report.problemCount, 2);
    assert.deepEqual(
      info.report.problems.map((p) => p.origin),
      ['g.mbox:0', `g.mbox:${junkAt}`],
    );
    assert.match(info.report.problems[0]!.reason, /garbage before the first From_ line/);
    assert.match(info.report.problems[1]!.reason, /not an RFC 5322 message/);
    assert.equal(info.counts.items, 3);
    const g = cat.group(info.id);
    assert.deepEqual(mailboxCounts(g), { g: 3 });
    assert.deepEqual(cat.get(info.id).report.problems, info.report.problems, 'the report is kept');
  });

  it('skips unreadable files in a Maildir (a dangling symlink, a FIFO) with their reasons, without blocking', async (t) => {
    const src = copyTrees(t, { alice: path.join(SOURCES, 'maildir', 'alice') });
    const cur = path.join(src, 'alice', 'cur');
    fs.symlinkSync(path.join(src, 'gone'), path.join(cur, '1004569999.M1P1.host:2,S'));
    execFileSync('mkfifo', [path.join(cur, '1004569998.M1P1.host:2,')]);
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'maildir', path: src });
    assert.equal(info.counts.items, 10);
    assert.equal(info.report.problemCount, 2);
    const reasons = Object.fromEntries(info.report.problems.map((p) => [p.origin, p.reason]));
    assert.deepEqual(Object.keys(reasons).sort(), [
      'alice/cur/1004569998.M1P1.host:2,',
      'alice/cur/1004569999.M1P1.host:2,S',
    ]);
    assert.match(reasons['alice/cur/1004569998.M1P1.host:2,']!, /FIFO/);
    assert.match(reasons['alice/cur/1004569999.M1P1.host:2,S']!, /ENOENT|dangling/);
  });

  it('fails a backup whose manifest checksum does not match with BACKUP_CORRUPT, and mounts nothing', async (t) => {
    const dir = tempDir(t);
    const db = Database.create(path.join(dir, 'live'), { clock: aClock() });
    await createMailbox(db, { address: 'phanis-s@example.com' });
    const inbox = path.join(SOURCES, 'eml-tree', 'phanis-s', 'inbox');
    deliver(
      db,
      filesUnder(inbox).map((f) => fs.readFileSync(path.join(inbox, f))),
      { to: ['phanis-s@example.com'] },
    );
    const bk = path.join(dir, 'backup');
    backupFull(db, bk);
    db.close();
    const snapshot = path.join(bk, '0000-full', 'salvage.db');
    const bytes = fs.readFileSync(snapshot);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    fs.writeFileSync(snapshot, bytes);
    const before = snapshotTree(bk);
    const cat = aCatalogue(t);
    const info = await cat.mount({ source: 'backup', path: bk });
    assert.match(info.error?.message ?? '', /0000-full\/salvage\.db does not match its manifest checksum/);
    await assertFailedCleanly(cat, info, 'BACKUP_CORRUPT');
    assert.deepEqual(snapshotTree(bk), before);
  });

  it('fails a cancelled mount (abort signal) with its reason, and mounts nothing', async (t) => {
    const src = copyTrees(t, { alice: path.join(SOURCES, 'maildir', 'alice') });
    const cat = aCatalogue(t);
    const abort = new AbortController();
    abort.abort();
    const info = await cat.mount({ source: 'maildir', path: src }, { signal: abort.signal });
    assert.match(info.error?.message ?? '', /cancelled/);
    await assertFailedCleanly(cat, info, 'VALIDATION_FAILED');
  });

  it('refuses a path that does not exist with SOURCE_NOT_FOUND, before creating anything', async (t) => {
    const cat = aCatalogue(t);
    const missing = path.join(tempDir(t), 'no-such-dump');
    for (const source of ['eml-tree', 'maildir', 'mbox', 'pst', 'backup', 'database'] as const) {
      const err = await expectAppError(() => cat.mount({ source, path: missing }), 'SOURCE_NOT_FOUND');
      assert.match(err.message, /does not exist/);
    }
    const notADb = tempDir(t);
    const err = await expectAppError(
      () => cat.mount({ source: 'database', path: notADb }),
      'SOURCE_NOT_FOUND',
    );
    assert.match(err.message, /not a Salvage database directory/);
    assert.deepEqual(cat.list(), []);
    assert.deepEqual(fs.existsSync(cat.root) ? fs.readdirSync(cat.root) : [], []);
  });

  it('refuses --until for a source that is not a backup, and an unknown source kind', async (t) => {
    const cat = aCatalogue(t);
    const src = tempDir(t);
    await expectAppError(
      () => cat.mount({ source: 'eml-tree', path: src, until: { lsn: 1 } }),
      'VALIDATION_FAILED',
    );
    await expectAppError(() => cat.mount({ source: 'tarball' as 'mbox', path: src }), 'VALIDATION_FAILED');
    assert.deepEqual(cat.list(), []);
  });
});
