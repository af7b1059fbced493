import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { AuditService, CLI_ACTOR, listAudit } from '../../src/audit/index.js';
import { authenticateToken, createToken, listTokens, revokeToken } from '../../src/auth/index.js';
import { LIVE_EXTENSIONS } from '../../src/extensions.js';
import { ManualClock } from '../../src/lib/clock.js';
import {
  Database,
  backupFull,
  backupIncremental,
  checkDatabase,
  createMailbox,
  restoreBackup,
} from '../../src/store/index.js';

const T0 = Date.UTC(2026, 2, 2, 9);
const CLI = { actor: CLI_ACTOR, requestId: null };

function tempDb(t: TestContext): { db: Database; dir: string; root: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-auth-'));
  const dir = path.join(root, 'live');
  const db = Database.create(dir, { clock: new ManualClock(T0), extensions: LIVE_EXTENSIONS });
  t.after(() => {
    db.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
  return { db, dir, root };
}

/** Every byte the database keeps on disk: the SQLite files and the log. */
function diskBytes(dir: string): Buffer {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else {
        files.push(p);
      }
    }
  };
  walk(dir);
  return Buffer.concat(files.map((f) => fs.readFileSync(f)));
}

describe('bearer tokens', () => {
  it('store only the hash: the secret is nowhere in the database files or the log', async (t) => {
    const { db, dir } = tempDb(t);
    const { secret, token } = await createToken(db, new AuditService(db), CLI, { role: 'admin' });
    assert.match(secret, /^slv_[A-Za-z0-9_-]{43}$/);
    db.sql.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = diskBytes(dir);
    assert.equal(bytes.indexOf(secret), -1);
    assert.equal(bytes.indexOf(secret.slice(4)), -1);
    assert.deepEqual(authenticateToken(db.sql, secret), {
      tokenId: token.id,
      name: 'admin',
      role: 'admin',
      mailbox: null,
    });
  });

  it('refuse a secret that differs in one character, and any malformed one', async (t) => {
    const { db } = tempDb(t);
    const { secret } = await createToken(db, new AuditService(db), CLI, { role: 'helpdesk' });
    const last = secret.at(-1) === 'A' ? 'B' : 'A';
    assert.equal(authenticateToken(db.sql, secret.slice(0, -1) + last), undefined);
    for (const bad of [
      '',
      'slv_',
      secret + 'x',
      secret.slice(4),
      `Bearer ${secret}`,
      'slv_' + '!'.repeat(43),
    ]) {
      assert.equal(authenticateToken(db.sql, bad), undefined, bad);
    }
  });

  it('bind a user token to the mailbox as stored, whatever the case given', async (t) => {
    const { db } = tempDb(t);
    await createMailbox(db, { address: 'Alice@Example.com' });
    const { secret } = await createToken(db, new AuditService(db), CLI, {
      role: 'user',
      mailbox: 'alice@example.COM',
    });
    assert.equal(authenticateToken(db.sql, secret)?.mailbox, 'Alice@Example.com');
  });

  it('stop working once revoked, and stay listed with the revocation time', async (t) => {
    const { db } = tempDb(t);
    const audit = new AuditService(db);
    const { secret, token } = await createToken(db, audit, CLI, { role: 'admin' });
    await revokeToken(db, audit, CLI, token.id);
    await revokeToken(db, audit, CLI, token.id);
    assert.equal(authenticateToken(db.sql, secret), undefined);
    assert.deepEqual(
      listTokens(db.sql).map((x) => [x.id, x.revokedMs]),
      [[token.id, T0]],
    );
    assert.deepEqual(
      listAudit(db.sql, { action: 'revokeToken' }, { limit: 10 }).items.map((e) => e.outcome),
      ['ok', 'ok'],
    );
  });

  it('record creation in the audit log in the same write, and a failed creation too', async (t) => {
    const { db } = tempDb(t);
    const audit = new AuditService(db);
    const lsn = db.tail().lsn;
    await createToken(db, audit, CLI, { role: 'admin' });
    assert.equal(db.tail().lsn, lsn + 2, 'one write: the token and its audit entry');
    await assert.rejects(createToken(db, audit, CLI, { role: 'user', mailbox: 'nobody@example.com' }), {
      code: 'MAILBOX_NOT_FOUND',
    });
    assert.deepEqual(
      listAudit(db.sql, {}, { limit: 10 }).items.map((e) => [e.action, e.outcome, e.code, e.target]),
      [
        ['createToken', 'failed', 'MAILBOX_NOT_FOUND', '/tokens'],
        ['createToken', 'ok', null, '/tokens/1'],
      ],
    );
  });

  it('and audit entries come back from a backup through log replay, and db check passes', async (t) => {
    const { db, dir, root } = tempDb(t);
    backupFull(db, path.join(root, 'bk'));
    const audit = new AuditService(db);
    const { secret } = await createToken(db, audit, CLI, { role: 'helpdesk', name: 'night shift' });
    await audit.record({ ...CLI, action: 'getItem', target: '/mailboxes/x/items/1', outcome: 'ok' });
    backupIncremental(db, path.join(root, 'bk'));
    restoreBackup(path.join(root, 'bk'), path.join(root, 'restored'), { extensions: LIVE_EXTENSIONS });
    const restored = Database.open(path.join(root, 'restored'), { extensions: LIVE_EXTENSIONS });
    try {
      assert.equal(authenticateToken(restored.sql, secret)?.name, 'night shift');
      assert.equal(listAudit(restored.sql, {}, { limit: 10 }).items.length, 2);
    } finally {
      restored.close();
    }
    const report = checkDatabase(dir, { extensions: LIVE_EXTENSIONS });
    assert.deepEqual(report.problems, []);
  });
});
