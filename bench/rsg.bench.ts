/**
 * Mounting recovery groups: throughput (messages/s, MB/s) and peak memory, each source beside a
 * plain read of the same files in the same run (the I/O ceiling):
 *
 * - eml-tree: the Enron sample unpacked (40,960 messages, 119 mailboxes); plain read: every
 *   file read whole, 64 at a time (the reader's read-ahead window);
 * - mbox: one mboxrd file of the same messages in the same order; plain read: streaming it;
 * - backup: a full backup of a native database holding the same messages (delivered per
 *   mailbox and folder); plain read: every file of the backup set;
 * - eml-tree again with the search index built (the default of `salvage rsg mount`).
 *
 * Goals (issues 4 and 5): without the index a mount reaches ≥ 10,000 messages/s, with it (the
 * index built while converting) ≥ 4,000; peak RSS stays under 512 MiB whatever the source size. Every measurement runs in a child process of its own, which
 * reports its wall time, its CPU time (user + system, all threads; the figure to trust on a
 * loaded machine, where wall time also counts waiting for a CPU) and its peak RSS
 * (`process.resourceUsage().maxRSS`, the tsx loader included). The page cache is warm (the
 * plain read runs just before each mount). Medians of BENCH_RUNS runs (default 3).
 *
 * The conversion's reading worker runs the compiled copy under dist/ when it is current, as the
 * search index's workers do: build first (`npx tsc -p tsconfig.build.json`) to measure what
 * ships; otherwise the worker boots tsx (~0.5 s of CPU per mount).
 *
 * Reads the team corpus (`../shared/corpus` beside the repository, or $SALVAGE_CORPUS) and
 * prepares its inputs once in a cache under the OS temp dir (the unpacked sample is shared
 * with store.bench.ts). RSG_BENCH_MESSAGES=n uses only the first whole mailboxes holding n
 * messages (a quick run); RSG_BENCH_INDEX=0 skips the indexed mount.
 * Run alone: `node --import tsx bench/rsg.bench.ts`; or through bench/run.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/lib/clock.js';
import { type Indexer, RsgCatalogue, type RsgSourceKind } from '../src/rsg/index.js';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  Database,
  backupFull,
  createMailboxTx,
  deliver,
  findMailbox,
} from '../src/store/index.js';
import { cached, firstMailboxes, messageFiles } from './lib.js';

const SELF = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(SELF), '..');
const CORPUS = process.env.SALVAGE_CORPUS ?? path.resolve(REPO, '..', 'shared', 'corpus');
const ENRON = path.join(CORPUS, 'enron', 'enron-maildir-sample.tar.gz');
const CACHE_ROOT = path.join(os.tmpdir(), 'salvage-bench-cache');
/** Shared with store.bench.ts: the sample unpacked, marked complete by `.complete`. */
const UNPACKED = path.join(CACHE_ROOT, 'enron-maildir-sample');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LIMIT = Number(process.env.RSG_BENCH_MESSAGES ?? 0);
const WITH_INDEX = process.env.RSG_BENCH_INDEX !== '0';
/** RSG_BENCH_INDEX=only: the indexed mount alone. */
const ONLY_INDEX = process.env.RSG_BENCH_INDEX === 'only';
const READ_WINDOW = 64;
const DELIVER_BATCH = 1000;
const GOAL_MESSAGES_PER_SECOND = 10_000;
/** Issue 5: the default mount, end to end, search index included. */
const GOAL_INDEXED_MESSAGES_PER_SECOND = 4_000;
const GOAL_PEAK_RSS_MIB = 512;

const log = (s: string): void => void process.stderr.write(`  rsg: ${s}\n`);
const MB = 1e6;

// ---------------------------------------------------------------- inputs (prepared once)

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed`);
  }
}

interface Inputs {
  /** The eml-tree: `<user>/<folder>/<n>.` */
  tree: string;
  files: string[];
  bytes: number;
  mbox: string;
  backup: string;
  backupFiles: string[];
}

function prepare(): Inputs {
  const unpacked = cached(UNPACKED, (tmp) => {
    if (!fs.existsSync(ENRON)) {
      throw new Error(`The Enron sample is not at ${ENRON}; set SALVAGE_CORPUS to the corpus directory`);
    }
    log(`unpacking ${ENRON} (once)`);
    run('tar', ['-xzf', ENRON, '-C', tmp]);
  });
  let tree = path.join(unpacked, 'maildir');
  const variant = LIMIT > 0 ? `first-${LIMIT}` : 'all';
  const dir = path.join(CACHE_ROOT, `rsg-${variant}`);
  if (LIMIT > 0) {
    // whole mailboxes, in name order, until LIMIT messages; hard links, not copies
    tree = firstMailboxes(tree, path.join(dir, 'tree'), LIMIT);
  }
  const files = messageFiles(tree);
  const bytes = files.reduce((s, f) => s + fs.statSync(path.join(tree, f)).size, 0);
  const mboxDir = cached(path.join(dir, 'mbox'), (tmp) => {
    log(`writing one mboxrd file of ${files.length} messages (once)`);
    writeMbox(tree, files, path.join(tmp, 'enron.mbox'));
  });
  const backup = cached(path.join(dir, 'backup'), (tmp) => {
    log(`delivering ${files.length} messages into a native database and backing it up (once)`);
    buildBackup(tree, files, path.join(tmp, 'live'), path.join(tmp, 'set'));
    fs.rmSync(path.join(tmp, 'live'), { recursive: true, force: true });
  });
  const set = path.join(backup, 'set');
  return {
    tree,
    files,
    bytes,
    mbox: path.join(mboxDir, 'enron.mbox'),
    backup: set,
    backupFiles: messageFiles(set),
  };
}

/** mboxrd (RFC 4155 + `>From ` quoting), as a mail client would export the same messages. */
function writeMbox(tree: string, files: string[], out: string): void {
  const fd = fs.openSync(out, 'w');
  try {
    for (const f of files) {
      const text = fs.readFileSync(path.join(tree, f), 'latin1').replace(/^(>*From )/gm, '>$1');
      fs.writeSync(
        fd,
        Buffer.from(
          `From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n${text}${text.endsWith('\n') ? '' : '\n'}\n`,
          'latin1',
        ),
      );
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A live database with every message delivered to `<user>@enron.com`, folder as in the tree; then a full backup. */
function buildBackup(tree: string, files: string[], liveDir: string, setDir: string): void {
  const db = Database.create(liveDir, { clock: systemClock });
  try {
    const groups = new Map<string, string[]>();
    for (const f of files) {
      const [user, ...rest] = f.split('/');
      const key = `${user}@enron.com\0${rest.slice(0, -1).join('/') || 'Inbox'}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    for (const [key, group] of groups) {
      const [address, folder] = key.split('\0') as [string, string];
      if (!findMailbox(db.sql, address)) {
        db.writeSync((tx) => createMailboxTx(tx, { address }));
      }
      for (let i = 0; i < group.length; i += DELIVER_BATCH) {
        const msgs = group.slice(i, i + DELIVER_BATCH).map((f) => fs.readFileSync(path.join(tree, f)));
        deliver(db, msgs, { to: [address], folder });
      }
    }
    backupFull(db, setDir);
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- measurements (children)

interface Sample {
  ms: number;
  cpuMs: number;
  peakRssMiB: number;
  /** Peak RSS of each phase of a mount (the high-water mark is reset as a phase starts). */
  stagePeakRssMiB?: Record<string, number>;
  /** RSS as the index stage starts: what conversion left behind. */
  rssAtIndexMiB?: number;
  messages: number;
  bytes: number;
  files?: number;
  problems?: number;
}

function measureEnd(t0: number, c0: NodeJS.CpuUsage, messages: number, bytes: number): Sample {
  const c = process.cpuUsage(c0);
  return {
    ms: Math.round(performance.now() - t0),
    cpuMs: Math.round((c.user + c.system) / 1000),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    messages,
    bytes,
  };
}

/** Read every file whole with READ_WINDOW reads in flight. */
async function plainReadFiles(root: string, files: string[]): Promise<Sample> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let bytes = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const f = files[next++]!;
      const data = await fs.promises.readFile(path.join(root, f));
      bytes += data.length;
    }
  };
  await Promise.all(Array.from({ length: READ_WINDOW }, worker));
  return measureEnd(t0, c0, files.length, bytes);
}

async function plainReadStream(file: string, messages: number): Promise<Sample> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    bytes += (chunk as Buffer).length;
  }
  return measureEnd(t0, c0, messages, bytes);
}

/** A field of /proc/self/status in MiB (Linux), or undefined. */
function procStatusMiB(field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined; // not Linux: no per-stage figures
  }
}

/**
 * Per-phase peak RSS: as each phase starts, the peak so far is charged to the phase before and
 * the kernel's high-water mark is reset (`clear_refs` 5), so each phase gets its own peak.
 */
function stageMeter(): {
  phase: (p: string) => void;
  end: () => Record<string, number>;
  rssAtIndex?: number;
} {
  const peaks: Record<string, number> = {};
  let current = 'start';
  const meter = {
    rssAtIndex: undefined as number | undefined,
    phase(p: string): void {
      if (p === current) {
        return;
      }
      peaks[current] = Math.max(peaks[current] ?? 0, procStatusMiB('VmHWM') ?? 0);
      if (p === 'indexing') {
        meter.rssAtIndex = procStatusMiB('VmRSS');
      }
      try {
        fs.writeFileSync('/proc/self/clear_refs', '5');
      } catch {
        // not Linux, or not allowed: the phases then share one peak
      }
      current = p;
    },
    end(): Record<string, number> {
      meter.phase('end');
      delete peaks.start;
      return peaks;
    },
  };
  return meter;
}

async function mountOnce(kind: RsgSourceKind, source: string, withIndex: boolean): Promise<Sample> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-bench-rsg-'));
  try {
    let indexer: Indexer | undefined;
    if (withIndex) {
      indexer = (await import('../src/catalogue.js')).searchIndexer;
    }
    const cat = new RsgCatalogue(root, {
      clock: systemClock,
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      ...(indexer ? { indexer } : {}),
    });
    const meter = stageMeter();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const info = await cat.mount({ source: kind, path: source }, { onProgress: (p) => meter.phase(p.phase) });
    cat.close();
    if (info.state !== 'mounted') {
      throw new Error(`mount failed: ${info.error?.code}: ${info.error?.message}`);
    }
    const sample = measureEnd(t0, c0, info.counts.items, info.counts.bytes);
    const stages = meter.end();
    return {
      ...sample,
      // the high-water mark was reset between phases: the overall peak is the largest phase's
      peakRssMiB: Math.max(sample.peakRssMiB, ...Object.values(stages)),
      stagePeakRssMiB: stages,
      ...(meter.rssAtIndex !== undefined ? { rssAtIndexMiB: meter.rssAtIndex } : {}),
      problems: info.report.problemCount,
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

type Task =
  /** `messages`: what the files hold (a backup set is a few large files). */
  | { what: 'read-files'; root: string; list: string; messages?: number }
  | { what: 'read-stream'; file: string; messages: number }
  | { what: 'mount'; kind: RsgSourceKind; source: string; index: boolean };

async function child(task: Task): Promise<Sample> {
  switch (task.what) {
    case 'read-files': {
      const files = JSON.parse(fs.readFileSync(task.list, 'utf8')) as string[];
      const sample = await plainReadFiles(task.root, files);
      return { ...sample, messages: task.messages ?? files.length, files: files.length };
    }
    case 'read-stream':
      return plainReadStream(task.file, task.messages);
    case 'mount':
      return mountOnce(task.kind, task.source, task.index);
  }
}

/** Run one measurement in a fresh `node --import tsx` process. */
function inChild(task: Task): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', SELF, '--child', JSON.stringify(task)], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`measurement ${JSON.stringify(task)} exited ${code}`));
        return;
      }
      resolve(JSON.parse(out) as Sample);
    });
  });
}

// ---------------------------------------------------------------- the benchmark

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
}

function summary(samples: Sample[]) {
  const ms = median(samples.map((s) => s.ms));
  const cpuMs = median(samples.map((s) => s.cpuMs));
  const messages = samples[0]!.messages;
  const bytes = samples[0]!.bytes;
  return {
    medianMs: ms,
    messagesPerSecond: Math.round(messages / (ms / 1000)),
    mbPerSecond: Math.round((bytes / MB / (ms / 1000)) * 10) / 10,
    medianCpuMs: cpuMs,
    /** Messages per second of CPU time: what the code costs, whatever the machine's load. */
    messagesPerCpuSecond: Math.round(messages / (cpuMs / 1000)),
    peakRssMiB: Math.max(...samples.map((s) => s.peakRssMiB)),
    messages,
    bytes,
    runsMs: samples.map((s) => s.ms),
    runsCpuMs: samples.map((s) => s.cpuMs),
    runsPeakRssMiB: samples.map((s) => s.peakRssMiB),
    ...(samples[0]!.stagePeakRssMiB
      ? {
          runsStagePeakRssMiB: samples.map((s) => s.stagePeakRssMiB),
          runsRssAtIndexMiB: samples.map((s) => s.rssAtIndexMiB),
        }
      : {}),
  };
}

type Scenario = { source: RsgSourceKind; index: boolean; read: Task; mount: Task };

/** The mounts without the index: eml-tree, mbox, backup. */
function plainScenarios(inputs: Inputs, list: string, backupList: string, messages: number): Scenario[] {
  return [
    {
      source: 'eml-tree',
      index: false,
      read: { what: 'read-files', root: inputs.tree, list },
      mount: { what: 'mount', kind: 'eml-tree', source: inputs.tree, index: false },
    },
    {
      source: 'mbox',
      index: false,
      read: { what: 'read-stream', file: inputs.mbox, messages },
      mount: { what: 'mount', kind: 'mbox', source: inputs.mbox, index: false },
    },
    {
      source: 'backup',
      index: false,
      read: { what: 'read-files', root: inputs.backup, list: backupList, messages },
      mount: { what: 'mount', kind: 'backup', source: inputs.backup, index: false },
    },
  ];
}

export default async function rsgBench(): Promise<Record<string, unknown>> {
  const inputs = prepare();
  const list = path.join(os.tmpdir(), `salvage-bench-rsg-${process.pid}-files.json`);
  const backupList = path.join(os.tmpdir(), `salvage-bench-rsg-${process.pid}-backup.json`);
  fs.writeFileSync(list, JSON.stringify(inputs.files));
  fs.writeFileSync(backupList, JSON.stringify(inputs.backupFiles));
  const messages = inputs.files.length;
  const scenarios: Scenario[] = [
    ...(ONLY_INDEX ? [] : plainScenarios(inputs, list, backupList, messages)),
    ...(WITH_INDEX
      ? [
          {
            source: 'eml-tree' as const,
            index: true,
            read: { what: 'read-files' as const, root: inputs.tree, list },
            mount: { what: 'mount' as const, kind: 'eml-tree' as const, source: inputs.tree, index: true },
          },
        ]
      : []),
  ];
  const loadBefore = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const results = [];
  try {
    for (const s of scenarios) {
      const reads: Sample[] = [];
      const mounts: Sample[] = [];
      for (let i = 0; i < RUNS; i++) {
        reads.push(await inChild(s.read));
        mounts.push(await inChild(s.mount));
        const m = mounts.at(-1)!;
        log(
          `${s.source}${s.index ? ' + index' : ''} run ${i + 1}/${RUNS}: read ${reads.at(-1)!.ms} ms, mount ${m.ms} ms (cpu ${m.cpuMs} ms, ${m.messages} items, rss ${m.peakRssMiB} MiB${m.stagePeakRssMiB ? `, by phase ${JSON.stringify(m.stagePeakRssMiB)}, at index start ${m.rssAtIndexMiB ?? '?'}` : ''})`,
        );
      }
      const mount = summary(mounts);
      results.push({
        source: s.source,
        searchIndex: s.index,
        plainRead: summary(reads),
        mount: { ...mount, problems: mounts[0]!.problems ?? 0 },
        goals: {
          messagesPerSecond:
            mount.messagesPerSecond >=
            (s.index ? GOAL_INDEXED_MESSAGES_PER_SECOND : GOAL_MESSAGES_PER_SECOND),
          peakRss: mount.peakRssMiB < GOAL_PEAK_RSS_MIB,
        },
      });
    }
  } finally {
    fs.rmSync(list, { force: true });
    fs.rmSync(backupList, { force: true });
  }
  return {
    name: 'rsg',
    corpus: {
      messages,
      bytes: inputs.bytes,
      mailboxes: new Set(inputs.files.map((f) => f.split('/')[0])).size,
    },
    runs: RUNS,
    pageCache: 'warm',
    cpus: os.availableParallelism(),
    loadAverage: { before: loadBefore, after: os.loadavg().map((x) => Math.round(x * 100) / 100) },
    goals: {
      messagesPerSecondWithoutIndex: GOAL_MESSAGES_PER_SECOND,
      messagesPerSecondWithIndex: GOAL_INDEXED_MESSAGES_PER_SECOND,
      peakRssMiB: GOAL_PEAK_RSS_MIB,
    },
    scenarios: results,
  };
}

if (process.argv[1] && SELF === path.resolve(process.argv[1])) {
  if (process.argv[2] === '--child') {
    const sample = await child(JSON.parse(process.argv[3]!) as Task);
    process.stdout.write(JSON.stringify(sample));
  } else {
    process.stdout.write(JSON.stringify(await rsgBench(), null, 2) + '\n');
  }
}
