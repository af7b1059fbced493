/**
 * buildServices(config): opens what the process serves (the live database) and wires the
 * modules over it. The API and the CLI's `serve` use the Services object; tests build one on a
 * temp home with a ManualClock. Add a module by adding a field and, if it holds resources, a
 * closer (closed in reverse order of opening).
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { type Logger, pino } from 'pino';
import { AuditService } from './audit/index.js';
import { AuthService } from './auth/index.js';
import { type Config, homePaths } from './config.js';
import { AppError } from './errors.js';
import { LIVE_EXTENSIONS } from './extensions.js';
import { type Clock, systemClock } from './lib/clock.js';
import { writeFileDurable } from './lib/fs.js';
import { DumpsterService, MailboxService, SelfRestoreBudget } from './live/index.js';
import { type MergeService, type RecoveryService, buildRecovery } from './recovery/index.js';
import { Database } from './store/index.js';

/** Where request ids come from (sequential in tests). */
export interface IdSource {
  requestId(): string;
}

export interface Services {
  readonly config: Config;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  /** The live database: read with `live.sql`, write through the modules. */
  readonly live: Database;
  readonly audit: AuditService;
  readonly auth: AuthService;
  readonly mailboxes: MailboxService;
  readonly dumpster: DumpsterService;
  /** Recovery groups: mount, browse, search, export, send. */
  readonly recovery: RecoveryService;
  /** Merges and bulk jobs. */
  readonly merges: MergeService;
  /** Resolves when the mounts, merges and jobs started in the background have finished. */
  settled(): Promise<void>;
  /** Close everything opened here, last opened first. Safe to call twice. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  clock?: Clock;
  ids?: IdSource;
  logger?: Logger;
  /** Random bytes for token secrets (crypto.randomBytes by default). */
  random?: (n: number) => Buffer;
}

/** Request ids unique per process run: a random boot prefix and a counter (`r-1f3a9c-2s`). */
export function processIds(random: (n: number) => Buffer = randomBytes): IdSource {
  const boot = random(3).toString('hex');
  let n = 0;
  return { requestId: () => `r-${boot}-${(++n).toString(36)}` };
}

/** Sequential request ids (`r-1`, `r-2`, …), for tests. */
export function sequentialIds(prefix = 'r-'): IdSource {
  let n = 0;
  return { requestId: () => `${prefix}${++n}` };
}

/**
 * Create a home — live database, rsg/, salvage.json (kept if present) — and return the new
 * database's id. @throws DATABASE_EXISTS when the home already has a live database
 */
export function initHome(config: Config, clock: Clock = systemClock): string {
  const p = homePaths(config.home);
  fs.mkdirSync(p.home, { recursive: true });
  const db = Database.create(p.live, {
    clock,
    retentionDays: config.retentionDays,
    extensions: LIVE_EXTENSIONS,
  });
  const id = db.id;
  db.close();
  fs.mkdirSync(p.rsg, { recursive: true });
  if (!fs.existsSync(p.settings)) {
    writeFileDurable(
      p.settings,
      JSON.stringify({ retentionDays: config.retentionDays, port: config.port }, null, 2) + '\n',
    );
  }
  return id;
}

/**
 * Create the home (as `salvage init` does) when it has no live database yet. Returns whether
 * it created one.
 */
export function ensureHome(config: Config, clock: Clock = systemClock): boolean {
  if (fs.existsSync(homePaths(config.home).live)) {
    return false;
  }
  initHome(config, clock);
  return true;
}

/** Open the home's live database and wire the modules. @throws DATABASE_NOT_FOUND */
export function buildServices(config: Config, opts: ServiceOptions = {}): Services {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const dir = homePaths(config.home).live;
  if (!fs.existsSync(dir)) {
    throw new AppError('DATABASE_NOT_FOUND', `No live database in ${dir}: run 'salvage init' first`, { dir });
  }
  const closers: (() => void | Promise<void>)[] = [];
  const live = Database.open(dir, { clock, extensions: LIVE_EXTENSIONS });
  closers.push(() => live.close());
  const audit = new AuditService(live);
  const selfRestores = new SelfRestoreBudget(clock, config.selfRestorePerHour);
  const recovery = buildRecovery(config, live, audit, clock, selfRestores);
  closers.push(() => recovery.close());
  let closed = false;
  return {
    config,
    clock,
    ids: opts.ids ?? processIds(opts.random),
    logger,
    live,
    audit,
    auth: new AuthService(live, audit, opts.random),
    mailboxes: new MailboxService(live, audit),
    dumpster: new DumpsterService(live, audit, selfRestores),
    recovery: recovery.recovery,
    merges: recovery.merges,
    settled: () => recovery.settled(),
    async close() {
      if (closed) {
        return;
      }
      closed = true;
      for (const c of closers.reverse()) {
        await c();
      }
    },
  };
}
