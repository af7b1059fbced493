/**
 * The search index stage of a mount on its own: `buildSearchIndex` over a native database that
 * already holds the Enron sample (40,960 messages, 146.6 MB, converted once and cached under
 * the OS temp dir), read through the store as a mount reads it (`readItemBytes`), then the
 * latency of a set of queries on the built index.
 *
 * Each run is a child process of its own (a fresh copy of the database): wall time, CPU time of
 * all threads and of the calling thread (Linux /proc; on a shared machine wall time also counts
 * waiting for a CPU, so `messagesPerSecondTwoCores` = messages / max(calling thread, all / 2)
 * is what two dedicated cores would do), and peak RSS (`maxRSS`, the tsx loader included).
 *
 * Goals (issue 5): ≥ 4,000 messages/s end to end for a mount with its index, so this stage well
 * above that; peak RSS ≤ 512 MiB; query p50 ≤ 5 ms and p95 ≤ 20 ms.
 * Knobs: BENCH_RUNS (default 3), SEARCH_BENCH_WORKERS (parse workers; default: one per core).
 * Run alone: `node --import tsx bench/search-index.bench.ts`; or through bench/run.ts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/lib/clock.js';
import { buildSearchIndex, search } from '../src/search/index.js';
import { Database, createMailboxTx, deliver, findMailbox, readItemBytes } from '../src/store/index.js';
import { enronTree, median } from './lib.js';

const SELF = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(SELF), '..');
const CACHE = path.join(os.tmpdir(), 'salvage-bench-cache', 'search-index-db');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WORKERS = process.env.SEARCH_BENCH_WORKERS ? Number(process.env.SEARCH_BENCH_WORKERS) : undefined;
const DELIVER_BATCH = 1000;
const GOALS = { messagesPerSecond: 4000, peakRssMiB: 512, queryP50Ms: 5, queryP95Ms: 20 };
const QUERIES = [
  'from:master.amar@hoegh.no',
  'subject:meeting',
  'subject:"weekly report"',
  'capacity',
  'to:sally.beck@enron.com',
  '"risk management"',
  'subject:revis*',
  'body:trading',
  'sent:2001-10-01..2001-10-31',
  'enron',
  'from:@enron.com NOT subject:meeting',
  'budg* OR forecast*',
];
const QUERY_REPEATS = 10;

const log = (s: string): void => void process.stderr.write(`  search-index: ${s}\n`);

/** Every message file of the tree, relative, sorted: <user>/<folder…>/<file>. */
function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        walk(r);
      } else if (!e.name.startsWith('.') && r.split('/').length >= 3) {
        out.push(r);
      }
    }
  };
  walk('');
  return out.sort();
}

/** The sample delivered to `<user>@enron.com`, folder as in the tree: a converted, unindexed database. */
function preparedDatabase(): string {
  if (fs.existsSync(path.join(CACHE, '.complete'))) {
    return CACHE;
  }
  const tree = path.join(enronTree(), 'maildir');
  log(`converting the sample into ${CACHE} (once)`);
  const tmp = `${CACHE}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const db = Database.create(tmp, { clock: systemClock });
  try {
    const groups = new Map<string, string[]>();
    for (const f of listFiles(tree)) {
      const [user, ...rest] = f.split('/');
      const key = `${user}@enron.com\0${rest.slice(0, -1).join('/')}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    for (const [key, files] of groups) {
      const [address, folder] = key.split('\0') as [string, string];
      if (!findMailbox(db.sql, address)) {
        db.writeSync((tx) => createMailboxTx(tx, { address }));
      }
      for (let i = 0; i < files.length; i += DELIVER_BATCH) {
        const msgs = files.slice(i, i + DELIVER_BATCH).map((f) => fs.readFileSync(path.join(tree, f)));
        deliver(db, msgs, { to: [address], folder });
      }
    }
    db.checkpoint('TRUNCATE'); // through the database: it waits for its background checkpointer
  } finally {
    db.close();
  }
  fs.writeFileSync(path.join(tmp, '.complete'), '');
  fs.rmSync(CACHE, { recursive: true, force: true });
  fs.renameSync(tmp, CACHE);
  return CACHE;
}

/** CPU milliseconds of each thread of this process by thread id (Linux /proc), else empty. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) * 10); // utime + stime, 10 ms ticks
    }
  } catch {
    // not Linux, or a thread ended while being read: the per-thread figures are partial
  }
  return out;
}

interface Sample {
  ms: number;
  cpuMs: number;
  callingThreadCpuMs: number;
  peakRssMiB: number;
  messages: number;
  failed: number;
  limited: number;
  queryMs: number[];
}

/** In the child: index a fresh copy of the prepared database, then time the queries. */
async function indexOnce(source: string): Promise<Sample> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-bench-search-'));
  try {
    fs.cpSync(source, dir, { recursive: true });
    const db = Database.open(dir, { clock: systemClock });
    try {
      const before = threadCpu();
      const seen = new Map(before);
      const sampler = setInterval(() => threadCpu().forEach((ms, tid) => seen.set(tid, ms)), 50);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const report = await buildSearchIndex(db.sql, {
        readMessage: (id) => readItemBytes(db, id),
        ...(WORKERS ? { workers: WORKERS } : {}),
      });
      const ms = Math.round(performance.now() - t0);
      const c = process.cpuUsage(c0);
      clearInterval(sampler);
      threadCpu().forEach((v, tid) => seen.set(tid, v));
      const queryMs: number[] = [];
      const now = Date.UTC(2002, 0, 1);
      for (const q of QUERIES) {
        search(db.sql, q, { now }); // warm
        for (let i = 0; i < QUERY_REPEATS; i++) {
          const t = performance.now();
          search(db.sql, q, { now });
          queryMs.push(performance.now() - t);
        }
      }
      return {
        ms,
        cpuMs: Math.round((c.user + c.system) / 1000),
        callingThreadCpuMs: (seen.get(String(process.pid)) ?? 0) - (before.get(String(process.pid)) ?? 0),
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        messages: report.indexed,
        failed: report.failed.length,
        limited: report.limited.length,
        queryMs,
      };
    } finally {
      db.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function inChild(source: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', SELF, '--child', source], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`index run exited ${code}`));
        return;
      }
      resolve(JSON.parse(out) as Sample);
    });
  });
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

export default async function run(): Promise<unknown> {
  const source = preparedDatabase();
  const load = { before: os.loadavg() };
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = await inChild(source);
    samples.push(s);
    log(
      `run ${i + 1}/${RUNS}: ${s.messages} messages in ${s.ms} ms (cpu ${s.cpuMs} ms, calling thread ${s.callingThreadCpuMs} ms, rss ${s.peakRssMiB} MiB)`,
    );
  }
  const messages = samples[0]?.messages ?? 0;
  const ms = median(samples.map((s) => s.ms));
  const cpuMs = median(samples.map((s) => s.cpuMs));
  const callingMs = median(samples.map((s) => s.callingThreadCpuMs));
  const queries = samples.flatMap((s) => s.queryMs);
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  return {
    name: 'search-index',
    messages,
    runs: RUNS,
    workers: WORKERS ?? os.availableParallelism(),
    cpus: os.availableParallelism(),
    loadAverage: { ...load, after: os.loadavg() },
    goals: GOALS,
    index: {
      medianMs: ms,
      messagesPerSecond: Math.round(messages / (ms / 1000)),
      medianCpuMs: cpuMs,
      medianCallingThreadCpuMs: callingMs,
      messagesPerSecondTwoCores: Math.round(messages / (Math.max(callingMs, cpuMs / 2) / 1000)),
      peakRssMiB: Math.max(...samples.map((s) => s.peakRssMiB)),
      failed: samples[0]?.failed,
      limited: samples[0]?.limited,
      runsMs: samples.map((s) => s.ms),
      runsCpuMs: samples.map((s) => s.cpuMs),
    },
    queries: {
      queries: QUERIES,
      perQuery: QUERY_REPEATS * RUNS,
      p50Ms: r2(percentile(queries, 50)),
      p95Ms: r2(percentile(queries, 95)),
      maxMs: r2(Math.max(...queries)),
    },
  };
}

if (process.argv[1] && SELF === path.resolve(process.argv[1])) {
  if (process.argv[2] === '--child') {
    process.stdout.write(JSON.stringify(await indexOnce(process.argv[3]!)));
  } else {
    process.stdout.write(JSON.stringify(await run(), null, 2) + '\n');
  }
}
