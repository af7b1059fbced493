/**
 * Recovery storage groups: restored databases and foreign mail dumps mounted read-only under
 * `<home>/rsg/<id>/`, with a catalogue that survives restarts.
 *
 * Invariants: a source is only ever read (foreign sources are converted into a native
 * database inside the RSG directory; a `database` source is opened read-only in place); a
 * mounted RSG's database is opened read-only and handed out as a `RecoveryGroup`, a type with
 * no write method; unmount removes the RSG directory and never the source.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { AppError, isAppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import {
  DB_FILE,
  Database,
  type RestorePoint,
  listSegments,
  readItemBytes,
  restoreBackup,
  segmentFileName,
  type StoreExtension,
} from '../store/index.js';
import {
  INFO_FILE,
  type MountProgress,
  RSG_SOURCE_KINDS,
  type RsgInfo,
  type RsgSourceKind,
  checkRsgId,
  readInfo,
  writeInfo,
} from './catalogue-file.js';
import { convertSource } from './convert.js';
import type { Indexer } from './indexer.js';
import { RecoveryGroup } from './recovery-group.js';
import { SEARCH_FILE, buildSearchSidecar } from './search-sidecar.js';

export * from './catalogue-file.js';
export type { IndexCounts, IndexFeed, Indexer } from './indexer.js';
export { RecoveryGroup, type RsgFolder, type RsgMailbox } from './recovery-group.js';

export interface MountRequest {
  source: RsgSourceKind;
  path: string;
  label?: string;
  /** `backup` only: restore up to this point. */
  until?: RestorePoint;
  /** maildir/eml-tree: the whole tree is this one mailbox; mbox/pst: the mailbox's name. */
  mailbox?: string;
  selfService?: boolean;
}

export interface CatalogueOptions {
  clock: Clock;
  /**
   * The store extensions of the databases that backups come from (the live database's): a
   * restored backup replays their operations (jobs, merges, audit, tokens) too.
   */
  extensions?: readonly StoreExtension[];
  maxMessageBytes: number;
  indexer?: Indexer;
}

/** Mount progress of the indexing phase, from the indexer's (done, total). */
function indexingProgress(progress: (p: MountProgress) => void): (done: number, total: number) => void {
  const started = Date.now();
  return (done, total) =>
    progress({
      phase: 'indexing',
      items: done,
      bytes: 0,
      totalItems: total,
      itemsPerSecond: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)),
    });
}

/**
 * Who is mounting: a pid alone is not enough, since a restarted service often gets the pid its
 * crashed predecessor had (always 1 in a container). The token tells this process's mounts
 * from those an earlier process with the same pid left behind.
 */
const PROCESS_TOKEN = randomBytes(8).toString('hex');

const ID_FIRST = 'abcdefghijklmnopqrstuvwxyz';
const ID_REST = `${ID_FIRST}0123456789`;

/**
 * A new RSG id: ten characters of [a-z0-9], the first a letter, so that no id reads as a number
 * where it is written unquoted (a YAML job file's `rsg: 123e456789` is a number; hex ids were
 * that, or all digits, about one time in fifty).
 */
export function newRsgId(): string {
  let id = ID_FIRST[randomInt(ID_FIRST.length)]!;
  while (id.length < 10) {
    id += ID_REST[randomInt(ID_REST.length)]!;
  }
  return id;
}

interface MountOwner {
  pid?: number;
  pidToken?: string;
}

/** Is the process that recorded this mount still running it? */
function isMountAlive(owner: MountOwner): boolean {
  if (!owner.pid) {
    return false;
  }
  if (owner.pid === process.pid) {
    return owner.pidToken === PROCESS_TOKEN;
  }
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch {
    return false;
  }
}

function withoutOwner(info: RsgInfo & MountOwner): RsgInfo {
  const { pid: _pid, pidToken: _token, ...rest } = info;
  return rest;
}

export class RsgCatalogue {
  private readonly open = new Map<string, RecoveryGroup>();

  constructor(
    readonly root: string,
    private readonly opts: CatalogueOptions,
  ) {}

  private dirOf(id: string): string {
    return path.join(this.root, checkRsgId(id));
  }

  /** Every recovery group, newest first. A mount whose process died is shown as failed. */
  list(): RsgInfo[] {
    if (!fs.existsSync(this.root)) {
      return [];
    }
    return fs
      .readdirSync(this.root)
      .filter((n) => /^[a-z0-9]{4,32}$/.test(n))
      .map((n) => this.fresh(readInfo(path.join(this.root, n))))
      .filter((i): i is RsgInfo => i !== undefined)
      .sort((a, b) => b.createdMs - a.createdMs || a.id.localeCompare(b.id));
  }

  private fresh(info: RsgInfo | undefined): RsgInfo | undefined {
    if (info?.state === 'mounting' && !isMountAlive(info as RsgInfo & MountOwner)) {
      return {
        ...withoutOwner(info),
        state: 'failed',
        error: { code: 'INTERNAL', message: 'The mount was interrupted: the process mounting it is gone' },
      };
    }
    return info && withoutOwner(info);
  }

  /** @throws RSG_NOT_FOUND */
  get(id: string): RsgInfo {
    const info = this.fresh(readInfo(this.dirOf(id)));
    if (!info) {
      throw new AppError('RSG_NOT_FOUND', `No recovery group '${id}'`, { rsg: id });
    }
    return info;
  }

  /**
   * Check a mount request and record the new RSG as 'mounting'; `run` does the work.
   * @throws VALIDATION_FAILED, SOURCE_NOT_FOUND
   */
  begin(req: MountRequest): RsgInfo {
    if (!RSG_SOURCE_KINDS.includes(req.source)) {
      throw new AppError('VALIDATION_FAILED', `Unknown source kind '${String(req.source)}'`);
    }
    const source = path.resolve(req.path);
    if (!fs.existsSync(source)) {
      throw new AppError('SOURCE_NOT_FOUND', `The source ${req.path} does not exist`, { path: req.path });
    }
    if (req.until && req.source !== 'backup') {
      throw new AppError('VALIDATION_FAILED', '--until applies to a backup source only');
    }
    if (req.source === 'database' && !fs.existsSync(path.join(source, DB_FILE))) {
      throw new AppError('SOURCE_NOT_FOUND', `${req.path} is not a Salvage database directory`, {
        path: req.path,
      });
    }
    const id = newRsgId();
    const dir = this.dirOf(id);
    fs.mkdirSync(dir, { recursive: true });
    const info: RsgInfo & MountOwner = {
      id,
      label: req.label ?? `${req.source} ${path.basename(source)}`,
      source: {
        kind: req.source,
        path: source,
        ...(req.mailbox ? { mailbox: req.mailbox } : {}),
        ...(req.until
          ? { until: 'lsn' in req.until ? String(req.until.lsn) : new Date(req.until.timeMs).toISOString() }
          : {}),
      },
      state: 'mounting',
      selfService: req.selfService ?? false,
      createdMs: this.opts.clock.now(),
      databaseDir: req.source === 'database' ? source : 'db',
      counts: { mailboxes: 0, folders: 0, items: 0, dumpsterItems: 0, bytes: 0 },
      report: { problems: [], problemCount: 0 },
      pid: process.pid,
      pidToken: PROCESS_TOKEN,
    };
    writeInfo(dir, info);
    return withoutOwner(info);
  }

  /** Convert/restore, index and seal a mount begun with `begin`. Never throws for a bad source: the RSG is then 'failed' with the reason. */
  async run(
    id: string,
    req: MountRequest,
    opts: { onProgress?: (p: MountProgress) => void; signal?: AbortSignal } = {},
  ): Promise<RsgInfo> {
    const dir = this.dirOf(id);
    const begun: (RsgInfo & MountOwner) | undefined = readInfo(dir);
    if (!begun) {
      throw new AppError('RSG_NOT_FOUND', `No recovery group '${id}'`, { rsg: id });
    }
    if (begun.state !== 'mounting' || !isMountAlive(begun)) {
      // running again over a mounted (or failed) RSG would convert into, then remove, its database
      throw new AppError(
        'VALIDATION_FAILED',
        `Recovery group ${id} is not waiting to be mounted by this process`,
        {
          rsg: id,
        },
      );
    }
    let info: RsgInfo & MountOwner = begun;
    const started = Date.now();
    let lastSave = 0;
    const progress = (p: MountProgress): void => {
      opts.onProgress?.(p);
      if (Date.now() - lastSave > 1000) {
        lastSave = Date.now();
        info = { ...info, progress: p };
        writeInfo(dir, info);
      }
    };
    try {
      const dbDir = req.source === 'database' ? info.databaseDir : path.join(dir, 'db');
      if (req.source === 'backup') {
        progress({ phase: 'restoring', items: 0, bytes: 0, itemsPerSecond: 0 });
        restoreBackup(info.source.path, dbDir, {
          until: req.until,
          clock: this.opts.clock,
          extensions: this.opts.extensions,
        });
      } else if (req.source !== 'database') {
        const r = await convertSource(dbDir, req.source, info.source.path, {
          mailbox: req.mailbox,
          clock: this.opts.clock,
          maxMessageBytes: this.opts.maxMessageBytes,
          onProgress: progress,
          signal: opts.signal,
          indexer: this.opts.indexer,
        });
        info.report = { problems: r.problems, problemCount: r.problemCount };
        if (r.index) {
          info.report.indexed = r.index.indexed;
          info.report.indexFailed = r.index.failed;
        }
      }
      if (req.source !== 'database') {
        // a conversion with a feed indexed its items as it stored them
        await this.seal(dbDir, progress, info, req.source === 'backup' || !this.opts.indexer?.feed);
      } else if (this.opts.indexer) {
        await this.indexInPlace(dir, dbDir, progress, info, this.opts.indexer);
      }
      const group = new RecoveryGroup(info, dbDir, dir);
      try {
        info.counts = countsOf(group);
      } finally {
        group.close();
      }
      const { progress: _done, ...rest } = info;
      info = { ...rest, state: 'mounted', mountedMs: this.opts.clock.now() };
      info.report.ms = Date.now() - started;
      opts.onProgress?.({
        phase: 'done',
        items: info.counts.items,
        bytes: info.counts.bytes,
        itemsPerSecond: 0,
      });
    } catch (err) {
      const e = isAppError(err) ? err : undefined;
      const { progress: _done, ...rest } = info;
      info = {
        ...rest,
        state: 'failed',
        error: {
          code: e?.code ?? 'INTERNAL',
          message: e?.message ?? (err instanceof Error ? err.message : String(err)),
        },
      };
      fs.rmSync(path.join(dir, 'db'), { recursive: true, force: true });
      fs.rmSync(path.join(dir, SEARCH_FILE), { force: true });
    }
    const done = withoutOwner(info);
    writeInfo(dir, done);
    return done;
  }

  /** begin + run. */
  async mount(
    req: MountRequest,
    opts: { onProgress?: (p: MountProgress) => void; signal?: AbortSignal } = {},
  ): Promise<RsgInfo> {
    const info = this.begin(req);
    return this.run(info.id, req, opts);
  }

  /**
   * Build the search index (`index`: a restored backup; a conversion built it already),
   * checkpoint, drop the log and switch to a rollback journal so it opens read-only.
   */
  private async seal(
    dbDir: string,
    progress: (p: MountProgress) => void,
    info: RsgInfo,
    index: boolean,
  ): Promise<void> {
    const db = Database.open(dbDir, { clock: this.opts.clock, extensions: this.opts.extensions });
    try {
      if (this.opts.indexer && index) {
        const r = await this.opts.indexer.build(
          db.sql,
          (itemId) => readItemBytes(db, itemId),
          indexingProgress(progress),
        );
        info.report.indexed = r.indexed;
        info.report.indexFailed = r.failed;
      }
      progress({ phase: 'sealing', items: 0, bytes: 0, itemsPerSecond: 0 });
      // the whole WAL into the file before it leaves WAL mode: a sealed RSG is one file
      const ck = db.checkpoint('TRUNCATE');
      if (ck.busy !== 0) {
        throw new AppError(
          'INTERNAL',
          'Sealing the recovery group: its write-ahead log could not be checkpointed',
          {
            ...ck,
          },
        );
      }
      db.sql.pragma('journal_mode = DELETE');
    } finally {
      db.close();
    }
    const logs = path.join(dbDir, 'logs');
    for (const seg of listSegments(logs)) {
      fs.rmSync(path.join(logs, segmentFileName(seg)));
    }
  }

  /** A `database` source is opened in place, read-only: its search index goes beside it, into the RSG's search.db. */
  private async indexInPlace(
    dir: string,
    dbDir: string,
    progress: (p: MountProgress) => void,
    info: RsgInfo,
    indexer: Indexer,
  ): Promise<void> {
    const r = await buildSearchSidecar(dir, dbDir, indexer, indexingProgress(progress));
    info.report.indexed = r.indexed;
    info.report.indexFailed = r.failed;
  }

  /** The read-only handle of a mounted RSG. @throws RSG_NOT_FOUND, RSG_NOT_MOUNTED */
  group(id: string): RecoveryGroup {
    const cached = this.open.get(id);
    if (cached) {
      return cached;
    }
    const info = this.get(id);
    if (info.state !== 'mounted') {
      throw new AppError('RSG_NOT_MOUNTED', `Recovery group ${id} is ${info.state}`, {
        rsg: id,
        state: info.state,
      });
    }
    const dbDir = path.isAbsolute(info.databaseDir)
      ? info.databaseDir
      : path.join(this.dirOf(id), info.databaseDir);
    const g = new RecoveryGroup(info, dbDir, this.dirOf(id));
    this.open.set(id, g);
    return g;
  }

  /** Remove what the mount created (never the source). @throws RSG_NOT_FOUND, RSG_NOT_MOUNTED while mounting */
  unmount(id: string): RsgInfo {
    const info = this.get(id);
    if (info.state === 'mounting') {
      throw new AppError('RSG_NOT_MOUNTED', `Recovery group ${id} is still mounting`, { rsg: id });
    }
    this.open.get(id)?.close();
    this.open.delete(id);
    const dir = this.dirOf(id);
    fs.rmSync(path.join(dir, INFO_FILE), { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
    return info;
  }

  close(): void {
    for (const g of this.open.values()) {
      g.close();
    }
    this.open.clear();
  }
}

function countsOf(g: RecoveryGroup): RsgInfo['counts'] {
  const boxes = g.listMailboxes();
  const folders = (g.sql.prepare('SELECT count(*) AS n FROM folders').get() as { n: number }).n;
  return {
    mailboxes: boxes.length,
    folders,
    items: boxes.reduce((s, b) => s + b.items + b.dumpsterItems, 0),
    dumpsterItems: boxes.reduce((s, b) => s + b.dumpsterItems, 0),
    bytes: boxes.reduce((s, b) => s + b.bytes, 0),
  };
}
