/**
 * Where merged items land (folder modes original and recovered) and which source folders a
 * selection takes (folder paths and well-known names), on real Enron mail (test/fixtures/merge).
 * The expected folders and counts are computed from the fixture files, not from the store.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { dryRunMerge } from '../../src/merge/index.js';
import { createMailbox, deleteFolder, listFolders } from '../../src/store/index.js';
import { aMessage, expectAppError } from '../helpers/index.js';
import {
  DAY_MS,
  ENRON,
  T0,
  type TestHome,
  aRequest,
  apply,
  fixtureMessages,
  itemsOf,
  makeHome,
  messageIdOf,
  mount,
  otherServer,
  put,
  suiteCleanup,
} from './helpers.js';

const ALICE = 'alice@example.com';

/** The top folder names of the fixture that have a special use, and the target folder of each. */
const TARGET_TOP: Record<string, string> = {
  inbox: 'Inbox',
  sent: 'Sent Items',
  sent_items: 'Sent Items',
  _sent_mail: 'Sent Items',
  deleted_items: 'Deleted Items',
};
const ROLE_TOPS: Record<string, string[]> = {
  '#inbox#': ['inbox'],
  '#sent#': ['sent', 'sent_items', '_sent_mail'],
  '#deleted#': ['deleted_items'],
  '#drafts#': [],
  '#junk#': [],
};

function count(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    out[v] = (out[v] ?? 0) + 1;
  }
  return out;
}

describe('folder mode original', () => {
  it('creates a missing folder with its ancestors', async (t) => {
    const h = makeHome(t);
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: ALICE });
      put(db, ALICE, aMessage({ subject: 'deep' }), 'Projects/2001/Q3');
    });
    await createMailbox(h.live, { address: ALICE });

    await apply(h, aRequest(rsg.id, ALICE, { selection: { mailbox: ALICE } }));

    const folders = listFolders(h.live.sql, 1).map((f) => f.path);
    for (const p of ['Projects', 'Projects/2001', 'Projects/2001/Q3']) {
      assert.ok(folders.includes(p), `${p} exists`);
    }
    assert.deepEqual(
      itemsOf(h.live, ALICE).map((i) => i.folder),
      ['Projects/2001/Q3'],
    );
  });

  it('recreates a folder the user deleted from the target', async (t) => {
    const h = makeHome(t);
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: ALICE });
      put(db, ALICE, aMessage({ subject: 'acme contract' }), 'Clients/Acme');
    });
    await createMailbox(h.live, { address: ALICE });
    put(h.live, ALICE, aMessage({ subject: 'something else' }), 'Clients/Acme');
    await deleteFolder(h.live, ALICE, 'Clients');
    assert.ok(!listFolders(h.live.sql, 1).some((f) => f.path.startsWith('Clients')));

    const r = await apply(h, aRequest(rsg.id, ALICE, { selection: { mailbox: ALICE } }));

    assert.equal(r.counts.created, 1);
    const live = itemsOf(h.live, ALICE, 'live');
    assert.deepEqual(
      live.map((i) => [i.subject, i.folder]),
      [['acme contract', 'Clients/Acme']],
    );
    const folder = listFolders(h.live.sql, 1).find((f) => f.path === 'Clients/Acme');
    assert.equal(folder?.id, live[0]!.folderId);
  });
});

describe('selecting a folder', () => {
  it("takes a folder's dumpster items whose folder was deleted in the source, and nothing outside it", async (t) => {
    const h = makeHome(t);
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: ALICE });
      put(db, ALICE, aMessage({ subject: 'kept' }), 'Clients/Acme');
      put(db, ALICE, aMessage({ subject: 'gone with its folder' }), 'Clients/Globex');
      put(db, ALICE, aMessage({ subject: 'elsewhere' }), 'Clientele');
      await deleteFolder(db, ALICE, 'Clients/Globex');
    });
    await createMailbox(h.live, { address: ALICE });

    const r = dryRunMerge(
      h.deps,
      aRequest(rsg.id, ALICE, { selection: { mailbox: ALICE, folder: 'Clients' } }),
    );

    assert.deepEqual(r.items.map((p) => [p.subject, p.sourceFolder, p.class]).sort(), [
      ['gone with its folder', 'Clients/Globex', 'recoverable'],
      ['kept', 'Clients/Acme', 'missing'],
    ]);
  });
});

describe('merging real Enron mailboxes', () => {
  let h: TestHome;
  let rsg: string;
  const files = fixtureMessages('skilling-j');
  const cleanup = suiteCleanup();

  before(async () => {
    h = makeHome(cleanup);
    rsg = (await mount(h, { source: 'eml-tree', path: ENRON, label: 'enron dump' })).id;
    for (const a of ['jeff@example.com', 'recovered@example.com']) {
      await createMailbox(h.live, { address: a });
    }
  });

  it("maps the source's special folders onto the target's by role (inbox → Inbox, sent → Sent Items)", async () => {
    const r = await apply(h, aRequest(rsg, 'jeff@example.com', { selection: { mailbox: 'skilling-j' } }));

    assert.equal(r.counts.created, files.length);
    const expected = count(
      files.map((f) => {
        const [top, ...rest] = f.folder.split('/');
        return [TARGET_TOP[top!] ?? top, ...rest].join('/');
      }),
    );
    assert.deepEqual(count(itemsOf(h.live, 'jeff@example.com').map((i) => i.folder)), expected);
    assert.equal(expected['Inbox/genie'], 10);
    assert.deepEqual(
      itemsOf(h.live, 'jeff@example.com')
        .map((i) => i.identity)
        .sort(),
      files.map((f) => messageIdOf(f.bytes)).sort(),
    );
  });

  it('puts everything under Recovered Items/<label> <date>/<original path> in mode recovered', async () => {
    h.clock.set(T0 + 2 * DAY_MS);
    const day = new Date(T0 + 2 * DAY_MS).toISOString().slice(0, 10);

    await apply(
      h,
      aRequest(rsg, 'recovered@example.com', { selection: { mailbox: 'phanis-s' }, folders: 'recovered' }),
    );

    assert.deepEqual(
      count(itemsOf(h.live, 'recovered@example.com').map((i) => i.folder)),
      count(fixtureMessages('phanis-s').map((f) => `Recovered Items/enron dump ${day}/${f.folder}`)),
    );
  });

  for (const [names, label] of [
    [['#inbox#'], 'the inbox with its subfolders'],
    [['#sent#'], 'every sent folder (sent, sent_items, _sent_mail)'],
    [['#INBOX#', 'mark'], 'well-known names in any case, beside plain paths'],
    [['#drafts#', '#junk#'], 'nothing where the source has no such folder'],
  ] as const) {
    it(`includes ${label} for includeFolders ${names.join(' ')}`, () => {
      const tops = names.flatMap((n) => ROLE_TOPS[n.toLowerCase()] ?? [n]);
      const want = files.filter((f) => tops.includes(f.folder.split('/')[0]!));

      const plan = dryRunMerge(
        h.deps,
        aRequest(rsg, 'jeff@example.com', {
          selection: { mailbox: 'skilling-j', includeFolders: [...names] },
        }),
      );

      assert.deepEqual(count(plan.items.map((p) => p.sourceFolder)), count(want.map((f) => f.folder)));
    });
  }

  it('leaves out excludeFolders (well-known names and paths, with their subfolders)', () => {
    const plan = dryRunMerge(
      h.deps,
      aRequest(rsg, 'jeff@example.com', {
        selection: { mailbox: 'skilling-j', excludeFolders: ['#deleted#', '#sent#', 'inbox/genie'] },
      }),
    );

    const want = files.filter(
      (f) =>
        !['deleted_items', 'sent', 'sent_items', '_sent_mail'].includes(f.folder) &&
        f.folder !== 'inbox/genie',
    );
    assert.deepEqual(count(plan.items.map((p) => p.sourceFolder)), count(want.map((f) => f.folder)));
  });

  it('takes one folder with or without its subfolders', () => {
    const sel = (subfolders: boolean): string[] =>
      dryRunMerge(
        h.deps,
        aRequest(rsg, 'jeff@example.com', {
          selection: { mailbox: 'skilling-j', folder: 'inbox', subfolders },
        }),
      ).items.map((p) => p.sourceFolder);

    assert.deepEqual(
      count(sel(true)),
      count(files.filter((f) => f.folder.startsWith('inbox')).map((f) => f.folder)),
    );
    assert.deepEqual(count(sel(false)), { inbox: files.filter((f) => f.folder === 'inbox').length });
  });
});

describe('selection by item ids', () => {
  it('with a mailbox, takes items of that mailbox only: an item of another is not found and nothing is merged', async (t) => {
    const h = makeHome(t);
    const rsg = await otherServer(h, 'old', async (db) => {
      await createMailbox(db, { address: ALICE });
      await createMailbox(db, { address: 'bob@example.com' });
      put(db, ALICE, aMessage({ subject: 'alice one' }));
      put(db, 'bob@example.com', aMessage({ subject: 'bob one' }));
    });
    await createMailbox(h.live, { address: ALICE });
    const group = h.catalogue.group(rsg.id);
    const [alices] = group.listItems(ALICE);
    const [bobs] = group.listItems('bob@example.com');
    const ids = (itemIds: number[]) => aRequest(rsg.id, ALICE, { selection: { mailbox: ALICE, itemIds } });

    const err = await expectAppError(
      () => dryRunMerge(h.deps, ids([alices!.id, bobs!.id])),
      'MESSAGE_NOT_FOUND',
    );
    assert.equal(err.details?.itemId, bobs!.id);
    await expectAppError(() => apply(h, ids([bobs!.id])), 'MESSAGE_NOT_FOUND');
    assert.deepEqual(itemsOf(h.live, ALICE), []);

    const r = await apply(h, ids([alices!.id]));
    assert.equal(r.counts.created, 1);
    assert.deepEqual(
      itemsOf(h.live, ALICE).map((i) => i.subject),
      ['alice one'],
    );
  });
});
