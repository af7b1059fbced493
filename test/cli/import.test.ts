/**
 * `salvage import` (DESIGN.md, the CLI contract): a foreign dump into one live mailbox, in
 * process (runCli), on real Enron mail (test/fixtures/sources/eml-tree/phanis-s) and a mailbox
 * file with bad entries.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type CliJson, REPO_ROOT, aClock, runCli, tempDir } from '../helpers/index.js';

const PHANIS = path.join(REPO_ROOT, 'test', 'fixtures', 'sources', 'eml-tree', 'phanis-s');
const SIMPLE_MBOX = path.join(REPO_ROOT, 'test', 'fixtures', 'sources', 'mbox', 'simple.mbox');
const ADDRESS = 'phanis@example.com';

/** The message files under `dir`, by top folder (`inbox`, `sent_items`, …). */
function filesByTop(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const top = path.relative(dir, e.parentPath).split(path.sep)[0]!;
      out[top] = (out[top] ?? 0) + 1;
    }
  }
  return out;
}

async function aHome(t: Parameters<typeof tempDir>[0]) {
  const home = path.join(tempDir(t), 'home');
  const clock = aClock();
  const cli = (...argv: string[]) => runCli(['--home', home, ...argv], { clock });
  assert.equal((await cli('init')).code, 0);
  const json = async (...argv: string[]): Promise<CliJson> => {
    const r = await cli('--json', ...argv);
    assert.equal(r.code, 0, r.stderr);
    return r.json();
  };
  return { home, cli, json };
}

describe('salvage import', () => {
  it('--help prints its usage and exits 0', async () => {
    const r = await runCli(['import', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: salvage import \[options\] <path>/);
  });

  it('imports an eml tree into a live mailbox, folders by role; the same import again adds nothing', async (t) => {
    const { cli, json } = await aHome(t);
    await json('mailbox', 'create', ADDRESS);
    const tops = filesByTop(PHANIS);
    const total = Object.values(tops).reduce((a, b) => a + b, 0);

    const first = await cli('--json', 'import', '--mailbox', ADDRESS, '--format', 'eml-tree', PHANIS);
    assert.equal(first.code, 0, first.stderr);
    const r = first.json();
    assert.equal(r.state, 'done');
    assert.deepEqual([r.totals.selected, r.totals.created, r.totals.failed], [total, total, 0]);
    assert.deepEqual(
      { problemCount: r.mount.problemCount, items: r.mount.items },
      { problemCount: 0, items: total },
    );
    assert.equal(r.mount.unmounted, false);
    const items = (await json('item', 'list', '--mailbox', ADDRESS, '--all')).items as { folder: string }[];
    assert.equal(items.length, total);
    assert.equal(items.filter((i) => i.folder === 'Inbox').length, tops['inbox']);
    assert.equal(items.filter((i) => i.folder === 'Sent Items').length, tops['sent_items']);

    const again = await cli(
      '--json',
      'import',
      '--mailbox',
      ADDRESS,
      '--format',
      'eml-tree',
      PHANIS,
      '--unmount',
    );
    assert.equal(again.code, 0, again.stderr);
    const r2 = again.json();
    assert.deepEqual([r2.totals.created, r2.totals.identical], [0, total]);
    assert.equal(r2.mount.unmounted, true);
    assert.equal(
      ((await json('item', 'list', '--mailbox', ADDRESS, '--all')).items as unknown[]).length,
      total,
    );
    const groups = (await json('rsg', 'list')).recoveryGroups as { id: string }[];
    assert.deepEqual(
      groups.map((g) => g.id),
      [r.mount.rsg],
      'the second import unmounted its recovery group, the first kept its own',
    );
  });

  it('refuses a missing mailbox before mounting anything (exit 3); --create-mailbox creates it', async (t) => {
    const { cli, json } = await aHome(t);
    const refused = await cli('import', '--mailbox', ADDRESS, '--format', 'eml-tree', PHANIS);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /error\[MAILBOX_NOT_FOUND\]: No live mailbox 'phanis@example.com'/);
    assert.deepEqual((await json('rsg', 'list')).recoveryGroups, []);

    const created = await cli(
      '--json',
      'import',
      '--mailbox',
      ADDRESS,
      '--format',
      'eml-tree',
      PHANIS,
      '--create-mailbox',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.ok(created.json().totals.created > 0);
    assert.equal((await json('mailbox', 'list')).mailboxes[0].address, ADDRESS);
  });

  it('a dry run plans and changes no live mailbox', async (t) => {
    const { cli, json } = await aHome(t);
    await json('mailbox', 'create', ADDRESS);
    const r = await cli(
      '--json',
      'import',
      '--mailbox',
      ADDRESS,
      '--format',
      'eml-tree',
      PHANIS,
      '--dry-run',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().state, 'planned');
    assert.ok(r.json().totals.created > 0);
    assert.deepEqual((await json('item', 'list', '--mailbox', ADDRESS, '--all')).items, []);
  });

  it('imports what it can read of an mbox with bad entries, lists each skipped entry and exits 5', async (t) => {
    const { home, cli, json } = await aHome(t);
    await json('mailbox', 'create', ADDRESS);
    const file = path.join(home, '..', 'bad.mbox');
    fs.writeFileSync(
      file,
      Buffer.concat([Buffer.from('this line is no mbox\n\n'), fs.readFileSync(SIMPLE_MBOX)]),
    );
    const r = await cli('--json', 'import', '--mailbox', ADDRESS, '--format', 'mbox', file, '--unmount');
    assert.equal(r.code, 5, r.stderr);
    const j = r.json();
    assert.equal(j.totals.created, 3);
    assert.equal(j.mount.problemCount, 1);
    assert.match(j.mount.problems[0].reason, /garbage before the first From_ line/);
    assert.equal(j.mount.unmounted, false, 'kept mounted: the skipped entries are in its report');
  });

  it('refuses a bad format or option with exit 2, and a missing source with exit 3', async (t) => {
    const { cli } = await aHome(t);
    const format = await cli('import', '--mailbox', ADDRESS, '--format', 'backup', PHANIS);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--format must be one of maildir, eml-tree, mbox, pst/);
    const conflict = await cli(
      'import',
      '--mailbox',
      ADDRESS,
      '--format',
      'mbox',
      SIMPLE_MBOX,
      '--conflict',
      'merge',
    );
    assert.equal(conflict.code, 2);
    assert.match(conflict.stderr, /--conflict/);
    const missing = await cli(
      'import',
      '--mailbox',
      ADDRESS,
      '--format',
      'mbox',
      path.join(PHANIS, 'nowhere.mbox'),
      '--create-mailbox',
    );
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /SOURCE_NOT_FOUND/);
  });
});
