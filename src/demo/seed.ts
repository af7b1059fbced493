/**
 * seedDemo: the out-of-the-box scenario of `npm start`, played into an empty home with an
 * injected clock, so that "20 days ago" is 20 days before now and retention really applies.
 *
 * The story (T = now):
 *   T-40d  four mailboxes receive real Enron mail; a full backup starts the set `backups/nightly`
 *   T-33d  a few more messages arrive; T-32d an incremental backup joins the set
 *   T-31d  a disk fails: the live database is restored from the full backup alone, so the mail
 *          of T-33d survives only in the backup set ("missing" from the live mailboxes)
 *   T-20d  users delete some messages; the nightly purge of T-1d removes them (tombstones)
 *   T-3d   users delete some more: in their dumpsters, restorable on /me
 *   T-2d   Dana Davis deletes her folder Inbox/new_job
 *   T      the set is mounted read-only as the RSG "nightly backup" (self-service on), and a help
 *          desk, an admin and a user token are created
 */
import fs from 'node:fs';
import path from 'node:path';
import { AuditService } from '../audit/index.js';
import { createToken } from '../auth/index.js';
import { openRsgCatalogue } from '../catalogue.js';
import { type Config, homePaths } from '../config.js';
import { purgeDumpster } from '../dumpster/index.js';
import { AppError } from '../errors.js';
import { LIVE_EXTENSIONS } from '../extensions.js';
import { type Clock, DAY_MS } from '../lib/clock.js';
import {
  Database,
  addItemTx,
  backupFull,
  backupIncremental,
  createMailbox,
  deleteFolder,
  deleteItems,
  findMailbox,
  parseMessage,
  restoreBackup,
} from '../store/index.js';
import { DEMO_MAILBOXES, type DemoMessage, loadDemoMail } from './sample-mail.js';

export const DEMO_RSG_LABEL = 'nightly backup';
/** The folder deleted two days ago. */
export const DEMO_DELETED_FOLDER = { mailbox: 'dana.davis@example.com', folder: 'Inbox/new_job' } as const;
/** The mailbox of the demo's user token. */
export const DEMO_USER = DEMO_MAILBOXES[0].address;

export interface DemoItem {
  mailbox: string;
  folder: string;
  subject: string;
  messageId: string | null;
}

/** What the demo did, so that the start banner, docs and tests can point at real items. */
export interface DemoStory {
  /** Only in the backup set: lost with the restore of T-31d. */
  missing: DemoItem[];
  /** Deleted 20 days ago and purged since (tombstones). */
  purged: DemoItem[];
  /** Deleted 3 days ago: in the dumpsters. */
  inDumpster: DemoItem[];
  deletedFolder: { mailbox: string; folder: string; items: number };
}

export interface DemoSeed {
  tokens: { helpdesk: string; admin: string; user: { mailbox: string; token: string } };
  rsg: { id: string; label: string };
  story: DemoStory;
}

/** Another clock shifted into the past: how the seed lives through 40 days in a second. */
class ShiftedClock implements Clock {
  private offsetMs = 0;
  constructor(private readonly base: Clock) {}
  now(): number {
    return this.base.now() + this.offsetMs;
  }
  daysAgo(days: number): void {
    this.offsetMs = -days * DAY_MS;
  }
}

const SEED_ACTOR = { actor: { tokenId: null, name: 'demo seed', role: 'admin' as const }, requestId: null };

const asItem = (m: DemoMessage): DemoItem => ({
  mailbox: m.mailbox,
  folder: m.folder,
  subject: m.parsed.subject,
  messageId: m.parsed.messageId,
});

/** Store messages with their Date as arrival time, read; remembers each item id. */
function deliverAll(db: Database, messages: readonly DemoMessage[], ids: Map<DemoMessage, number>): void {
  db.writeSync((tx) => {
    for (const m of messages) {
      const box = findMailbox(tx.sql, m.mailbox)!;
      const added = addItemTx(tx, {
        mailboxId: box.id,
        bytes: m.bytes,
        parsed: m.parsed,
        folderPath: m.folder,
        internalMs: m.parsed.dateMs ?? tx.now,
        flags: ['\\Seen'],
      });
      ids.set(m, added.id);
    }
  });
}

async function deleteAll(
  db: Database,
  messages: DemoMessage[],
  ids: Map<DemoMessage, number>,
): Promise<void> {
  for (const b of DEMO_MAILBOXES) {
    const mine = messages.filter((m) => m.mailbox === b.address).map((m) => ids.get(m)!);
    if (mine.length > 0) {
      await deleteItems(db, b.address, mine);
    }
  }
}

/**
 * T-40d … T-31d: deliver, back up (full, then incremental), lose the last days in a restore.
 * Returns the messages that only the backup set holds.
 */
async function buildBackupSet(
  live: string,
  backupDir: string,
  at: ShiftedClock,
  mail: DemoMessage[],
  ids: Map<DemoMessage, number>,
): Promise<Set<DemoMessage>> {
  const opts = { clock: at, extensions: LIVE_EXTENSIONS };
  const late = new Set(DEMO_MAILBOXES.flatMap((b) => mail.filter((m) => m.mailbox === b.address).slice(-3)));
  at.daysAgo(40);
  const db = Database.open(live, opts);
  let fullLsn: number;
  try {
    if (findMailbox(db.sql, DEMO_USER)) {
      throw new AppError('VALIDATION_FAILED', 'The demo is only seeded into a new, empty home');
    }
    for (const b of DEMO_MAILBOXES) {
      await createMailbox(db, { address: b.address, name: b.name });
    }
    deliverAll(
      db,
      mail.filter((m) => !late.has(m)),
      ids,
    );
    fullLsn = backupFull(db, backupDir).toLsn;
    at.daysAgo(33);
    deliverAll(db, [...late], ids);
    at.daysAgo(32);
    backupIncremental(db, backupDir);
  } finally {
    db.close();
  }
  at.daysAgo(31);
  fs.rmSync(live, { recursive: true, force: true });
  restoreBackup(backupDir, live, { ...opts, until: { lsn: fullLsn } });
  return late;
}

/**
 * Play the demo story into `config.home`, whose live database must be new and empty, and
 * mount the backup set. `samplesDir` holds the Enron slice (samples/mail/enron).
 * @throws VALIDATION_FAILED when the live database already holds the demo's mailboxes
 */
export async function seedDemo(config: Config, clock: Clock, samplesDir: string): Promise<DemoSeed> {
  const live = homePaths(config.home).live;
  const backupDir = path.join(config.home, 'backups', 'nightly');
  const at = new ShiftedClock(clock);
  const mail = loadDemoMail(samplesDir, (b) => parseMessage(b, config.maxMessageBytes));
  const ids = new Map<DemoMessage, number>();
  const late = await buildBackupSet(live, backupDir, at, mail, ids);

  const kept = mail.filter((m) => !late.has(m) && !m.folder.startsWith(DEMO_DELETED_FOLDER.folder));
  const purged = kept.filter((_, i) => i % 17 === 5);
  const inDumpster = kept.filter((m, i) => i % 13 === 2 && !purged.includes(m));
  const db = Database.open(live, { clock: at, extensions: LIVE_EXTENSIONS });
  let tokens: DemoSeed['tokens'];
  let folderItems: number;
  try {
    at.daysAgo(20);
    await deleteAll(db, purged, ids);
    at.daysAgo(3);
    await deleteAll(db, inDumpster, ids);
    at.daysAgo(2);
    folderItems = (await deleteFolder(db, DEMO_DELETED_FOLDER.mailbox, DEMO_DELETED_FOLDER.folder)).items;
    at.daysAgo(1);
    await purgeDumpster(db);
    at.daysAgo(0);
    const audit = new AuditService(db);
    const helpdesk = await createToken(db, audit, SEED_ACTOR, { role: 'helpdesk', name: 'demo help desk' });
    const admin = await createToken(db, audit, SEED_ACTOR, { role: 'admin', name: 'demo admin' });
    const user = await createToken(db, audit, SEED_ACTOR, {
      role: 'user',
      mailbox: DEMO_USER,
      name: 'demo user',
    });
    tokens = {
      helpdesk: helpdesk.secret,
      admin: admin.secret,
      user: { mailbox: DEMO_USER, token: user.secret },
    };
  } finally {
    db.close();
  }

  const catalogue = openRsgCatalogue(config, clock);
  const rsg = await catalogue
    .mount({ source: 'backup', path: backupDir, label: DEMO_RSG_LABEL, selfService: true })
    .finally(() => catalogue.close());
  if (rsg.state !== 'mounted') {
    throw new AppError('INTERNAL', `The demo backup did not mount: ${rsg.error?.message ?? rsg.state}`);
  }
  return {
    tokens,
    rsg: { id: rsg.id, label: rsg.label },
    story: {
      missing: [...late].map(asItem),
      purged: purged.map(asItem),
      inDumpster: inDumpster.map(asItem),
      deletedFolder: { ...DEMO_DELETED_FOLDER, items: folderItems },
    },
  };
}
