// The catalogue of mounted RSGs: mounts survive a restart, an interrupted mount shows as failed,
// several RSGs live side by side, unmount removes what the mount made and never the source,
// and ids that are not RSG ids are refused before they reach the file system.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { INFO_FILE, RsgCatalogue } from '../../src/rsg/index.js';
import { DEFAULT_MAX_MESSAGE_BYTES, Database, createMailbox, deliver } from '../../src/store/index.js';
import {
  SOURCES,
  aCatalogue,
  aClock,
  copyTrees,
  expectAppError,
  filesUnder,
  mailboxCounts,
  mountOk,
  sha256,
  snapshotTree,
  tempDir,
} from './helpers.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PHANIS = path.join(SOURCES, 'eml-tree', 'phanis-s');

function anEmlTree(t: Parameters<typeof copyTrees>[0]): string {
  return copyTrees(t, { 'phanis-s': PHANIS });
}

function aMaildir(t: Parameters<typeof copyTrees>[0]): string {
  return copyTrees(t, {
    alice: path.join(SOURCES, 'maildir', 'alice'),
    bob: path.join(SOURCES, 'maildir', 'bob'),
  });
}

/** Start mounting in a child process, wait until it has converted its first items, kill -9 it. */
async function killMidMount(root: string, kind: string, source: string): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join('test', 'rsg', 'mount-child.ts'), root, kind, source],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const id = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^converting ([a-z0-9]+)$/m.exec(out);
      if (m?.[1]) {
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before converting: ${err}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  return id;
}

describe('the RSG catalogue', () => {
  it('keeps mounts across a restart: a new catalogue over the same root lists them and opens them', async (t) => {
    const root = path.join(tempDir(t), 'rsg');
    const first = aCatalogue(t, root);
    const eml = await mountOk(first, { source: 'eml-tree', path: anEmlTree(t), label: 'phanis' });
    const mdir = await mountOk(first, { source: 'maildir', path: aMaildir(t), label: 'dovecot' });
    const sample = first.group(eml.id).listItems('phanis-s')[0]!;
    first.close();

    const second = new RsgCatalogue(root, { clock: aClock(), maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES });
    t.after(() => second.close());
    assert.deepEqual(
      second
        .list()
        .map((r) => [r.id, r.label, r.state])
        .sort(),
      [
        [eml.id, 'phanis', 'mounted'],
        [mdir.id, 'dovecot', 'mounted'],
      ].sort(),
    );
    assert.deepEqual(second.get(eml.id), eml);
    assert.deepEqual(second.get(mdir.id), mdir);
    const g = second.group(eml.id);
    assert.deepEqual(mailboxCounts(g), { 'phanis-s': 35 });
    assert.equal(sha256(g.readItemBytes(sample.id)), sample.sha256);
    assert.deepEqual(mailboxCounts(second.group(mdir.id)), { alice: 10, bob: 3 });
  });

  it('shows a mount whose process was killed mid-way as failed with the reason, and unmount removes it', async (t) => {
    const root = path.join(tempDir(t), 'rsg');
    const src = anEmlTree(t);
    const before = snapshotTree(src);
    const id = await killMidMount(root, 'eml-tree', src);
    assert.ok(fs.existsSync(path.join(root, id, 'db')), 'the child had begun writing the RSG');

    const cat = aCatalogue(t, root);
    const info = cat.get(id);
    assert.equal(info.state, 'failed');
    assert.equal(info.error?.code, 'INTERNAL');
    assert.match(info.error?.message ?? '', /interrupted/);
    assert.deepEqual(
      cat.list().map((r) => [r.id, r.state]),
      [[id, 'failed']],
    );
    await expectAppError(() => cat.group(id), 'RSG_NOT_MOUNTED');
    cat.unmount(id);
    assert.deepEqual(fs.readdirSync(root), []);
    assert.deepEqual(snapshotTree(src), before);
  });

  it('shows a mount left by an earlier process with the same pid as failed (a pid reused after a restart)', async (t) => {
    const cat = aCatalogue(t);
    const begun = cat.begin({ source: 'eml-tree', path: anEmlTree(t) });
    assert.equal(cat.get(begun.id).state, 'mounting', 'this process is mounting it');
    await expectAppError(() => cat.unmount(begun.id), 'RSG_NOT_MOUNTED');
    // the same record, as a crashed earlier incarnation with this pid would have left it
    const file = path.join(cat.root, begun.id, INFO_FILE);
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.equal(raw.pid, process.pid);
    fs.writeFileSync(file, JSON.stringify({ ...raw, pidToken: 'an-earlier-process' }));
    const info = cat.get(begun.id);
    assert.equal(info.state, 'failed');
    assert.match(info.error?.message ?? '', /interrupted/);
    cat.unmount(begun.id);
    assert.deepEqual(cat.list(), []);
  });

  it('refuses to run a mount again over a mounted RSG, which stays mounted and whole', async (t) => {
    const cat = aCatalogue(t);
    const req = { source: 'eml-tree' as const, path: anEmlTree(t) };
    const info = await mountOk(cat, req);
    cat.close();
    await expectAppError(() => cat.run(info.id, req), 'VALIDATION_FAILED');
    assert.deepEqual(cat.get(info.id), info);
    assert.deepEqual(mailboxCounts(cat.group(info.id)), { 'phanis-s': 35 });
  });

  it('mounts several RSGs at once, each with its own contents, and unmounting one leaves the others', async (t) => {
    const cat = aCatalogue(t);
    const mbox = path.join(tempDir(t), 'simple.mbox');
    fs.copyFileSync(path.join(SOURCES, 'mbox', 'simple.mbox'), mbox);
    const [a, b, c] = await Promise.all([
      mountOk(cat, { source: 'eml-tree', path: anEmlTree(t) }),
      mountOk(cat, { source: 'maildir', path: aMaildir(t) }),
      mountOk(cat, { source: 'mbox', path: mbox }),
    ]);
    assert.equal(new Set([a.id, b.id, c.id]).size, 3);
    assert.equal(cat.list().length, 3);
    assert.deepEqual(mailboxCounts(cat.group(a.id)), { 'phanis-s': 35 });
    assert.deepEqual(mailboxCounts(cat.group(b.id)), { alice: 10, bob: 3 });
    assert.deepEqual(mailboxCounts(cat.group(c.id)), { simple: 3 });
    cat.unmount(b.id);
    assert.deepEqual(
      cat
        .list()
        .map((r) => r.id)
        .sort(),
      [a.id, c.id].sort(),
    );
    assert.deepEqual(mailboxCounts(cat.group(a.id)), { 'phanis-s': 35 });
    assert.deepEqual(mailboxCounts(cat.group(c.id)), { simple: 3 });
  });

  it('unmounts by removing everything the mount created, never the source (foreign, backup and database)', async (t) => {
    const dir = tempDir(t);
    const dbDir = path.join(dir, 'restored');
    const db = Database.create(dbDir, { clock: aClock() });
    await createMailbox(db, { address: 'phanis-s@example.com' });
    deliver(
      db,
      filesUnder(path.join(PHANIS, 'inbox')).map((f) => fs.readFileSync(path.join(PHANIS, 'inbox', f))),
      { to: ['phanis-s@example.com'] },
    );
    db.close();
    const eml = anEmlTree(t);
    const cat = aCatalogue(t);
    const mounts = [
      await mountOk(cat, { source: 'eml-tree', path: eml }),
      await mountOk(cat, { source: 'database', path: dbDir }),
    ];
    const sources = [eml, dbDir].map((s) => [s, snapshotTree(s)] as const);
    for (const m of mounts) {
      const removed = cat.unmount(m.id);
      assert.equal(removed.id, m.id);
      assert.equal(fs.existsSync(path.join(cat.root, m.id)), false);
      await expectAppError(() => cat.get(m.id), 'RSG_NOT_FOUND');
      await expectAppError(() => cat.group(m.id), 'RSG_NOT_FOUND');
      await expectAppError(() => cat.unmount(m.id), 'RSG_NOT_FOUND');
    }
    assert.deepEqual(fs.readdirSync(cat.root), []);
    for (const [s, before] of sources) {
      assert.deepEqual(snapshotTree(s), before, s);
    }
  });

  it('refuses ids that are not RSG ids (path traversal, junk) with RSG_NOT_FOUND, touching nothing outside', async (t) => {
    const base = tempDir(t);
    const root = path.join(base, 'rsg');
    const cat = aCatalogue(t, root);
    await mountOk(cat, { source: 'eml-tree', path: anEmlTree(t) });
    fs.mkdirSync(path.join(base, 'x'));
    fs.writeFileSync(path.join(base, 'x', INFO_FILE), '{}');
    fs.mkdirSync(path.join(root, 'abcd1234'));
    for (const id of [
      '../x',
      '..',
      '.',
      '',
      'a/../../x',
      '/etc',
      'ABCDEF12',
      '%2e%2e%2fx',
      'x'.repeat(100),
    ]) {
      await expectAppError(() => cat.get(id), 'RSG_NOT_FOUND');
      await expectAppError(() => cat.group(id), 'RSG_NOT_FOUND');
      await expectAppError(() => cat.unmount(id), 'RSG_NOT_FOUND');
    }
    // a well-formed id without an rsg.json is no RSG either
    await expectAppError(() => cat.get('abcd1234'), 'RSG_NOT_FOUND');
    await expectAppError(() => cat.unmount('abcd1234'), 'RSG_NOT_FOUND');
    assert.ok(fs.existsSync(path.join(base, 'x', INFO_FILE)));
    assert.ok(fs.existsSync(path.join(root, 'abcd1234')));
    assert.equal(cat.list().length, 1);
  });
});
