/**
 * Helpers of the merge and job tests: a temp home with a live database on a manual clock and
 * an RSG catalogue with the real search indexer, the Enron fixture tree, merge requests with
 * every field defaulted, and small probes of a live mailbox. Everything goes through the real
 * modules; nothing is mocked.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { after } from 'node:test';
import { mergeDeps, searchIndexer } from '../../src/catalogue.js';
import { LIVE_EXTENSIONS } from '../../src/extensions.js';
import { DAY_MS, HOUR_MS } from '../../src/lib/clock.js';
import {
  type MergeDeps,
  type MergeReport,
  type MergeRequest,
  createMergeJob,
  runMergeJob,
} from '../../src/merge/index.js';
import { type MountRequest, RsgCatalogue, type RsgInfo } from '../../src/rsg/index.js';
import {
  Database,
  type Item,
  backupFull,
  deliver,
  ensureFolder,
  findItem,
  findMailbox,
  getMailbox,
  listItems,
} from '../../src/store/index.js';
import { type CliRun, FIXTURES, ManualClock, T0, runCli } from '../helpers/index.js';

/** What a test or a suite hook offers to clean up after it (TestContext, or `{ after }` of node:test). */
export interface Cleanup {
  after(fn: () => unknown): unknown;
}

/**
 * Cleanup for a suite's `before` hook: call it in the describe body; what is registered runs
 * (last first) when the suite ends. (`after` called inside a hook does not wait for the suite.)
 */
export function suiteCleanup(): Cleanup {
  const fns: (() => unknown)[] = [];
  after(async () => {
    for (const fn of fns.reverse()) {
      await fn();
    }
  });
  return { after: (fn) => fns.push(fn) };
}

/** A fresh directory under the OS temp dir, removed when the test (or suite) ends. */
export function tempHome(t: Cleanup, prefix = 'salvage-merge-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export { DAY_MS, HOUR_MS, ManualClock, T0 };

/** The Enron fixture tree (eml-tree layout `<user>/<folder>/<n>.`), see test/fixtures/README.md. */
export const ENRON = path.join(FIXTURES, 'merge', 'enron');
export const ENRON_USERS = ['delainey-d', 'phanis-s', 'skilling-j'] as const;

export interface FixtureMessage {
  user: string;
  /** The folder path as the eml-tree source maps it ('inbox', 'inbox/genie'). */
  folder: string;
  file: string;
  bytes: Buffer;
}

/** Every fixture message (of one user), in a stable order. */
export function fixtureMessages(user?: string): FixtureMessage[] {
  const out: FixtureMessage[] = [];
  const walk = (u: string, dir: string, rel: string): void => {
    for (const e of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(u, p, rel === '' ? e.name : `${rel}/${e.name}`);
      } else {
        out.push({ user: u, folder: rel, file: p, bytes: fs.readFileSync(p) });
      }
    }
  };
  for (const u of user ? [user] : ENRON_USERS) {
    walk(u, path.join(ENRON, u), '');
  }
  return out;
}

/** A header field's unfolded value (first occurrence), as the test reads it independently of the store. */
export function header(bytes: Buffer, name: string): string | undefined {
  const text = bytes.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const re = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im');
  return re.exec(head)?.[1]?.trim();
}

/** The Message-ID as the store normalises it: without brackets, domain in lower case. */
export function messageIdOf(bytes: Buffer): string {
  const v = header(bytes, 'Message-ID');
  const m = /<([^<>\s]+)@([^<>\s]+)>/.exec(v ?? '');
  if (!m) {
    throw new Error('fixture without a Message-ID');
  }
  return `${m[1]}@${m[2]!.toLowerCase()}`;
}

export interface TestHome {
  home: string;
  clock: ManualClock;
  /** The live database (reopened by `reopen`). */
  live: Database;
  catalogue: RsgCatalogue;
  deps: MergeDeps;
  /** Close the live database (for the CLI, or a child process, to use it alone). */
  close(): void;
  /** Open the live database again (after `close`). */
  reopen(): void;
}

/**
 * A home (`<home>/live`, `<home>/rsg`) with a live database on a manual clock; closed when the
 * test ends. `searchIndex`: mounts build the search index (needed to select by query or attachment name).
 */
export function makeHome(
  t: Cleanup,
  opts: { retentionDays?: number; clock?: ManualClock; searchIndex?: boolean } = {},
): TestHome {
  const home = tempHome(t);
  const clock = opts.clock ?? new ManualClock(T0);
  const livePath = path.join(home, 'live');
  const catalogue = new RsgCatalogue(path.join(home, 'rsg'), {
    clock,
    maxMessageBytes: 50 * 1024 * 1024,
    // the search index costs a worker pool per mount: only the tests that select by query build it
    indexer: opts.searchIndex ? searchIndexer : undefined,
  });
  const h: TestHome = {
    home,
    clock,
    live: Database.create(livePath, {
      clock,
      extensions: LIVE_EXTENSIONS,
      retentionDays: opts.retentionDays,
    }),
    catalogue,
    deps: undefined as unknown as MergeDeps,
    close() {
      h.live.close();
    },
    reopen() {
      h.live = Database.open(livePath, { clock, extensions: LIVE_EXTENSIONS });
      h.deps = mergeDeps(h.live, catalogue, clock);
    },
  };
  h.deps = mergeDeps(h.live, catalogue, clock);
  t.after(() => {
    catalogue.close();
    h.live.close();
  });
  return h;
}

/** Mount a source through the catalogue; fails the test unless it is mounted. */
export async function mount(h: TestHome, req: MountRequest): Promise<RsgInfo> {
  const info = await h.catalogue.mount(req);
  if (info.state !== 'mounted') {
    throw new Error(`mount failed: ${JSON.stringify(info.error)}`);
  }
  return info;
}

/** A full backup of the live database into `<home>/backups/<name>`, mounted as an RSG. */
export async function backupAndMount(h: TestHome, label = 'nightly'): Promise<RsgInfo> {
  const dir = path.join(h.home, 'backups', label.replace(/\W/g, '-'));
  backupFull(h.live, dir);
  return mount(h, { source: 'backup', path: dir, label });
}

/** A merge request with every field defaulted (whole mailbox `from`, original folders, skip). */
export function aRequest(
  rsg: string,
  target: string,
  over: Partial<Omit<MergeRequest, 'rsg' | 'target'>> = {},
): MergeRequest {
  return {
    rsg,
    target,
    selection: {},
    folders: 'original',
    conflict: 'skip',
    overrides: {},
    badItemLimit: 0,
    ...over,
  };
}

/** Every item of a live mailbox (live and dumpster), oldest id first. */
export function itemsOf(db: Database, address: string, state: 'live' | 'dumpster' | 'all' = 'all'): Item[] {
  return listItems(db.sql, getMailbox(db.sql, address).id, { state }).sort((a, b) => a.id - b.id);
}

/** The Message-IDs (identities) of a mailbox's items, sorted, duplicates kept. */
export function identitiesOf(
  db: Database,
  address: string,
  state: 'live' | 'dumpster' | 'all' = 'live',
): string[] {
  return itemsOf(db, address, state)
    .map((i) => i.identity)
    .sort();
}

export function hasMailbox(db: Database, address: string): boolean {
  return findMailbox(db.sql, address) !== undefined;
}

/** Set an item's flags as a mail client would (a logged item.update). */
export function setFlags(db: Database, id: number, flags: readonly string[]): void {
  db.writeSync((tx) => tx.emit({ t: 'item.update', id, flags: flags.join(' ') }));
}

/** The CLI in process (`runCli` of src/cli/main.ts through the shared helper), on a test clock. */
export async function cli(argv: string[], clock?: ManualClock): Promise<CliRun> {
  return runCli(argv, { clock });
}

/** sha256 of a file, or null when it does not exist. */
export function fileBytes(file: string): Buffer | null {
  return fs.existsSync(file) ? fs.readFileSync(file) : null;
}

/** Deliver one message to one mailbox (into `folder`, default the inbox); its item id. */
export function put(db: Database, address: string, bytes: Buffer, folder?: string): number {
  return deliver(db, [bytes], { to: [address], folder }).delivered[0]!.ids[0]!;
}

/**
 * Another server's database (`<home>/servers/<label>`, same clock, its own mailboxes) filled by
 * `fill`, fully backed up and mounted as an RSG: the source of a dial-tone recovery.
 */
export async function otherServer(
  h: TestHome,
  label: string,
  fill: (db: Database) => unknown,
): Promise<RsgInfo> {
  const dir = path.join(h.home, 'servers', label);
  const db = Database.create(dir, { clock: h.clock, extensions: LIVE_EXTENSIONS });
  try {
    await fill(db);
    backupFull(db, path.join(h.home, 'backups', label));
  } finally {
    db.close();
  }
  return mount(h, { source: 'backup', path: path.join(h.home, 'backups', label), label });
}

/** Create a merge job for `req` and run it to its end. */
export async function apply(h: TestHome, req: MergeRequest): Promise<MergeReport> {
  return runMergeJob(h.deps, createMergeJob(h.deps, req, 'test'));
}

/** Move an item to another folder (created if missing), as a mail client would. */
export function moveItem(db: Database, id: number, folder: string): void {
  db.writeSync((tx) => {
    const it = findItem(tx.sql, id)!;
    const f = ensureFolder(tx, it.mailboxId, folder);
    tx.emit({ t: 'item.update', id, folderId: f.id, folderPath: f.path });
  });
}
