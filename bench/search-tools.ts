/**
 * notmuch and mu for bench/search.bench.ts: each with its own HOME, configuration and database
 * under a directory the bench gives it (nothing touches the user's own), UTC dates; an index
 * run timed by /usr/bin/time (wall, user + sys, peak RSS), a query's first page as one process,
 * its hit count in files.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const INSTALL = 'apt-get install -y notmuch maildir-utils';
const MiB = 2 ** 20;

export interface ToolRun {
  ms: number;
  cpuMs: number;
  peakRssMiB: number;
}

export interface Engine {
  name: 'notmuch' | 'mu';
  /** Index into a fresh database. */
  index: () => ToolRun;
  /** Bytes of its database on disk. */
  indexBytes: () => number;
  /** Files that match. */
  count: (q: string) => number;
  /** Run one query for its first `page` results. */
  search: (q: string) => void;
  /** A query that matches nothing: the process start-up and opening the database. */
  nothing: string;
  /** What `search` runs. */
  searchCommand: string;
}

/** notmuch, mu and /usr/bin/time, installed when this runs as root; else the line to run. */
export function ensureTools(log: (s: string) => void): void {
  const missing = (cmd: string): boolean =>
    spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error !== undefined;
  const gone = (): boolean => missing('notmuch') || missing('mu');
  if (gone() && process.getuid?.() === 0) {
    log(`installing notmuch and mu: ${INSTALL}`);
    spawnSync('apt-get', ['install', '-y', 'notmuch', 'maildir-utils'], { stdio: 'inherit' });
  }
  if (gone()) {
    throw new Error(`notmuch and mu are needed beside Salvage; install them: ${INSTALL}`);
  }
  if (!fs.existsSync('/usr/bin/time') && process.getuid?.() === 0) {
    spawnSync('apt-get', ['install', '-y', 'time'], { stdio: 'inherit' });
  }
  if (!fs.existsSync('/usr/bin/time')) {
    throw new Error('/usr/bin/time is needed for the peak RSS of notmuch and mu: apt-get install -y time');
  }
}

/** The first line of `cmd --version`. */
export function version(cmd: string): string {
  return spawnSync(cmd, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!.trim();
}

/** Size in bytes of every file under `dir`. */
export function duBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      n += fs.statSync(path.join(e.parentPath, e.name)).size;
    }
  }
  return n;
}

/** The tools' environment: their own HOME and config, UTC dates (as Salvage's). */
function toolEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, TZ: 'UTC', NOTMUCH_CONFIG: path.join(home, 'notmuch-config') };
}

/** Run `cmd` under /usr/bin/time: wall, user + sys, peak RSS. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): ToolRun {
  const out = path.join(os.tmpdir(), `salvage-bench-search-${process.pid}.time`);
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-o', out, '-f', '%U %S %M', cmd, ...args], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  }
  const [user, sys, kb] = fs.readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  fs.rmSync(out, { force: true });
  return { ms: Math.round(ms), cpuMs: Math.round((user! + sys!) * 1000), peakRssMiB: Math.round(kb! / 1024) };
}

/** stdout of a tool; `okCodes`: mu find exits 4 when nothing matches. */
function tool(cmd: string, args: string[], env: NodeJS.ProcessEnv, okCodes = [0]): string {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 256 * MiB });
  if (r.error || !okCodes.includes(r.status ?? -1)) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  }
  return r.stdout;
}

/** notmuch over `tree` (any directory tree of messages), its database in `home`/db. */
export function notmuchEngine(tree: string, home: string, page: number): Engine {
  const db = path.join(home, 'db');
  const env = toolEnv(home);
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(
    env.NOTMUCH_CONFIG!,
    `[database]\npath=${db}\nmail_root=${tree}\n[user]\nname=bench\nprimary_email=bench@example.com\n` +
      `[new]\ntags=\n[search]\nexclude_tags=\n[maildir]\nsynchronize_flags=false\n`,
  );
  return {
    name: 'notmuch',
    index: () => {
      fs.rmSync(db, { recursive: true, force: true });
      fs.mkdirSync(db);
      return timed('notmuch', ['new', '--quiet'], env);
    },
    indexBytes: () => duBytes(db),
    count: (q) => Number(tool('notmuch', ['count', '--output=files', q], env).trim()),
    search: (q) => void tool('notmuch', ['search', `--limit=${page}`, q], env),
    nothing: 'id:no-such-message@salvage.invalid',
    searchCommand: `notmuch search --limit=${page}`,
  };
}

/** mu over `maildir` (a Maildir tree), its database in `home`/muhome (`mu init` is not timed). */
export function muEngine(maildir: string, home: string, page: number): Engine {
  const muhome = path.join(home, 'muhome');
  const env = toolEnv(home);
  return {
    name: 'mu',
    index: () => {
      fs.rmSync(muhome, { recursive: true, force: true });
      fs.mkdirSync(muhome, { recursive: true });
      tool('mu', ['init', `--muhome=${muhome}`, `--maildir=${maildir}`, '--quiet'], env);
      return timed('mu', ['index', `--muhome=${muhome}`, '--quiet'], env);
    },
    indexBytes: () => duBytes(path.join(muhome, 'xapian')),
    count: (q) =>
      tool('mu', ['find', `--muhome=${muhome}`, '--fields=l', q], env, [0, 4])
        .split('\n')
        .filter((l) => l !== '').length,
    search: (q) => void tool('mu', ['find', `--muhome=${muhome}`, `--maxnum=${page}`, q], env, [0, 4]),
    nothing: 'msgid:no-such-message@salvage.invalid',
    searchCommand: `mu find --maxnum=${page}`,
  };
}

/** Wall milliseconds of one process per query, `repeats` times each (after one untimed), per query. */
export function processLatency(e: Engine, queries: string[], repeats: number): number[][] {
  return queries.map((q) => {
    e.search(q);
    const ms: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      e.search(q);
      ms.push(performance.now() - t0);
    }
    return ms;
  });
}
