/** What every CLI command shares: its streams, the home, output in human or JSON form. */
import fs from 'node:fs';
import type { Command } from 'commander';
import { type Config, homePaths, loadConfig } from '../config.js';
import { type AuditInput, AuditService, CLI_ACTOR } from '../audit/index.js';
import { AppError } from '../errors.js';
import { LIVE_EXTENSIONS } from '../extensions.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { Database } from '../store/index.js';

export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  clock?: Clock;
}

export interface GlobalOpts {
  home?: string;
  json?: boolean;
}

/** Who the CLI operator is in the audit log: actor `cli`, role admin, no request id. */
const CLI_AUDIT = { actor: CLI_ACTOR, requestId: null };

export class CliContext {
  constructor(readonly io: CliIo) {}

  get clock(): Clock {
    return this.io.clock ?? systemClock;
  }

  config(cmd: Command, extra: Partial<Record<keyof Config, unknown>> = {}): Config {
    const o = cmd.optsWithGlobals<GlobalOpts>();
    return loadConfig({ home: o.home, ...extra }, this.io.env);
  }

  json(cmd: Command): boolean {
    return cmd.optsWithGlobals<GlobalOpts>().json === true;
  }

  /** Print one JSON document with --json, else the human text. */
  out(cmd: Command, data: unknown, human: () => string): void {
    this.io.stdout.write(this.json(cmd) ? JSON.stringify(data, null, 2) + '\n' : human() + '\n');
  }

  /** A diagnostic line on stderr (never mixed into --json output). */
  note(s: string): void {
    this.io.stderr.write(s + '\n');
  }

  /** Open a database: `dbDir` if given, else the home's live database. @throws DATABASE_NOT_FOUND */
  openDb(cmd: Command, dbDir?: string): Database {
    const dir = dbDir ?? homePaths(this.config(cmd).home).live;
    if (!fs.existsSync(dir)) {
      throw new AppError(
        'DATABASE_NOT_FOUND',
        dbDir ? `No database at ${dbDir}` : `No live database in ${dir}: run 'salvage init' first`,
        { dir },
      );
    }
    return Database.open(dir, { clock: this.clock, extensions: LIVE_EXTENSIONS });
  }

  /**
   * Run `fn` and record it in the live database's audit log as the REST API records its
   * callers' actions (the same action names: createMerge, mountRecoveryGroup, …), with the CLI
   * operator as the actor (`cli`, role admin): `ok` with `detail`, or `failed` with the error's
   * code (the error is rethrown; `recordFailure` may say a failure is not worth a record). `db`
   * must be open read-write.
   */
  audited<T>(
    db: Database,
    action: string,
    target: string,
    fn: () => T | Promise<T>,
    detail?: (result: T) => Record<string, unknown>,
    opts: { recordFailure?: (err: unknown) => boolean } = {},
  ): Promise<T> {
    return new AuditService(db).audited(CLI_AUDIT, action, target, fn, detail, opts);
  }

  /**
   * `audited` on the home's live database, opened once for it; `then` adds an entry of what
   * the result says (a mount's outcome). `fn` gets the open live database (one connection for
   * the work and its record). When the home has no live database yet (RSGs can be mounted
   * before `salvage init`), `fn` runs unrecorded and gets undefined.
   */
  async auditedInHome<T>(
    cmd: Command,
    action: string,
    target: string,
    fn: (live: Database | undefined) => T | Promise<T>,
    detail?: (result: T) => Record<string, unknown>,
    then?: (result: T) => Omit<AuditInput, 'actor' | 'requestId'>,
  ): Promise<T> {
    if (!fs.existsSync(homePaths(this.config(cmd).home).live)) {
      return fn(undefined);
    }
    return this.withDb(cmd, async (db) => {
      const result = await this.audited(db, action, target, () => fn(db), detail);
      if (then) {
        await new AuditService(db).record({ ...CLI_AUDIT, ...then(result) });
      }
      return result;
    });
  }

  /** `withDb` and `audited` in one: `fn` on the live database, its outcome recorded there. */
  withAuditedDb<T>(
    cmd: Command,
    action: string,
    target: string,
    fn: (db: Database) => T | Promise<T>,
    detail?: (result: T) => Record<string, unknown>,
  ): Promise<T> {
    return this.withDb(cmd, (db) => this.audited(db, action, target, () => fn(db), detail));
  }

  /** Run `fn` with the live database open, closing it afterwards. */
  async withDb<T>(cmd: Command, fn: (db: Database) => T | Promise<T>, dbDir?: string): Promise<T> {
    const db = this.openDb(cmd, dbDir);
    try {
      return await fn(db);
    } finally {
      db.close();
    }
  }
}

export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export function fmtDate(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** A table of columns, padded, for human output. */
export function table(rows: string[][]): string {
  if (rows.length === 0) {
    return '';
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

/** Parse an integer option. @throws VALIDATION_FAILED */
export function intOption(name: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) {
    return undefined;
  }
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new AppError('VALIDATION_FAILED', `${name} must be a whole number of at least ${min}, not '${v}'`);
  }
  return n;
}
