/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those named: `npm run bench -- store api`),
 * each in a child process of its own, and writes its result to
 * `bench/results/<name>-<ISO date>.json` and `bench/results/<name>-latest.json`.
 *
 * A benchmark module default-exports an async function that returns a JSON-serialisable
 * result; progress goes to stderr. Run one alone with `node --import tsx bench/<name>.bench.ts`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const SUFFIX = '.bench.ts';

type BenchFn = () => Promise<unknown>;

/** ISO 8601 basic format (no colons, safe in file names): 20260105T090000Z. */
function isoStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

function environment(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** In the child: import one benchmark, run it, write its result as JSON to `out`. */
async function runChild(file: string, out: string): Promise<void> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: BenchFn; run?: BenchFn };
  const fn = mod.default ?? mod.run;
  if (typeof fn !== 'function') {
    throw new Error(`${path.basename(file)} exports no default function`);
  }
  const result = await fn();
  fs.writeFileSync(out, JSON.stringify(result));
}

function runInChild(file: string, out: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', file, out],
      {
        stdio: 'inherit',
      },
    );
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--child') {
    await runChild(argv[1]!, argv[2]!);
    return 0;
  }
  const wanted = new Set(argv.filter((a) => !a.startsWith('-')));
  const files = fs
    .readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(SUFFIX))
    .sort()
    .filter((f) => wanted.size === 0 || wanted.has(f.slice(0, -SUFFIX.length)));
  if (files.length === 0) {
    process.stderr.write(`no benchmark matches ${[...wanted].join(', ')}\n`);
    return 2;
  }
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  let failed = 0;
  for (const f of files) {
    const name = f.slice(0, -SUFFIX.length);
    const started = new Date();
    const tmp = path.join(os.tmpdir(), `salvage-bench-${process.pid}-${name}.json`);
    process.stderr.write(`bench ${name}: running\n`);
    const code = await runInChild(path.join(BENCH_DIR, f), tmp);
    if (code !== 0 || !fs.existsSync(tmp)) {
      process.stderr.write(`bench ${name}: failed (exit ${code})\n`);
      failed += 1;
      continue;
    }
    const result: unknown = JSON.parse(fs.readFileSync(tmp, 'utf8'));
    fs.rmSync(tmp, { force: true });
    const doc = {
      name,
      startedAt: started.toISOString(),
      durationMs: Date.now() - started.getTime(),
      environment: environment(),
      result,
    };
    const text = JSON.stringify(doc, null, 2) + '\n';
    const stamped = path.join(RESULTS_DIR, `${name}-${isoStamp(started)}.json`);
    fs.writeFileSync(stamped, text);
    fs.writeFileSync(path.join(RESULTS_DIR, `${name}-latest.json`), text);
    process.stdout.write(text);
    process.stderr.write(`bench ${name}: wrote ${path.relative(process.cwd(), stamped)}\n`);
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
