/**
 * A dial-tone bulk job (issue 7): every one of the 119 mailboxes of the Enron sample (about
 * 41,000 items) merged from a mounted RSG into new, empty live mailboxes by one job file
 * (`mailboxes: all`, `createMissingMailboxes: true`), with concurrency 1 and 2. Reports the
 * wall time, items/s, CPU time and the peak RSS of this process during the job (sampled every
 * 50 ms), each into a fresh live database. The RSG is mounted once (an eml-tree, without a
 * search index: the job has no filters), and its mount time is reported apart.
 *
 * Medians of BENCH_RUNS runs (default 1: one run is some 40,000 merged items per setting).
 * Reads the team corpus (`../shared/corpus` beside the repository, or $SALVAGE_CORPUS) and
 * unpacks the Enron sample once under the OS temp dir.
 * Run alone: `node --import tsx bench/jobs.bench.ts`; or through bench/run.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeDeps } from '../src/catalogue.js';
import { LIVE_EXTENSIONS } from '../src/extensions.js';
import { type JobReport, runJob, validateJob } from '../src/jobs/index.js';
import { RsgCatalogue } from '../src/rsg/index.js';
import { Database } from '../src/store/index.js';
import { enronTree, median } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const CONCURRENCY = [1, 2];

const log = (s: string): void => void process.stderr.write(`  jobs: ${s}\n`);

interface Run {
  concurrency: number;
  items: number;
  mailboxes: number;
  wallMs: number;
  cpuMs: number;
  peakRssMiB: number;
}

async function oneRun(
  root: string,
  catalogue: RsgCatalogue,
  rsg: string,
  concurrency: number,
  n: number,
): Promise<Run> {
  const live = Database.create(path.join(root, `live-${concurrency}-${n}`), { extensions: LIVE_EXTENSIONS });
  try {
    const doc = validateJob({
      source: { rsg },
      mailboxes: 'all',
      createMissingMailboxes: true,
      concurrency,
    });
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const cpu = process.cpuUsage();
    const t = performance.now();
    let r: JobReport;
    try {
      r = await runJob({ live, catalogue, merge: mergeDeps(live, catalogue, { now: Date.now }) }, doc, {
        name: 'dial-tone.json',
        baseDir: root,
      });
    } finally {
      clearInterval(sampler);
    }
    const wallMs = performance.now() - t;
    const c = process.cpuUsage(cpu);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (r.state !== 'done' || r.totals.failed > 0) {
      throw new Error(`the job ended ${r.state}: ${JSON.stringify(r.totals)}`);
    }
    return {
      concurrency,
      items: r.totals.selected,
      mailboxes: r.mailboxes.length,
      wallMs,
      cpuMs: (c.user + c.system) / 1000,
      peakRssMiB: Math.round(peak / 2 ** 20),
    };
  } finally {
    live.close();
  }
}

export default async function jobsBench(): Promise<Record<string, unknown>> {
  const tree = path.join(enronTree(), 'maildir');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-bench-jobs-'));
  const catalogue = new RsgCatalogue(path.join(root, 'rsg'), {
    clock: { now: Date.now },
    maxMessageBytes: 50 * 1024 * 1024,
  });
  try {
    let t = performance.now();
    const info = await catalogue.mount({ source: 'eml-tree', path: tree, label: 'enron' });
    if (info.state !== 'mounted') {
      throw new Error(`mount failed: ${JSON.stringify(info.error)}`);
    }
    const mountMs = performance.now() - t;
    log(
      `mounted ${info.counts.mailboxes} mailboxes, ${info.counts.items} items in ${Math.round(mountMs)} ms`,
    );
    const runs: Run[] = [];
    for (let n = 0; n < RUNS; n++) {
      for (const c of CONCURRENCY) {
        t = performance.now();
        runs.push(await oneRun(root, catalogue, info.id, c, n));
        log(`concurrency ${c}: ${JSON.stringify(runs.at(-1))}`);
      }
    }
    const by = (c: number): Record<string, unknown> => {
      const rs = runs.filter((r) => r.concurrency === c);
      const wall = median(rs.map((r) => r.wallMs));
      return {
        concurrency: c,
        mailboxes: rs[0]!.mailboxes,
        items: rs[0]!.items,
        wallSeconds: Math.round(wall / 100) / 10,
        itemsPerSecond: Math.round(rs[0]!.items / (wall / 1000)),
        itemsPerCpuSecond: Math.round(rs[0]!.items / (median(rs.map((r) => r.cpuMs)) / 1000)),
        peakRssMiB: Math.max(...rs.map((r) => r.peakRssMiB)),
      };
    };
    return {
      name: 'jobs',
      runs: RUNS,
      cpus: os.availableParallelism(),
      loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
      mount: {
        mailboxes: info.counts.mailboxes,
        items: info.counts.items,
        seconds: Math.round(mountMs / 100) / 10,
      },
      results: CONCURRENCY.map(by),
    };
  } finally {
    catalogue.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.stdout.write(JSON.stringify(await jobsBench(), null, 2) + '\n');
}
