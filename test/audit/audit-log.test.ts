import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { AuditService, CLI_ACTOR, listAudit } from '../../src/audit/index.js';
import { LIVE_EXTENSIONS } from '../../src/extensions.js';
import { ManualClock } from '../../src/lib/clock.js';
import {
  Database,
  createMailbox,
  deleteItemsTx,
  deliver,
  getItem,
  getMailbox,
} from '../../src/store/index.js';

const CLI = { actor: CLI_ACTOR, requestId: 'r-9' };

function tempDb(t: TestContext): { db: Database; clock: ManualClock } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-audit-'));
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const db = Database.create(path.join(root, 'live'), { clock, extensions: LIVE_EXTENSIONS });
  t.after(() => {
    db.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
  return { db, clock };
}

describe('the audit log', () => {
  it('is append-only: SQLite refuses to update or delete an entry', async (t) => {
    const { db } = tempDb(t);
    await new AuditService(db).record({ ...CLI, action: 'x', target: '/t', outcome: 'ok' });
    assert.throws(() => db.sql.prepare("UPDATE audit_log SET outcome = 'denied'").run(), /append-only/);
    assert.throws(() => db.sql.prepare('DELETE FROM audit_log').run(), /append-only/);
    assert.equal(listAudit(db.sql, {}, { limit: 5 }).items.length, 1);
  });

  it('keeps ids increasing across writes, batches and reopen', async (t) => {
    const { db } = tempDb(t);
    const audit = new AuditService(db);
    const e = { ...CLI, action: 'a', target: '/t', outcome: 'ok' as const };
    const [a, b] = await Promise.all([audit.record(e, e), audit.record(e)]);
    assert.deepEqual(
      [...a, ...b].map((x) => x.id),
      [1, 2, 3],
    );
    const dir = db.dir;
    db.close();
    const again = Database.open(dir, { extensions: LIVE_EXTENSIONS });
    try {
      const [c] = await new AuditService(again).record(e);
      assert.equal(c?.id, 4);
    } finally {
      again.close();
    }
  });

  it('clips hostile field sizes', async (t) => {
    const { db } = tempDb(t);
    const [e] = await new AuditService(db).record({
      ...CLI,
      action: 'a',
      target: '/' + 'x'.repeat(10_000),
      outcome: 'denied',
    });
    assert.equal(e?.target.length, 1025);
  });

  it('records the outcome of an audited call, rethrowing its error', async (t) => {
    const { db } = tempDb(t);
    const audit = new AuditService(db);
    assert.equal(
      await audit.audited(
        CLI,
        'ok-op',
        '/a',
        () => 42,
        (n) => ({ n }),
      ),
      42,
    );
    await assert.rejects(
      audit.audited(CLI, 'bad-op', '/b', () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(
      listAudit(db.sql, {}, { limit: 5 }).items.map((x) => [
        x.action,
        x.outcome,
        x.code,
        x.detail,
        x.requestId,
      ]),
      [
        ['bad-op', 'failed', 'INTERNAL', null, 'r-9'],
        ['ok-op', 'ok', null, { n: 42 }, 'r-9'],
      ],
    );
  });

  it('pages with a cursor of its own and refuses a foreign one', async (t) => {
    const { db } = tempDb(t);
    const audit = new AuditService(db);
    for (let i = 0; i < 5; i++) {
      await audit.record({ ...CLI, action: `a${i}`, target: '/t', outcome: 'ok' });
    }
    const p1 = listAudit(db.sql, {}, { limit: 3 });
    const p2 = listAudit(db.sql, {}, { limit: 3, cursor: p1.nextCursor! });
    assert.deepEqual(
      [...p1.items, ...p2.items].map((e) => e.action),
      ['a4', 'a3', 'a2', 'a1', 'a0'],
    );
    assert.equal(p2.nextCursor, null);
    assert.throws(() => listAudit(db.sql, {}, { limit: 3, cursor: 'c1.WyJpdGVtcyIsWzEsMl1d' }), {
      code: 'VALIDATION_FAILED',
    });
  });

  it('auditedWrite: the change and its ok entry commit together, or neither does', async (t) => {
    const { db } = tempDb(t);
    const audit = new AuditService(db);
    await createMailbox(db, { address: 'a@example.com' });
    const [id] = deliver(db, [Buffer.from('Subject: x\r\n\r\nbody\r\n')], { to: ['a@example.com'] })
      .delivered[0]!.ids;
    const box = getMailbox(db.sql, 'a@example.com');
    // the entry cannot be built (its detail throws) after the plan has deleted the item
    await assert.rejects(
      audit.auditedWrite(
        CLI,
        'deleteItem',
        '/t',
        (tx) => deleteItemsTx(tx, 'a@example.com', [id!]),
        () => {
          throw new Error('no detail');
        },
      ),
      /no detail/,
    );
    assert.equal(getItem(db.sql, box.id, id!).deletedMs, null, 'the delete rolled back with the entry');
    const failed = listAudit(db.sql, { action: 'deleteItem' }, { limit: 5 }).items;
    assert.deepEqual(
      failed.map((e) => [e.outcome, e.code]),
      [['failed', 'INTERNAL']],
    );
    const done = await audit.auditedWrite(CLI, 'deleteItem', '/t', (tx) =>
      deleteItemsTx(tx, 'a@example.com', [id!]),
    );
    assert.deepEqual(done, { deleted: [id] });
    assert.notEqual(getItem(db.sql, box.id, id!).deletedMs, null);
    assert.equal(listAudit(db.sql, { action: 'deleteItem', outcome: 'ok' }, { limit: 5 }).items.length, 1);
  });
});
