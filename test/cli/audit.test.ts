/**
 * The CLI operator's privileged actions are in the audit log, as the REST API's callers' are:
 * the same action names, actor `cli` (role admin), `ok` with what the action did, or `failed`
 * with the error's code. In process (runCli), on real Enron mail.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type CliJson, REPO_ROOT, aClock, runCli, tempDir } from '../helpers/index.js';

const PHANIS = path.join(REPO_ROOT, 'test', 'fixtures', 'sources', 'eml-tree', 'phanis-s');
const ADDRESS = 'phanis-s@example.com';

interface Entry {
  actor: { name: string; role: string | null; tokenId: number | null };
  action: string;
  target: string;
  outcome: string;
  code: string | null;
  detail: Record<string, unknown> | null;
}

describe('the audit log of CLI actions', () => {
  it('records mailbox, dumpster, mount, search, merge (override, undo), export and unmount, and a failure', async (t) => {
    const home = path.join(tempDir(t), 'home');
    const clock = aClock();
    const cli = (...argv: string[]) => runCli(['--home', home, '--json', ...argv], { clock });
    const json = async (...argv: string[]): Promise<CliJson> => {
      const r = await cli(...argv);
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
      return r.json();
    };
    await json('init');
    await json('mailbox', 'create', ADDRESS);
    await json('mailbox', 'set', ADDRESS, '--hold');
    const inbox = path.join(PHANIS, 'inbox');
    const files = fs.readdirSync(inbox).map((f) => path.join(inbox, f));
    await json('deliver', '--to', ADDRESS, '--folder', 'Inbox', ...files.slice(0, 3));
    const ids = ((await json('item', 'list', '--mailbox', ADDRESS)).items as { id: number }[]).map(
      (i) => i.id,
    );
    await json('item', 'delete', '--mailbox', ADDRESS, String(ids[0]));
    await json('dumpster', 'restore', '--mailbox', ADDRESS, String(ids[0]));
    await json('dumpster', 'purge', '--mailbox', ADDRESS);
    const failed = await cli('item', 'delete', '--mailbox', ADDRESS, '999');
    assert.equal(failed.code, 3);

    const rsg = (
      await json('rsg', 'mount', '--source', 'eml-tree', PHANIS, '--label', 'dump', '--mailbox', 'phanis-s')
    ).id as string;
    const hits = await json('search', '--rsg', rsg, 'from:@enron.com');
    const merge = await json(
      'merge',
      '--rsg',
      rsg,
      '--mailbox',
      'phanis-s',
      '--to',
      ADDRESS,
      '--override-purged',
    );
    await json('merge', '--undo', String(merge.id));
    const out = path.join(home, '..', 'inbox.mbox');
    await json(
      'export',
      '--rsg',
      rsg,
      '--mailbox',
      'phanis-s',
      '--folder',
      'inbox',
      '--format',
      'mbox',
      '--out',
      out,
    );
    await json('rsg', 'unmount', rsg);
    const notPst = await cli('rsg', 'mount', '--source', 'pst', files[0]!);
    assert.notEqual(notPst.code, 0);

    const entries = ((await json('audit', 'list', '--limit', '1000')).entries as Entry[]).slice().reverse();
    assert.ok(
      entries.every((e) => e.actor.name === 'cli' && e.actor.role === 'admin' && e.actor.tokenId === null),
    );
    const ok = (action: string) => entries.filter((e) => e.action === action && e.outcome === 'ok');
    assert.deepEqual(
      entries.map((e) => [e.action, e.outcome]),
      [
        ['createMailbox', 'ok'],
        ['updateMailbox', 'ok'],
        ['deleteItem', 'ok'],
        ['restoreDumpsterItem', 'ok'],
        ['purgeDumpster', 'ok'],
        ['deleteItem', 'failed'],
        ['mountRecoveryGroup', 'ok'],
        ['mountRecoveryGroup.finished', 'ok'],
        ['searchRecoveryGroup', 'ok'],
        ['createMerge', 'ok'],
        ['mergeOverride', 'ok'],
        ['applyMerge', 'ok'],
        ['undoMerge', 'ok'],
        ['exportRecoveryGroup', 'ok'],
        ['unmountRecoveryGroup', 'ok'],
        ['mountRecoveryGroup', 'ok'],
        ['mountRecoveryGroup.finished', 'failed'],
      ],
    );
    assert.equal(ok('createMailbox')[0]!.target, `/mailboxes/${ADDRESS}`);
    assert.deepEqual(ok('updateMailbox')[0]!.detail, { hold: true });
    assert.deepEqual(ok('deleteItem')[0]!.detail, { ids: [ids[0]] });
    assert.equal(entries.find((e) => e.outcome === 'failed')!.code, 'MESSAGE_NOT_FOUND');
    assert.deepEqual(ok('purgeDumpster')[0]!.detail!['onHold'], [ADDRESS]);
    assert.deepEqual(ok('mountRecoveryGroup')[0]!.detail, { id: rsg, source: 'eml-tree', path: PHANIS });
    const all = fs.readdirSync(PHANIS, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.deepEqual(ok('mountRecoveryGroup.finished')[0]!.detail, { items: all.length, problems: 0 });
    assert.deepEqual(
      entries
        .filter((e) => e.action === 'mountRecoveryGroup.finished' && e.outcome === 'failed')
        .map((e) => e.code),
      ['SOURCE_CORRUPT'],
      'a mount that fails is recorded as failed, with its code',
    );
    assert.deepEqual(ok('searchRecoveryGroup')[0]!.detail, {
      q: 'from:@enron.com',
      mailbox: null,
      total: hits.total,
    });
    assert.deepEqual(ok('mergeOverride')[0]!.detail, { overrides: ['purged'], target: ADDRESS, rsg });
    assert.deepEqual(ok('applyMerge')[0]!.detail!['counts'], merge.counts);
    assert.equal(ok('applyMerge')[0]!.target, `/merges/${merge.id}`);
    assert.equal(ok('exportRecoveryGroup')[0]!.target, `/recovery-groups/${rsg}/export`);
    assert.equal(ok('unmountRecoveryGroup')[0]!.target, `/recovery-groups/${rsg}`);
  });

  it('export --live writes a live mailbox, reading it through the connection its exportMailbox record is written with', async (t) => {
    const home = path.join(tempDir(t), 'home');
    const cli = (...argv: string[]) => runCli(['--home', home, '--json', ...argv], { clock: aClock() });
    const json = async (...argv: string[]): Promise<CliJson> => {
      const r = await cli(...argv);
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
      return r.json();
    };
    const out = path.join(home, '..', 'live.mbox');
    const before = await cli('export', '--live', '--mailbox', ADDRESS, '--format', 'mbox', '--out', out);
    assert.equal(before.code, 3, 'no live database yet');
    assert.equal(before.json().error.code, 'DATABASE_NOT_FOUND');

    await json('init');
    await json('mailbox', 'create', ADDRESS);
    const inbox = path.join(PHANIS, 'inbox');
    const files = fs
      .readdirSync(inbox)
      .map((f) => path.join(inbox, f))
      .slice(0, 3);
    await json('deliver', '--to', ADDRESS, '--folder', 'Inbox', ...files);
    const r = await json('export', '--live', '--mailbox', ADDRESS, '--format', 'mbox', '--out', out);
    assert.equal(r.items, 3);
    const mbox = fs.readFileSync(out, 'latin1');
    assert.equal(mbox.match(/^From /gm)?.length, 3);
    for (const f of files) {
      const id = /^Message-ID:\s*(<[^>]+>)/im.exec(fs.readFileSync(f, 'latin1'))![1]!;
      assert.ok(mbox.includes(id), `${id} in the export`);
    }
    const entries = (await json('audit', 'list', '--limit', '10')).entries as Entry[];
    const e = entries.find((x) => x.action === 'exportMailbox');
    assert.equal(e?.outcome, 'ok');
    assert.equal(e?.target, `/mailboxes/${ADDRESS}/export`);
    assert.deepEqual(
      [e?.detail?.['items'], e?.detail?.['bytes'], e?.detail?.['format']],
      [3, r.bytes, 'mbox'],
    );
  });
});
