/**
 * Recovery groups for the API tests: a fixture tree copied into the test app's home and mounted
 * through `POST /recovery-groups`, and a small native database for a `database` mount (which
 * builds no search index, so it mounts in milliseconds).
 *
 * The tree (test/fixtures/README.md) holds two mailboxes named after the live ones:
 * - `alice@example.com`: the Enron `phanis-s` sample (35 messages: contacts, deleted_items,
 *   inbox, sent_items; CRLF);
 * - `bob@example.com`: the six sisimai bounces of `rsg/eml-tree/bounces` (cr, crlf, lf), real
 *   delivery-status reports whose parts mailparser lists as attachments.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CLI_PRINCIPAL } from '../../src/auth/index.js';
import { LIVE_EXTENSIONS } from '../../src/extensions.js';
import type { ManualClock } from '../../src/lib/clock.js';
import type { Caller } from '../../src/live/index.js';
import type { MergeRequest } from '../../src/merge/index.js';
import type { Item } from '../../src/store/index.js';
import { Database, createMailbox, deliver } from '../../src/store/index.js';
import { ALICE, BOB, ROOT, type TestApp } from './api.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/** Where the tree is copied, relative to the home (mount paths must stay inside it). */
export const TREE = 'sources/tree';

/** When every message of the tree arrived: an eml-tree item's arrival is its file's mtime. */
export const TREE_ARRIVAL_MS = Date.UTC(2002, 0, 2, 9, 0, 0);

/** Copy the fixture tree into `<home>/sources/tree` (once per home); returns its absolute path. */
export function copyTree(home: string): string {
  const root = path.join(home, TREE);
  if (!fs.existsSync(root)) {
    fs.cpSync(path.join(FIXTURES, 'sources/eml-tree/phanis-s'), path.join(root, ALICE), { recursive: true });
    fs.cpSync(path.join(FIXTURES, 'rsg/eml-tree/bounces'), path.join(root, BOB), { recursive: true });
    const arrival = new Date(TREE_ARRIVAL_MS);
    for (const f of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (f.isFile()) {
        fs.utimesSync(path.join(f.parentPath, f.name), arrival, arrival);
      }
    }
  }
  return root;
}

/** The bytes of a message of the tree: `<mailbox>/<folder>/<file>` as in test/fixtures. */
export function treeFile(home: string, rel: string): Buffer {
  return fs.readFileSync(path.join(home, TREE, rel));
}

/** The JSON view of a recovery group, as the API sends it. */
export interface RsgView {
  id: string;
  label: string;
  state: string;
  selfService: boolean;
  items: number;
  counts: { mailboxes: number; folders: number; items: number; dumpsterItems: number; bytes: number };
  [k: string]: unknown;
}

/** Mount the fixture tree through the API (as the admin), wait for it, and return the mounted group. */
export async function mountTree(
  fx: TestApp,
  body: { label?: string; selfService?: boolean } = {},
): Promise<RsgView> {
  copyTree(fx.home);
  const res = await fx.api
    .post('/recovery-groups', fx.tokens.admin)
    .send({ source: 'eml-tree', path: TREE, ...body })
    .expect(202);
  await fx.services.settled();
  const got = await fx.api.get(`/recovery-groups/${res.body.id}`, fx.tokens.admin).expect(200);
  assert.equal(got.body.state, 'mounted', JSON.stringify(got.body.error));
  return got.body as RsgView;
}

/** Every item of a mailbox of a mounted group (live and dumpster), as the service lists them. */
export function rsgItems(fx: TestApp, rsg: string, address: string): Item[] {
  return fx.services.recovery.items(rsg, address, { limit: 500 }).items;
}

/** The item of a mailbox of a group whose subject is `subject` (exactly one). */
export function rsgItemBySubject(fx: TestApp, rsg: string, address: string, subject: string): Item {
  const hits = rsgItems(fx, rsg, address).filter((i) => i.subject === subject);
  assert.equal(hits.length, 1, `items with subject '${subject}'`);
  return hits[0]!;
}

/**
 * A native database at `<home>/sources/<name>` holding, per mailbox, the given messages (for a
 * `database` mount). Returns the path relative to the home.
 */
export async function nativeDatabase(
  home: string,
  name: string,
  clock: ManualClock,
  boxes: Record<string, Buffer[]>,
): Promise<string> {
  const rel = `sources/${name}`;
  const db = Database.create(path.join(home, rel), { clock, retentionDays: 14, extensions: LIVE_EXTENSIONS });
  try {
    for (const [address, messages] of Object.entries(boxes)) {
      await createMailbox(db, { address });
      deliver(db, messages, { to: [address] });
    }
  } finally {
    db.close();
  }
  return rel;
}

/** The operator at the console: arranges state through the services, as the CLI would. */
export const CONSOLE: Caller = { principal: CLI_PRINCIPAL, requestId: null };

/** A merge request with the defaults the API fills in. */
export function aMergeRequest(rsg: string, over: Partial<MergeRequest> = {}): MergeRequest {
  return {
    rsg,
    target: ALICE,
    selection: { mailbox: ALICE },
    folders: 'original',
    conflict: 'skip',
    overrides: {},
    badItemLimit: 0,
    ...over,
  };
}

/** An empty tree at `<home>/sources/<name>`: it mounts in milliseconds (nothing to index). */
export function emptyTree(home: string, name = 'empty'): string {
  fs.mkdirSync(path.join(home, 'sources', name), { recursive: true });
  return `sources/${name}`;
}
