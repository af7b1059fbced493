// The RSG commands of the CLI contract (DESIGN.md): rsg mount|list|show|unmount and
// item list --rsg, their --json documents, and their exit codes (2 bad input, 3 not found).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type TestContext, describe, it } from 'node:test';
import { Database, backupFull, createMailbox, deliver } from '../../src/store/index.js';
import { type CliRun, runCli } from '../helpers/index.js';
import { OUTLOOK_PST, SOURCES, aClock, copyTrees, filesUnder, sha256, tempDir } from './helpers.js';

const PHANIS = path.join(SOURCES, 'eml-tree', 'phanis-s');

/**
 * A home and a CLI runner over it. A failed mount reports its exit code through
 * `process.exitCode`, which runCli reads but never resets: reset it after each run, or every
 * later command of this process (and the test process itself) would exit with it.
 */
function aHome(t: TestContext) {
  const home = path.join(tempDir(t), 'home');
  const clock = aClock();
  const cli = async (...argv: string[]): Promise<CliRun> => {
    try {
      return await runCli([...argv, '--home', home], { clock });
    } finally {
      process.exitCode = undefined;
    }
  };
  return { home, cli };
}

describe('salvage rsg', () => {
  it('mount --json prints the RSG (id, state, items); list, show and item list --rsg --all --json describe it; unmount removes it', async (t) => {
    const { home, cli } = aHome(t);
    const src = copyTrees(t, { 'phanis-s': PHANIS });
    fs.writeFileSync(path.join(src, 'phanis-s', 'inbox', '99.'), '');
    const m = await cli('rsg', 'mount', '--source', 'eml-tree', src, '--label', 'dump', '--json');
    assert.equal(m.code, 0, m.stderr);
    const mounted: {
      id: string;
      state: string;
      items: number;
      label: string;
      report: { problemCount: number; problems: { origin: string; reason: string }[] };
    } = m.json();
    assert.match(mounted.id, /^[a-z0-9]{4,32}$/);
    assert.deepEqual(
      { state: mounted.state, items: mounted.items, label: mounted.label },
      { state: 'mounted', items: 35, label: 'dump' },
    );
    assert.deepEqual(mounted.report.problems, [
      { origin: 'phanis-s/inbox/99.', reason: 'empty file (0 bytes)' },
    ]);
    assert.ok(fs.existsSync(path.join(home, 'rsg', mounted.id)));

    const list = await cli('rsg', 'list', '--json');
    assert.equal(list.code, 0, list.stderr);
    const groups: { id: string; state: string; items: number }[] = list.json().recoveryGroups;
    assert.deepEqual(
      groups.map((r) => [r.id, r.state, r.items]),
      [[mounted.id, 'mounted', 35]],
    );
    const show = await cli('rsg', 'show', mounted.id, '--json');
    assert.equal(show.code, 0, show.stderr);
    assert.deepEqual(show.json(), mounted);

    const text = await cli('rsg', 'show', mounted.id);
    assert.match(text.stdout, new RegExp(`^${mounted.id} {2}dump$`, 'm'));
    assert.match(text.stdout, /state {4}mounted/);
    assert.match(text.stdout, /1 mailboxes, 4 folders, 35 items \(0 in dumpsters\)/);
    assert.match(
      text.stdout,
      /problems 1 item\(s\) skipped:\n {4}phanis-s\/inbox\/99\.: empty file \(0 bytes\)/,
    );
    const table = await cli('rsg', 'list');
    assert.match(table.stdout, /^ID +LABEL +SOURCE +STATE +ITEMS +SIZE +MOUNTED$/m);
    assert.match(table.stdout, new RegExp(`^${mounted.id} +dump +eml-tree +mounted +35 `, 'm'));

    const items = await cli('item', 'list', '--rsg', mounted.id, '--mailbox', 'phanis-s', '--all', '--json');
    assert.equal(items.code, 0, items.stderr);
    const listed: { items: Record<string, unknown>[]; count: number } = items.json();
    assert.equal(listed.count, 35);
    for (const it of listed.items) {
      for (const key of ['id', 'folder', 'messageId', 'subject', 'date', 'size', 'sha256']) {
        assert.ok(key in it, `${key} in ${JSON.stringify(it)}`);
      }
    }
    assert.deepEqual(
      listed.items.map((i) => i.sha256).sort(),
      filesUnder(PHANIS)
        .map((f) => sha256(fs.readFileSync(path.join(PHANIS, f))))
        .sort(),
    );
    const first = listed.items.find((i) => i.messageId === '26401722.1075855414214.JavaMail.evans@thyme');
    assert.deepEqual(first && { ...first, id: 0 }, {
      ...first,
      id: 0,
      folder: 'inbox',
      subject: 'Preliminary Name Change Report-December 2001',
      date: '2001-12-14T23:45:58.000Z',
      size: fs.statSync(path.join(PHANIS, 'inbox', '1.')).size,
      sha256: sha256(fs.readFileSync(path.join(PHANIS, 'inbox', '1.'))),
    });
    const inbox = await cli(
      'item',
      'list',
      '--rsg',
      mounted.id,
      '--mailbox',
      'phanis-s',
      '--folder',
      'inbox',
      '--all',
      '--json',
    );
    assert.equal(inbox.json().count, 12);
    const nobody = await cli('item', 'list', '--rsg', mounted.id, '--mailbox', 'nobody', '--json');
    assert.equal(nobody.code, 3);
    assert.match(nobody.stderr, /^error\[MAILBOX_NOT_FOUND\]/);

    const un = await cli('rsg', 'unmount', mounted.id, '--json');
    assert.equal(un.code, 0, un.stderr);
    assert.deepEqual(un.json(), { unmounted: mounted.id, label: 'dump' });
    assert.equal(fs.existsSync(path.join(home, 'rsg', mounted.id)), false);
    assert.equal(filesUnder(src).length, 36, 'the source is still there');
    const gone = await cli('rsg', 'show', mounted.id);
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, /^error\[RSG_NOT_FOUND\]/);
  });

  it('exits 3 for what is not found: a source path, an RSG id (hostile ones too)', async (t) => {
    const { cli } = aHome(t);
    const missing = await cli(
      'rsg',
      'mount',
      '--source',
      'mbox',
      path.join(tempDir(t), 'none.mbox'),
      '--json',
    );
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /^error\[SOURCE_NOT_FOUND\]/);
    assert.equal(missing.json().error.code, 'SOURCE_NOT_FOUND');
    for (const id of ['0123456789', '../x', '..%2fx']) {
      for (const argv of [
        ['rsg', 'show', id],
        ['rsg', 'unmount', id],
        ['item', 'list', '--rsg', id, '--mailbox', 'a'],
      ]) {
        const r = await cli(...argv);
        assert.equal(r.code, 3, `${argv.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /^error\[RSG_NOT_FOUND\]/);
      }
    }
  });

  it('exits 2 for bad input: an unknown --source, --until on a foreign dump, a corrupt PST or backup (state failed in the JSON)', async (t) => {
    const { cli } = aHome(t);
    const dir = tempDir(t);
    const kind = await cli('rsg', 'mount', '--source', 'tarball', dir);
    assert.equal(kind.code, 2);
    assert.match(kind.stderr, /^error\[VALIDATION_FAILED\]: --source must be one of/);
    const until = await cli('rsg', 'mount', '--source', 'eml-tree', dir, '--until', '12');
    assert.equal(until.code, 2);
    assert.match(until.stderr, /^error\[VALIDATION_FAILED\]/);
    const badTime = await cli('rsg', 'mount', '--source', 'backup', dir, '--until', 'yesterday');
    assert.equal(badTime.code, 2);

    const pst = path.join(dir, 'cut.pst');
    fs.writeFileSync(pst, fs.readFileSync(OUTLOOK_PST).subarray(0, 100_000));
    const cut = await cli('rsg', 'mount', '--source', 'pst', pst, '--json');
    assert.equal(cut.code, 2, cut.stderr);
    const failed: { state: string; error: { code: string } } = cut.json();
    assert.deepEqual(
      { state: failed.state, code: failed.error.code },
      { state: 'failed', code: 'SOURCE_CORRUPT' },
    );
    assert.match(cut.stderr, /^error\[SOURCE_CORRUPT\]: PST/m);

    const db = Database.create(path.join(dir, 'live'), { clock: aClock() });
    await createMailbox(db, { address: 'a@example.com' });
    deliver(db, [fs.readFileSync(path.join(PHANIS, 'inbox', '1.'))], { to: ['a@example.com'] });
    backupFull(db, path.join(dir, 'bk'));
    db.close();
    const manifest = path.join(dir, 'bk', '0000-full', 'manifest.json');
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { files: Record<string, string> };
    m.files['salvage.db'] = '0'.repeat(64);
    fs.writeFileSync(manifest, JSON.stringify(m));
    const bk = await cli('rsg', 'mount', '--source', 'backup', path.join(dir, 'bk'), '--json');
    assert.equal(bk.code, 2, bk.stderr);
    assert.equal(bk.json().error.code, 'BACKUP_CORRUPT');
    assert.match(bk.stderr, /^error\[BACKUP_CORRUPT\]/m);

    const list = await cli('rsg', 'list', '--json');
    assert.equal(list.code, 0);
    const states: { state: string }[] = list.json().recoveryGroups;
    assert.deepEqual(
      states.map((r) => r.state),
      ['failed', 'failed'],
    );
  });

  it('names a mailbox of a dump as the dump named it, spaces and all, in item list, search, export and merge', async (t) => {
    const { cli } = aHome(t);
    assert.equal((await cli('init', '--json')).code, 0);
    const src = copyTrees(t, { 'Phanis Sarah (old PC)': PHANIS });
    const m = await cli('rsg', 'mount', '--source', 'eml-tree', src, '--json');
    assert.equal(m.code, 0, m.stderr);
    const id: string = m.json().id;
    const box = 'Phanis Sarah (old PC)';
    const items = await cli('item', 'list', '--rsg', id, '--mailbox', box, '--all', '--json');
    assert.equal(items.code, 0, items.stderr);
    assert.equal(items.json().items.length, 35);
    const found = await cli('search', '--rsg', id, '--mailbox', box, 'subject:terminations', '--json');
    assert.equal(found.code, 0, found.stderr);
    assert.ok(found.json().hits.length > 0);
    const out = path.join(tempDir(t), 'box.mbox');
    const exp = await cli(
      'export',
      '--rsg',
      id,
      '--mailbox',
      box,
      '--format',
      'mbox',
      '--out',
      out,
      '--json',
    );
    assert.equal(exp.code, 0, exp.stderr);
    assert.equal(exp.json().items, 35);
    assert.equal((await cli('mailbox', 'create', 'sarah@example.com', '--json')).code, 0);
    const merged = await cli('merge', '--rsg', id, '--mailbox', box, '--to', 'sarah@example.com', '--json');
    assert.equal(merged.code, 0, merged.stderr);
    assert.equal(merged.json().counts.created, 35);
    // a name with a slash or a control character is still refused, as bad input
    const bad = await cli('item', 'list', '--rsg', id, '--mailbox', 'a/b', '--json');
    assert.equal(bad.code, 2);
  });
});
