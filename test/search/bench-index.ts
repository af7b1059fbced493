/**
 * Index build throughput and query latency (a benchmark, not a test: run by hand).
 *   node --import tsx test/search/bench-index.ts <tree> [workers]
 * <tree> is a directory <mailbox>/<folder>/<file>, e.g. the Enron sample unpacked:
 * tar -xzf enron-maildir-sample.tar.gz -C <dir>  →  <dir>/maildir
 *
 * Besides wall time it reports the CPU time of every thread of the process (Linux /proc):
 * on a shared machine, wall time measures the neighbours too; the CPU time of the calling
 * thread and of all threads bound what two dedicated cores can do:
 * wall ≥ max(calling thread, all threads / 2).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSearchIndex, search } from '../../src/search/index.js';
import { createTestRsg } from './helpers.js';

/** CPU milliseconds of each thread of this process, by thread id (Linux), else {}. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) * 10); // utime + stime, in 10 ms ticks
    }
  } catch {
    // not Linux, or a thread ended while being read: CPU figures are left out
  }
  return out;
}

const tree = process.argv[2];
if (!tree) {
  console.error('usage: bench-index.ts <tree> [workers]');
  process.exit(2);
}
const workers = process.argv[3] ? Number(process.argv[3]) : undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-bench-'));
try {
  const rsg = createTestRsg(dir, tree);
  rsg.db.pragma('wal_checkpoint(TRUNCATE)');
  const items = rsg.db.prepare('SELECT count(*) FROM items').pluck().get() as number;
  const base = fs.statSync(rsg.file).size;
  const before = threadCpu();
  const seen = new Map(before);
  const sampler = setInterval(() => threadCpu().forEach((ms, tid) => seen.set(tid, ms)), 50);
  let t = performance.now();
  const report = await buildSearchIndex(rsg.db, { readMessage: rsg.readMessage, workers });
  const wall = performance.now() - t;
  clearInterval(sampler);
  threadCpu().forEach((ms, tid) => seen.set(tid, ms));
  let main = 0;
  let all = 0;
  for (const [tid, ms] of seen) {
    const d = ms - (before.get(tid) ?? 0);
    all += d;
    main = tid === String(process.pid) ? d : main;
  }
  const bound = Math.max(main, all / 2);
  rsg.db.pragma('wal_checkpoint(TRUNCATE)');
  console.log(
    JSON.stringify({
      items,
      workers: workers ?? os.availableParallelism(),
      wallMs: Math.round(wall),
      msgsPerSecWall: Math.round(items / (wall / 1000)),
      callingThreadCpuMs: main,
      allThreadsCpuMs: all,
      msgsPerSecTwoCores: bound > 0 ? Math.round(items / (bound / 1000)) : undefined,
      failed: report.failed.length,
      limited: report.limited.length,
      searchBytes: fs.statSync(rsg.file).size - base,
    }),
  );
  const queries = [
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
  const now = Date.UTC(2002, 0, 1);
  for (const q of queries) {
    for (const sort of ['relevance', 'date'] as const) {
      search(rsg.db, q, { sort, now }); // warm
      const runs = 20;
      const c0 = process.cpuUsage();
      t = performance.now();
      let total = 0;
      for (let i = 0; i < runs; i++) {
        total = search(rsg.db, q, { sort, now }).total;
      }
      const c = process.cpuUsage(c0);
      const wallMs = (performance.now() - t) / runs;
      const cpuMs = (c.user + c.system) / 1000 / runs;
      console.log(`${wallMs.toFixed(2)} ms wall\t${cpuMs.toFixed(2)} ms cpu\t${sort}\t${total} hits\t${q}`);
    }
  }
  rsg.db.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
