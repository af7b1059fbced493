/**
 * Shared test helpers: temp dirs removed after the test, a manual clock, message factories that
 * build valid RFC 5322 bytes, an in-process CLI runner, and small probes of a database's state.
 * Tests state only what matters; every other field has a default here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli as runCliMain } from '../../src/cli/main.js';
import { AppError, type ErrorCode } from '../../src/errors.js';
import { ManualClock } from '../../src/lib/clock.js';
import { Database, type DatabaseOptions, createMailbox, stats } from '../../src/store/index.js';
import { type LogRecord, listSegments, scanSegment } from '../../src/store/txlog.js';

import { T0 } from './messages.js';

export { ManualClock };
export * from './messages.js';

/** The repository root (tests never look outside it). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

/** A fresh directory under the OS temp dir, removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'salvage-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function aClock(ms = T0): ManualClock {
  return new ManualClock(ms);
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Damage one byte of a file in place (XOR with `mask`). */
export function flipByte(file: string, offset: number, mask = 0x01): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, offset);
    b[0] = b[0]! ^ mask;
    fs.writeSync(fd, b, 0, 1, offset);
  } finally {
    fs.closeSync(fd);
  }
}

/** A database in a temp dir with a manual clock; closed when the test ends. */
export function openTestDb(
  t: TestContext,
  opts: DatabaseOptions & { retentionDays?: number; dir?: string } = {},
): { db: Database; dir: string; clock: ManualClock } {
  const clock = opts.clock instanceof ManualClock ? opts.clock : aClock();
  const dir = opts.dir ?? path.join(tempDir(t), 'db');
  const db = Database.create(dir, { ...opts, clock });
  t.after(() => db.close());
  return { db, dir, clock };
}

/** Create mailboxes `u1@example.com` … `u<n>@example.com` (or the given addresses). */
export async function mailboxes(db: Database, spec: number | readonly string[]): Promise<string[]> {
  const addrs =
    typeof spec === 'number' ? Array.from({ length: spec }, (_, i) => `u${i + 1}@example.com`) : spec;
  for (const a of addrs) {
    await createMailbox(db, { address: a });
  }
  return [...addrs];
}

/** The logical state of a database, for "unchanged" assertions (WAL files make raw hashes useless). */
export function logicalState(db: Database): Record<string, unknown> {
  const count = (sql: string): number => (db.sql.prepare(sql).get() as { n: number }).n;
  return {
    ...stats(db),
    folders: count('SELECT count(*) AS n FROM folders'),
    counters: db.sql.prepare('SELECT name, next FROM counters ORDER BY name').all(),
    tail: db.tail(),
  };
}

/**
 * What a write would change on disk besides SQLite: the bytes of every log segment and the
 * list of blob files. (salvage.db itself is compared through `logicalState`: WAL frames and
 * checkpoints change its bytes without changing its content.)
 */
export function diskState(dir: string): { logs: Record<string, string>; blobFiles: string[] } {
  const logsDir = path.join(dir, 'logs');
  const logs: Record<string, string> = {};
  for (const f of fs.readdirSync(logsDir).sort()) {
    logs[f] = sha256(fs.readFileSync(path.join(logsDir, f)));
  }
  const blobFiles = (fs.readdirSync(path.join(dir, 'blobs'), { recursive: true }) as string[])
    .filter((f) => /[0-9a-f]{64}$/.test(f))
    .sort();
  return { logs, blobFiles };
}

/** Assert that `fn` throws (or rejects with) an AppError of `code`; returns it for more checks. */
export async function expectAppError(fn: () => unknown, code: ErrorCode): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AppError && err.code === code) {
      return err;
    }
    throw new Error(`expected AppError ${code}, got ${String(err)}`, { cause: err });
  }
  throw new Error(`expected AppError ${code}, but nothing was thrown`);
}

/** A JSON document the CLI printed, read loosely: each test asserts the fields it needs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CliJson = any;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON document of --json. */
  json(): CliJson;
}

/** Run the CLI in process with captured streams and an optional manual clock. */
export async function runCli(
  argv: string[],
  opts: { clock?: ManualClock; stdin?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCliMain(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    env: opts.env ?? {},
    clock: opts.clock,
  });
  return {
    code,
    stdout,
    stderr,
    json: (): CliJson => JSON.parse(stdout),
  };
}

/** Spawn `node --import tsx <script> ...args` from the repository root. */
export function spawnTsx(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Every stdout line of a child process, as they come, with a way to wait for one. */
export class ChildLines {
  readonly lines: string[] = [];
  /** Resolves when stdout has ended (after the child exited or was killed). */
  readonly ended: Promise<void>;
  private buf = '';
  private waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];

  constructor(readonly child: ChildProcess) {
    const stdout = child.stdout!;
    stdout.setEncoding('utf8');
    stdout.on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        this.push(this.buf.slice(0, nl));
        this.buf = this.buf.slice(nl + 1);
      }
    });
    this.ended = new Promise((resolve) => stdout.once('end', () => resolve()));
  }

  private push(line: string): void {
    this.lines.push(line);
    this.waiters = this.waiters.filter((w) => {
      if (w.match(line)) {
        w.resolve(line);
        return false;
      }
      return true;
    });
  }

  /** The first line (already seen or still to come) that `match` accepts. */
  waitFor(match: (line: string) => boolean): Promise<string> {
    const seen = this.lines.find(match);
    if (seen !== undefined) {
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ match, resolve });
      void this.ended.then(() => reject(new Error(`the child's output ended before the expected line`)));
    });
  }
}

/** Resolves when `child` has exited; its exit code or signal. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** mulberry32: a small seeded PRNG (values in [0, 1)), so that a failing randomised run can be repeated. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every record of the log segments of the database in `dir`, in order (a clean log: no torn tail). */
export function logRecords(dir: string): LogRecord[] {
  const logs = path.join(dir, 'logs');
  const out: LogRecord[] = [];
  for (const s of listSegments(logs)) {
    scanSegment(logs, s, 0, { mayBeTorn: false, committedEnd: 0 }, (r) => out.push(r));
  }
  return out;
}
