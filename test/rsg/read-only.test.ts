// The read-only guard: a RecoveryGroup has no write method (checked by tsc on this file), its
// database is opened read-only so that any write through it fails, and browsing changes no file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RecoveryGroup } from '../../src/rsg/index.js';
import { Database, deleteItems, deliver } from '../../src/store/index.js';
import { aMessage } from '../helpers/messages.js';
import {
  SOURCES,
  aCatalogue,
  copyTrees,
  expectAppError,
  filesUnder,
  mountOk,
  snapshotTree,
} from './helpers.js';

/** Names a write method would have. */
type WriteVerb =
  | 'add'
  | 'append'
  | 'create'
  | 'delete'
  | 'deliver'
  | 'import'
  | 'insert'
  | 'mark'
  | 'merge'
  | 'move'
  | 'purge'
  | 'put'
  | 'remove'
  | 'restore'
  | 'save'
  | 'set'
  | 'update'
  | 'write';
const WRITE_VERBS: readonly WriteVerb[] = [
  'add',
  'append',
  'create',
  'delete',
  'deliver',
  'import',
  'insert',
  'mark',
  'merge',
  'move',
  'purge',
  'put',
  'remove',
  'restore',
  'save',
  'set',
  'update',
  'write',
];

/**
 * Type-level guard, checked by `tsc --noEmit` (this file is in the project): no member of
 * RecoveryGroup is named like a write. Adding `deleteItem()` to the class makes `Offending`
 * non-empty and this assignment a type error.
 */
type Offending = Extract<keyof RecoveryGroup, `${WriteVerb}${string}`>;
const noWriteMember: [Offending] extends [never] ? true : false = true;

/** The writes one could try on a handle; each line must stay a type error (else tsc fails on the unused directive). */
function writesDoNotCompile(g: RecoveryGroup): void {
  // @ts-expect-error a recovery group cannot deliver
  g.deliver([aMessage()], { to: ['x@example.com'] });
  // @ts-expect-error a recovery group cannot delete items
  g.deleteItems('x@example.com', [1]);
  // @ts-expect-error a recovery group exposes no database handle with a write path
  g.db.writeSync(() => undefined);
  // @ts-expect-error a recovery group cannot change flags
  g.updateItem(1, { flags: ['\\Seen'] });
}

describe('the read-only guard', () => {
  it('gives RecoveryGroup no method named like a write (types, and the class at run time)', () => {
    assert.equal(noWriteMember, true);
    assert.equal(typeof writesDoNotCompile, 'function');
    const members = Object.getOwnPropertyNames(RecoveryGroup.prototype);
    assert.ok(members.includes('readItemBytes'), members.join(', '));
    const writeLike = members.filter((name) => WRITE_VERBS.some((verb) => name.startsWith(verb)));
    assert.deepEqual(writeLike, []);
  });

  it('opens the RSG database read-only: the store refuses every write with RSG_READ_ONLY', async (t) => {
    const src = copyTrees(t, { 'phanis-s': path.join(SOURCES, 'eml-tree', 'phanis-s') });
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'eml-tree', path: src });
    const dir = path.join(cat.root, info.id, 'db');
    const db = Database.open(dir, { readOnly: true });
    t.after(() => db.close());
    await expectAppError(() => deliver(db, [aMessage()], { to: ['phanis-s'] }), 'RSG_READ_ONLY');
    await expectAppError(() => deleteItems(db, 'phanis-s', [1]), 'RSG_READ_ONLY');
    await expectAppError(() => db.withWriteLock(() => undefined), 'RSG_READ_ONLY');
    assert.equal(db.sql.prepare('SELECT count(*) FROM items').pluck().get(), 35);
  });

  it('fails a raw SQL write through the handle with SQLite readonly, even with query_only switched off', async (t) => {
    const src = copyTrees(t, { 'phanis-s': path.join(SOURCES, 'eml-tree', 'phanis-s') });
    const cat = aCatalogue(t);
    const g = cat.group((await mountOk(cat, { source: 'eml-tree', path: src })).id);
    const attempt = (sql: string) =>
      assert.throws(
        () => g.sql.prepare(sql).run(),
        (err: Error & { code?: string }) => err.code === 'SQLITE_READONLY',
        sql,
      );
    attempt('DELETE FROM items');
    attempt("UPDATE items SET flags = '\\Deleted'");
    g.sql.pragma('query_only = OFF');
    attempt('DELETE FROM items');
    attempt("INSERT INTO meta (key, value) VALUES ('x', 'y')");
    assert.equal(g.sql.prepare('SELECT count(*) FROM items').pluck().get(), 35);
  });

  it('changes no file of the RSG while it is browsed: no journal, WAL or shared-memory file appears', async (t) => {
    const src = copyTrees(t, {
      'phanis-s': path.join(SOURCES, 'eml-tree', 'phanis-s'),
      'skilling-j': path.join(SOURCES, 'eml-tree', 'skilling-j'),
    });
    const cat = aCatalogue(t);
    const info = await mountOk(cat, { source: 'eml-tree', path: src });
    const rsgDir = path.join(cat.root, info.id);
    cat.close();
    const before = snapshotTree(rsgDir);
    const g: RecoveryGroup = cat.group(info.id);
    for (const m of g.listMailboxes()) {
      g.listFolders(m.address);
      for (const it of g.listItems(m.address)) {
        g.item(it.id);
        g.readItemBytes(it.id);
      }
    }
    assert.deepEqual(
      filesUnder(rsgDir).filter((f) => /-(journal|wal|shm)$/.test(f)),
      [],
    );
    cat.close();
    assert.deepEqual(snapshotTree(rsgDir), before);
  });
});
