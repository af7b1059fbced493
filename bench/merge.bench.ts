/**
 * Merge throughput (issue 6), fsync on, on real Enron mail:
 *
 * - new: 10,000 items whose contents the live database does not hold yet (every blob written);
 * - SIS hits: the same 10,000 items into a second mailbox of the same live database (every
 *   content already stored: a reference each);
 * - plan: planning a merge of a 40,000-item mailbox (classification only, nothing written),
 *   against an empty target and against a target that already holds 10,000 of them.
 *
 * The source is a backup of a database holding 40,000 messages of the Enron sample in four
 * folders of 10,000, mounted as an RSG (as a help desk would mount last night's backup). Each
 * run merges into a fresh live database. Wall and CPU time (user + sys of the whole process,
 * the live database's background checkpointer thread included: it copies the WAL into the
 * database file beside the merges, see src/store/checkpointer.ts; `ckptAfter*` in the raw
 * runs count its checkpoints finished by the end of each phase). Medians of BENCH_RUNS runs
 * (default 3). Goals on the 2-core reference machine: ≥ 2,000 items/s new, ≥ 10,000 items/s
 * SIS hits, plan ≥ 20,000 items/s. Reads the team corpus (`../shared/corpus` beside the repository, or
 * $SALVAGE_CORPUS) and unpacks the Enron sample once under the OS temp dir.
 * Run alone: `node --import tsx bench/merge.bench.ts`; or through bench/run.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeDeps } from '../src/catalogue.js';
import { LIVE_EXTENSIONS } from '../src/extensions.js';
import {
  type MergeReport,
  type MergeRequest,
  type PlannedItem,
  createMergeJob,
  planMerge,
  runMergeJob,
} from '../src/merge/index.js';
import { RsgCatalogue } from '../src/rsg/index.js';
import { Database, backupFull, createMailbox, deliver } from '../src/store/index.js';
import { enronTree, median } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MERGE_ITEMS = 10_000;
const PLAN_ITEMS = 40_000;
const SOURCE = 'source@old.example.com';

const log = (s: string): void => void process.stderr.write(`  merge: ${s}\n`);

/** Every message file of the sample, in path order. */
export function enronFiles(): string[] {
  const root = enronTree();
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((f) => !path.basename(f).startsWith('.'))
    .sort()
    .map((f) => path.join(root, f))
    .filter((f) => fs.statSync(f).isFile());
}

/** A backup of a database with PLAN_ITEMS messages in folders f0..f3, mounted as an RSG. */
function mountSource(root: string): { catalogue: RsgCatalogue; bytes: number } {
  const files = enronFiles().slice(0, PLAN_ITEMS);
  if (files.length < PLAN_ITEMS) {
    throw new Error(`only ${files.length} messages in the sample`);
  }
  const dir = path.join(root, 'old');
  const db = Database.create(dir);
  let bytes = 0;
  try {
    db.writeSync((tx) => {
      tx.emit({
        t: 'mailbox.create',
        id: 1,
        address: SOURCE,
        name: '',
        retentionDays: null,
        hold: false,
        createdMs: tx.now,
      });
    });
    for (let i = 0; i < files.length; i += 1000) {
      const msgs = files.slice(i, i + 1000).map((f) => fs.readFileSync(f));
      bytes += msgs.reduce((n, m) => n + m.length, 0);
      deliver(db, msgs, { to: [SOURCE], folder: `f${Math.floor(i / MERGE_ITEMS)}` });
    }
    backupFull(db, path.join(root, 'backup'));
  } finally {
    db.close();
  }
  const catalogue = new RsgCatalogue(path.join(root, 'rsg'), {
    clock: { now: Date.now },
    maxMessageBytes: 50 * 1024 * 1024,
  });
  return { catalogue, bytes };
}

function request(rsg: string, target: string, folder?: string): MergeRequest {
  return {
    rsg,
    target,
    selection: folder ? { mailbox: SOURCE, folder } : { mailbox: SOURCE },
    folders: 'original',
    conflict: 'skip',
    overrides: {},
    badItemLimit: 0,
  };
}

/** Wall and CPU milliseconds of each phase of one run. */
interface Run {
  newMs: number;
  sisMs: number;
  planEmptyMs: number;
  planHalfMs: number;
  newCpuMs: number;
  sisCpuMs: number;
  /** MB written to storage by each merge (SQLite WAL and checkpoints, log, blob files). */
  newMB: number;
  sisMB: number;
  planEmptyCpuMs: number;
  planHalfCpuMs: number;
  /** Background checkpoints finished by the end of the new / SIS merge and of the plans. */
  ckptAfterNew: number;
  ckptAfterSis: number;
  ckptAfterPlans: number;
}

/** Bytes this process has caused to be written to storage so far (Linux; 0 elsewhere). */
function writeBytes(): number {
  try {
    return Number(/^write_bytes: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Wall and CPU time of `fn`, and the MB it wrote: on a machine shared with other work, CPU time
 * and bytes written tell what the code costs.
 */
async function timed<T>(fn: () => T | Promise<T>): Promise<{ v: T; ms: number; cpuMs: number; mb: number }> {
  const cpu = process.cpuUsage();
  const w = writeBytes();
  const t = performance.now();
  const v = await fn();
  const c = process.cpuUsage(cpu);
  const mb = Math.round((writeBytes() - w) / 1e5) / 10;
  return { v, ms: performance.now() - t, cpuMs: (c.user + c.system) / 1000, mb };
}

async function oneRun(root: string, catalogue: RsgCatalogue, rsg: string, run: number): Promise<Run> {
  const live = Database.create(path.join(root, `live-${run}`), { extensions: LIVE_EXTENSIONS });
  try {
    const deps = mergeDeps(live, catalogue, { now: Date.now });
    for (const a of ['new@example.com', 'sis@example.com', 'empty@example.com']) {
      await createMailbox(live, { address: a });
    }
    const folder = `f${run % 4}`;
    const merge = (to: string): Promise<MergeReport> =>
      runMergeJob(deps, createMergeJob(deps, request(rsg, to, folder), 'bench'));
    const checkpoints = (): number => live.checkpointerStatus()?.runs ?? 0;
    const a = await timed(() => merge('new@example.com'));
    const ckptAfterNew = checkpoints();
    const b = await timed(() => merge('sis@example.com'));
    const ckptAfterSis = checkpoints();
    const [ra, rb] = [a.v, b.v];
    if (
      ra.counts.created !== MERGE_ITEMS ||
      rb.counts.created !== MERGE_ITEMS ||
      ra.bytesShared !== 0 ||
      rb.bytesCopied !== 0
    ) {
      throw new Error(`unexpected reports: ${JSON.stringify([ra.counts, rb.counts])}`);
    }
    const group = catalogue.group(rsg);
    const plan = (to: string): PlannedItem[] =>
      planMerge(live.sql, group, request(rsg, to), { now: Date.now() });
    const p1 = await timed(() => plan('empty@example.com'));
    const p2 = await timed(() => plan('new@example.com'));
    if (p1.v.length !== PLAN_ITEMS || p2.v.filter((p) => p.class === 'identical').length !== MERGE_ITEMS) {
      throw new Error('unexpected plans');
    }
    return {
      newMs: a.ms,
      sisMs: b.ms,
      planEmptyMs: p1.ms,
      planHalfMs: p2.ms,
      newCpuMs: a.cpuMs,
      sisCpuMs: b.cpuMs,
      newMB: a.mb,
      sisMB: b.mb,
      planEmptyCpuMs: p1.cpuMs,
      planHalfCpuMs: p2.cpuMs,
      ckptAfterNew,
      ckptAfterSis,
      ckptAfterPlans: checkpoints(),
    };
  } finally {
    live.close();
  }
}

export default async function mergeBench(): Promise<Record<string, unknown>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-bench-merge-'));
  try {
    let t = performance.now();
    const src = mountSource(root);
    const info = await src.catalogue.mount({
      source: 'backup',
      path: path.join(root, 'backup'),
      label: 'bench',
    });
    if (info.state !== 'mounted') {
      throw new Error(`mount failed: ${JSON.stringify(info.error)}`);
    }
    log(
      `source: ${PLAN_ITEMS} messages, ${Math.round(src.bytes / 1e6)} MB, built and mounted in ${Math.round(performance.now() - t)} ms`,
    );
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      t = performance.now();
      runs.push(await oneRun(root, src.catalogue, info.id, i));
      log(`run ${i + 1}: ${JSON.stringify(runs.at(-1))}`);
    }
    src.catalogue.close();
    const rate = (n: number, f: (r: Run) => number): number =>
      Math.round(median(runs.map((r) => n / (f(r) / 1000))));
    const result = {
      name: 'merge',
      runs: RUNS,
      cpus: os.availableParallelism(),
      loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
      // itemsPerSecond: wall clock (what the goals are about); itemsPerCpuSecond: this process's
      // CPU time only (fsync waits left out): what the code costs when the machine is shared
      newBlobs: {
        items: MERGE_ITEMS,
        itemsPerSecond: rate(MERGE_ITEMS, (r) => r.newMs),
        itemsPerCpuSecond: rate(MERGE_ITEMS, (r) => r.newCpuMs),
        mbWritten: median(runs.map((r) => r.newMB)),
        goal: 2000,
      },
      sisHits: {
        items: MERGE_ITEMS,
        itemsPerSecond: rate(MERGE_ITEMS, (r) => r.sisMs),
        itemsPerCpuSecond: rate(MERGE_ITEMS, (r) => r.sisCpuMs),
        mbWritten: median(runs.map((r) => r.sisMB)),
        goal: 10_000,
      },
      planEmptyTarget: {
        items: PLAN_ITEMS,
        itemsPerSecond: rate(PLAN_ITEMS, (r) => r.planEmptyMs),
        itemsPerCpuSecond: rate(PLAN_ITEMS, (r) => r.planEmptyCpuMs),
        goal: 20_000,
      },
      planQuarterPresent: {
        items: PLAN_ITEMS,
        itemsPerSecond: rate(PLAN_ITEMS, (r) => r.planHalfMs),
        itemsPerCpuSecond: rate(PLAN_ITEMS, (r) => r.planHalfCpuMs),
        goal: 20_000,
      },
      rawRuns: runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v)]))),
    };
    return result;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.stdout.write(JSON.stringify(await mergeBench(), null, 2) + '\n');
}
